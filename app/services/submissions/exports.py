"""Exports of a form's submissions, as ODK Central's users expect them and faster: CSV (a zip with one file
per repeat, Central's layout, or the submissions' table alone), Excel (a sheet per table) and GeoJSON (one
feature per geo answer).

Each table is one SELECT (queries.exports) whose rows PostgreSQL's COPY writes as CSV, in C, streamed as
it goes (a CSV's lines as the background jobs kept them, where they did: queries/export_lines.py): an export
of any size flows in bounded memory and no answer becomes a Python object on the way (Excel's rows come as
sheet XML, written by PostgreSQL too, and are zipped as they come: formats/xlsx.py). The same filters and
places cut it as cut the review list. ID
numbers and phones are masked in SQL unless the caller may read personal data. Each export is audited
when its last byte is written: an event `submission.export` with who, the filter and the submissions.
"""
import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from ... import events
from ...core.access import Access, Permission
from ...core.tables import Table, tables
from ...core.xform_labels import form_labels
from ...events import Kind
from ...extensions import db
from ...formats.csv_zip import zip_of
from ...formats.geojson import feature_collection
from ...formats.xlsx import workbook
from ...models import Form, FormVersion, GeoAnswer, Submission, SubmissionAttachment
from ...problems import not_found
from ...queries.export_lines import CSV, SHEET, LineStyle, kept_lines, layout_key
from ...storage.blobstore import BlobStore
from .copy_out import copy_out
from .listing import SubmissionFilter, conditions
from .review import count_matching

YIELD_PER = 2000
# Columns Central's CSV gives every submission, beside its answers (a subset: those Dixian keeps).
SYSTEM_COLUMNS = ("KEY", "SubmitterID", "SubmitterName", "ReviewState", "DeviceID", "FormVersion", "PlaceCode")


@dataclass(frozen=True)
class ExportRequest:
    """What the caller asked for: which submissions, and how to write them."""
    xml_form_id: str
    chosen: SubmissionFilter
    labels: bool = False           # Chinese labels as the header, not field names
    encoding: str = "utf-8-sig"    # a Python codec (formats.csv_zip.encoding_for)
    attachments: bool = True       # the zip holds the photos too, under media/ (Central's default)


def current_form(access: Access, xml_form_id: str) -> tuple[int, dict, bytes]:
    """The form's id and its current version's schema and XML. Raises Problem 404.1 for an unknown form."""
    row = db.session.execute(
        select(Form.id, FormVersion.schema, FormVersion.xml)
        .join(FormVersion, FormVersion.id == Form.current_version_id)
        .where(Form.project_id == access.project_id, Form.xml_form_id == xml_form_id)).first()
    if row is None:
        raise not_found(f"There is no form '{xml_form_id}' in this project.")
    return row


def _headers(layouts: list[Table], xml: bytes, labels: bool) -> list[list[str]]:
    names = form_labels(xml) if labels else None

    def header(column) -> str:
        if names is None:
            return column.header
        label = names.label(column.path)
        return f"{label}-{column.header.rsplit('-', 1)[1]}" if column.part is not None else label

    first = ["SubmissionDate", *(header(c) for c in layouts[0].columns), *SYSTEM_COLUMNS]
    return [first] + [[*(header(c) for c in t.columns), "PARENT_KEY", "KEY"] for t in layouts[1:]]


@dataclass(frozen=True)
class _Plan:
    """What one export writes: its tables, their header rows, and the SELECT of each table's rows."""
    layouts: list[Table]
    headers: list[list[str]]
    selects: list
    total: int                      # submissions chosen (the audit's count)


def _plan(access: Access, request: ExportRequest, style: LineStyle = CSV) -> _Plan:
    """The export's plan; raises its problems (an unknown form or campaign) before any byte is written.
    `style` (queries/export_lines.py): CSV lines for a file people open in a spreadsheet (a text that begins
    as a formula gets a quote before it), or SHEET rows of an Excel sheet's XML (text cells, which run
    nothing, take the text as it is)."""
    form_id, schema, xml = current_form(access, request.xml_form_id)
    layouts = tables(request.xml_form_id, schema)
    where = [Submission.form_id == form_id, *conditions(access, request.chosen)]
    root, repeats = "/" + schema.get("root", "data"), list(schema.get("repeats", []))
    show = access.can(Permission.PERSONAL_DATA_READ)
    # Each line as one text, kept ahead where it can be (queries/export_lines.py).
    key = layout_key(layouts, repeats, style)
    selects = [kept_lines(t, root=root, repeats=repeats, where=where, show_personal=show, key=key, style=style)
               for t in layouts]
    return _Plan(layouts, _headers(layouts, xml, request.labels), selects, count_matching(access, request.chosen))


# COPY's CSV with a delimiter and a quote no answer holds (XML cannot carry U+0001 or U+0002): a line that holds
# CR or LF is put between U+0001 quotes, which are taken out again; any other comes out as it is.
_LINES_AS_THEY_ARE = "FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01'"


def _copy_lines(statement, encoding: str) -> Iterator[bytes]:
    """The statement's one text column, CSV lines already, as COPY writes them in the export's encoding, each
    ending in a newline. U+0001, which XML cannot carry, is left out of the text (a name typed with one)."""
    server_encoding = "GB18030" if encoding == "gb18030" else "UTF8"
    for chunk in copy_out(statement, f"{_LINES_AS_THEY_ARE}, ENCODING '{server_encoding}'"):
        yield chunk.replace(b"\x01", b"")


def _copy(statement, encoding: str) -> Iterator[bytes]:
    """The statement's rows as CSV bytes, written by PostgreSQL's COPY in the export's encoding
    (copy_out: in chunks, without JIT, for up to an hour)."""
    server_encoding = "GB18030" if encoding == "gb18030" else "UTF8"
    return copy_out(statement, f"FORMAT csv, ENCODING '{server_encoding}'")


