"""The township's inbox of risk leads from residents' self-reports, and a lead's page with its decisions:
accept, reject with a reason, or merge into another lead of the village (services/self_report/inbox)."""
from flask import redirect, request, url_for

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..problems import Problem
from ..services.accounts import projects
from ..services.self_report import inbox
from . import bp
from .problem_page import console_error
from .views import page


@bp.get("/projects/<int:project_id>/leads")
@requires(Permission.LEAD_READ)
def leads(project_id: int, access: Access):
    state = request.args.get("state") or None
    try:
        rows = inbox.inbox(access, state=state)
    except Problem as problem:
        return page("leads.html", problem.status, project=projects.require_project(project_id), rows=[],
                    state=None, error=console_error(problem))
    return page("leads.html", project=projects.require_project(project_id), rows=rows, state=state, error=None)


@bp.get("/projects/<int:project_id>/leads/<int:lead_id>")
@requires(Permission.LEAD_READ)
def lead(project_id: int, lead_id: int, access: Access):
    return _lead_page(access, lead_id)


@bp.post("/projects/<int:project_id>/leads/<int:lead_id>/decision")
@requires(Permission.LEAD_DECIDE)
def decide_lead(project_id: int, lead_id: int, access: Access):
    into = request.form.get("into", "")
    try:
        inbox.decide(access, lead_id, request.form.get("decision", ""), reason=request.form.get("reason", ""),
                     into=int(into) if into.isascii() and into.isdigit() and len(into) < 10 else None)
    except Problem as problem:
        if problem.status == 404:
            raise
        return _lead_page(access, lead_id, problem)
    return redirect(url_for("web.lead", project_id=project_id, lead_id=lead_id))


def _lead_page(access: Access, lead_id: int, problem: Problem | None = None):
    return page("lead.html", problem.status if problem else 200, project=projects.require_project(access.project_id),
                view=inbox.lead_page(access, lead_id), may_decide=access.can(Permission.LEAD_DECIDE),
                error=console_error(problem) if problem else None)
