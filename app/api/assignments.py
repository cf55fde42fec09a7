"""Central's roles (GET /roles, /roles/{id}) and a form's assignments (GET /projects/{id}/forms/{xmlFormId}/
assignments[/{roleId}], POST and DELETE …/assignments/{roleId}/{actorId}: central-backend lib/resources/
roles.js and assignments.js), what pyodk's form_assignments.assign and projects.create_app_users call.

A role is named by its id or its system name, as Central reads it (core/central_roles.py). Only app-user (2)
is assigned per form: giving a form to chosen device accounts, as `form assign` does. Unlike Central, a form
assigned to nobody goes to every device of the project, so taking away its last assignment widens it.
Central lists roles to anyone; here, to anyone signed in.
"""
from flask import jsonify

from ..core.access import Access, Permission, Principal
from ..core.central_roles import CENTRAL_ROLES, CentralRole, role_named
from ..http.permissions import requires, signed_in
from ..problems import not_found
from ..services.forms import assignments
from . import bp
from .schemas.app_users import ActorSchema
from .schemas.roles import AssignmentSchema, RoleSchema

ASSIGNMENTS = "/projects/<int:project_id>/forms/<xml_form_id>/assignments"


def _role(role_id: str) -> CentralRole:
    role = role_named(role_id)
    if role is None:
        raise not_found(f"There is no role {role_id}.")
    return role


@bp.get("/roles")
@signed_in
def list_roles(principal: Principal):
    return jsonify(RoleSchema(many=True).dump(CENTRAL_ROLES))


@bp.get("/roles/<role_id>")
@signed_in
def get_role(role_id: str, principal: Principal):
    return jsonify(RoleSchema().dump(_role(role_id)))


@bp.get(ASSIGNMENTS)
@requires(Permission.USER_MANAGE)
def list_form_assignments(project_id: int, xml_form_id: str, access: Access):
    return jsonify(AssignmentSchema(many=True).dump(assignments.form_assignments(access, xml_form_id)))


@bp.get(f"{ASSIGNMENTS}/<role_id>")
@requires(Permission.USER_MANAGE)
def list_role_assignees(project_id: int, xml_form_id: str, role_id: str, access: Access):
    role = _role(role_id)
    return jsonify(ActorSchema(many=True).dump(assignments.role_assignees(access, xml_form_id, role)))


@bp.post(f"{ASSIGNMENTS}/<role_id>/<int:actor_id>")
@requires(Permission.USER_MANAGE)
def assign_form(project_id: int, xml_form_id: str, role_id: str, actor_id: int, access: Access):
    assignments.assign(access, xml_form_id, _role(role_id), actor_id)
    return jsonify({"success": True})


@bp.delete(f"{ASSIGNMENTS}/<role_id>/<int:actor_id>")
@requires(Permission.USER_MANAGE)
def unassign_form(project_id: int, xml_form_id: str, role_id: str, actor_id: int, access: Access):
    assignments.unassign(access, xml_form_id, _role(role_id), actor_id)
    return jsonify({"success": True})
