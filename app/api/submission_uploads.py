"""Sending submissions through Central's REST API, as pyodk and Web Forms do (central-backend
lib/resources/submissions.js restSubmission and the attachment POST): the XML itself to
.../forms/{xmlFormId}/submissions, an edit's XML by PUT to .../submissions/{instanceId}, then each file the
submission names to .../attachments/{name}, its bytes as the body. What OpenRosa's multipart POST does in one
request, in the same ingest (services/submissions/rest.py, late_files.py).
"""
from flask import current_app, jsonify, request

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..http.raw_body import client_user_agent, read_body, require_xml_body
from ..services.submissions import late_files, rest
from ..services.submissions.ingest import Upload
from . import bp
from .schemas.submissions import submission_schema

SUBMISSIONS = "/projects/<int:project_id>/forms/<xml_form_id>/submissions"


def _xml_upload() -> tuple[Upload, rest.Bounds]:
    """The request as a submission: its XML body (415.1 unless declared XML, 413.1 past the XML bound),
    ?deviceID= and the client's User-Agent."""
    require_xml_body()
    config = current_app.config
    bounds = rest.Bounds(config["MAX_SUBMISSION_XML_BYTES"], config["MAX_SUBMISSION_ELEMENTS"])
    xml = read_body(bounds.max_xml_bytes, "submission XML")
    return Upload(xml=xml, files={}, device_id=request.args.get("deviceID") or None,
                  user_agent=client_user_agent()), bounds


@bp.post(SUBMISSIONS)
@requires(Permission.SUBMISSION_CREATE)
def create_submission(project_id: int, xml_form_id: str, access: Access):
    """pyodk submissions.create: 200 with the new Submission (Central answers 200, not 201). A device
    may send here, as to OpenRosa, and reads back only this answer."""
    upload, bounds = _xml_upload()
    created = rest.create(access, xml_form_id, upload, blobs=current_app.extensions["blobstore"], bounds=bounds,
                          assess=current_app.config["RISK_RULES"])
    return jsonify(submission_schema(False).dump(created))


@bp.put(f"{SUBMISSIONS}/<instance_id>")
@requires(Permission.SUBMISSION_REVIEW)
def edit_submission(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    """pyodk submissions.edit: the new version. Needs submission.update, as every edit in Dixian does
    (ingest: OpenRosa edits too); Central asks only submission.create here, but offers its edit page only to
    those with submission.update."""
    upload, bounds = _xml_upload()
    edited = rest.edit(access, xml_form_id, instance_id, upload, blobs=current_app.extensions["blobstore"],
                       bounds=bounds, assess=current_app.config["RISK_RULES"])
    return jsonify(submission_schema(False).dump(edited))


@bp.post(f"{SUBMISSIONS}/<instance_id>/attachments/<name>")
@requires(Permission.SUBMISSION_CREATE)
def upload_submission_attachment(project_id: int, xml_form_id: str, instance_id: str, name: str, access: Access):
    """pyodk submission_attachments.upload: {"success": true}. Its sender, or a reviewer whose places hold
    the submission, may send a file the current version expects (late_files.attach says who and when);
    any body type, up to the request bound (MAX_CONTENT_LENGTH, 413 beyond)."""
    data = read_body(current_app.config["MAX_CONTENT_LENGTH"], "file")
    late_files.attach(access, xml_form_id, instance_id, name, data, current_app.extensions["blobstore"])
    return jsonify({"success": True})
