"""OpenRosa endpoints at ODK Central's URLs, so a Collect set up for Central works unchanged.

{base} is /v1/projects/{id} for web users and /v1/key/{token}/projects/{id} for
devices; the key prefix is stripped before routing and put back on every URL we emit.
"""
import mimetypes
from urllib.parse import quote

from flask import Response, current_app, request

from ..core.access import Access, Permission
from ..http.identify import key_token
from ..http.permissions import public, requires
from ..http.raw_body import client_user_agent
from ..problems import Problem, missing_multipart_field, unreadable_body
from ..services.forms import catalog as form_catalog
from ..services.submissions.ingest import Upload, ingest_submission
from . import bp, documents


def openrosa_xml(body: bytes, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="text/xml")
    response.headers.update(openrosa_headers())
    # A device's formList and manifests hold its token in every URL, and a cached formList would hide new
    # versions from Collect: nothing here is kept by any cache.
    response.headers["Cache-Control"] = "private, no-store"
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


@bp.get("/projects/<int:project_id>/formList")
@requires(Permission.FORM_LIST, challenge=True)
def form_list(project_id: int, access: Access):
    base = base_url(project_id)
    entries = []
    for form in form_catalog.open_forms(project_id, access.principal, request.args.get("formID")):
        form_url = f"{base}/forms/{quote(form.xml_form_id, safe='')}"
        entries.append(documents.FormListEntry(
            form_id=form.xml_form_id, name=form.title, version=form.version, md5=form.md5,
            download_url=f"{form_url}.xml", manifest_url=f"{form_url}/manifest" if form.has_media else None))
    return openrosa_xml(documents.form_list(entries))


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>.xml")
@requires(Permission.FORM_READ, challenge=True)
def form_download(project_id: int, xml_form_id: str, access: Access):
    return _xform_download(form_catalog.current_version(project_id, xml_form_id, access.principal))


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/manifest")
@requires(Permission.FORM_READ, challenge=True)
def form_manifest(project_id: int, xml_form_id: str, access: Access):
    version = form_catalog.current_version(project_id, xml_form_id, access.principal)
    return _manifest(form_catalog.media(version, access),
                     f"{base_url(project_id)}/forms/{quote(xml_form_id, safe='')}")


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/attachments/<name>")
@requires(Permission.FORM_READ, challenge=True)
def form_attachment(project_id: int, xml_form_id: str, name: str, access: Access):
    version = form_catalog.current_version(project_id, xml_form_id, access.principal)
    return media_response(form_catalog.media_file(version, access, name))


def _manifest(entries, form_url: str) -> Response:
    files = [documents.MediaFile(m.name, m.md5, f"{form_url}/attachments/{quote(m.name, safe='')}")
             for m in entries]
    return openrosa_xml(documents.manifest(files))


def media_response(entry) -> Response:
    """A form's media file (stored, or a pick-list written for the caller), conditional on its MD5."""
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
@requires(Permission.SUBMISSION_CREATE, challenge=True)
def submission(project_id: int, access: Access):
    if request.method != "POST":
        # Collect sends only to a server that answers this HEAD with 204 exactly.
        return Response(status=204, headers=openrosa_headers())
    return _ingest(access)


# Draft testing, at ODK Central's URLs: {server}/v1/test/{token}/projects/{id}/forms/{xmlFormId}/draft
# is a server URL of its own for Collect, listing just the draft.
DRAFT = "/test/<token>/projects/<int:project_id>/forms/<xml_form_id>/draft"
# The test code in the URL is the credential: it opens one form's draft, and nothing else.
_DRAFT_CODE = "the draft's test code in the URL opens that draft only"


def _draft_url(token: str, project_id: int, xml_form_id: str) -> str:
    return (f"{current_app.config['PUBLIC_URL']}/v1/test/{token}/projects/{project_id}"
            f"/forms/{quote(xml_form_id, safe='')}/draft")


