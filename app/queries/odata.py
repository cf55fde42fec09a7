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

Speed: a row's answers are read once (`answers || '{}'` in a subquery fenced by OFFSET, as in
queries.exports), cells are plain jsonb `->` written out by jsonb's own output function, and each object is
one array of member texts joined once (_object): json_build_object would look up every argument's type on
every row, takes at most 100 arguments and cannot leave a member out.

Kept rows: the same writer writes each submission's rows once, in the background, into odata_row
(queries/odata_store.py, services/submissions/odata_store.py). A read given a writer key (`kept`) takes a
submission's fields, or its rows of a repeat table, from there when they were written from its current version
under that key, and writes them here only otherwise: the text written here stays in the statement, behind a
one-time filter on the kept row that keeps it from running. Measured on a county (120,000 screenings, 5
members each): a Submissions row takes ~10 µs instead of ~55 µs (~180 µs masked), a member ~3 µs.
"""
import json
from dataclasses import dataclass
from itertools import count

from sqlalchemy import (
    Float,
    Integer,
    Text,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by, array
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from ..core.odata_schema import Node
from ..core.personal_fields import ID_SUFFIXES, is_personal
from ..models import Actor, Form, FormVersion, Submission, SubmissionAttachment, SubmissionVersion
from .chosen_submissions import chosen
from .exports import answer_text, as_array, masked_in_text
from .kept import answers_unless, kept_or_written, kept_row

UTC_STAMP = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'     # JavaScript's toISOString, as Central's timestamps
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
    """A statement of rows: the key columns (`sid`, then `n0`, `n1`... a repeat row's position at each repeat
    level: where a $skiptoken continues from), then `row`, the row's JSON text."""
    statement: Select


def _stamp(column) -> ColumnElement:
    return func.to_char(func.timezone("UTC", column), UTC_STAMP)


def _get(source, name: str) -> ColumnElement:
    return source.op("->", return_type=JSONB)(name)


def _sha1(text) -> ColumnElement:
    return func.encode(func.digest(text, "sha1"), "hex")


def uri_component(value) -> ColumnElement:
    """encodeURIComponent in SQL; the usual instanceID (uuid:...) without calling a function."""
    return case((value.op("~")(r"^[A-Za-z0-9_.!~*'()-]*:?[A-Za-z0-9_.!~*'()-]*$"), func.replace(value, ":", "%3A")),
                else_=func.dixian_uri_component(value))


# A geopoint as Collect writes it: latitude, longitude, altitude and accuracy, plain decimals.
_COLLECT_POINT = r"^-?[0-9]{1,3}(\.[0-9]+)? -?[0-9]{1,3}(\.[0-9]+)? -?[0-9]{1,9}(\.[0-9]+)? [0-9]{1,9}(\.[0-9]+)?$"


def _geopoint(raw, wkt: bool, otherwise) -> ColumnElement:
    """Collect's usual geopoint written inline (split_part and casts, in C); anything else by
    dixian_odata_geo (`otherwise`), which reads every form a geo answer may take. JSON text."""
    def part(n):
        return cast(cast(func.split_part(raw, " ", n), Float), Text)
    if wkt:
        point = (literal('"POINT (') + part(2) + literal(" ") + part(1) + literal(" ") + part(3) + literal(')"'))
    else:
        point = (literal('{"type":"Point","coordinates":[') + part(2) + literal(",") + part(1) + literal(",")
                 + part(3) + literal('],"properties":{"accuracy":') + part(4) + literal("}}"))
    return case((raw.op("~")(_COLLECT_POINT), point), else_=cast(otherwise, Text))


def _key(name: str) -> ColumnElement:
    return literal(json.dumps(name, ensure_ascii=False) + ":")


