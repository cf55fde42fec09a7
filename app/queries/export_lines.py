"""An export's lines kept ahead of reads, as OData's rows are (queries/odata_store.py, queries/kept.py): each
submission's text of each table is written once in the background and a read hands it on, writing from the
answers only what is not kept for the current version and the current columns. Two styles of line:

- CSV: byte for byte what COPY (FORMAT csv) writes from queries.exports.table_select's cells (held to it by
  tests/central/test_export_kept_lines.py): a cell is quoted when it is empty or holds a comma, a quote, CR or
  LF, with its quotes doubled; NULL is empty; texts a client wrote go through spreadsheet_safe first;
- SHEET: an Excel sheet's `<row>` of inline-string cells (queries.exports.sheet_cell; formats/xlsx.py zips them),
  the texts as they are: a sheet's text cell runs nothing.

Kept: the answer cells of a submission's row (its system cells, which a review or a rename changes, are written
by each read around them), and each repeat row whole. Kept under the table path '<style>:' + the table's
repeat path (the root's for the submissions), beside OData's rows in odata_row.
"""
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ARRAY, Integer, Text, case, cast, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by, array
from sqlalchemy.sql import Select

from ..core.tables import Table
from ..models import Actor, Form, FormVersion, Submission, SubmissionVersion
from .chosen_submissions import chosen
from .exports import cell, repeat_steps, sheet_cell, sheet_text, spreadsheet_safe
from .kept import answers_unless, kept_or_written, kept_row

# Bump when the text written here changes: every kept line is then stale. 2: Excel's _xHHHH_ escaped.
WRITER_VERSION = "2"


@dataclass(frozen=True)
class LineStyle:
    """How a row of cells is written as one text, in two steps each cell: `prepare(value, client_wrote)`, the
    text to write (worked out once, above a fence: it names the value several times), then `write(prepared)`,
    the cell as it stands in the line; the cells joined by `separator`, between `start` and `end`. `name` is
    where its lines are kept (table_path) and part of their writer key."""
    name: str
    prepare: Callable
    write: Callable
    separator: str
    start: str = ""
    end: str = ""

    def joined(self, prepared: list):
        """The cells' prepared texts written and joined, without start and end."""
        return func.array_to_string(array([self.write(p) for p in prepared], type_=Text), self.separator)

    def whole(self, text):
        """A row's joined cells as its line."""
        return literal(self.start) + text + literal(self.end) if self.start or self.end else text


def prepared(style: LineStyle, worked, names: list[str], client_wrote: list[bool], beside: list[str] = ()):
    """A subquery of `worked`'s columns `names` prepared in `style` (p0, p1…), after its columns `beside` as
    they are, behind a fence (OFFSET 0): written in place, each cell's preparation (a regular expression test,
    a replace) would run again for each time the writing names it: ~5 times a cell, a second of a county's
    export (bench_export.py)."""
    return (select(*[worked.c[k] for k in beside],
                   *[style.prepare(worked.c[n], wrote).label(f"p{i}")
                     for i, (n, wrote) in enumerate(zip(names, client_wrote))])
            .select_from(worked).offset(0).subquery("prepared"))


def layout_key(layouts: list[Table], repeats: list[str], style: LineStyle) -> str:
    """The writer key of a form's tables written in `style`: a SHA-1 of every column (header, path, type, part,
    personal), the repeats, the style and WRITER_VERSION."""
    columns = [[t.name, t.repeat, [[c.header, c.path, c.type, c.part, c.personal] for c in t.columns]]
               for t in layouts]
    return hashlib.sha1(json.dumps([style.name, WRITER_VERSION, repeats, columns]).encode()).hexdigest()


def table_path(table: Table, root: str, style: LineStyle) -> str:
    """Where a table's lines in `style` are kept in odata_row."""
    return f"{style.name}:" + (table.repeat or root)


