"""The submissions a page chooses, each with its current version's answers read once: what OData pages are
written from, and what the export lines are kept from. (Exports read every row in the order of ids and choose
them without a rank: queries/exports.py, queries/export_lines.py.)

Two things make a read of a county's answers fast (measured on 120,000 screenings, scripts/bench_odata.py):
- the submissions are chosen, ordered and cut on narrow rows first (an index range, or a sort of ids), and
  only then is each one's version read, by a LATERAL per row: sorting rows that carry their answers spilled
  hundreds of megabytes to disk, and a page read answers it then threw away;
- the answers are copied once (`answers || '{}'` behind an OFFSET 0 fence, which the planner cannot fold
  into each use): without it, each `answers -> field` decompresses the stored value again.
"""
from sqlalchemy import func, literal_column, select, true
from sqlalchemy.sql import Subquery

from ..models import Form, Submission, SubmissionVersion


def chosen(where: list, order: list | None = None, *, limit: int | None = None, offset: int = 0,
           name: str = "chosen", answers: bool = True) -> Subquery:
    """The submissions `where` chooses (conditions on Submission joined to Form), in `order` (default: newest
    first), from `offset`, at most `limit`; with a `rank` column when an order is given. Columns: sid,
    instance_id, created_at, updated_at, deleted_at, submitter_id, review_state, admin_code,
    current_version_id, rank?, device_id, form_version_id, answers (unless not `answers`)."""
    columns = [Submission.id.label("sid"), Submission.instance_id, Submission.created_at, Submission.updated_at,
               Submission.deleted_at, Submission.submitter_id, Submission.review_state, Submission.admin_code,
               Submission.current_version_id]
    ordering = order or [Submission.id.desc()]
    if order:
        columns.append(func.row_number().over(order_by=ordering).label("rank"))
    picked = select(*columns).join(Form, Form.id == Submission.form_id).where(*where).order_by(*ordering)
    if offset:
        picked = picked.offset(offset)
    if limit is not None:
        picked = picked.limit(limit)
    picked = picked.subquery("picked")
    read = [SubmissionVersion.device_id, SubmissionVersion.form_version_id]
    if answers:
        read.append(SubmissionVersion.answers.op("||")(literal_column("'{}'::jsonb")).label("answers"))
    version = (select(*read)
               .where(SubmissionVersion.id == picked.c.current_version_id).offset(0).lateral("version"))
    return (select(picked, version).select_from(picked).join(version, true())
            .order_by(picked.c.rank if order else picked.c.sid.desc()).subquery(name))
