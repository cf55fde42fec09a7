"""The statements exports run: each of a form's tables (core.tables) as one SELECT whose rows are the CSV's,
for PostgreSQL's COPY to write (in C, hundreds of thousands of rows a second, never a Python dict per row).

A cell is `dixian_answer_text(answers #> path)` (migration 0021: select_multiple values joined by spaces,
numbers and text as stored), a geopoint's part its nth space-separated field, a personal answer wrapped in
dixian_mask_idno / dixian_mask_phone unless shown. A repeat's rows come from jsonb_array_elements WITH
ORDINALITY, one LATERAL per enclosing repeat, and get Central's keys: instanceID/member[1].
"""
from sqlalchemy import ARRAY, Text, func, literal, literal_column, select, true
from sqlalchemy.sql import Select

from ..core.personal_fields import ID_SUFFIXES
from ..core.tables import Column, Table
from ..models import Actor, Form, FormVersion, Submission, SubmissionVersion


def _keys(path: str, base: str) -> list[str]:
    return path[len(base) + 1:].split("/")


def _cell(source, column: Column, base: str, show_personal: bool):
    value = func.dixian_answer_text(source.op("#>")(literal(_keys(column.path, base), ARRAY(Text))))
    if column.part is not None:
        value = func.nullif(func.split_part(value, " ", column.part + 1), "")
    if column.personal and not show_personal:
        name = column.path.rsplit("/", 1)[1].lower()
        value = (func.dixian_mask_idno if name.endswith(ID_SUFFIXES) else func.dixian_mask_phone)(value)
    return value


def table_select(table: Table, *, root: str, repeats: list[str], where: list, show_personal: bool) -> Select:
    """The SELECT of one table's rows (no header), in the submissions' order and, within one, the repeat's;
    `where`: conditions on Submission joined to Form (services/submissions/listing.conditions)."""
    answers = SubmissionVersion.answers
    query = (select().select_from(Submission).join(Form, Form.id == Submission.form_id)
             .join(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id))
    if table.repeat is None:
        return (query.add_columns(func.to_json(Submission.created_at).op("#>>")(literal([], ARRAY(Text))),
                                  *(_cell(answers, c, root, show_personal) for c in table.columns),
                                  Submission.instance_id, Submission.submitter_id, Actor.display_name,
                                  Submission.review_state, SubmissionVersion.device_id, FormVersion.version,
                                  Submission.admin_code)
                .join(FormVersion, FormVersion.id == SubmissionVersion.form_version_id)
                .outerjoin(Actor, Actor.id == Submission.submitter_id)
                .where(*where).order_by(Submission.id))
    chain = [r for r in repeats if table.repeat.startswith(r + "/")] + [table.repeat]
    source, base, key, order = answers, root, Submission.instance_id, [Submission.id]
    parent_key = key
    for depth, repeat in enumerate(chain):
        entries = source.op("#>")(literal(_keys(repeat, base), ARRAY(Text)))
        elements = (func.jsonb_array_elements(_as_array(entries))
                    .table_valued("value", with_ordinality="n").render_derived(name=f"r{depth}").lateral(f"r{depth}"))
        query = query.join(elements, true())
        parent_key = key
        key = key + f"/{repeat.rsplit('/', 1)[1]}[" + func.cast(elements.c.n, Text) + "]"
        source, base = elements.c.value, repeat
        order.append(elements.c.n)
    return (query.add_columns(*(_cell(source, c, base, show_personal) for c in table.columns), parent_key, key)
            .where(*where).order_by(*order))


def _as_array(value):
    """A JSON value as an array to take elements from: itself if it is one, a lone object as [object] (lax
    SQL/JSON wraps it), none as []."""
    return func.coalesce(func.jsonb_path_query_array(value, literal_column("'$[*]'::jsonpath")),
                         literal_column("'[]'::jsonb"))

