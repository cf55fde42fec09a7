"""OpenRosa endpoints at ODK Central's URLs, so a Collect set up for Central works unchanged.

{base} is /v1/projects/{id} for web users and /v1/key/{token}/projects/{id} for
devices; the key prefix is stripped before routing and put back on every URL we emit.
"""
import mimetypes
from urllib.parse import quote

from flask import Response, current_app, request

from ..auth.identify import key_token, require_principal
from ..problems import Problem, bad_request, forbidden
from ..services import accounts, form_catalog
from ..services.accounts import Principal
from ..services.ingest_submission import Upload, ingest_submission
from . import bp, documents
from ..services.column_limits import DEVICE_ID


def openrosa_xml(body: bytes, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="text/xml")
    response.headers.update(openrosa_headers())
    response.headers["Cache-Control"] = "no-cache"   # a cached formList hides new versions from Collect
    return response


def openrosa_headers() -> dict[str, str]:
    return {
        **documents.OPENROSA_HEADERS,
        "X-OpenRosa-Accept-Content-Length": str(current_app.config["OPENROSA_ACCEPT_CONTENT_LENGTH"]),
        "Content-Language": "zh-CN",
    }


def base_url(project_id: int) -> str:
    """The OpenRosa root as the device knows it, from the configured public origin."""
    token = key_token()
    prefix = f"/v1/key/{token}" if token else "/v1"
    return f"{current_app.config['PUBLIC_URL']}{prefix}/projects/{project_id}"


def _reader(project_id: int) -> Principal:
    return _authorised(project_id, accounts.can_read)


def _authorised(project_id: int, allowed) -> Principal:
    principal = require_principal(challenge=True)
    # A device token is bound to one live project, so checking the id is enough for devices.
    if principal.kind != "app_user" or principal.project_id != project_id:
        form_catalog.require_project(project_id)
    if not allowed(principal, project_id):
        raise forbidden()
    return principal


@bp.get("/projects/<int:project_id>/formList")
def form_list(project_id: int):
    principal = _reader(project_id)
    base = base_url(project_id)
    entries = []
    for form in form_catalog.open_forms(project_id, principal, request.args.get("formID")):
        form_url = f"{base}/forms/{quote(form.xml_form_id, safe='')}"
        entries.append(documents.FormListEntry(
            form_id=form.xml_form_id, name=form.title, version=form.version, md5=form.md5,
            download_url=f"{form_url}.xml", manifest_url=f"{form_url}/manifest" if form.has_media else None))
    return openrosa_xml(documents.form_list(entries))


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>.xml")
def form_download(project_id: int, xml_form_id: str):
    principal = _reader(project_id)
    return _xform_download(form_catalog.current_version(project_id, xml_form_id, principal))


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/manifest")
def form_manifest(project_id: int, xml_form_id: str):
    principal = _reader(project_id)
    version = form_catalog.current_version(project_id, xml_form_id, principal)
    return _manifest(form_catalog.media(version, project_id, principal),
                     f"{base_url(project_id)}/forms/{quote(xml_form_id, safe='')}")


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/attachments/<name>")
def form_attachment(project_id: int, xml_form_id: str, name: str):
    principal = _reader(project_id)
    version = form_catalog.current_version(project_id, xml_form_id, principal)
    return _media_file(form_catalog.media_file(version, project_id, principal, name))


def _manifest(entries, form_url: str) -> Response:
    files = [documents.MediaFile(m.name, m.md5, f"{form_url}/attachments/{quote(m.name, safe='')}")
             for m in entries]
    return openrosa_xml(documents.manifest(files))


def _media_file(entry) -> Response:
    content_type = entry.content_type or mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
    body = entry.data if entry.data is not None else current_app.extensions["blobstore"].open(entry.blob_sha256)
    response = Response(body, mimetype=content_type, direct_passthrough=entry.data is None)
    response.content_length = entry.size
    response.set_etag(entry.md5)
    return response.make_conditional(request)


def _xform_download(version) -> Response:
    response = Response(version.xml, mimetype="application/xml")
    response.set_etag(version.md5)
    return response.make_conditional(request)


@bp.route("/projects/<int:project_id>/submission", methods=["HEAD", "GET", "POST"])
def submission(project_id: int):
    principal = _authorised(project_id, accounts.can_submit)
    if request.method != "POST":
        # Collect sends only to a server that answers this HEAD with 204 exactly.
        return Response(status=204, headers=openrosa_headers())
    ingest_submission(project_id, principal, _read_upload(), blobs=current_app.extensions["blobstore"],
                      max_xml_bytes=current_app.config["MAX_SUBMISSION_XML_BYTES"],
                      assess=current_app.config["RISK_RULES"])
    return openrosa_xml(documents.openrosa_response("full submission upload was successful!"), status=201)