@bp.get(f"{DRAFT}/formList")
@public(_DRAFT_CODE)
def draft_form_list(token: str, project_id: int, xml_form_id: str):
    tester, version = form_catalog.draft_under_test(project_id, xml_form_id, token)
    draft_url = _draft_url(token, project_id, xml_form_id)
    has_media = bool(form_catalog.media(version, tester))
    entry = documents.FormListEntry(xml_form_id, version.title, version.version, version.md5,
                                    f"{draft_url}.xml", f"{draft_url}/manifest" if has_media else None)
    return openrosa_xml(documents.form_list([entry]))


@bp.get(f"{DRAFT}.xml")
@public(_DRAFT_CODE)
def draft_download(token: str, project_id: int, xml_form_id: str):
    return _xform_download(form_catalog.draft_under_test(project_id, xml_form_id, token)[1])


@bp.get(f"{DRAFT}/manifest")
@public(_DRAFT_CODE)
def draft_manifest(token: str, project_id: int, xml_form_id: str):
    tester, version = form_catalog.draft_under_test(project_id, xml_form_id, token)
    return _manifest(form_catalog.media(version, tester),
                     _draft_url(token, project_id, xml_form_id))


@bp.get(f"{DRAFT}/attachments/<name>")
@public(_DRAFT_CODE)
def draft_attachment(token: str, project_id: int, xml_form_id: str, name: str):
    tester, version = form_catalog.draft_under_test(project_id, xml_form_id, token)
    return media_response(form_catalog.media_file(version, tester, name))


@bp.route(f"{DRAFT}/submission", methods=["HEAD", "GET", "POST"])
@public(_DRAFT_CODE)
def draft_submission(token: str, project_id: int, xml_form_id: str):
    tester, _ = form_catalog.draft_under_test(project_id, xml_form_id, token)
    if request.method != "POST":
        return Response(status=204, headers=openrosa_headers())
    return _ingest(tester, xml_form_id=xml_form_id, draft=True)


def _ingest(access: Access, **draft) -> Response:
    """Take in the POSTed submission and answer 201 as Collect expects."""
    config = current_app.config
    ingest_submission(access, read_upload(), blobs=current_app.extensions["blobstore"],
                      max_xml_bytes=config["MAX_SUBMISSION_XML_BYTES"], max_xml_nodes=config["MAX_SUBMISSION_ELEMENTS"],
                      assess=config["RISK_RULES"], **draft)
    return openrosa_xml(documents.openrosa_response("full submission upload was successful!"), status=201)


def read_upload() -> Upload:
    """The OpenRosa multipart POST of this request: the XML part and every file part. Raises Problem 400.7
    without the XML part, 400.90 for a malformed body."""
    if request.mimetype != "multipart/form-data":
        raise missing_multipart_field("xml_submission_file")
    try:
        files = request.files
        form = request.form
    except ValueError as e:
        raise unreadable_body(f"the multipart body is malformed ({e})") from None
    xml_part = files.get("xml_submission_file")
    if xml_part is not None:
        xml = xml_part.read()
    elif "xml_submission_file" in form:
        xml = form["xml_submission_file"].encode("utf-8")
    else:
        raise missing_multipart_field("xml_submission_file")
    attachments: dict[str, bytes] = {}
    for field_name, part in files.items(multi=True):
        if field_name == "xml_submission_file":
            continue
        data = part.read()
        # Collect names the part after the file; other clients only set the filename.
        attachments.setdefault(field_name, data)
        if part.filename:
            attachments.setdefault(part.filename, data)
    return Upload(xml=xml, files=attachments, device_id=request.args.get("deviceID") or None,
                  user_agent=client_user_agent())


def render_problem(problem: Problem) -> Response:
    response = openrosa_xml(documents.openrosa_response(problem.message, error=True), status=problem.status)
    for name, value in problem.headers:
        response.headers.add(name, value)
    return response
