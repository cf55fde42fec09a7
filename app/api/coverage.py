"""Coverage of a campaign per village, township or county (Dixian's own resource)."""
from flask import jsonify, request

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..problems import missing_parameter
from ..services.coverage import campaigns
from . import bp
from .schemas.coverage import CoverageSchema


@bp.get("/projects/<int:project_id>/coverage")
@requires(Permission.COVERAGE_READ)
def get_coverage(project_id: int, access: Access):
    name = request.args.get("campaign")
    if not name:
        raise missing_parameter("campaign", "Say which campaign: ?campaign=NAME or id.")
    campaign = campaigns.find_campaign(project_id, name)
    level = request.args.get("level", "village")
    units = campaigns.coverage(access, campaign, level)
    return jsonify(CoverageSchema().dump({"campaign": campaign, "level": level, "units": units}))
