"""Sessions, projects and forms as JSON."""
from dataclasses import dataclass

from flask import Response, current_app, jsonify, request
from marshmallow import ValidationError

from ..http.identify import sign_in
from ..http.permissions import public, requires, signed_in
from ..core.access import Access, Permission, Principal
from ..models import Form, FormVersion
from ..problems import Problem, bad_request, forbidden, not_found
from ..services.accounts import users as accounts
from ..services.coverage import campaigns as coverage
from ..services.forms import catalog as form_catalog
from ..services.registry import household_record as households
from . import bp
from .schemas import (FormAttachmentSchema, FormSchema, ProjectSchema, SessionRequestSchema, SessionSchema,
                      UserSchema)


@dataclass
class _FormView:
    form: Form
    version: FormVersion | None


@bp.post("/sessions")
@public("signing in: the email and password are the credentials")
def create_session():
    try:
        body = SessionRequestSchema().load(request.get_json(silent=True) or {})
    except ValidationError as e:
        raise bad_request("Both email and password are required.", code=400.3, fields=e.messages) from None
    user = sign_in(body["email"], body["password"])
    token, session = accounts.open_session(user, current_app.config["SESSION_HOURS"])
    return jsonify(SessionSchema().dump({"token": token, "csrf": session.csrf,
                                         "created_at": session.created_at, "expires_at": session.expires_at}))


@bp.delete("/sessions/current")
@signed_in
def delete_session(principal: Principal):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        accounts.close_session(header[7:].strip())
    return jsonify({"success": True})


@bp.get("/users/current")
@signed_in
def current_user(principal: Principal):
    user = accounts.user_by_email(principal.display_name) if principal.kind == "user" else None
    if user is None:
        raise forbidden("Device accounts have no user record.")
    return jsonify(UserSchema().dump(user))


@bp.get("/projects")
@signed_in
def list_projects(principal: Principal):
    return jsonify(ProjectSchema(many=True).dump(accounts.readable_projects(principal)))


@bp.get("/projects/<int:project_id>")
@requires(Permission.PROJECT_READ)
def get_project(project_id: int, access: Access):
    return jsonify(ProjectSchema().dump(form_catalog.require_project(project_id)))


@bp.get("/projects/<int:project_id>/forms")
@requires(Permission.FORM_LIST)
def list_forms(project_id: int, access: Access):
    views = [_FormView(f, v) for f, v in form_catalog.all_forms(project_id)]
    return jsonify(FormSchema(many=True).dump(views))


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>")
@requires(Permission.FORM_READ)
def get_form(project_id: int, xml_form_id: str, access: Access):
    for form, version in form_catalog.all_forms(project_id):
        if form.xml_form_id == xml_form_id:
            return jsonify(FormSchema().dump(_FormView(form, version)))
    raise not_found(f"There is no form '{xml_form_id}' in project {project_id}.")


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/attachments")
@requires(Permission.FORM_READ)
def list_form_attachments(project_id: int, xml_form_id: str, access: Access):
    version = form_catalog.current_version(project_id, xml_form_id, access.principal)
    return jsonify(FormAttachmentSchema(many=True).dump(version.attachments))


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/submissions/<instance_id>/flags")
@requires(Permission.SUBMISSION_READ)
def get_submission_flags(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    return jsonify(households.submission_flags(access, xml_form_id, instance_id))


@bp.get("/projects/<int:project_id>/households/<household_id>")
@requires(Permission.HOUSEHOLD_READ)
def get_household(project_id: int, household_id: str, access: Access):
    return jsonify(households.household_view(access, household_id))


@bp.get("/projects/<int:project_id>/coverage")
@requires(Permission.COVERAGE_READ)
def get_coverage(project_id: int, access: Access):
    name = request.args.get("campaign")
    if not name:
        raise bad_request("Say which campaign: ?campaign=NAME or id.")
    campaign = coverage.find_campaign(project_id, name)
    level = request.args.get("level", "village")
    units = coverage.coverage(access, campaign, level)
    return jsonify({"campaign": {"id": campaign.id, "name": campaign.name, "startsOn": campaign.starts_on.isoformat(),
                                 "endsOn": campaign.ends_on.isoformat(), "forms": campaign.form_ids},
                    "level": level, "units": [u.as_dict() for u in units]})


def render_problem(problem: Problem) -> Response:
    """JSON problem details: ODK Central's code and message, plus RFC 9457's status and title."""
    body = {"code": problem.code, "message": problem.message, "status": problem.status,
            "title": _TITLES.get(problem.status, "Error"), "details": problem.details}
    response = jsonify(body)
    response.status_code = problem.status
    response.mimetype = "application/problem+json"
    for name, value in problem.headers:
        response.headers.add(name, value)
    return response


_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           409: "Conflict", 413: "Content Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
           501: "Not Implemented", 503: "Service Unavailable"}
