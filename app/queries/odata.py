"""The statements OData pages run: each row of a table (Submissions, or a repeat's) written as ODK Central's
OData JSON by PostgreSQL itself, from the answers parsed at ingest; Python hands the text on.

The shapes are Central's (central-backend lib/data/odata.js submissionToOData):
- a Submissions row: `__id` (the instanceID), `__system` (submissionDate, updatedAt, submitterId as text,
  submitterName, attachmentsPresent, attachmentsExpected, status, reviewState, deviceId, edits, formVersion,
  deletedAt), then every field of the form (null when unanswered), groups as nested objects;
- a repeat present in a row gives `{name}@odata.navigationLink`: `Submissions('{instanceID, URI-encoded}')`,
  then each step below the root (a repeat above the target with its row id in brackets); with $expand=* also
  `{name}`: its rows, each with its own `__id`;
- a repeat table's row: `__id`, its fields, and its parent's id under `__Submissions[-path]-id`;
- a repeat row's id is sha1 of "Submissions#{instanceID}" and, for each step down to it, "%%{name}#" for a group
  and "%%{name}#{i}" for a repeat (i its 0-based position within its parent), hex: Central's hashId, so join
  keys match Central's for the same data;
- values typed as Central types them: int and decimal as numbers (an answer kept as text because it did not
  fit is null, as JavaScript's parseInt makes it), select_multiple as its space-separated choices, geo answers
  as GeoJSON with [longitude, latitude(, altitude)] and the accuracy in `properties` (or WKT with $wkt=true),
  everything else as stored;
- ID numbers and phones (core.personal_fields) masked as in exports, unless the caller may read them: the
  answers that are one, and those written into a text answer (queries.exports.masked_in_text).

Speed: a row's answers are read once (`answers || '{}'` in a subquery fenced by OFFSET/LIMIT, as in
queries.exports), cells are plain jsonb `->`, and the optional members of an object (navigation links,
expansions) and objects of more than 50 members (json_build_object's limit) are joined as text
(dixian_json_members, migration 0025).
"""
import json
from dataclasses import dataclass
from itertools import count