# Draft testing, at ODK Central's URLs: {server}/v1/test/{token}/projects/{id}/forms/{xmlFormId}/draft
# is a server URL of its own for Collect, listing just the draft.
DRAFT = "/test/<token>/projects/<int:project_id>/forms/<xml_form_id>/draft"


def _draft_url(token: str, project_id: int, xml_form_id: str) -> str:
    return (f"{current_app.config['PUBLIC_URL']}/v1/test/{token}/projects/{project_id}"
            f"/forms/{quote(xml_form_id, safe='')}/draft")


@bp.get(f"{DRAFT}/formList")
def draft_form_list(token: str, project_id: int, xml_form_id: str):
    tester, version = form_catalog.draft_under_test(project_id, xml_form_id, token)
    draft_url = _draft_url(token, project_id, xml_form_id)
    has_media = bool(form_catalog.media(version, project_id, tester))
    entry = documents.FormListEntry(xml_form_id, version.title, version.version, version.md5,
                                    f"{draft_url}.xml", f"{draft_url}/manifest" if has_media else None)
    return openrosa_xml(documents.form_list([entry]))


@bp.get(f"{DRAFT}.xml")
def draft_download(token: str, project_id: int, xml_form_id: str):
    return _xform_download(form_catalog.draft_under_test(project_id, xml_form_id, token)[1])


@bp.get(f"{DRAFT}/manifest")
def draft_manifest(token: str, project_id: int, xml_form_id: str):
    tester, version = form_catalog.draft_under_test(project_id, xml_form_id, token)
    return _manifest(form_catalog.media(version, project_id, tester), _draft_url(token, project_id, xml_form_id))


@bp.get(f"{DRAFT}/attachments/<name>")
def draft_attachment(token: str, project_id: int, xml_form_id: str, name: str):
    tester, version = form_catalog.draft_under_test(project_id, xml_form_id, token)
    return _media_file(form_catalog.media_file(version, project_id, tester, name))


@bp.route(f"{DRAFT}/submission", methods=["HEAD", "GET", "POST"])
def draft_submission(token: str, project_id: int, xml_form_id: str):
    tester, _ = form_catalog.draft_under_test(project_id, xml_form_id, token)
    if request.method != "POST":
        return Response(status=204, headers=openrosa_headers())
    ingest_submission(project_id, tester, _read_upload(), blobs=current_app.extensions["blobstore"],
                      max_xml_bytes=current_app.config["MAX_SUBMISSION_XML_BYTES"],
                      xml_form_id=xml_form_id, draft=True, assess=current_app.config["RISK_RULES"])
    return openrosa_xml(documents.openrosa_response("full submission upload was successful!"), status=201)


def _read_upload() -> Upload:
    if request.mimetype != "multipart/form-data":
        raise bad_request("Required multipart POST field xml_submission_file missing.", code=400.7)
    try:
        files = request.files
        form = request.form
    except ValueError as e:
        raise bad_request(f"The multipart body could not be read: {e}", code=400.39) from None
    xml_part = files.get("xml_submission_file")
    if xml_part is not None:
        xml = xml_part.read()
    elif "xml_submission_file" in form:
        xml = form["xml_submission_file"].encode("utf-8")
    else:
        raise bad_request("Required multipart POST field xml_submission_file missing.", code=400.7)
    attachments: dict[str, bytes] = {}
    for field_name, part in files.items(multi=True):
        if field_name == "xml_submission_file":
            continue
        data = part.read()
        # Collect names the part after the file; other clients only set the filename.
        attachments.setdefault(field_name, data)
        if part.filename:
            attachments.setdefault(part.filename, data)
    odk_client = request.headers.get("ODK-Client")
    user_agent = request.headers.get("User-Agent")
    if odk_client:
        user_agent = f"{odk_client} {user_agent or ''}".strip()
    device_id = request.args.get("deviceID") or None
    return Upload(xml=xml, files=attachments, device_id=device_id and DEVICE_ID.clean(device_id),
                  user_agent=user_agent)


def render_problem(problem: Problem) -> Response:
    response = openrosa_xml(documents.openrosa_response(problem.message, error=True), status=problem.status)
    for name, value in problem.headers:
        response.headers.add(name, value)
    return response
