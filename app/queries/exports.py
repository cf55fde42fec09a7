"""The statements exports run: each of a form's tables (core.tables) as one SELECT whose rows are the CSV's,
for PostgreSQL's COPY to write (in C, tens of thousands of rows a second, never a Python dict per row).

What makes it fast, measured on a 20,000-row table of 100 answers (scratch benchmark, this machine):
- the stored answers are read once per row: a subquery (kept apart by OFFSET 0, so the planner cannot fold
  it in) hands up `answers || '{}'`, an in-memory copy. Without it each of a hundred `answers #>> path`
  decompresses the TOASTed value again: 2.5 s against 0.7 s;
- a cell is a plain `#>>` (text as stored, numbers as written, JSON null as NULL); only a select_multiple,
  stored as an array of choices, is joined by spaces in a subquery; a SQL function call per cell
  (dixian_answer_text, migration 0021) cost 6.4 s. The two are held to each other by a test.
A geopoint's part is its nth space-separated field; a personal answer is wrapped in dixian_mask_idno /
dixian_mask_phone unless shown, and so are the ID numbers and phones written into a text answer
(masked_in_text, core.personal_fields.mask_in_text in SQL). A repeat's rows come from jsonb_array_elements
WITH ORDINALITY, one LATERAL per enclosing repeat, and get Central's keys: instanceID/member[1].
"""
from dataclasses import dataclass

from sqlalchemy import ARRAY, Text, and_, case, cast, column, func, literal, literal_column, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql import Select

from ..core.personal_fields import ID_SUFFIXES, LONG_NUMBER, NUMBER_IN_TEXT
from ..core.tables import Column, Table
from ..formats.xlsx import CELL_LIMIT, EXCEL_ESCAPE_START, NOT_XML
from ..models import Actor, Form, FormVersion, Submission, SubmissionVersion


def _keys(path: str, base: str) -> list[str]:
    return path[len(base) + 1:].split("/")


def _path(keys: list[str]):
    return literal(keys, ARRAY(Text))


def answer_text(source, keys: list[str], field_type: str):
    """An answer as an export's cell: `source #>> keys`; a select_multiple's choices joined by spaces
    (NULL when none), as XForms write them. Shapes as dixian_answer_text's (tests/core/test_export_sql.py)."""
    text = source.op("#>>")(_path(keys))
    if field_type != "select_multiple":
        return text
    answer = source.op("#>")(_path(keys))
    choices = select(func.jsonb_array_elements_text(answer).column_valued()).scalar_subquery()
    return case((func.jsonb_typeof(answer) == "array", func.nullif(func.array_to_string(func.array(choices), " "), "")),
                else_=text)


def masked_in_text(value):
    """`value` (text) with each number in it shaped like an ID number or a phone masked, as
    core.personal_fields.mask_in_text masks them (held to it by tests/core/test_export_sql.py and
    tests/core/test_mask_fuzz.py).

    PostgreSQL cannot call a function for each match of regexp_replace, so the text is cut at the numbers
    (regexp_split_to_array), the numbers are found in one scan (regexp_matches), and piece n is joined again
    with number n masked (the last piece has none). Both are functions in the FROM of one subquery whose
    every other FROM is the enclosing row's: an array of the numbers in a subquery of its own was once not
    tied to the row, and gathered the numbers of every row chosen; the nth number taken by regexp_substr
    scanned the text again for each, a text of 800 phones taking 28 s. A text with no number in it (most
    cells) is handed back by the first regular expression test alone: ~3 µs a cell, against ~80 µs for a
    cell that holds a number (measured here, 200,000 cells). Only text answers, and only for readers who
    may not see personal data, pay either."""
    pattern = literal(NUMBER_IN_TEXT, Text)
    pieces = (func.unnest(func.regexp_split_to_array(value, pattern))
              .table_valued("piece", with_ordinality="n").render_derived(name="number_in_text"))
    found = (func.regexp_matches(value, pattern, "g")
             .table_valued(column("match", ARRAY(Text)), with_ordinality="n").render_derived(name="number_found"))
    digits = func.translate(func.regexp_replace(found.c.match[1], "[^0-9０-９XxＸｘ+＋]", "", "g"),
                            "０１２３４５６７８９Ｘｘ＋", "0123456789Xx+")
    number = case((func.length(func.ltrim(digits, "+")) >= LONG_NUMBER, func.dixian_mask_idno(digits)),
                  else_=func.dixian_mask_phone(digits))
    joined = (select(func.string_agg(func.concat(pieces.c.piece, number),
                                     aggregate_order_by(literal_column("''"), pieces.c.n)))
              .select_from(pieces.outerjoin(found, found.c.n == pieces.c.n))
              .correlate_except(pieces, found).scalar_subquery())
    return case((value.op("~")(pattern), joined), else_=value)


