"""Users and their places, from the console: an administrator creates web users; whoever may manage
a project's users (a manager, within their own places) gives and takes roles limited to places."""
from flask import redirect, request, url_for

from ..core.access import ROLES, Access, Permission, Principal
from ..http.permissions import requires, signed_in
from ..problems import Problem, insufficient_rights
from ..services.accounts import grants, projects, users
from . import bp
from .problem_page import console_error
from .views import page


@bp.get("/projects/<int:project_id>/people")
@requires(Permission.USER_MANAGE)
def people(project_id: int, access: Access):
    return _people_page(access)


@bp.post("/projects/<int:project_id>/people/grant")
@requires(Permission.USER_MANAGE)
def grant(project_id: int, access: Access):
    places = [code for code in request.form.get("places", "").replace(",", " ").split() if code]
    try:
        grants.grant_within(access, request.form.get("email", ""), request.form.get("role", ""), places)
    except Problem as problem:
        return _people_page(access, problem)
    return redirect(url_for("web.people", project_id=project_id))


@bp.post("/projects/<int:project_id>/people/revoke")
@requires(Permission.USER_MANAGE)
def revoke(project_id: int, access: Access):
    try:
        grants.revoke_role(access, request.form.get("email", ""))
    except Problem as problem:
        return _people_page(access, problem)
    return redirect(url_for("web.people", project_id=project_id))


@bp.post("/users")
@signed_in
def create_user(principal: Principal):
    """An administrator creates a web user (email and a first password), then gives them roles."""
    if not principal.is_admin:
        raise insufficient_rights("Only administrators create users.")
    back = request.form.get("project", "")
    try:
        users.create_user(request.form.get("email", ""), request.form.get("password", ""), actor_id=principal.actor_id)
    except Problem as problem:
        if back.isascii() and back.isdigit():
            access = grants.require(principal, Permission.USER_MANAGE, int(back))
            return _people_page(access, problem)
        raise
    if back.isascii() and back.isdigit():
        # The page then says so, with the new user's email ready in the form that gives a role.
        return redirect(url_for("web.people", project_id=int(back), created=request.form.get("email", "")))
    return redirect(url_for("web.console"))


def _people_page(access: Access, problem: Problem | None = None):
    status = problem.status if problem else 200
    # A link can say anything: the page says "created" only of an existing user.
    created = request.args.get("created", "")[:320] if problem is None else ""
    created = created if created and users.user_by_email(created) else ""
    return page("people.html", status, project=projects.require_project(access.project_id),
                grants=grants.project_grants(access), roles=list(ROLES),
                error=console_error(problem) if problem else None,
                may_create=access.principal.is_admin, created=created)
