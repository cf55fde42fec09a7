"""A form's submissions as OData v4, at ODK Central's URLs, for Power BI, Excel, pyodk and ruODK
(central-backend lib/resources/odata.js):

- `GET /v1/projects/{id}/forms/{formId}.svc`: the service document;
- `GET ….svc/$metadata`: the EDMX document;
- `GET ….svc/Submissions` and `….svc/Submissions.{group.repeat}`: the rows, with $top $skip $skiptoken $count
  $select $filter $orderby $wkt $expand=* (core.odata_options; services.submissions.odata);
- `GET /v1/projects/{id}/forms/{formId}/fields?odata=true|false`: the fields, which ruODK types columns by.

Every OData answer carries `OData-Version: 4.0`. Links in the documents start from the URL the client called,
so they work behind the front door as in front of it.
"""
import json
from urllib.parse import quote, urlencode

from flask import Response, jsonify, request, stream_with_context

from ..core.access import Access, Permission
from ..core.odata_options import is_true, read_options
from ..http.permissions import requires
from ..services.submissions import odata
from . import bp
from .schemas.odata import FieldSchema, ServiceDocumentSchema

FORM = "/projects/<int:project_id>/forms/<xml_form_id>"
JSON_MINIMAL = "application/json; odata.metadata=minimal"


def _service_root(project_id: int, xml_form_id: str) -> str:
    return f"{request.url_root.rstrip('/')}/v1/projects/{project_id}/forms/{quote(xml_form_id, safe='')}.svc"


def _odata(response: Response) -> Response:
    response.headers["OData-Version"] = "4.0"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get(f"{FORM}.svc")
@requires(Permission.SUBMISSION_READ)
def odata_service(project_id: int, xml_form_id: str, access: Access):
    document = odata.service(access, xml_form_id, f"{_service_root(project_id, xml_form_id)}/$metadata")
    response = jsonify(ServiceDocumentSchema().dump(document))
    response.content_type = JSON_MINIMAL
    return _odata(response)


@bp.get(f"{FORM}.svc/$metadata")
@requires(Permission.SUBMISSION_READ)
def odata_metadata(project_id: int, xml_form_id: str, access: Access):
    return _odata(Response(odata.metadata(access, xml_form_id), content_type="application/xml; charset=utf-8"))


@bp.get(f"{FORM}.svc/<path:table>")
@requires(Permission.SUBMISSION_READ)
def odata_rows(project_id: int, xml_form_id: str, table: str, access: Access):
    """{"value": [rows], "@odata.context": …, "@odata.nextLink": … (more rows), "@odata.count": N ($count)},
    streamed."""
    options = read_options(request.args.items(multi=True))
    answer = odata.rows(access, xml_form_id, table, options)
    footer = {"@odata.context": f"{_service_root(project_id, xml_form_id)}/$metadata#{table}"}
    if answer.count is not None:
        footer["@odata.count"] = answer.count

    def body():
        yield b'{"value":['
        yield from answer.chunks
        yield b"],"
        following = answer.after()
        if following:
            footer["@odata.nextLink"] = _next_link(following.get("token"), following.get("skip"))
        yield _members(footer)

    return _odata(Response(stream_with_context(body()), content_type=JSON_MINIMAL))


def _members(footer: dict) -> bytes:
    """The footer's members and the closing brace: '"@odata.context":"…"}'."""
    return json.dumps(footer, ensure_ascii=False, separators=(",", ":"))[1:].encode()


def _next_link(token: str | None, skip: int | None) -> str:
    """This request's URL with the next page's $skiptoken (or $skip), other parameters kept."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k.lower() not in ("$skip", "$skiptoken")]
    kept.append(("$skiptoken", token) if token is not None else ("$skip", str(skip)))
    return f"{request.base_url}?{urlencode(kept, safe='$*,/()')}"


@bp.get(f"{FORM}/fields")
@requires(Permission.FORM_READ)
def form_fields(project_id: int, xml_form_id: str, access: Access):
    """Central's field list (ruODK's form_schema): [{name, path, type, binary, selectMultiple}]."""
    listed = odata.fields(access, xml_form_id, odata=is_true(request.args.get("odata")))
    return jsonify(FieldSchema(many=True).dump(listed))
