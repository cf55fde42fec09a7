"""Projects: GET /v1/projects and /v1/projects/{id} (Central's)."""
from flask import jsonify

from ..core.access import Access, Permission, Principal
from ..http.permissions import requires, signed_in
from ..services.accounts import grants, projects
from . import bp
from .schemas.projects import ProjectSchema


@bp.get("/projects")
@signed_in
def list_projects(principal: Principal):
    return jsonify(ProjectSchema(many=True).dump(grants.readable_projects(principal)))


@bp.get("/projects/<int:project_id>")
@requires(Permission.PROJECT_READ)
def get_project(project_id: int, access: Access):
    return jsonify(ProjectSchema().dump(projects.require_project(project_id)))
