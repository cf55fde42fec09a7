"""A form's submissions as ODK Central's OData service: its service document, its $metadata, the rows of each
table, and the field list ruODK types them by (central-backend lib/resources/odata.js, forms.js /fields).

Rows are read in the caller's places only, as every list of submissions (listing.conditions), with personal
answers masked unless the role may read them, and PostgreSQL writes each row's JSON (queries.odata):
- with $top, a page: the rows after the $skiptoken (the last row of the page before, newest submission
  first), so that page 1,000 costs what page 1 does; @odata.nextLink carries the next $skiptoken while rows
  remain (with $orderby, pages go by $skip instead, as Central's do);
- without $top, every row, streamed by COPY in bounded memory, as Central answers (pyodk's get_table and Power
  BI read it so).
Each data request is an export of personal data and is audited like one (event submission.export, format
odata, with the table, the filter and the rows given).
"""
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ... import events
from ...core.access import Access, Permission
from ...core.odata_options import Position, QueryOptions, make_skiptoken, read_skiptoken
from ...core.odata_schema import PRIMARY, Node, find_table, odata_tree
from ...events import Kind
from ...extensions import db
from ...formats.odata_metadata import edmx, service_document
from ...models import Submission
from ...problems import not_found, odata_not_implemented, property_not_found, unsupported_odata_select_field
from ...queries import odata as sql
from ...queries.odata_filter import filter_condition, order_columns
from .copy_out import copy_out
from .exports import current_form
from .listing import SubmissionFilter, conditions
from .odata_store import tree_key

# COPY's CSV with a delimiter and a quote that JSON text never holds raw (it writes control characters as
# \\u0001): each row comes out as it is, ending in a newline, which JSON text never holds raw either.
_ROWS_AS_THEY_ARE = "FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01', ENCODING 'UTF8'"


@dataclass(frozen=True)
class FormService:
    """One form's OData: its id and its tree of fields (from the current version)."""
    xml_form_id: str
    form_id: int
    tree: Node


def form_service(access: Access, xml_form_id: str) -> FormService:
    """Raises Problem 404.1 for a form the project does not have."""
    form_id, schema, _ = current_form(access, xml_form_id)
    return FormService(xml_form_id, form_id, odata_tree(schema))


def service(access: Access, xml_form_id: str, metadata_url: str) -> dict:
    """The service document: one entity set per table."""
    return service_document(form_service(access, xml_form_id).tree, metadata_url)


def metadata(access: Access, xml_form_id: str) -> bytes:
    """The $metadata EDMX document."""
    return edmx(xml_form_id, form_service(access, xml_form_id).tree)


def fields(access: Access, xml_form_id: str, *, odata: bool) -> list[dict]:
    """Central's GET .../fields: every node in form order as {name, path, type, binary, selectMultiple}, the path
    below the root; groups 'structure', repeats 'repeat', selects their bind type 'string'. With `odata`, names
    and paths sanitized as OData writes them (ruODK matches them to the columns it reads)."""
    out = []
    for node in form_service(access, xml_form_id).tree.walk():
        steps = [s.odata_name if odata else s.name for s in node.steps()]
        kind = node.kind if node.kind != "field" else _BIND_TYPES.get(node.type, node.type)
        out.append({"name": steps[-1], "path": "/" + "/".join(steps), "type": kind,
                    "binary": True if node.type == "binary" else None,
                    "selectMultiple": True if node.type == "select_multiple" else None})
    return out


# Stored types that XForms binds under another name (core.xform reads selects from their controls).
_BIND_TYPES = {"select_one": "string", "select_multiple": "string", "rank": "string", "note": "string"}


@dataclass(frozen=True)
class Rows:
    """A table's answer: its rows' JSON texts as chunks (comma-separated), then where the next page starts,
    known once the chunks are all read (`after()`: {"token": $skiptoken} or {"skip": $skip} or {})."""
    chunks: Iterator[bytes]
    after: Callable[[], dict]
    count: int | None = None


