"""Exports of a form's submissions, as ODK Central's users expect them and faster: CSV (a zip with one file
per repeat, Central's layout, or the submissions' table alone), Excel (a sheet per table) and GeoJSON (one
feature per geo answer).

Rows come from one server-side cursor (yield_per), so an export of any size streams in bounded memory,
cut by the same filters and places as the review list. ID numbers and phones are masked unless the
caller may read personal data. Each export is audited when its last row is written: an event
`submission.export` with who, the filter and the number of rows.
"""
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from ... import events
from ...core.access import Access, Permission
from ...core.tables import Table, cell, repeat_entries, tables, value_at
from ...core.xform_labels import form_labels
from ...events import Kind
from ...extensions import db
from ...formats.csv_zip import csv_text, csv_zip
from ...formats.geojson import feature_collection
from ...formats.xlsx import workbook
from ...models import Actor, Form, FormVersion, GeoAnswer, Submission, SubmissionVersion
from ...problems import not_found
from .listing import SubmissionFilter, conditions

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


def _form(access: Access, xml_form_id: str) -> tuple[int, dict, bytes]:
    """The form's id and its current version's schema and XML. Raises Problem 404.1 for an unknown form."""
    row = db.session.execute(
        select(Form.id, FormVersion.schema, FormVersion.xml)
        .join(FormVersion, FormVersion.id == Form.current_version_id)
        .where(Form.project_id == access.project_id, Form.xml_form_id == xml_form_id)).first()
    if row is None:
        raise not_found(f"There is no form '{xml_form_id}' in this project.")
    return row


def _submissions(form_id: int, where: list):
    """The form's submissions that `where` (listing.conditions) chooses, with what the tables need, oldest
    first, from a server-side cursor."""
    return db.session.execute(
        select(Submission.instance_id, Submission.created_at, Submission.submitter_id, Actor.display_name,
               Submission.review_state, Submission.admin_code, SubmissionVersion.answers,
               SubmissionVersion.device_id, FormVersion.version)
        .join(Form, Form.id == Submission.form_id)
        .join(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id)
        .join(FormVersion, FormVersion.id == SubmissionVersion.form_version_id)
        .outerjoin(Actor, Actor.id == Submission.submitter_id)
        .where(Submission.form_id == form_id, *where).order_by(Submission.id),
        execution_options={"yield_per": YIELD_PER})


def _headers(layouts: list[Table], xml: bytes, labels: bool) -> list[list[str]]:
    names = form_labels(xml) if labels else None

    def header(column) -> str:
        if names is None:
            return column.header
        label = names.label(column.path)
        return f"{label}-{column.header.rsplit('-', 1)[1]}" if column.part is not None else label

    first = ["SubmissionDate", *(header(c) for c in layouts[0].columns), *SYSTEM_COLUMNS]
    return [first] + [[*(header(c) for c in t.columns), "PARENT_KEY", "KEY"] for t in layouts[1:]]


def _rows(access: Access, request: ExportRequest, counted: list[int]) -> tuple[list[Table], Iterator]:
    """The tables and their rows as (table index, row), header rows first; `counted` gets the submissions."""
    form_id, schema, xml = _form(access, request.xml_form_id)
    layouts = tables(request.xml_form_id, schema)
    show = access.can(Permission.PERSONAL_DATA_READ)
    root, repeats = "/" + schema.get("root", "data"), list(schema.get("repeats", []))
    where = conditions(access, request.chosen)       # its problems (an unknown campaign) before any byte

    def rows():
        for index, header in enumerate(_headers(layouts, xml, request.labels)):
            yield index, header
        for s in _submissions(form_id, where):
            answers = s.answers or {}
            yield 0, [s.created_at.isoformat(),
                      *(cell(value_at(answers, c.path, root), c, show_personal=show) for c in layouts[0].columns),
                      s.instance_id, str(s.submitter_id), s.display_name or "", s.review_state or "",
                      s.device_id or "", s.version or "", s.admin_code or ""]
            for index, table in enumerate(layouts[1:], 1):
                for entry, key, parent in repeat_entries(answers, root, table.repeat, s.instance_id, repeats):
                    yield index, [*(cell(value_at(entry, c.path, table.repeat), c, show_personal=show)
                                    for c in table.columns), parent, key]
            counted[0] += 1
    return layouts, rows()


def csv_zip_export(access: Access, request: ExportRequest) -> Iterator[bytes]:
    """submissions.csv.zip: the submissions' table and one per repeat. Raises Problem 404.1 (unknown form)
    before the first byte; the export's event is written after the last."""
    counted = [0]
    layouts, rows = _rows(access, request, counted)
    return _audited(access, request, "csv.zip", counted, csv_zip([t.name for t in layouts], rows, request.encoding))


def xlsx_export(access: Access, request: ExportRequest) -> Iterator[bytes]:
    """submissions.xlsx: a sheet per table (the submissions', then each repeat's), in constant memory."""
    counted = [0]
    layouts, rows = _rows(access, request, counted)
    return _audited(access, request, "xlsx", counted, workbook([t.name for t in layouts], rows))


def csv_export(access: Access, request: ExportRequest) -> Iterator[bytes]:
    """submissions.csv: the submissions' table alone (repeats need the zip)."""
    counted = [0]
    _, rows = _rows(access, request, counted)
    return _audited(access, request, "csv", counted, csv_text((row for index, row in rows if index == 0),
                                                              request.encoding))


def geojson_export(access: Access, request: ExportRequest) -> Iterator[bytes]:
    """submissions.geojson: a feature per geo answer (point, trace, shape) of the chosen submissions' current
    versions, with the submission's instanceID, the field, its repeat positions, accuracy and place."""
    form_id, _, _ = _form(access, request.xml_form_id)
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
    return _audited(access, request, "geojson", counted, feature_collection(features()))


def _audited(access: Access, request: ExportRequest, kind: str, counted: list[int],
             chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield from chunks
    events.record(Kind.SUBMISSION_EXPORT, actor_id=access.principal.actor_id or None, project_id=access.project_id,
                  subject=request.xml_form_id, payload={"format": kind, "rows": counted[0],
                                                        "filter": {k: str(v) for k, v in asdict(request.chosen).items()
                                                                   if v is not None}})
    db.session.commit()
