"""The statements that keep OData rows (models OdataRow): each chosen submission's rows of one table, written
from its current version's answers by the same writer a read uses (queries/odata.py), stored with the writer
key and the caller rights they were written for, replacing whatever was kept for that submission before.

A read then hands the kept text on: a Submissions row is its `__id` and `__system` (which change without a new
version: review, files arriving) written then, before the kept fields; a repeat table's rows are kept whole.
"""
from sqlalchemy import Text, cast, func, literal, select, true
from sqlalchemy.dialects.postgresql import array, insert
from sqlalchemy.sql import Insert, Select

from ..core.odata_schema import Node
from ..models import OdataRow
from .chosen_submissions import chosen
from .odata import Shape, Writer, members_text, row_start, written_rows

_COLUMNS = ["submission_id", "table_path", "personal", "version_id", "writer_key", "body", "positions"]


def keep_rows(tree: Node, table: Node, where: list, *, personal: bool, key: str) -> Insert:
    """INSERT … ON CONFLICT UPDATE of the kept rows of `table` for the submissions `where` chooses (a
    submission with no rows in a repeat table keeps an empty body), written for a caller who may (`personal`)
    or may not read personal data, under writer key `key`."""
    shape = Shape(show_personal=personal, system=())
    fence = chosen(where)
    writer = Writer(shape)
    iid = fence.c.instance_id
    if table.kind == "root":
        fields = members_text(writer.members(tree, fence.c.answers, *row_start(iid), []))
        rows = writer.joined(select(fence.c.sid, fence.c.current_version_id, array([fields], type_=Text).label("body"),
                                    cast(literal(None), OdataRow.positions.type).label("positions"))
                             .select_from(fence))
    else:
        written = written_rows(writer, table, fence.c.answers, iid, shape, outer=(fence,))
        # A submission with no rows in the table keeps an empty body, so that a read need not write them.
        rows = select(fence.c.sid, fence.c.current_version_id,
                      func.coalesce(written.c.body, cast(literal("{}"), OdataRow.body.type)).label("body"),
                      written.c.positions).select_from(fence).join(written, true())
    return keep(rows, table.path, personal=personal, key=key)


def keep(rows: Select, table_path: str, *, personal: bool, key: str) -> Insert:
    """INSERT … ON CONFLICT UPDATE into odata_row of `rows` (sid, current_version_id, body, positions), under
    `table_path`, for a reader who may (`personal`) or may not read personal data, with writer key `key`."""
    chosen_rows = rows.subquery("made")
    source = select(chosen_rows.c[0], literal(table_path, Text),
                    literal(personal), chosen_rows.c[1], literal(key, Text), chosen_rows.c.body,
                    chosen_rows.c.positions)
    statement = insert(OdataRow).from_select(_COLUMNS, source)
    return statement.on_conflict_do_update(
        index_elements=["submission_id", "table_path", "personal"],
        set_={name: statement.excluded[name] for name in ("version_id", "writer_key", "body", "positions")})