def rows(access: Access, xml_form_id: str, table_name: str, options: QueryOptions) -> Rows:
    """The rows of one table. Raises Problem 404.1 (an unknown form or table), 400.18/400.23/400.24/501.x
    (what $filter, $orderby or $select cannot be), before any row is read."""
    form = form_service(access, xml_form_id)
    table, instance_id, parent = _resolve(form.tree, table_name)
    if table is None:
        raise not_found(f"The form '{xml_form_id}' has no table '{table_name[:100]}'; its service document lists "
                        "them.")
    where = [Submission.form_id == form.form_id, *conditions(access, SubmissionFilter())]
    if instance_id is not None:
        where.append(Submission.instance_id == instance_id)
        if not db.session.scalar(sql.submissions_count(where)):
            raise not_found(f"There is no submission '{instance_id[:100]}' of this form in your places.")
    if options.filter:
        where.append(filter_condition(options.filter))
    shape = _shape(table, options, access.can(Permission.PERSONAL_DATA_READ))
    primary = table.kind == "root"
    if options.orderby and not primary:
        raise odata_not_implemented("$orderby on a repeat's table")
    after = read_skiptoken(options.skiptoken) if options.skiptoken else None
    if options.orderby and after is not None:
        raise odata_not_implemented("$skiptoken with $orderby")
    if after is not None and len(after.repeat_positions) != sql.repeat_depth(table):
        raise odata_not_implemented("a $skiptoken of another table")
    order = order_columns(options.orderby) if options.orderby else None
    total = _count(table, where, parent) if options.count else None
    if options.top is None:
        return Rows(_audited(access, form, table_name, options,
                             _stream(form.tree, table, where, shape, options, after, order, parent)), dict, count=total)
    if options.top == 0:
        return Rows(iter(()), dict, count=total)
    return _page(access, form, table, where, shape, options, after, order, parent, total)


# One step of an OData resource path: a name, optionally with a key in quotes (Submissions('uuid:...')).
_STEP = re.compile(r"^([^()']+)(?:\('([^']*)'\))?$")


def _resolve(tree: Node, path: str) -> tuple[Node | None, str | None, str | None]:
    """The table an OData resource path names, and the keys it is cut by (central-backend lib/formats/odata.js
    extractPathContext): `Submissions.member` a table; `Submissions('uuid:x')` one submission;
    `Submissions('uuid:x')/member` its members; `Submissions('uuid:x')/member('{id}')/crops` one member's
    crops. Returns (table, instanceID, parent row id); (None, ...) for a path that names no table, or keys a
    repeat that is not the table's own parent."""
    if len(path) > 2000:
        return None, None, None
    steps = [_STEP.match(part) for part in path.split("/")]
    if not steps or any(step is None for step in steps):
        return None, None, None
    names = [step.group(1) for step in steps]
    if len(steps) == 1:
        return find_table(tree, names[0]), steps[0].group(2), None
    if names[0] != PRIMARY or steps[0].group(2) is None:
        return None, None, None
    table = find_table(tree, ".".join(names))
    if table is None or table.kind != "repeat":
        return None, None, None
    keyed = [i for i, step in enumerate(steps) if step.group(2) is not None]
    parent = None
    if keyed[-1] > 0:
        # The keyed step must be the repeat just above the table.
        above = table.enclosing_repeat()
        if above is None or ".".join(names[:keyed[-1] + 1]) != above.table_name():
            return None, None, None
        parent = steps[keyed[-1]].group(2)
    return table, steps[0].group(2), parent


def _count(table: Node, where: list, parent: str | None) -> int:
    statement = sql.submissions_count(where) if table.kind == "root" else sql.repeat_count(table, where, parent)
    return db.session.scalar(statement)


def _stream(tree: Node, table: Node, where: list, shape: sql.Shape, options: QueryOptions,
            after: Position | None, order: list | None, parent: str | None) -> Iterator[bytes]:
    """Every row (from $skip/$skiptoken on), comma-separated, as COPY writes them."""
    if table.kind == "root":
        page = sql.submissions_page(tree, where, shape, order=order, kept=_kept(tree, shape, parent),
                                    after=after.submission_id if after else None, offset=options.skip)
    else:
        page = sql.repeat_page(tree, table, where, shape, offset=options.skip, parent=parent,
                               kept=_kept(tree, shape, parent),
                               after=(after.submission_id, after.repeat_positions) if after else None)
    statement = page.statement.with_only_columns(page.statement.selected_columns.row)
    first = True
    for chunk in copy_out(statement, _ROWS_AS_THEY_ARE):
        # Each chunk is whole rows, each ending in a newline: the newlines become the commas between them.
        body = chunk.replace(b"\n", b",")[:-1]
        yield body if first else b"," + body
        first = False


