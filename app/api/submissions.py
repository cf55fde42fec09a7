"""Submissions: the risk flags of one (Dixian's own resource, at Central's submission URL)."""
from flask import jsonify

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..services.registry import household_record
from . import bp
from .schemas.flags import FlagSchema


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/submissions/<instance_id>/flags")
@requires(Permission.SUBMISSION_READ)
def get_submission_flags(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    return jsonify(FlagSchema(many=True).dump(household_record.submission_flags(access, xml_form_id, instance_id)))