def _object(pieces: list) -> ColumnElement:
    """JSON text of an object from its members' texts ('"name":value'); a NULL member is left out
    (array_to_string skips it and its comma). One array and one join per object: no function of ours, no
    type lookup per value (json_build_object looks up each argument's output function on every row)."""
    return literal("{") + func.array_to_string(array(pieces, type_=Text), ",") + literal("}")


def _quoted(value) -> ColumnElement:
    """A text that needs no escaping (ids, codes, timestamps, links) as a JSON string; NULL stays NULL."""
    return literal('"') + value + literal('"')


def _json_text(value) -> ColumnElement:
    """Any text as a JSON string (escaped by PostgreSQL); NULL stays NULL."""
    return cast(func.to_json(value), Text)


class Writer:
    """Writes the JSON text of rows for one request's Shape; names its laterals uniquely."""

    def __init__(self, shape: Shape):
        self.shape = shape
        self._names = count()
        # The groups read so far in the FROM being written: each group's object is taken out of its parent
        # once per row (a function in FROM, which the planner never folds into the expressions that use
        # it), not once for each of its fields; the statement joins them (joined()).
        self._groups: list = []

    def group(self, source, name: str) -> ColumnElement:
        """Group `name` of `source` (JSONB; what `source -> name` is), read once per row of the FROM being
        written. A group is an XML element: its name never reads as an array index."""
        alias = f"g{next(self._names)}"
        bound = (func.jsonb_extract_path(source, literal(name, Text), type_=JSONB)
                 .table_valued(column("v", JSONB)).render_derived(name=alias).lateral(alias))
        self._groups.append(bound)
        return bound.c.v

    def joined(self, query: Select) -> Select:
        """`query` with the groups read so far joined to it (then forgotten)."""
        for bound in self._groups:
            query = query.join(bound, true())
        self._groups = []
        return query

    def kept(self, node: Node) -> bool:
        return self.shape.keep is None or node.path in self.shape.keep

    def value(self, node: Node, source) -> ColumnElement:
        """A field's value as JSON text, NULL when unanswered."""
        answer = _get(source, node.name)
        if is_personal(node.name) and not self.shape.show_personal and node.type not in GEO:
            # First, whatever its type: a phone asked as a number is a phone (masked as text, as exports do).
            mask = func.dixian_mask_idno if node.name.lower().endswith(ID_SUFFIXES) else func.dixian_mask_phone
            return _json_text(mask(answer_text(source, [node.name], node.type)))
        if node.type in ("int", "decimal"):
            return case((func.jsonb_typeof(answer) == "number", cast(answer, Text)))
        if node.type in GEO:
            raw = source.op("->>", return_type=Text)(node.name)
            written = func.dixian_odata_geo(node.type, raw, self.shape.wkt)
            return _geopoint(raw, self.shape.wkt, written) if node.type == "geopoint" else cast(written, Text)
        if node.type == "select_multiple":
            return _json_text(answer_text(source, [node.name], node.type))
        if node.type == "string" and not self.shape.show_personal:
            return _json_text(masked_in_text(answer_text(source, [node.name], node.type)))
        return cast(answer, Text)

    def members(self, node: Node, source, prefix, link, head: list, tail: list = ()) -> list:
        """The member texts of `node`'s object: `head`, its children's (a field or group always, null when
        unanswered; a repeat's navigation link and expansion only when it has entries), then `tail`.
        `prefix` is the text Central hashes for this object's rows, `link` its navigation path."""
        pieces = list(head)
        for child in node.children:
            if not self.kept(child):
                continue
            if child.kind == "field":
                pieces.append(_key(child.odata_name) + func.coalesce(self.value(child, source), literal("null")))
            elif child.kind == "structure":
                pieces.append(_key(child.odata_name) + self.object(
                    child, self.group(source, child.name), prefix + literal(f"%%{child.name}#"),
                    link + literal(f"/{child.odata_name}"), []))
            else:
                entries = _get(source, child.name)
                pieces.append(_key(f"{child.odata_name}@odata.navigationLink")
                              + case((entries.isnot(None), _quoted(link + literal(f"/{child.odata_name}")))))
                if self.shape.expand:
                    pieces.append(_key(child.odata_name) + self.expanded(child, entries, prefix, link))
        return pieces + list(tail)

    def object(self, node: Node, source, prefix, link, head: list, tail: list = ()) -> ColumnElement:
        """An object's JSON text."""
        return _object(self.members(node, source, prefix, link, head, tail))

    def elements(self, entries):
        """A repeat's entries as rows (value, n): n from 1, in the order sent."""
        name = f"r{next(self._names)}"
        return (func.jsonb_array_elements(as_array(entries))
                .table_valued("value", with_ordinality="n").render_derived(name=name).lateral(name))

    def expanded(self, node: Node, entries, prefix, link) -> ColumnElement:
        """$expand=*: a repeat's rows as a JSON array text inside its parent's object (NULL when it has none)."""
        rows = self.elements(entries)
        here = prefix + literal(f"%%{node.name}#") + cast(rows.c.n - 1, Text)
        row_id = _sha1(here)
        outer_groups, self._groups = self._groups, []          # this subquery's FROM has groups of its own
        inner = self.object(node, rows.c.value, here, link + literal(f"/{node.odata_name}('") + row_id + literal("')"),
                            [_key("__id") + _quoted(row_id)])
        joined = self.joined(select(func.string_agg(inner, aggregate_order_by(literal(","), rows.c.n)))
                             .select_from(rows))
        self._groups = outer_groups
        return literal("[") + joined.scalar_subquery() + literal("]")