def _header_bytes(row: list[str], encoding: str) -> bytes:
    """A header row as CSV bytes, the UTF-8 byte-order mark first when the encoding asks for it."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(row)
    return buffer.getvalue().encode(encoding)


def csv_zip_export(access: Access, request: ExportRequest, blobs: BlobStore | None = None) -> Iterator[bytes]:
    """submissions.csv.zip: the submissions' table and one per repeat, then (with request.attachments and
    `blobs`) the files of the chosen submissions' current versions under media/, as Central writes them.
    Raises Problem 404.1 (unknown form) before the first byte; the export's event is written after the last."""
    plan = _plan(access, request)
    files = itertools.chain(
        ((f"{t.name}.csv", itertools.chain([_header_bytes(h, request.encoding)], _copy_lines(q, request.encoding)))
         for t, h, q in zip(plan.layouts, plan.headers, plan.selects)),
        _media(access, request, blobs) if request.attachments and blobs is not None else ())
    return _audited(access, request, "csv.zip", plan.total, zip_of(files))


MEDIA_CHUNK = 1024 * 1024      # bytes of a photo read at once into the zip


def _media(access: Access, request: ExportRequest, blobs: BlobStore) -> Iterator[tuple[str, Iterator[bytes]]]:
    """(media/name, its bytes in chunks) for each file that has arrived, in the submissions' order. Phones
    name photos by the time they were taken, so two submissions may hold different files of one name:
    the first keeps media/name (as Central's zip), a later one is media/<first 8 of its SHA-256>-name."""
    written: dict[str, str] = {}
    for name, sha256 in db.session.execute(
            select(SubmissionAttachment.name, SubmissionAttachment.blob_sha256)
            .join(Submission, Submission.current_version_id == SubmissionAttachment.submission_version_id)
            .join(Form, Form.id == Submission.form_id)
            .where(Form.xml_form_id == request.xml_form_id, SubmissionAttachment.blob_sha256.is_not(None),
                   *conditions(access, request.chosen))
            .order_by(Submission.id, SubmissionAttachment.name), execution_options={"yield_per": YIELD_PER}):
        if written.get(name) == sha256:
            continue                                  # the same photo again (an edit kept it): once is enough
        path = name if name not in written else f"{sha256[:8]}-{name}"
        written.setdefault(name, sha256)
        yield f"media/{path}", _blob_chunks(blobs, sha256)


def _blob_chunks(blobs: BlobStore, sha256: str) -> Iterator[bytes]:
    with blobs.open(sha256) as f:
        while chunk := f.read(MEDIA_CHUNK):
            yield chunk


def xlsx_export(access: Access, request: ExportRequest) -> Iterator[bytes]:
    """submissions.xlsx: a sheet per table (the submissions', then each repeat's), streamed in constant memory."""
    plan = _plan(access, request, SHEET)
    tables = ((t.name, header, _copy_lines(statement, "utf-8"))
              for t, header, statement in zip(plan.layouts, plan.headers, plan.selects))
    return _audited(access, request, "xlsx", plan.total, workbook(tables))


def csv_export(access: Access, request: ExportRequest) -> Iterator[bytes]:
    """submissions.csv: the submissions' table alone (repeats need the zip)."""
    plan = _plan(access, request)
    chunks = itertools.chain([_header_bytes(plan.headers[0], request.encoding)],
                             _copy_lines(plan.selects[0], request.encoding))
    return _audited(access, request, "csv", plan.total, chunks)


def geojson_export(access: Access, request: ExportRequest) -> Iterator[bytes]:
    """submissions.geojson: a feature per geo answer (point, trace, shape) of the chosen submissions' current
    versions, with the submission's instanceID, the field, its repeat positions, accuracy and place."""
    form_id, _, _ = current_form(access, request.xml_form_id)
    where = conditions(access, request.chosen)
    counted = [0]

    def features():
        for g in db.session.execute(
                select(func.ST_AsGeoJSON(GeoAnswer.geom, 7).label("geometry"), GeoAnswer.field_path,
                       GeoAnswer.repeat_positions, GeoAnswer.kind, GeoAnswer.accuracy, GeoAnswer.altitude,
                       Submission.instance_id, Submission.admin_code, Submission.review_state)
                .join(Submission, Submission.current_version_id == GeoAnswer.submission_version_id)
                .join(Form, Form.id == Submission.form_id)
                .where(Submission.form_id == form_id, GeoAnswer.geom.is_not(None), *where)
                .order_by(Submission.id, GeoAnswer.id), execution_options={"yield_per": YIELD_PER}):
            counted[0] += 1
            yield g.geometry, {"instanceId": g.instance_id, "field": g.field_path, "repeat": list(g.repeat_positions),
                               "kind": g.kind, "accuracy": g.accuracy, "altitude": g.altitude,
                               "placeCode": g.admin_code, "reviewState": g.review_state}
    return _audited(access, request, "geojson", lambda: counted[0], feature_collection(features()))


def _audited(access: Access, request: ExportRequest, kind: str, rows, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, then the export's event; `rows` is the count it records (an int, or a function giving it
    once the chunks are written)."""
    yield from chunks
    events.record(Kind.SUBMISSION_EXPORT, actor_id=access.principal.actor_id or None, project_id=access.project_id,
                  subject=request.xml_form_id, payload={"format": kind, "rows": rows() if callable(rows) else rows,
                                                        "filter": {k: str(v) for k, v in asdict(request.chosen).items()
                                                                   if v is not None}})
    db.session.commit()