# What makes a CSV cell a formula in Excel, WPS and LibreOffice (OWASP, "CSV Injection"): its first character.
FORMULA_STARTS = "^[-=+@\t\r]"
_NUMBER = r"^[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"


def spreadsheet_safe(value):
    """`value` (text) with a single quote before it if it begins as a formula does and is not a number, so
    that a spreadsheet opening the CSV shows the text and runs nothing (a resident's '=HYPERLINK(…)' or
    '@SUM(…)'). Numbers, negative ones and '+86…' among them, are kept as they are: they run nothing, and
    amounts and coordinates stay numbers."""
    return case((and_(value.op("~")(FORMULA_STARTS), value.op("!~")(_NUMBER)), func.concat("'", value)),
                else_=value)


def cell(source, column: Column, base: str, show_personal: bool):
    """One column's cell (text, NULL when unanswered) from `source`, the answers object at path `base`."""
    value = answer_text(source, _keys(column.path, base), column.type)
    if column.part is not None:
        value = func.nullif(func.split_part(value, " ", column.part + 1), "")
    if column.personal and not show_personal:
        name = column.path.rsplit("/", 1)[1].lower()
        value = (func.dixian_mask_idno if name.endswith(ID_SUFFIXES) else func.dixian_mask_phone)(value)
    elif column.type == "string" and not show_personal:
        value = masked_in_text(value)
    return value


@dataclass(frozen=True)
class RepeatSteps:
    """How a repeat table's rows come out of one submission's answers: the LATERALs that make them (one per
    enclosing repeat, outermost first), each row's positions (from 1), its answers object and that object's
    path in the form, and Central's keys: the row's (instanceID/member[n]) and its parent's."""
    froms: list
    positions: list
    source: object
    base: str
    parent_key: object
    key: object


def repeat_steps(table: Table, repeats: list[str], answers, instance_id, root: str) -> RepeatSteps:
    """The steps down to the rows of repeat `table` from `answers` (a submission's, JSONB)."""
    chain = [r for r in repeats if table.repeat.startswith(r + "/")] + [table.repeat]
    source, base, key, froms, positions = answers, root, instance_id, [], []
    parent_key = key
    for depth, repeat in enumerate(chain):
        entries = source.op("#>")(_path(_keys(repeat, base)))
        elements = (func.jsonb_array_elements(as_array(entries)).table_valued("value", with_ordinality="n")
                    .render_derived(name=f"r{depth}").lateral(f"r{depth}"))
        froms.append(elements)
        parent_key = key
        key = key + f"/{repeat.rsplit('/', 1)[1]}[" + func.cast(elements.c.n, Text) + "]"
        source, base = elements.c.value, repeat
        positions.append(elements.c.n)
    return RepeatSteps(froms, positions, source, base, parent_key, key)


def sheet_text(value):
    """A value (any type) as a sheet cell's text (formats/xlsx.py row_xml, the same in SQL): without the
    characters XML cannot hold, cut at Excel's 32,767; NULL stays NULL."""
    # A regular expression: translate() with these 29 characters made a county's Excel 2.5 times slower (51 s
    # against 20 s, bench_export.py).
    return func.left(func.regexp_replace(cast(value, Text), NOT_XML, "", "g"), CELL_LIMIT)


def sheet_cell(text):
    """A sheet_text as a sheet's XML cell (rows of them are written by queries/export_lines.py): NULL or empty
    an empty cell, any other an inline string, escaped for XML, and for Excel where it holds what Excel would
    read as its own escape (formats/xlsx.py EXCEL_ESCAPE_START)."""
    escaped = func.regexp_replace(
        func.replace(func.replace(func.replace(text, "&", "&amp;"), "<", "&lt;"), ">", "&gt;"),
        EXCEL_ESCAPE_START, "_x005F_", "g")
    return case((func.coalesce(text, "") == "", literal("<c/>")),
                else_=literal('<c t="inlineStr"><is><t xml:space="preserve">') + escaped + literal("</t></is></c>"))


