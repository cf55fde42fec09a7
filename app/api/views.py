"""Sessions, projects and forms as JSON."""
from dataclasses import dataclass

from flask import Response, current_app, jsonify, request
from marshmallow import ValidationError

from ..auth.identify import require_principal
from ..models import Form, FormVersion
from ..problems import Problem, bad_request, forbidden, not_found, unauthorized
from ..services import accounts, coverage, form_catalog, households, projects
from . import bp
from .schemas import (FormAttachmentSchema, FormSchema, ProjectSchema, SessionRequestSchema, SessionSchema,
                      UserSchema)


@dataclass
class _FormView:
    form: Form
    version: FormVersion | None


@bp.post("/sessions")
def create_session():
    try:
        body = SessionRequestSchema().load(request.get_json(silent=True) or {})
    except ValidationError as e:
        raise bad_request("Both email and password are required.", code=400.3, fields=e.messages) from None
    user = accounts.check_password(body["email"], body["password"])
    if user is None:
        raise unauthorized("Could not authenticate with the provided credentials.")
    token, session = accounts.open_session(user, current_app.config["SESSION_HOURS"])
    return jsonify(SessionSchema().dump({"token": token, "csrf": session.csrf,
                                         "created_at": session.created_at, "expires_at": session.expires_at}))


@bp.delete("/sessions/current")
def delete_session():
    require_principal(challenge=False)
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        accounts.close_session(header[7:].strip())
    return jsonify({"success": True})


@bp.get("/users/current")
def current_user():
    principal = require_principal(challenge=False)
    user = accounts.user_by_email(principal.display_name) if principal.kind == "user" else None
    if user is None:
        raise forbidden("Device accounts have no user record.")
    return jsonify(UserSchema().dump(user))


@bp.get("/projects")
def list_projects():
    principal = require_principal(challenge=False)
    readable = [p for p in projects.list_projects() if accounts.can_read(principal, p.id)]
    return jsonify(ProjectSchema(many=True).dump(readable))


@bp.get("/projects/<int:project_id>")
def get_project(project_id: int):
    _readable_project(project_id)
    return jsonify(ProjectSchema().dump(form_catalog.require_project(project_id)))


@bp.get("/projects/<int:project_id>/forms")
def list_forms(project_id: int):
    _readable_project(project_id)
    views = [_FormView(f, v) for f, v in form_catalog.all_forms(project_id)]
    return jsonify(FormSchema(many=True).dump(views))


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>")
def get_form(project_id: int, xml_form_id: str):
    _readable_project(project_id)
    for form, version in form_catalog.all_forms(project_id):
        if form.xml_form_id == xml_form_id:
            return jsonify(FormSchema().dump(_FormView(form, version)))
    raise not_found(f"There is no form '{xml_form_id}' in project {project_id}.")


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/attachments")
def list_form_attachments(project_id: int, xml_form_id: str):
    _readable_project(project_id)
    principal = require_principal(challenge=False)
    version = form_catalog.current_version(project_id, xml_form_id, principal)
    return jsonify(FormAttachmentSchema(many=True).dump(version.attachments))


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/submissions/<instance_id>/flags")
def get_submission_flags(project_id: int, xml_form_id: str, instance_id: str):
    _readable_project(project_id)
    return jsonify(households.submission_flags(project_id, xml_form_id, instance_id))


@bp.get("/projects/<int:project_id>/households/<household_id>")
def get_household(project_id: int, household_id: str):
    principal = _readable_project(project_id)
    return jsonify(households.household_view(project_id, household_id,
                                             show_ids=accounts.can_manage(principal, project_id)))


@bp.get("/projects/<int:project_id>/coverage")
def get_coverage(project_id: int):
    _readable_project(project_id)
    name = request.args.get("campaign")
    if not name:
        raise bad_request("Say which campaign: ?campaign=NAME or id.")
    campaign = coverage.find_campaign(project_id, name)
    level = request.args.get("level", "village")
    units = coverage.coverage(project_id, campaign, level)
    return jsonify({"campaign": {"id": campaign.id, "name": campaign.name, "startsOn": campaign.starts_on.isoformat(),
                                 "endsOn": campaign.ends_on.isoformat(), "forms": campaign.form_ids},
                    "level": level, "units": [u.as_dict() for u in units]})


def _readable_project(project_id: int):
    principal = require_principal(challenge=False)
    form_catalog.require_project(project_id)
    if not accounts.can_read(principal, project_id):
        raise forbidden()
    return principal


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
           409: "Conflict", 413: "Content Too Large", 500: "Internal Server Error", 501: "Not Implemented"}
