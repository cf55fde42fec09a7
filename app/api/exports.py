"""Exports of a form's submissions, at Central's URLs (`submissions.csv.zip`, `submissions.csv`) and
Dixian's (`submissions.xlsx`, `submissions.geojson`), streamed as they are written
(services/submissions/exports).

Query: the review list's filters (form is the URL's; campaign, place, from, to, reviewState, flag),
`labels=zh` for the form's Chinese labels as headers, `encoding=gb18030` for GB18030 instead of UTF-8
with a byte-order mark, `attachments=false` for a zip without the photos (Central's parameter). Problems
(an unknown form or filter) are answered before the first byte.
"""
from urllib.parse import quote

from flask import Response, current_app, request, stream_with_context

from ..core.access import Access, Permission
from ..formats.csv_zip import encoding_for
from ..http.permissions import requires
from ..problems import unexpected_value
from ..services.submissions import exports
from ..services.submissions.listing import SubmissionFilter
from ..services.submissions.review import count_matching
from . import bp

FORM = "/projects/<int:project_id>/forms/<xml_form_id>"


def _request(xml_form_id: str) -> exports.ExportRequest:
    try:
        encoding = encoding_for(request.args.get("encoding"))
    except KeyError:
        raise unexpected_value("encoding", "The encoding is utf-8 (the default) or gb18030.") from None
    labels = request.args.get("labels", "")
    if labels not in ("", "zh", "false"):
        raise unexpected_value("labels", "labels=zh writes the form's Chinese labels as the headers.")
    attachments = request.args.get("attachments", "true").lower()
    if attachments not in ("true", "false"):
        raise unexpected_value("attachments", "attachments=false leaves the photos out of the zip.")
    args = {k: v for k, v in request.args.items() if k != "form"}
    return exports.ExportRequest(xml_form_id, SubmissionFilter.from_args(args | {"form": xml_form_id}),
                                 labels=labels == "zh", encoding=encoding, attachments=attachments == "true")


def _download(chunks, name: str, content_type: str, access: Access, export: exports.ExportRequest) -> Response:
    """The streamed file, with the number of submissions it holds (X-Total-Count: the console's progress)."""
    total = count_matching(access, export.chosen)
    response = Response(stream_with_context(chunks), content_type=content_type)
    response.headers["X-Total-Count"] = str(total)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get(f"{FORM}/submissions.csv.zip")
@requires(Permission.SUBMISSION_EXPORT)
def export_csv_zip(project_id: int, xml_form_id: str, access: Access):
    export = _request(xml_form_id)
    return _download(exports.csv_zip_export(access, export, current_app.extensions["blobstore"]),
                     f"{xml_form_id}.csv.zip", "application/zip", access, export)


@bp.get(f"{FORM}/submissions.csv")
@requires(Permission.SUBMISSION_EXPORT)
def export_csv(project_id: int, xml_form_id: str, access: Access):
    export = _request(xml_form_id)
    charset = "gb18030" if export.encoding == "gb18030" else "utf-8"
    return _download(exports.csv_export(access, export), f"{xml_form_id}.csv", f"text/csv; charset={charset}",
                     access, export)


@bp.get(f"{FORM}/submissions.xlsx")
@requires(Permission.SUBMISSION_EXPORT)
def export_xlsx(project_id: int, xml_form_id: str, access: Access):
    export = _request(xml_form_id)
    return _download(exports.xlsx_export(access, export), f"{xml_form_id}.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", access, export)


@bp.get(f"{FORM}/submissions.geojson")
@requires(Permission.SUBMISSION_EXPORT)
def export_geojson(project_id: int, xml_form_id: str, access: Access):
    export = _request(xml_form_id)
    return _download(exports.geojson_export(access, export), f"{xml_form_id}.geojson", "application/geo+json",
                     access, export)
