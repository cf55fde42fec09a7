"""Risk leads (风险线索) from residents' self-reports: each report opens a lead for its village's township
to accept within a limit in working days, or joins the open lead of the same household.

The same household is the same ID number or the same phone (core.reporter_keys) on an open lead of the
same village (new or accepted) whose first report came within JOIN_DAYS: a second report attaches to it
instead of opening another (domain §8.6, the issue's "duplicate reports attach to the existing lead"). Only
the village's: a report under another village's poster must not draw a genuine one into a lead its own
township never sees.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from ... import events
from ...core.reporter_keys import idno_key, phone_key
from ...core.working_days import due_after
from ...events import Kind
from ...extensions import db
from ...models import Lead, LeadReport
from ...models.lead import OPEN_STATES
from ...queries.self_report import LOCK_LEAD_KEY

JOIN_DAYS = 90                 # a report joins an open lead of the same household first reported this recently
ACCEPT_WORKING_DAYS = 2        # a new lead is to be accepted within this many working days


@dataclass(frozen=True)
class Recorded:
    lead_id: int
    joined: bool               # True: the report joined an open lead; False: it opened this one


def record_report(project_id: int, village: str, submission_id: int, received_at: datetime, *,
                  idno: str | None = None, phone: str | None = None, join_days: int = JOIN_DAYS,
                  accept_working_days: int = ACCEPT_WORKING_DAYS) -> Recorded:
    """The lead a self-report (a stored submission, of `village`, received at the aware `received_at`)
    opens or joins, with an event either way, in the caller's transaction (the caller commits: the
    report and its lead are stored together or not at all). `idno` and `phone` as the reporter typed
    them; a report with neither usable always opens a lead of its own."""
    keys = {"idno": idno_key(idno), "phone": phone_key(phone)}
    same = [getattr(Lead, column) == key for column, key in keys.items() if key]
    for column, key in sorted((c, k) for c, k in keys.items() if k):
        db.session.execute(LOCK_LEAD_KEY, {"key": f"lead:{project_id}:{village}:{column}:{key}"})
    lead = None
    if same:
        lead = db.session.scalar(
            select(Lead).where(Lead.project_id == project_id, Lead.village == village, Lead.state.in_(OPEN_STATES),
                               or_(*same),
                               Lead.received_at >= received_at - timedelta(days=join_days))
            .order_by(Lead.received_at).limit(1).with_for_update())
    if lead is not None:
        lead.reports += 1
        lead.idno, lead.phone = lead.idno or keys["idno"], lead.phone or keys["phone"]
        kind = Kind.LEAD_JOIN
    else:
        lead = Lead(project_id=project_id, village=village, source="self_report", state="new", reports=1,
                    received_at=received_at, due_at=due_after(received_at, accept_working_days), **keys)
        db.session.add(lead)
        kind = Kind.LEAD_CREATE
    db.session.flush()
    db.session.add(LeadReport(submission_id=submission_id, lead_id=lead.id, received_at=received_at))
    events.record(kind, project_id=project_id, place=lead.village, subject=str(lead.id),
                  payload={"submissionId": submission_id})
    return Recorded(lead.id, kind is Kind.LEAD_JOIN)