def csv_text(value):
    """A cell as COPY (FORMAT csv) writes it: NULL empty; an empty text, or one holding a comma, a quote, CR or
    LF, in quotes with its quotes doubled; any other as it is."""
    text = cast(value, Text)
    return case((text.is_(None), literal("")),
                (or_(text == "", text.op("~")('[",\r\n]')),
                 literal('"') + func.replace(text, '"', '""') + literal('"')),
                else_=text)


CSV = LineStyle("csv", lambda value, client_wrote: spreadsheet_safe(value) if client_wrote else cast(value, Text),
                csv_text, ",")
SHEET = LineStyle("xlsx", lambda value, client_wrote: sheet_text(value), sheet_cell, "", "<row>", "</row>")
STYLES = (CSV, SHEET)


def _fields(table: Table, answers_from, answers, root: str, show_personal: bool, outer: tuple, style: LineStyle):
    """A select of one text: a submission's answer cells in `style`, joined, from `answers` (of
    `answers_from`)."""
    columns = [cell(answers, c, root, show_personal).label(f"c{i}") for i, c in enumerate(table.columns)]
    worked = select(*columns)
    if answers_from is not None:
        worked = worked.select_from(answers_from)
    worked = worked.correlate(*outer).offset(0).lateral("cells")
    ready = prepared(style, worked, [f"c{i}" for i in range(len(columns))], [True] * len(columns))
    fields = style.joined([ready.c[f"p{i}"] for i in range(len(columns))])
    return select(fields.label("fields")).select_from(ready)


def _repeat_lines(table: Table, repeats: list[str], answers_from, answers, instance_id, root: str,
                  show_personal: bool, outer: tuple, style: LineStyle):
    """A subquery (n0, n1…, line): a submission's rows of repeat `table` as lines in `style`, from `answers`."""
    steps = repeat_steps(table, repeats, answers, instance_id, root)
    values = [cell(steps.source, c, steps.base, show_personal) for c in table.columns] + [steps.parent_key,
                                                                                         steps.key]
    inner = select(*[v.label(f"c{i}") for i, v in enumerate(values)],
                   *[cast(n, Integer).label(f"n{i}") for i, n in enumerate(steps.positions)])
    inner = inner.select_from(answers_from) if answers_from is not None else inner.select_from(steps.froms[0])
    for elements in (steps.froms if answers_from is not None else steps.froms[1:]):
        inner = inner.join(elements, true())
    worked = inner.correlate(*outer).offset(0).subquery("cells")
    levels = [f"n{i}" for i in range(len(steps.positions))]
    ready = prepared(style, worked, [f"c{i}" for i in range(len(values))], [True] * len(values), levels)
    positions = [ready.c[n] for n in levels]
    line = style.whole(style.joined([ready.c[f"p{i}"] for i in range(len(values))]))
    return select(*positions, line.label("line")).select_from(ready), positions


def keep_source(table: Table, repeats: list[str], where: list, root: str, personal: bool, style: LineStyle
                ) -> Select:
    """(sid, current_version_id, body, positions) for the submissions `where` chooses: what odata_row keeps of
    `table` in `style` for each (services/submissions/odata_store.py writes it)."""
    fence = chosen(where)
    if table.repeat is None:
        fields = _fields(table, None, fence.c.answers, root, personal, (fence,), style) if table.columns else None
        body = (array([fields.scalar_subquery()], type_=Text) if fields is not None
                else cast(literal("{}"), ARRAY(Text)))
        return select(fence.c.sid, fence.c.current_version_id, body.label("body"),
                      cast(literal(None), ARRAY(Integer, dimensions=2)).label("positions")).select_from(fence)
    lines, positions = _repeat_lines(table, repeats, None, fence.c.answers, fence.c.instance_id, root, personal,
                                     (fence,), style)
    rows = lines.subquery("lines")
    order = [rows.c[p.name] for p in positions]
    gathered = (select(func.array_agg(aggregate_order_by(rows.c.line, *order)).label("body"),
                       func.array_agg(aggregate_order_by(array(order, type_=Integer), *order)).label("positions"))
                .select_from(rows).lateral("gathered"))
    return (select(fence.c.sid, fence.c.current_version_id,
                   func.coalesce(gathered.c.body, cast(literal("{}"), ARRAY(Text))).label("body"),
                   gathered.c.positions)
            .select_from(fence).join(gathered, true()))


