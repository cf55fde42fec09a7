"""Residents' self-report links from the console, for administrators: a link for each village of a
township, their list, revoking one, and the township's posters as a PDF (services/self_report)."""
from datetime import date

from flask import Response, current_app, redirect, request, url_for

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..problems import Problem, unexpected_value
from ..services.accounts import projects
from ..services.self_report import links, posters
from . import bp
from .problem_page import console_error
from .views import page

RESIDENTS_FORM = links.LINKABLE_FORMS[0]


@bp.get("/projects/<int:project_id>/public-links")
@requires(Permission.PUBLIC_LINK_MANAGE)
def public_links(project_id: int, access: Access):
    return _links_page(access)


@bp.post("/projects/<int:project_id>/public-links")
@requires(Permission.PUBLIC_LINK_MANAGE)
def create_public_links(project_id: int, access: Access):
    try:
        issued = links.create_links(
            project_id, RESIDENTS_FORM, [], township=request.form.get("township", "").strip(),
            expires_on=_date(request.form.get("expires", "")), quota=_quota(request.form.get("quota", "")),
            actor_id=access.principal.actor_id, **links.settings(current_app.config))
    except Problem as problem:
        return _links_page(access, problem)
    new = sum(1 for link in issued if not link.existing)
    return redirect(url_for("web.public_links", project_id=project_id, new=new, existing=len(issued) - new))


@bp.post("/projects/<int:project_id>/public-links/revoke")
@requires(Permission.PUBLIC_LINK_MANAGE)
def revoke_public_link(project_id: int, access: Access):
    link_id = request.form.get("link_id", "")
    if link_id.isascii() and link_id.isdigit() and len(link_id) < 10:
        links.revoke_links(project_id, [int(link_id)], actor_id=access.principal.actor_id)
    return redirect(url_for("web.public_links", project_id=project_id))


@bp.get("/projects/<int:project_id>/public-links/posters.pdf")
@requires(Permission.PUBLIC_LINK_MANAGE)
def public_link_posters(project_id: int, access: Access):
    township = request.args.get("township", "").strip()
    try:
        issued = links.live_links(project_id, township=township, **links.settings(current_app.config))
        document = posters.posters_pdf(issued, hotline=current_app.config["SELF_REPORT_HOTLINE"])
    except Problem as problem:
        return _links_page(access, problem)
    return Response(document, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="posters-{township}.pdf"', "Cache-Control": "no-store"})


def _links_page(access: Access, problem: Problem | None = None):
    # After creating: how many links are new and how many villages kept theirs (from the redirect's query).
    done = {"new": _count("new"), "existing": _count("existing")} if problem is None and "new" in request.args else None
    return page("public_links.html", problem.status if problem else 200,
                project=projects.require_project(access.project_id), rows=links.project_links(access.project_id),
                error=console_error(problem) if problem else None, done=done)


def _count(name: str) -> int:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else 0


def _date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise unexpected_value("expires", "The last day is a date like 2027-06-30.") from None


def _quota(value: str) -> int | None:
    if not value.strip():
        return None
    if not (value.strip().isascii() and value.strip().isdigit()) or len(value.strip()) > 7:
        raise unexpected_value("quota", "The quota is a whole number of reports, from 1 to 1,000,000.")
    return int(value.strip())
