"""A submission's XML and its versions, at Central's URLs (central-backend lib/resources/submissions.js,
"VERSIONS"): the current version's XML as it was sent, the list of versions newest first, one version by
its own instanceID, and its XML. Each is read only within the caller's places (404 outside them)."""
from flask import Response, jsonify

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..problems import insufficient_rights
from ..services.submissions import resource
from . import bp
from .query_options import extended_metadata
from .schemas.submissions import version_schema

SUBMISSION = "/projects/<int:project_id>/forms/<xml_form_id>/submissions/<instance_id>"


def _xml(access: Access, body_of) -> Response:
    """The XML as it was sent, to a caller who may read personal data: the XML holds every answer unmasked
    (ID numbers, phones), and masking it would no longer be what was sent, so a role that sees them masked
    elsewhere (a viewer) is refused here (403.1) and reads the answers through OData or an export instead.

    Byte for byte as stored: the XML names its own encoding, so no charset is added to contradict it. A
    device or a resident wrote it: it may hold an XHTML <script>, which a signed-in browser opening this URL
    would run on the console's origin; the sandbox and nosniff keep it inert, as attachments are kept."""
    if not access.can(Permission.PERSONAL_DATA_READ):
        raise insufficient_rights("A submission's XML holds its personal data unmasked; your role reads them "
                                  "masked, through OData or an export.")
    response = Response(body_of(), content_type="application/xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get(f"{SUBMISSION}.xml")
@requires(Permission.SUBMISSION_READ)
def get_submission_xml(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    return _xml(access, lambda: resource.current_xml(access, xml_form_id, instance_id))


@bp.get(f"{SUBMISSION}/versions")
@requires(Permission.SUBMISSION_READ)
def list_submission_versions(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    extended = extended_metadata()
    listed = resource.versions(access, xml_form_id, instance_id, extended=extended)
    return jsonify(version_schema(extended, many=True).dump(listed))


@bp.get(f"{SUBMISSION}/versions/<version_id>")
@requires(Permission.SUBMISSION_READ)
def get_submission_version(project_id: int, xml_form_id: str, instance_id: str, version_id: str, access: Access):
    extended = extended_metadata()
    return jsonify(version_schema(extended).dump(resource.version(access, xml_form_id, instance_id, version_id,
                                                                  extended=extended)))


@bp.get(f"{SUBMISSION}/versions/<version_id>.xml")
@requires(Permission.SUBMISSION_READ)
def get_submission_version_xml(project_id: int, xml_form_id: str, instance_id: str, version_id: str,
                               access: Access):
    return _xml(access, lambda: resource.version_xml(access, xml_form_id, instance_id, version_id))
