"""Submissions: the risk flags of one (Dixian's own resource, at Central's submission URL), and its
attachments (Central's: listed, and each file)."""
import mimetypes

from flask import current_app, jsonify, send_file

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..services.registry import household_record
from ..services.submissions import attachments
from . import bp
from .schemas.flags import FlagSchema


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/submissions/<instance_id>/flags")
@requires(Permission.SUBMISSION_READ)
def get_submission_flags(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    return jsonify(FlagSchema(many=True).dump(household_record.submission_flags(access, xml_form_id, instance_id)))


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/submissions/<instance_id>/attachments")
@requires(Permission.SUBMISSION_READ)
def list_submission_attachments(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    listed = attachments.submission_attachments(access, xml_form_id, instance_id)
    return jsonify([{"name": a.name, "exists": a.exists} for a in listed])


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/submissions/<instance_id>/attachments/<name>")
@requires(Permission.SUBMISSION_READ)
def get_submission_attachment(project_id: int, xml_form_id: str, instance_id: str, name: str, access: Access):
    data = attachments.open_attachment(access, xml_form_id, instance_id, name, current_app.extensions["blobstore"])
    # A photo of a household is personal data: private, and never run as a page whatever its name says.
    response = send_file(data, mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream",
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
