"""The township's inbox of risk leads (风险线索): what residents' self-reports opened, and the decisions on
them (domain §8.6 LEAD: a lead is accepted within its limit in working days, rejected with a reason, or
merged into another lead of the same household).

Every read and decision is limited to the caller's places (a lead belongs to its village). ID numbers and
phones, the reporter's and in the report's answers, are masked unless the caller may read personal data
(PIPL). A decision is one transaction with its event; the states are ready for the identification
workflow that continues from `accepted`.
"""
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import and_, case, or_, select, update

from ... import events
from ...core.access import Access, Permission
from ...core.answer_view import Answer, RepeatTable, answer_items
from ...core.personal_fields import mask_idno, mask_phone
from ...core.xform_labels import FormLabels, form_labels
from ...events import Kind
from ...extensions import db
from ...models import (
    Actor,
    AdminUnit,
    Form,
    FormVersion,
    Household,
    HouseholdPerson,
    Lead,
    LeadReport,
    Submission,
    SubmissionAttachment,
    SubmissionVersion,
)
from ...models.lead import OPEN_STATES
from ...problems import lead_state_conflict, missing_parameter, not_found, unexpected_value
from ...queries.places import within

DECISIONS = ("accept", "reject", "merge")
REASON_CHARACTERS = 500


def _personal(access: Access, value: str | None, mask) -> str | None:
    return value if access.can(Permission.PERSONAL_DATA_READ) else mask(value)


@dataclass(frozen=True)
class LeadRow:
    id: int
    village: str
    village_name: str
    state: str
    reports: int
    received_at: datetime
    due_at: datetime
    overdue: bool                  # new, and past the time it was to be accepted by
    phone: str | None              # masked unless the caller may read personal data
    idno: str | None


def _overdue(state: str, due_at: datetime, now: datetime) -> bool:
    return state == "new" and due_at < now


def inbox(access: Access, *, state: str | None = None, limit: int = 200) -> list[LeadRow]:
    """The leads of the caller's places (of one state, if given): new ones past their time first, then the
    newest; at most `limit`. Raises Problem 400.8 for an unknown state."""
    if state is not None and state not in ("new", "accepted", "merged", "rejected"):
        raise unexpected_value("state", f"Not a lead state: {state}.")
    now = datetime.now(timezone.utc)
    late = case((and_(Lead.state == "new", Lead.due_at < now), 0), else_=1)
    query = (select(Lead, AdminUnit.name).join(AdminUnit, AdminUnit.code == Lead.village)
             .where(Lead.project_id == access.project_id, within(Lead.village, access.places))
             .order_by(late, Lead.received_at.desc(), Lead.id.desc()).limit(limit))
    if state is not None:
        query = query.where(Lead.state == state)
    return [LeadRow(lead.id, lead.village, name, lead.state, lead.reports, lead.received_at, lead.due_at,
                    _overdue(lead.state, lead.due_at, now), _personal(access, lead.phone, mask_phone),
                    _personal(access, lead.idno, mask_idno)) for lead, name in db.session.execute(query)]


@dataclass(frozen=True)
class ReportView:
    submission_id: int
    xml_form_id: str
    instance_id: str
    received_at: datetime
    answers: list[Answer | RepeatTable]     # core.answer_view
    photos: list[str]              # attachments that arrived, by name


@dataclass(frozen=True)
class HouseholdMatch:
    household_code: str
    head_name: str
    matched_by: list[str]          # idno | name


@dataclass(frozen=True)
class LeadPage:
    lead: LeadRow
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None
    merged_into: int | None
    reports: list[ReportView]
    matches: list[HouseholdMatch]
    merge_targets: list[LeadRow] = field(default_factory=list)   # open leads of the same village


def _lead_in_places(access: Access, lead_id: int, *, lock: bool = False) -> Lead:
    query = select(Lead).where(Lead.id == lead_id, Lead.project_id == access.project_id,
                               within(Lead.village, access.places))
    lead = db.session.scalar(query.with_for_update() if lock else query)
    if lead is None:
        raise not_found(f"There is no lead {lead_id} in your places.")
    return lead