def _system(fence, shape: Shape) -> tuple[ColumnElement, list]:
    """The __system object's JSON text and the joins it needs (the submitter, the form version, attachment
    counts)."""
    submitter = aliased(Actor)
    version = aliased(FormVersion)
    files = (select(func.count().label("expected"), func.count(SubmissionAttachment.blob_sha256).label("present"))
             .where(SubmissionAttachment.submission_version_id == fence.c.current_version_id).lateral("files"))
    older = aliased(SubmissionVersion)
    edits = select(func.count() - 1).where(older.submission_id == fence.c.sid).scalar_subquery()
    values = {
        "submissionDate": _quoted(_stamp(fence.c.created_at)), "updatedAt": _quoted(_stamp(fence.c.updated_at)),
        "submitterId": _quoted(cast(fence.c.submitter_id, Text)), "submitterName": _json_text(submitter.display_name),
        "attachmentsPresent": cast(files.c.present, Text), "attachmentsExpected": cast(files.c.expected, Text),
        "status": literal("null"), "reviewState": _quoted(fence.c.review_state),
        "deviceId": _json_text(fence.c.device_id), "edits": cast(edits, Text),
        "formVersion": _json_text(version.version), "deletedAt": _quoted(_stamp(fence.c.deleted_at))}
    system = _object([_key(name) + func.coalesce(values[name], literal("null")) for name in shape.system])
    joins = []
    if "submitterName" in shape.system:
        joins.append((submitter, submitter.id == fence.c.submitter_id, True))
    if "formVersion" in shape.system:
        joins.append((version, version.id == fence.c.form_version_id, True))
    if {"attachmentsPresent", "attachmentsExpected"} & set(shape.system):
        joins.append((files, true(), False))
    return system, joins