def table_select(table: Table, *, root: str, repeats: list[str], where: list, show_personal: bool,
                 for_spreadsheet: bool = False) -> Select:
    """The SELECT of one table's rows (no header), in the submissions' order and, within one, the repeat's;
    `where`: conditions on Submission joined to Form (services/submissions/listing.conditions).

    `for_spreadsheet`: every text a client wrote (answers, keys made of the instanceID, the device's id, the
    submitter's name) goes through spreadsheet_safe, for a CSV that people open in Excel. Keys are all
    written the same way, so KEY and PARENT_KEY still join.

    Exports write their lines through queries/export_lines.py, which keeps them ahead; this is the statement
    its CSV lines are held to (tests/central/test_export_kept_lines.py)."""
    # Joined, then sorted whole: COPY reads every row anyway, and a lateral lookup of each version (what OData's
    # pages use, queries/chosen_submissions.py) made a county's CSV export 40% slower (bench_export.py).
    chosen = (select(Submission.id.label("sid"), Submission.created_at, Submission.instance_id,
                     Submission.submitter_id, Submission.review_state, Submission.admin_code,
                     SubmissionVersion.device_id, SubmissionVersion.form_version_id,
                     SubmissionVersion.answers.op("||")(literal_column("'{}'::jsonb")).label("answers"))
              .join(Form, Form.id == Submission.form_id)
              .join(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id)
              .where(*where).offset(0).subquery("chosen"))    # OFFSET 0: the fence that reads answers once
    answers = chosen.c.answers
    if table.repeat is None:
        cells = [(func.to_json(chosen.c.created_at).op("#>>")(literal([], ARRAY(Text))), False),
                 *((cell(answers, c, root, show_personal), True) for c in table.columns),
                 (chosen.c.instance_id, True), (chosen.c.submitter_id, False), (Actor.display_name, True),
                 (chosen.c.review_state, False), (chosen.c.device_id, True), (FormVersion.version, False),
                 (chosen.c.admin_code, False)]
        query = (select().select_from(chosen)
                 .join(FormVersion, FormVersion.id == chosen.c.form_version_id)
                 .outerjoin(Actor, Actor.id == chosen.c.submitter_id))
        order = [chosen.c.sid]
    else:
        query = select().select_from(chosen)
        steps = repeat_steps(table, repeats, answers, chosen.c.instance_id, root)
        for elements in steps.froms:
            query = query.join(elements, true())
        order = [chosen.c.sid, *steps.positions]
        cells = [*((cell(steps.source, c, steps.base, show_personal), True) for c in table.columns),
                 (steps.parent_key, True), (steps.key, True)]
    if not for_spreadsheet:
        return query.add_columns(*(value for value, _ in cells)).order_by(*order)
    # The cells are worked out in a subquery (OFFSET 0 keeps it apart) and made safe above it: made safe in
    # place, each cell's expression (a lookup in the answers, a mask) would run once for each time the test
    # names it. A county's CSV is ~25% faster so (bench_export.py).
    worked_out = (query.add_columns(*(value.label(f"c{i}") for i, (value, _) in enumerate(cells)),
                                    *(position.label(f"o{i}") for i, position in enumerate(order)))
                  .order_by(*order).offset(0).subquery("cells"))
    in_order = [worked_out.c[f"o{i}"] for i in range(len(order))]
    return (select(*(spreadsheet_safe(worked_out.c[f"c{i}"]) if client_wrote else worked_out.c[f"c{i}"]
                     for i, (_, client_wrote) in enumerate(cells)))
            .order_by(*in_order))


def as_array(value):
    """A JSON value as an array to take elements from: itself if it is one, a lone object as [object] (lax
    SQL/JSON wraps it), none as []."""
    return func.coalesce(func.jsonb_path_query_array(value, literal_column("'$[*]'::jsonpath")),
                         literal_column("'[]'::jsonb"))