def lead_page(access: Access, lead_id: int) -> LeadPage:
    """A lead with its reports (answers labelled from the form, photos), the registry households of its
    village that match it (by ID number or name) and the open leads it could be merged into. Raises Problem
    404.1 for a lead that is not in the caller's places."""
    lead = _lead_in_places(access, lead_id)
    now = datetime.now(timezone.utc)
    village_name = db.session.scalar(select(AdminUnit.name).where(AdminUnit.code == lead.village)) or lead.village
    row = LeadRow(lead.id, lead.village, village_name, lead.state, lead.reports, lead.received_at, lead.due_at,
                  _overdue(lead.state, lead.due_at, now), _personal(access, lead.phone, mask_phone),
                  _personal(access, lead.idno, mask_idno))
    reports, answers = _reports(access, lead.id)
    decided_by = None
    if lead.decided_by is not None:
        decided_by = db.session.scalar(select(Actor.display_name).where(Actor.id == lead.decided_by))
    targets = [r for r in inbox(access, state=None, limit=200)
               if r.id != lead.id and r.village == lead.village and r.state in OPEN_STATES]
    return LeadPage(row, lead.decided_at, decided_by, lead.reason, lead.merged_into, reports,
                    _matches(access.project_id, lead, answers), targets)


def _reports(access: Access, lead_id: int) -> tuple[list[ReportView], list[dict]]:
    """The lead's reports, oldest first, and their raw answers (for matching)."""
    rows = db.session.execute(
        select(Submission.id, Form.xml_form_id, Submission.instance_id, LeadReport.received_at,
               SubmissionVersion.answers, SubmissionVersion.id, FormVersion.xml)
        .join(LeadReport, LeadReport.submission_id == Submission.id)
        .join(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id)
        .join(FormVersion, FormVersion.id == SubmissionVersion.form_version_id)
        .join(Form, Form.id == Submission.form_id)
        .where(LeadReport.lead_id == lead_id).order_by(LeadReport.received_at, Submission.id)).all()
    photos = {}
    for version_id, name in db.session.execute(
            select(SubmissionAttachment.submission_version_id, SubmissionAttachment.name)
            .where(SubmissionAttachment.submission_version_id.in_([r[5] for r in rows]),
                   SubmissionAttachment.blob_sha256.is_not(None)).order_by(SubmissionAttachment.name)):
        photos.setdefault(version_id, []).append(name)
    labels_of: dict[bytes, FormLabels] = {}
    views = []
    for submission_id, xml_form_id, instance_id, received_at, answers, version_id, xml in rows:
        labels = labels_of.setdefault(xml, form_labels(xml))
        views.append(ReportView(submission_id, xml_form_id, instance_id, received_at,
                                answer_items(answers or {}, labels,
                                             show_personal=access.can(Permission.PERSONAL_DATA_READ)),
                                photos.get(version_id, [])))
    return views, [r[4] or {} for r in rows]


