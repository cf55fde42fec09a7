"""Reading a submission's kept rows (models OdataRow, written ahead by services/submissions/odata_store.py): the
lookup, and the answers a read writes from only where nothing is kept. Shared by OData (queries/odata.py) and
the CSV exports (queries/export_lines.py).
"""
from sqlalchemy import func, literal_column, select

from ..models import OdataRow, SubmissionVersion


def kept_row(fence, table_path: str, personal: bool, key: str):
    """LATERAL (body, positions): the kept row under `table_path` for the fence's submission (columns sid,
    current_version_id), written from its current version with writer key `key`, for a reader who may
    (`personal`) or may not read personal data; no row when there is none. A lookup per submission (the
    primary key's index; OFFSET 0 keeps the planner from making it a join) keeps the fence's order: a join of
    the two tables by hash lost it, and the rows, 2 KB each, were sorted again on disk."""
    return (select(OdataRow.body, OdataRow.positions)
            .where(OdataRow.submission_id == fence.c.sid, OdataRow.table_path == table_path,
                   OdataRow.personal == personal, OdataRow.version_id == fence.c.current_version_id,
                   OdataRow.writer_key == key)
            .correlate(fence).offset(0).lateral("kept"))


def answers_unless(fence, stored):
    """LATERAL (answers): the current version's answers (copied once, as queries.chosen_submissions does) for a
    submission without a kept row (`stored`, a kept_row); no row otherwise: the condition on the outer row
    alone is a one-time filter, so nothing below it runs."""
    return (select((SubmissionVersion.answers.op("||")(literal_column("'{}'::jsonb"))).label("answers"))
            .where(SubmissionVersion.id == fence.c.current_version_id, stored.c.body.is_(None))
            .correlate(fence, stored).offset(0).lateral("answers"))


def kept_or_written(stored, depth: int, written, column: str):
    """LATERAL (n0, n1…, `column`): a submission's rows of a repeat table, kept (one per element of the kept
    body, in order, with its positions) when `stored` has them, else `written`, a select of the same columns
    made from answers_unless; each branch is gated by a one-time filter on the kept row, so only one runs."""
    # unnest reads the kept body once; body[i] for each i would decompress it again for every row.
    each = (func.unnest(stored.c.body).table_valued(column, with_ordinality="i")
            .render_derived(name="each", with_types=False))
    kept = (select(*[stored.c.positions[each.c.i][level + 1].label(f"n{level}") for level in range(depth)],
                   each.c[column])
            .select_from(each).where(stored.c.body.isnot(None)))
    return kept.union_all(written).lateral("rows")
