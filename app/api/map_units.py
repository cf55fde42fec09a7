"""The console map's places: GET /v1/projects/{id}/map-units?campaign=NAME[&parent=CODE] (Dixian's own).

The children of a county or township (the caller's own places without `parent`), each with the
campaign's numbers, bounding box and simplified outline: the table beside the map, its breadcrumb
and drill-down, and the map drawn without WebGL.
"""
from flask import jsonify, request

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..problems import missing_parameter
from ..services.coverage import campaigns
from ..services.coverage.map_units import map_units
from . import bp
from .schemas.coverage import MapUnitsSchema


@bp.get("/projects/<int:project_id>/map-units")
@requires(Permission.COVERAGE_READ)
def get_map_units(project_id: int, access: Access):
    name = request.args.get("campaign")
    if not name:
        raise missing_parameter("campaign", "Say which campaign: ?campaign=NAME or id.")
    campaign = campaigns.find_campaign(project_id, name)
    parent = request.args.get("parent") or None
    units = map_units(access, campaign, parent)
    return jsonify(MapUnitsSchema().dump({"campaign": campaign, "parent": parent, "units": units}))
