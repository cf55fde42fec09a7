"""The console map's places: GET /v1/projects/{id}/map-units?campaign=NAME[&parent=CODE] (Dixian's own).

The children of a county or township (the caller's own places without `parent`), each with the
campaign's numbers, bounding box and simplified outline: the table beside the map, its breadcrumb
and drill-down, and the map drawn without WebGL.
"""
from flask import jsonify, request

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..services.coverage.map_units import map_units
from . import bp
from .campaign_param import campaign_in_query
from .schemas.coverage import MapUnitsSchema


@bp.get("/projects/<int:project_id>/map-units")
@requires(Permission.COVERAGE_READ)
def get_map_units(project_id: int, access: Access):
    campaign = campaign_in_query(project_id)
    parent = request.args.get("parent") or None
    units = map_units(access, campaign, parent)
    return jsonify(MapUnitsSchema().dump({"campaign": campaign, "parent": parent, "units": units}))