def _matches(project_id: int, lead: Lead, answers: list[dict]) -> list[HouseholdMatch]:
    """Registry households of the lead's village with its ID number (head or member, in the registry or in
    the household's latest screening), or a name its reports give (the reporter's, if the head reported, or
    the head's). ID numbers are compared normalised on both sides: the lead's by core.reporter_keys, the
    households' as household_person keeps them (core.idcard.normalise: the registry's '…x' is '…X'), never
    as the registry's members were imported."""
    given = [n for a in answers
             for n in (a.get("hh_head_name"), a.get("name") if a.get("relation") == "self" else None)]
    names = sorted({n.strip() for n in given if isinstance(n, str) and n.strip()})
    by_idno = set(db.session.scalars(select(HouseholdPerson.household_id).where(
        HouseholdPerson.project_id == project_id, HouseholdPerson.idno == lead.idno))) if lead.idno else set()
    conditions = []
    if by_idno:
        conditions.append(Household.id.in_(by_idno))
    if names:
        conditions += [Household.head_name.in_(names), *(Household.members.contains([{"name": n}]) for n in names)]
    if not conditions:
        return []
    matches = []
    for household in db.session.scalars(select(Household).where(
            Household.project_id == project_id, Household.admin_code == lead.village, or_(*conditions))
            .order_by(Household.household_code).limit(20)):
        members = household.members if isinstance(household.members, list) else []
        by = []
        if household.id in by_idno:
            by.append("idno")
        if household.head_name in names or any(isinstance(m, dict) and m.get("name") in names for m in members):
            by.append("name")
        matches.append(HouseholdMatch(household.household_code, household.head_name, by))
    return matches


def decide(access: Access, lead_id: int, decision: str, *, reason: str = "", into: int | None = None) -> Lead:
    """Accept a new lead, reject an open one (a reason is required), or merge a new lead into another open
    lead of its village (its reports go with it). One transaction, with its event.

    Raises Problem 404.1 for a lead (or merge target) outside the caller's places, 400.2 for a rejection
    without a reason or a merge without a target, 400.8 for an unknown decision or a reason too long,
    409.91 for a decision the lead's state does not allow.
    """
    if decision not in DECISIONS:
        raise unexpected_value("decision", f"Not a decision: {decision} (accept, reject or merge).")
    reason = (reason or "").strip()
    if len(reason) > REASON_CHARACTERS:
        raise unexpected_value("reason", f"A reason is at most {REASON_CHARACTERS} characters.")
    if decision == "merge" and into is not None:
        # Both leads locked in one order: two reviewers merging A into B and B into A at once must not deadlock.
        db.session.execute(select(Lead.id).where(Lead.id.in_([lead_id, into]), Lead.project_id == access.project_id)
                           .order_by(Lead.id).with_for_update()).all()
    lead = _lead_in_places(access, lead_id, lock=True)
    payload: dict = {}
    if decision == "accept":
        if lead.state != "new":
            raise lead_state_conflict(f"Lead {lead.id} is {lead.state}; only a new lead is accepted.")
        lead.state, kind = "accepted", Kind.LEAD_ACCEPT
    elif decision == "reject":
        if not reason:
            raise missing_parameter("reason", "Say why the lead is rejected.")
        if lead.state not in OPEN_STATES:
            raise lead_state_conflict(f"Lead {lead.id} is {lead.state}; only an open lead is rejected.")
        lead.state, kind = "rejected", Kind.LEAD_REJECT
    else:
        if into is None:
            raise missing_parameter("into", "Name the lead to merge this one into.")
        if lead.state != "new":
            raise lead_state_conflict(f"Lead {lead.id} is {lead.state}; only a new lead is merged.")
        target = _lead_in_places(access, into, lock=True)
        if target.id == lead.id or target.state not in OPEN_STATES or target.village != lead.village:
            raise lead_state_conflict(f"Lead {into} is not another open lead of the same village.")
        moved = db.session.execute(update(LeadReport).where(LeadReport.lead_id == lead.id)
                                   .values(lead_id=target.id)).rowcount
        target.reports += moved
        target.idno, target.phone = target.idno or lead.idno, target.phone or lead.phone
        lead.state, lead.merged_into, kind = "merged", target.id, Kind.LEAD_MERGE
        payload = {"into": target.id, "reports": moved}
    actor_id = access.principal.actor_id or None       # 0: the server itself (core.access.SYSTEM), no actor row
    lead.decided_at, lead.decided_by = datetime.now(timezone.utc), actor_id
    lead.reason = reason or None
    events.record(kind, actor_id=actor_id, project_id=access.project_id, place=lead.village,
                  subject=str(lead.id), payload=payload)
    db.session.commit()
    return lead