def submissions_page(tree: Node, where: list, shape: Shape, *, order: list | None = None, after: int | None = None,
                     limit: int | None = None, offset: int = 0, kept: str | None = None) -> Page:
    """The Submissions rows `where` chooses: newest first after submission `after`, or in `order` from
    `offset`; at most `limit` (None: all). With `kept` (a writer key, for the full Shape only: no $select,
    $expand or $wkt), each row's fields are the text kept in odata_row when it was written with that key for
    the current version, and are written from the answers only where none is."""
    conditions = list(where) + ([Submission.id < after] if after is not None else [])
    fence = chosen(conditions, order, limit=limit, offset=offset, answers=kept is None)
    writer = Writer(shape)
    iid = fence.c.instance_id
    head = [_key("__id") + _json_text(iid)]
    joins = []
    if shape.system:
        system, joins = _system(fence, shape)
        head.append(_key("__system") + system)
    prefix, link = row_start(iid)
    if kept is None:
        row = writer.object(tree, fence.c.answers, prefix, link, head)
        query = writer.joined(select(fence.c.sid, row.label("row")).select_from(fence))
    else:
        stored = kept_row(fence, tree.path, shape.show_personal, kept)
        answers = answers_unless(fence, stored)
        fields = members_text(writer.members(tree, answers.c.answers, prefix, link, []))
        live = writer.joined(select(fields.label("fields")).select_from(answers)).lateral("live")
        members = func.nullif(func.coalesce(stored.c.body[1], live.c.fields), "")
        row = _object(head + [members])
        query = (select(fence.c.sid, row.label("row")).select_from(fence)
                 .outerjoin(stored, true()).outerjoin(live, true()))
    for target, on, outer in joins:
        query = query.join(target, on, isouter=outer)
    return Page(query.order_by(fence.c.rank if order else fence.c.sid.desc()))


def members_text(pieces: list) -> ColumnElement:
    """An object's member texts joined ('"a":1,"b":2'), without the braces; '' when there are none."""
    return func.array_to_string(array(pieces, type_=Text), ",")


@dataclass(frozen=True)
class _RepeatRows:
    """A repeat table's rows below one submission, from `source` (that submission's answers): the FROM items
    that make them (in order), each row's positions (outermost repeat first), its JSON text, and its parent
    row's id."""
    froms: list
    positions: list
    row: ColumnElement
    parent_id: ColumnElement


def row_start(iid) -> tuple[ColumnElement, ColumnElement]:
    """What a submission's rows start from: the text Central hashes for their ids ('Submissions#{instanceID}')
    and their navigation link (Submissions('{instanceID, URI-encoded}'))."""
    return literal("Submissions#") + iid, literal("Submissions('") + uri_component(iid) + literal("')")


def repeat_rows(writer: "Writer", table: Node, source, iid, shape: Shape) -> _RepeatRows:
    prefix, link = row_start(iid)
    parent_id = iid
    froms, positions = [], []
    row_id = None
    for step in table.steps():
        if step.kind == "structure":
            source, prefix, link = (_get(source, step.name), prefix + literal(f"%%{step.name}#"),
                                    link + literal(f"/{step.odata_name}"))
            continue
        rows = writer.elements(_get(source, step.name))
        froms.append(rows)
        positions.append(rows.c.n)
        prefix = prefix + literal(f"%%{step.name}#") + cast(rows.c.n - 1, Text)
        row_id = _sha1(prefix)
        if step is not table:
            parent_id = row_id
            link = link + literal(f"/{step.odata_name}('") + row_id + literal("')")
        source = rows.c.value
    tail = [_key(table.parent_key()) + _json_text(parent_id)] if shape.parent_key else []
    row = writer.object(table, source, prefix, link, [_key("__id") + _quoted(row_id)], tail)
    return _RepeatRows(froms, positions, row, parent_id)


def written_rows(writer: "Writer", table: Node, source, iid, shape: Shape, *, start=None, outer=()):
    """LATERAL (body, positions): one submission's rows of repeat `table` written from `source` (its answers),
    gathered in order: each row's JSON text, and each row's positions (outermost repeat first); both NULL when
    it has none. `start`: a FROM the answers come from; `outer`: the enclosing query's FROMs it refers to."""
    made = repeat_rows(writer, table, source, iid, shape)
    order = [cast(n, Integer) for n in made.positions]
    query = select(func.array_agg(aggregate_order_by(made.row, *order)).label("body"),
                   func.array_agg(aggregate_order_by(array(order, type_=Integer), *order)).label("positions"))
    froms = ([start] if start is not None else []) + made.froms
    query = query.select_from(froms[0])
    for step_rows in froms[1:]:
        query = query.join(step_rows, true())
    return writer.joined(query).correlate(*outer).lateral("written")