def _page(access: Access, form: FormService, table: Node, where: list, shape: sql.Shape, options: QueryOptions,
          after: Position | None, order: list | None, parent: str | None, total: int | None) -> Rows:
    limit = options.top + 1
    if table.kind == "root":
        page = sql.submissions_page(form.tree, where, shape, order=order, limit=limit,
                                    kept=_kept(form.tree, shape, parent),
                                    after=after.submission_id if after else None, offset=options.skip)
    else:
        page = sql.repeat_page(form.tree, table, where, shape, limit=limit, offset=options.skip, parent=parent,
                               kept=_kept(form.tree, shape, parent),
                               after=(after.submission_id, after.repeat_positions) if after else None)
    following: dict = {}

    def chunks() -> Iterator[bytes]:
        # A page streams from a server-side cursor (at most PAGE_BATCH rows held); the row after the page,
        # if any, says only that there is a next page. Columns: sid, the repeat positions, the row's JSON.
        given, last = 0, None
        # Core, not the ORM session's execute: no ORM loading step for each row.
        result = db.session.connection().execute(page.statement.execution_options(yield_per=PAGE_BATCH))
        for rows in result.partitions():
            if given + len(rows) > options.top:
                rows = rows[:options.top - given]
                if options.orderby:
                    following["skip"] = options.skip + options.top
                else:
                    last = rows[-1] if rows else last
                    following["token"] = make_skiptoken(Position(last[0], tuple(last[1:-1])))
            if rows:
                yield ((b"," if given else b"") + ",".join([row[-1] for row in rows]).encode())
                given, last = given + len(rows), rows[-1]
            if following:
                break
        result.close()
        _audit(access, form, table.table_name(), options, given)

    return Rows(chunks(), lambda: following, count=total)


PAGE_BATCH = 1000


def _kept(tree: Node, shape: sql.Shape, parent: str | None) -> str | None:
    """The writer key whose kept rows this read may hand on (services/submissions/odata_store.py), or None:
    rows are kept for the full shape only (every field, all of __system, GeoJSON, nothing expanded), and a
    read below one parent row picks rows by their parent's id, which only the written rows have."""
    full = shape.keep is None and not shape.wkt and not shape.expand and parent is None
    return tree_key(tree) if full else None


def _audited(access: Access, form: FormService, table_name: str, options: QueryOptions,
             chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield from chunks
    _audit(access, form, table_name, options, None)


def _audit(access: Access, form: FormService, table_name: str, options: QueryOptions, rows_given: int | None) -> None:
    events.record(Kind.SUBMISSION_EXPORT, actor_id=access.principal.actor_id or None, project_id=access.project_id,
                  subject=form.xml_form_id,
                  payload={"format": "odata", "table": table_name, "rows": rows_given,
                           "filter": options.filter, "top": options.top, "skip": options.skip})
    db.session.commit()


def _shape(table: Node, options: QueryOptions, show_personal: bool) -> sql.Shape:
    """The Shape $select, $wkt and $expand ask for (Central's filterFields, lib/formats/odata.js): __id always;
    __system whole or in part, only on Submissions; a repeat row's parent id only when named; a group with all
    its fields; a field inside a repeat below the table is refused (400.24), an unknown name too (400.23)."""
    if options.select is None:
        return sql.Shape(wkt=options.wkt, expand=options.expand, show_personal=show_personal,
                         system=sql.SYSTEM_MEMBERS if table.kind == "root" else ())
    primary = table.kind == "root"
    keep: set[str] = set()
    system: list[str] = []
    parent_key = False
    by_path = {"/".join(s.odata_name for s in node.steps()[len(table.steps()):]): node for node in table.walk()}
    for name in options.select:
        if name == "__id":
            continue
        if primary and name == "__system":
            system = list(sql.SYSTEM_MEMBERS)
            continue
        if primary and name.startswith("__system/") and name[len("__system/"):] in sql.SYSTEM_MEMBERS:
            system.append(name[len("__system/"):])
            continue
        if not primary and name == table.parent_key():
            parent_key = True
            continue
        node = by_path.get(name)
        if node is None:
            raise property_not_found(name[:80])
        above = node.parent
        while above is not table:
            if above.kind == "repeat":
                raise unsupported_odata_select_field(name[:80])
            keep.add(above.path)
            above = above.parent
        keep.add(node.path)
        if node.kind == "structure":
            keep.update(_group_members(node))
    ordered = tuple(m for m in sql.SYSTEM_MEMBERS if m in system)
    return sql.Shape(wkt=options.wkt, expand=False, keep=frozenset(keep), system=ordered, parent_key=parent_key,
                     show_personal=show_personal)


def _group_members(group: Node) -> set[str]:
    """A group's nodes down to (and with) its repeats, not into them."""
    out = set()
    for child in group.children:
        out.add(child.path)
        if child.kind == "structure":
            out.update(_group_members(child))
    return out

