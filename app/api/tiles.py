"""Map tiles: GET /v1/projects/{id}/tiles/{units|households}/{z}/{x}/{y}.mvt?campaign=NAME (Dixian's own).

Answered as application/vnd.mapbox-vector-tile, private to the caller (never in a shared cache), with
an ETag of the content: an unchanged tile answers 304 to If-None-Match.
"""
from flask import Response, request

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..services.coverage import tiles
from . import bp
from .campaign_param import tiled_campaign_in_query

MVT = "application/vnd.mapbox-vector-tile"


@bp.get("/projects/<int:project_id>/tiles/units/<int:z>/<int:x>/<int:y>.mvt")
@requires(Permission.COVERAGE_READ)
def units_tile(project_id: int, z: int, x: int, y: int, access: Access):
    return _answer(tiles.units_tile(access, tiled_campaign_in_query(project_id), z, x, y))


@bp.get("/projects/<int:project_id>/tiles/households/<int:z>/<int:x>/<int:y>.mvt")
@requires(Permission.HOUSEHOLD_READ)
def households_tile(project_id: int, z: int, x: int, y: int, access: Access):
    return _answer(tiles.households_tile(access, tiled_campaign_in_query(project_id), z, x, y))


def _answer(tile: tiles.Tile) -> Response:
    # no-cache: the browser keeps the tile and asks again each time, with its ETag.
    fresh = request.if_none_match.contains(tile.etag)
    response = Response(status=304) if fresh else Response(tile.data, mimetype=MVT)
    response.set_etag(tile.etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