def _fence(where: list, *, version: bool):
    """The submissions `where` chooses, by id (oldest first), each with its current version's device and form
    version when `version` (the submissions' table writes them; a repeat's rows need neither). Columns sid,
    instance_id, created_at, submitter_id, review_state, admin_code, current_version_id (device_id,
    form_version_id). No row number and no sort above the id's index order: queries.chosen_submissions'
    ranked fence, sorted again on its rank, spilled to disk and held the first byte back half a second
    (bench_export.py)."""
    picked = (select(Submission.id.label("sid"), Submission.instance_id, Submission.created_at,
                     Submission.submitter_id, Submission.review_state, Submission.admin_code,
                     Submission.current_version_id)
              .join(Form, Form.id == Submission.form_id).where(*where).order_by(Submission.id))
    if not version:
        return picked.subquery("chosen")
    picked = picked.subquery("picked")
    read = (select(SubmissionVersion.device_id, SubmissionVersion.form_version_id)
            .where(SubmissionVersion.id == picked.c.current_version_id).offset(0).lateral("version"))
    return select(picked, read).select_from(picked).join(read, true()).order_by(picked.c.sid).subquery("chosen")


def kept_lines(table: Table, *, root: str, repeats: list[str], where: list, show_personal: bool, key: str,
               style: LineStyle = CSV) -> Select:
    """One column, `line`: the lines in `style` of `table` for the submissions `where` chooses (conditions on
    Submission joined to Form), in the submissions' order and then the repeat's (in CSV, as COPY would write
    queries.exports.table_select(..., for_spreadsheet=True)'s rows); kept text where it was written from the
    current version under `key` (layout_key in `style`), written here otherwise."""
    fence = _fence(where, version=table.repeat is None)
    stored = kept_row(fence, table_path(table, root, style), show_personal, key)
    answers = answers_unless(fence, stored)
    if table.repeat is None:
        # The date and the system cells, which each read writes (a review or a rename changes them), prepared
        # behind a fence of their own.
        date = func.to_json(fence.c.created_at).op("#>>")(literal([], ARRAY(Text)))
        system = [date, fence.c.instance_id, fence.c.submitter_id, Actor.display_name, fence.c.review_state,
                  fence.c.device_id, FormVersion.version, fence.c.admin_code]
        wrote = [False, True, False, True, False, True, False, False]
        ready = (select(*[style.prepare(v, w).label(f"p{i}") for i, (v, w) in enumerate(zip(system, wrote))])
                 .correlate(fence, FormVersion, Actor).offset(0).lateral("system"))
        cells = [style.write(ready.c[f"p{i}"]) for i in range(len(system))]
        query = select().select_from(fence).outerjoin(stored, true())
        if table.columns:
            live = _fields(table, answers, answers.c.answers, root, show_personal, (fence, stored),
                           style).lateral("live")
            cells.insert(1, func.coalesce(stored.c.body[1], live.c.fields))
            query = query.outerjoin(live, true())
        line = style.whole(func.array_to_string(array(cells, type_=Text), style.separator))
        return (query.join(FormVersion, FormVersion.id == fence.c.form_version_id)
                .outerjoin(Actor, Actor.id == fence.c.submitter_id).join(ready, true())
                .add_columns(line.label("line")).order_by(fence.c.sid))
    depth = len([r for r in repeats if table.repeat.startswith(r + "/")]) + 1
    written, _ = _repeat_lines(table, repeats, answers, answers.c.answers, fence.c.instance_id, root,
                               show_personal, (fence, stored), style)
    rows = kept_or_written(stored, depth, written, "line")
    return (select(rows.c.line).select_from(fence).outerjoin(stored, true()).join(rows, true())
            .order_by(fence.c.sid, *[rows.c[f"n{level}"] for level in range(depth)]))