from sqlalchemy import (
    JSON,
    Integer,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from ..core.odata_schema import Node
from ..core.personal_fields import ID_SUFFIXES, is_personal
from ..models import Actor, Form, FormVersion, Submission, SubmissionAttachment, SubmissionVersion
from .exports import answer_text, as_array, masked_in_text

UTC_STAMP = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'     # JavaScript's toISOString, as Central's timestamps
MAX_PAIRS = 50                                  # json_build_object takes at most 100 arguments
SYSTEM_MEMBERS = ("submissionDate", "updatedAt", "submitterId", "submitterName", "attachmentsPresent",
                  "attachmentsExpected", "status", "reviewState", "deviceId", "edits", "formVersion", "deletedAt")
GEO = ("geopoint", "geotrace", "geoshape")


@dataclass(frozen=True)
class Shape:
    """How rows are written: from the query options and the caller's rights."""
    wkt: bool = False
    expand: bool = False
    keep: frozenset[str] | None = None        # paths of the nodes $select keeps; None keeps all
    system: tuple[str, ...] = SYSTEM_MEMBERS  # the __system members written (none: no __system)
    parent_key: bool = True                   # a repeat row's parent id ($select may leave it out)
    show_personal: bool = False


@dataclass(frozen=True)
class Page:
    """A statement of rows (the key columns, then `row`: the row's JSON text) and how to continue after one."""
    statement: Select
    keys: list[str]            # the key columns' labels: 'sid', then 'n0', 'n1'... for each repeat level


def chosen(where: list, order: list | None = None, *, limit: int | None = None, offset: int = 0):
    """The submissions `where` chooses (conditions on Submission joined to Form), with their current version's
    answers read once; newest first, or in `order` (then with a `rank` column)."""
    columns = [Submission.id.label("sid"), Submission.instance_id, Submission.created_at, Submission.updated_at,
               Submission.deleted_at, Submission.submitter_id, Submission.review_state,
               Submission.current_version_id, SubmissionVersion.device_id, SubmissionVersion.form_version_id,
               SubmissionVersion.answers.op("||")(literal_column("'{}'::jsonb")).label("answers")]
    ordering = order or [Submission.id.desc()]
    if order:
        columns.append(func.row_number().over(order_by=ordering).label("rank"))
    query = (select(*columns).join(Form, Form.id == Submission.form_id)
             .join(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id)
             .where(*where).order_by(*ordering).offset(offset))   # OFFSET (even 0): the fence that reads answers once
    if limit is not None:
        query = query.limit(limit)
    return query.subquery("chosen")


def _stamp(column) -> ColumnElement:
    return func.to_char(func.timezone("UTC", column), UTC_STAMP)


def _get(source, name: str) -> ColumnElement:
    return source.op("->", return_type=JSONB)(name)


def _sha1(text) -> ColumnElement:
    return func.encode(func.digest(text, "sha1"), "hex")


def _uri(value) -> ColumnElement:
    """encodeURIComponent in SQL; the usual instanceID (uuid:...) without calling a function."""
    return case((value.op("~")(r"^[A-Za-z0-9_.!~*'()-]*:?[A-Za-z0-9_.!~*'()-]*$"), func.replace(value, ":", "%3A")),
                else_=func.dixian_uri_component(value))


class _Writer:
    """Builds the JSON of rows for one request's Shape; names its laterals uniquely."""

    def __init__(self, shape: Shape):
        self.shape = shape
        self._names = count()

    def kept(self, node: Node) -> bool:
        return self.shape.keep is None or node.path in self.shape.keep

    def value(self, node: Node, source) -> ColumnElement:
        answer = _get(source, node.name)
        if node.type in ("int", "decimal"):
            return case((func.jsonb_typeof(answer) == "number", answer))
        if node.type in GEO:
            return func.dixian_odata_geo(node.type, source.op("->>", return_type=Text)(node.name), self.shape.wkt)
        if is_personal(node.name) and not self.shape.show_personal:
            mask = func.dixian_mask_idno if node.name.lower().endswith(ID_SUFFIXES) else func.dixian_mask_phone
            return func.to_json(mask(answer_text(source, [node.name], node.type)))
        if node.type == "select_multiple":
            return func.to_json(answer_text(source, [node.name], node.type))
        if node.type == "string" and not self.shape.show_personal:
            return func.to_json(masked_in_text(answer_text(source, [node.name], node.type)))
        return answer

    def members(self, node: Node, source, prefix, link, head: list, tail: list = ()) -> tuple[list, list]:
        """The (name, value) pairs of an object for `node`'s children, and the optional ones (value NULL: left
        out). `prefix` is the text Central hashes for this object's rows, `link` its navigation path."""
        pairs, optional = list(head), []
        for child in node.children:
            if not self.kept(child):
                continue
            if child.kind == "field":
                pairs.append((child.odata_name, self.value(child, source)))
            elif child.kind == "structure":
                pairs.append((child.odata_name, self.object(
                    child, _get(source, child.name), prefix + literal(f"%%{child.name}#"),
                    link + literal(f"/{child.odata_name}"), [])))
            else:
                entries = _get(source, child.name)
                optional.append((f"{child.odata_name}@odata.navigationLink",
                                 func.to_json(case((entries.isnot(None), link + literal(f"/{child.odata_name}"))))))
                if self.shape.expand:
                    optional.append((child.odata_name, self.expanded(child, entries, prefix, link)))
        return pairs + list(tail), optional

    def text(self, pairs: list, optional: list) -> ColumnElement:
        """An object's JSON as text."""
        chunks = [func.json_build_object(*[x for pair in pairs[i:i + MAX_PAIRS] for x in (literal(pair[0]), pair[1])])
                  for i in range(0, max(len(pairs), 1), MAX_PAIRS)]
        if len(chunks) == 1 and not optional:
            return cast(chunks[0], Text)
        parts = [func.dixian_json_members(c) for c in chunks]
        parts += [literal(json.dumps(name, ensure_ascii=False) + " : ") + cast(value, Text) for name, value in optional]
        return literal("{") + func.concat_ws(", ", *parts) + literal("}")

    def object(self, node: Node, source, prefix, link, head: list, tail: list = ()) -> ColumnElement:
        """An object's JSON as json (to nest in another)."""
        pairs, optional = self.members(node, source, prefix, link, head, tail)
        if not optional and len(pairs) <= MAX_PAIRS:
            return func.json_build_object(*[x for pair in pairs for x in (literal(pair[0]), pair[1])])
        return cast(self.text(pairs, optional), JSON)

    def elements(self, entries):
        """A repeat's entries as rows (value, n): n from 1, in the order sent."""
        name = f"r{next(self._names)}"
        return (func.jsonb_array_elements(as_array(entries))
                .table_valued("value", with_ordinality="n").render_derived(name=name).lateral(name))

    def expanded(self, node: Node, entries, prefix, link) -> ColumnElement:
        """$expand=*: a repeat's rows as a JSON array inside its parent's object (NULL when it has none)."""
        rows = self.elements(entries)
        here = prefix + literal(f"%%{node.name}#") + cast(rows.c.n - 1, Text)
        row_id = _sha1(here)
        inner = self.object(node, rows.c.value, here, link + literal(f"/{node.odata_name}('") + row_id + literal("')"),
                            [("__id", row_id)])
        return select(func.json_agg(aggregate_order_by(inner, rows.c.n))).select_from(rows).scalar_subquery()


def _system(fence, shape: Shape) -> tuple[ColumnElement, list]:
    """The __system object and the joins it needs (the submitter, the form version, attachment counts)."""
    submitter = aliased(Actor)
    version = aliased(FormVersion)
    files = (select(func.count().label("expected"), func.count(SubmissionAttachment.blob_sha256).label("present"))
             .where(SubmissionAttachment.submission_version_id == fence.c.current_version_id).lateral("files"))
    older = aliased(SubmissionVersion)
    edits = select(func.count() - 1).where(older.submission_id == fence.c.sid).scalar_subquery()
    values = {
        "submissionDate": _stamp(fence.c.created_at), "updatedAt": _stamp(fence.c.updated_at),
        "submitterId": cast(fence.c.submitter_id, Text), "submitterName": submitter.display_name,
        "attachmentsPresent": files.c.present, "attachmentsExpected": files.c.expected, "status": null(),
        "reviewState": fence.c.review_state, "deviceId": fence.c.device_id, "edits": edits,
        "formVersion": version.version, "deletedAt": _stamp(fence.c.deleted_at)}
    system = func.json_build_object(*[x for name in shape.system for x in (literal(name), values[name])])
    joins = []
    if "submitterName" in shape.system:
        joins.append((submitter, submitter.id == fence.c.submitter_id, True))
    if "formVersion" in shape.system:
        joins.append((version, version.id == fence.c.form_version_id, True))
    if {"attachmentsPresent", "attachmentsExpected"} & set(shape.system):
        joins.append((files, true(), False))
    return system, joins


def submissions_page(tree: Node, where: list, shape: Shape, *, order: list | None = None, after: int | None = None,
                     limit: int | None = None, offset: int = 0) -> Page:
    """The Submissions rows `where` chooses: newest first after submission `after`, or in `order` from
    `offset`; at most `limit` (None: all)."""
    conditions = list(where) + ([Submission.id < after] if after is not None else [])
    fence = chosen(conditions, order, limit=limit, offset=offset)
    writer = _Writer(shape)
    iid = fence.c.instance_id
    head = [("__id", iid)]
    joins = []
    if shape.system:
        system, joins = _system(fence, shape)
        head.append(("__system", system))
    pairs, optional = writer.members(tree, fence.c.answers, literal("Submissions#") + iid,
                                     literal("Submissions('") + _uri(iid) + literal("')"), head)
    query = select(fence.c.sid, writer.text(pairs, optional).label("row")).select_from(fence)
    for target, on, outer in joins:
        query = query.join(target, on, isouter=outer)
    return Page(query.order_by(fence.c.rank if order else fence.c.sid.desc()), ["sid"])


def repeat_page(tree: Node, table: Node, where: list, shape: Shape, *, after: tuple[int, tuple[int, ...]] | None = None,
                limit: int | None = None, offset: int = 0) -> Page:
    """The rows of repeat `table` in the submissions `where` chooses: by submission newest first, then in the
    order sent (each enclosing repeat's position, outermost first); after the row at `after` (its submission
    id and positions); at most `limit`."""
    conditions = list(where) + ([Submission.id <= after[0]] if after is not None else [])
    fence = chosen(conditions)
    writer = _Writer(shape)
    iid = fence.c.instance_id
    source, prefix = fence.c.answers, literal("Submissions#") + iid
    link = literal("Submissions('") + _uri(iid) + literal("')")
    parent_id = iid
    query = select().select_from(fence)
    positions = []
    for step in table.steps():
        if step.kind == "structure":
            source, prefix, link = (_get(source, step.name), prefix + literal(f"%%{step.name}#"),
                                    link + literal(f"/{step.odata_name}"))
            continue
        rows = writer.elements(_get(source, step.name))
        query = query.join(rows, true())
        positions.append(rows.c.n)
        prefix = prefix + literal(f"%%{step.name}#") + cast(rows.c.n - 1, Text)
        row_id = _sha1(prefix)
        if step is not table:
            parent_id = row_id
            link = link + literal(f"/{step.odata_name}('") + row_id + literal("')")
        source = rows.c.value
    tail = [(table.parent_key(), parent_id)] if shape.parent_key else []
    pairs, optional = writer.members(table, source, prefix, link, [("__id", row_id)], tail)
    keys = [cast(n, Integer).label(f"n{i}") for i, n in enumerate(positions)]
    query = query.add_columns(fence.c.sid, *keys, writer.text(pairs, optional).label("row"))
    if after is not None:
        query = query.where(or_(fence.c.sid < after[0],
                                and_(fence.c.sid == after[0], tuple_(*positions) > tuple_(*after[1]))))
    query = query.order_by(fence.c.sid.desc(), *positions).offset(offset or None)
    if limit is not None:
        query = query.limit(limit)
    return Page(query, ["sid"] + [f"n{i}" for i in range(len(positions))])


def submissions_count(where: list) -> Select:
    """How many submissions `where` chooses."""
    return select(func.count()).select_from(Submission).join(Form, Form.id == Submission.form_id).where(*where)


def repeat_count(table: Node, where: list) -> Select:
    """How many rows repeat `table` has in the submissions `where` chooses."""
    fence = chosen(where)
    source, query = fence.c.answers, select(func.count()).select_from(fence)
    writer = _Writer(Shape())
    for step in table.steps():
        if step.kind == "structure":
            source = _get(source, step.name)
            continue
        rows = writer.elements(_get(source, step.name))
        query = query.join(rows, true())
        source = rows.c.value
    return query
