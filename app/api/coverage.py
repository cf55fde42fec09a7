"""Coverage of a campaign per village, township or county (Dixian's own resource)."""
from flask import jsonify, request

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..services.coverage import campaigns
from . import bp
from .campaign_param import campaign_in_query
from .schemas.coverage import CoverageSchema


@bp.get("/projects/<int:project_id>/coverage")
@requires(Permission.COVERAGE_READ)
def get_coverage(project_id: int, access: Access):
    campaign = campaign_in_query(project_id)
    level = request.args.get("level", "village")
    units = campaigns.coverage(access, campaign, level)
    return jsonify(CoverageSchema().dump({"campaign": campaign, "level": level, "units": units}))
