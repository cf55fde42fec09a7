"""A CSV export's lines kept ahead of reads, as OData's rows are (queries/odata_store.py, queries/kept.py): each
submission's CSV text of each table is written once in the background and a read hands it on, writing from
the answers only what is not kept for the current version and the current columns.

The text is byte for byte what COPY (FORMAT csv) writes from queries.exports.table_select's cells (held to it by
tests/central/test_export_kept_lines.py): a cell is quoted when it is empty or holds a comma, a quote, CR or LF,
with its quotes doubled; NULL is empty; texts a client wrote go through spreadsheet_safe first. Kept: the
answer cells of a submission's row (its system cells, which a review or a rename changes, are written by each
read around them), and each repeat row whole. Kept under the table path 'csv:' + the table's repeat path (the
root's for the submissions), beside OData's rows in odata_row.
"""
import hashlib
import json

from sqlalchemy import ARRAY, Integer, Text, case, cast, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by, array
from sqlalchemy.sql import Select

from ..core.tables import Table
from ..models import Actor, FormVersion, Submission
from .chosen_submissions import chosen
from .exports import cell, repeat_steps, spreadsheet_safe
from .kept import answers_unless, kept_or_written, kept_row

# Bump when the text written here changes: every kept line is then stale.
WRITER_VERSION = "1"


def layout_key(layouts: list[Table], repeats: list[str]) -> str:
    """The writer key of a form's CSV tables: a SHA-1 of every column (header, path, type, part, personal), the
    repeats and WRITER_VERSION."""
    columns = [[t.name, t.repeat, [[c.header, c.path, c.type, c.part, c.personal] for c in t.columns]]
               for t in layouts]
    return hashlib.sha1(json.dumps(["csv", WRITER_VERSION, repeats, columns]).encode()).hexdigest()


def table_path(table: Table, root: str) -> str:
    """Where a table's lines are kept in odata_row."""
    return "csv:" + (table.repeat or root)


def csv_text(value):
    """A cell as COPY (FORMAT csv) writes it: NULL empty; an empty text, or one holding a comma, a quote, CR or
    LF, in quotes with its quotes doubled; any other as it is."""
    text = cast(value, Text)
    return case((text.is_(None), literal("")),
                (or_(text == "", text.op("~")('[",\r\n]')),
                 literal('"') + func.replace(text, '"', '""') + literal('"')),
                else_=text)


def _line(values: list, client_wrote: list[bool]):
    """The CSV text of cells (each worked out once, above a fence), joined by commas."""
    return func.array_to_string(array([csv_text(spreadsheet_safe(v) if wrote else v)
                                       for v, wrote in zip(values, client_wrote)], type_=Text), ",")


def _fields(table: Table, answers_from, answers, root: str, show_personal: bool, outer: tuple):
    """A select of one text: a submission's answer cells as CSV, from `answers` (of `answers_from`)."""
    columns = [cell(answers, c, root, show_personal).label(f"c{i}") for i, c in enumerate(table.columns)]
    worked = select(*columns)
    if answers_from is not None:
        worked = worked.select_from(answers_from)
    worked = worked.correlate(*outer).offset(0).lateral("cells")
    return select(_line([worked.c[f"c{i}"] for i in range(len(columns))], [True] * len(columns)).label("fields")
                  ).select_from(worked)


def _repeat_lines(table: Table, repeats: list[str], answers_from, answers, instance_id, root: str,
                  show_personal: bool, outer: tuple):
    """A subquery (n0, n1…, line): a submission's rows of repeat `table` as CSV lines, from `answers`."""
    steps = repeat_steps(table, repeats, answers, instance_id, root)
    values = [cell(steps.source, c, steps.base, show_personal) for c in table.columns] + [steps.parent_key,
                                                                                         steps.key]
    inner = select(*[v.label(f"c{i}") for i, v in enumerate(values)],
                   *[cast(n, Integer).label(f"n{i}") for i, n in enumerate(steps.positions)])
    inner = inner.select_from(answers_from) if answers_from is not None else inner.select_from(steps.froms[0])
    for elements in (steps.froms if answers_from is not None else steps.froms[1:]):
        inner = inner.join(elements, true())
    worked = inner.correlate(*outer).offset(0).subquery("cells")
    positions = [worked.c[f"n{i}"] for i in range(len(steps.positions))]
    line = _line([worked.c[f"c{i}"] for i in range(len(values))], [True] * len(values))
    return select(*positions, line.label("line")).select_from(worked), positions