def repeat_page(tree: Node, table: Node, where: list, shape: Shape, *, after: tuple[int, tuple[int, ...]] | None = None,
                limit: int | None = None, offset: int = 0, parent: str | None = None, kept: str | None = None
                ) -> Page:
    """The rows of repeat `table` in the submissions `where` chooses: by submission newest first, then in the
    order sent (each enclosing repeat's position, outermost first); after the row at `after` (its submission
    id and positions); at most `limit`; only those whose parent row has the id `parent`, if given. With
    `kept` (a writer key; not with `parent`), each submission's rows are those kept in odata_row, and are
    written from the answers only where none are."""
    conditions = list(where) + ([Submission.id <= after[0]] if after is not None else [])
    fence = chosen(conditions, answers=kept is None)
    writer = Writer(shape)
    if kept is None:
        made = repeat_rows(writer, table, fence.c.answers, fence.c.instance_id, shape)
        query = select().select_from(fence)
        for rows in made.froms:
            query = query.join(rows, true())
        if parent is not None:
            query = query.where(made.parent_id == parent)
        keys = [cast(n, Integer).label(f"n{i}") for i, n in enumerate(made.positions)]
        query = writer.joined(query.add_columns(fence.c.sid, *keys, made.row.label("row")))
        positions = made.positions
    else:
        stored = kept_row(fence, table.path, shape.show_personal, kept)
        rows = _kept_or_written(writer, table, fence, stored, shape)
        positions = [rows.c[f"n{i}"] for i in range(repeat_depth(table))]
        query = (select(fence.c.sid, *positions, rows.c.row).select_from(fence)
                 .outerjoin(stored, true()).join(rows, true()))
    if after is not None:
        query = query.where(or_(fence.c.sid < after[0],
                                and_(fence.c.sid == after[0], tuple_(*positions) > tuple_(*after[1]))))
    query = query.order_by(fence.c.sid.desc(), *positions).offset(offset or None)
    if limit is not None:
        query = query.limit(limit)
    return Page(query)


def repeat_depth(table: Node) -> int:
    """How many repeats a table's rows are inside (1 for a repeat directly in the submission)."""
    return sum(1 for step in table.steps() if step.kind == "repeat")


def _kept_or_written(writer: "Writer", table: Node, fence, stored, shape: Shape):
    """LATERAL (n0, n1…, row): a submission's kept rows of `table` when it has them (one per element of the
    kept body, in order), else its rows written from the answers; each branch is gated by a one-time
    filter on the kept row, so only one of them runs."""
    answers = answers_unless(fence, stored)
    made = repeat_rows(writer, table, answers.c.answers, fence.c.instance_id, shape)
    written = select().select_from(answers)
    for rows in made.froms:
        written = written.join(rows, true())
    keys = [cast(n, Integer).label(f"n{i}") for i, n in enumerate(made.positions)]
    written = writer.joined(written.add_columns(*keys, made.row.label("row")))
    return kept_or_written(stored, repeat_depth(table), written, "row")


def submissions_count(where: list) -> Select:
    """How many submissions `where` chooses."""
    return select(func.count()).select_from(Submission).join(Form, Form.id == Submission.form_id).where(*where)


def repeat_count(table: Node, where: list, parent: str | None = None) -> Select:
    """How many rows repeat `table` has in the submissions `where` chooses (under the parent row `parent`)."""
    page = repeat_page(table, table, where, Shape(system=()), parent=parent)
    return select(func.count()).select_from(page.statement.with_only_columns(literal(1)).order_by(None).subquery())