def keep_source(table: Table, repeats: list[str], where: list, root: str, personal: bool) -> Select:
    """(sid, current_version_id, body, positions) for the submissions `where` chooses: what odata_row keeps of
    `table` for each (services/submissions/odata_store.py writes it)."""
    fence = chosen(where)
    if table.repeat is None:
        fields = _fields(table, None, fence.c.answers, root, personal, (fence,)) if table.columns else None
        body = (array([fields.scalar_subquery()], type_=Text) if fields is not None
                else cast(literal("{}"), ARRAY(Text)))
        return select(fence.c.sid, fence.c.current_version_id, body.label("body"),
                      cast(literal(None), ARRAY(Integer, dimensions=2)).label("positions")).select_from(fence)
    lines, positions = _repeat_lines(table, repeats, None, fence.c.answers, fence.c.instance_id, root, personal,
                                     (fence,))
    rows = lines.subquery("lines")
    order = [rows.c[p.name] for p in positions]
    gathered = (select(func.array_agg(aggregate_order_by(rows.c.line, *order)).label("body"),
                       func.array_agg(aggregate_order_by(array(order, type_=Integer), *order)).label("positions"))
                .select_from(rows).lateral("gathered"))
    return (select(fence.c.sid, fence.c.current_version_id,
                   func.coalesce(gathered.c.body, cast(literal("{}"), ARRAY(Text))).label("body"),
                   gathered.c.positions)
            .select_from(fence).join(gathered, true()))


def kept_lines(table: Table, *, root: str, repeats: list[str], where: list, show_personal: bool, key: str
               ) -> Select:
    """One column, `line`: the CSV lines of `table` for the submissions `where` chooses (conditions on
    Submission joined to Form), in the submissions' order and then the repeat's, as COPY would write
    queries.exports.table_select(..., for_spreadsheet=True)'s rows; kept text where it was written from the
    current version under `key`, written here otherwise."""
    fence = chosen(where, [Submission.id], answers=False)
    stored = kept_row(fence, table_path(table, root), show_personal, key)
    answers = answers_unless(fence, stored)
    if table.repeat is None:
        date = func.to_json(fence.c.created_at).op("#>>")(literal([], ARRAY(Text)))
        system = [fence.c.instance_id, fence.c.submitter_id, Actor.display_name, fence.c.review_state,
                  fence.c.device_id, FormVersion.version, fence.c.admin_code]
        wrote = [True, False, True, False, True, False, False]
        parts = [csv_text(date)]
        query = select().select_from(fence).outerjoin(stored, true())
        if table.columns:
            live = _fields(table, answers, answers.c.answers, root, show_personal, (fence, stored)).lateral("live")
            parts.append(func.coalesce(stored.c.body[1], live.c.fields))
            query = query.outerjoin(live, true())
        parts += [csv_text(spreadsheet_safe(v) if w else v) for v, w in zip(system, wrote)]
        line = func.array_to_string(array(parts, type_=Text), ",")
        return (query.join(FormVersion, FormVersion.id == fence.c.form_version_id)
                .outerjoin(Actor, Actor.id == fence.c.submitter_id)
                .add_columns(line.label("line")).order_by(fence.c.rank))
    depth = len([r for r in repeats if table.repeat.startswith(r + "/")]) + 1
    written, _ = _repeat_lines(table, repeats, answers, answers.c.answers, fence.c.instance_id, root,
                               show_personal, (fence, stored))
    rows = kept_or_written(stored, depth, written, "line")
    return (select(rows.c.line).select_from(fence).outerjoin(stored, true()).join(rows, true())
            .order_by(fence.c.rank, *[rows.c[f"n{level}"] for level in range(depth)]))
