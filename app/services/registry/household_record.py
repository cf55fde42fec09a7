"""Reading the monitoring picture: one household's record, flags and history; one submission's flags.

Returns plain data (dataclasses); the API door shapes it as JSON (api/schemas). Personal data is
masked here, by the caller's access, so no door can forget to.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from ...core.access import Access, Permission
from ...core.personal_fields import mask_idno
from ...core.rules import RULED_FORMS, SCREENING
from ...core.rules.answers import FormAnswers
from ...extensions import db
from ...models import (
    AdminUnit,
    Form,
    FormVersion,
    Household,
    RiskFlag,
    Submission,
    SubmissionAttachment,
    SubmissionVersion,
)
from ...problems import not_found
from ...queries.places import submission_within, within
from ..submissions.current import readable_current_version


@dataclass(frozen=True)
class FlagView:
    rule: str
    code: str
    severity: str
    explanation_zh: str
    explanation_en: str
    inputs: dict
    threshold: dict
    ruleset: str | None
    created_at: datetime
    other_hidden: bool = False            # it named another household, left out for this reader


@dataclass(frozen=True)
class Member:
    name: str | None
    relation: str | None
    idno: str | None                      # masked unless the caller may read personal data


@dataclass(frozen=True)
class MembersSource:
    """Where the member list comes from: the registry as imported, or the latest screening."""
    source: str                           # registry | screening
    instance_id: str | None = None
    surveyed_on: date | None = None


@dataclass(frozen=True)
class HistoryEntry:
    xml_form_id: str
    form_title: str | None        # the form's current title, as the submissions list names it
    instance_id: str
    instance_name: str | None
    surveyed_on: date | None
    received_at: datetime
    flags: list[FlagView]
    files: list[str] = field(default_factory=list)     # attachments that arrived (photos), by name


@dataclass(frozen=True)
class HouseholdRecord:
    household_code: str
    village_code: str
    village_name: str | None
    head_name: str
    head_idno: str | None                 # masked unless the caller may read personal data
    poverty_status: str | None
    category: str | None
    status: str | None
    last_pc_income: float | None
    members: list[Member]
    members_from: MembersSource
    current_flags: list[FlagView]         # those of the latest submission of each ruled form
    history: list[HistoryEntry]


# Inputs naming another household (id_duplicate, household_elsewhere, person_in_two_households), kept only
# for a reader whose places hold the village that household is registered in now.
_OTHER_HOUSEHOLD = ("other_household", "other_village")


def _flag_views(flags: list[RiskFlag], access: Access) -> list[FlagView]:
    """The flags as `access` may read them: the other household a flag names, and its village, are left out
    (other_hidden) unless the reader's places hold that household's village as the registry has it now. The
    village kept in the flag is where it was when the flag was raised; a registry import may have moved the
    household since, out of the reader's places or into them. A household no longer registered is judged by
    the village the flag kept."""
    named = {f.inputs["other_household"] for f in flags if f.inputs and f.inputs.get("other_household")}
    villages = dict(db.session.execute(
        select(Household.household_code, Household.admin_code).where(
            Household.project_id == access.project_id, Household.household_code.in_(named))).all()) if named else {}
    views = []
    for flag in flags:
        inputs, hidden = flag.inputs or {}, False
        if inputs.get("other_household"):
            village = villages.get(inputs["other_household"], inputs.get("other_village"))
            if access.covers(village):
                inputs = {**inputs, "other_village": village}
            else:
                inputs, hidden = {key: value for key, value in inputs.items() if key not in _OTHER_HOUSEHOLD}, True
        views.append(FlagView(flag.rule, flag.code, flag.severity, flag.explanation_zh, flag.explanation_en, inputs,
                              flag.threshold, flag.ruleset, flag.created_at, hidden))
    return views


def submission_flags(access: Access, xml_form_id: str, instance_id: str) -> list[FlagView]:
    """The flags of a submission's current version; the id is the first instanceID, as in Central.

    Only a submission made in the caller's places is found; raises Problem 404.1 otherwise.
    """
    current = readable_current_version(access, xml_form_id, instance_id)
    flags = db.session.scalars(select(RiskFlag).where(RiskFlag.submission_version_id == current)
                               .order_by(RiskFlag.id)).all()
    return _flag_views(flags, access)


def household_record(access: Access, household_code: str) -> HouseholdRecord:
    """One household's record: registry, members, current flags and history.

    Only a household registered in the caller's places is found (raises Problem 404.1 otherwise,
    the same answer as for a household that does not exist); ID numbers are masked unless the
    caller may read personal data. The history lists the household's submissions in those places.
    """
    project_id, show_ids = access.project_id, access.can(Permission.PERSONAL_DATA_READ)
    household = db.session.scalar(select(Household).where(Household.project_id == project_id,
                                                          Household.household_code == household_code,
                                                          within(Household.admin_code, access.places)))
    if household is None:
        raise not_found(f"There is no household {household_code} in project {project_id}.")
    village = db.session.get(AdminUnit, household.admin_code)
    history = db.session.execute(
        select(Form.xml_form_id, FormVersion.title, Submission.instance_id, Submission.created_at,
               Submission.surveyed_on, SubmissionVersion.id.label("version_id"), SubmissionVersion.instance_name)
        .join(Form, Form.id == Submission.form_id)
        .outerjoin(FormVersion, FormVersion.id == Form.current_version_id)
        .join(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id)
        .where(Submission.household_id == household.id, Submission.deleted_at.is_(None),
               Submission.is_draft.is_(False), submission_within(access.places))
        .order_by(Submission.surveyed_on.desc().nulls_last(), Submission.created_at.desc())).all()
    flags_by_version: dict[int, list[FlagView]] = {}
    if history:
        flags = db.session.scalars(select(RiskFlag).where(
            RiskFlag.submission_version_id.in_([h.version_id for h in history])).order_by(RiskFlag.id)).all()
        for flag, view in zip(flags, _flag_views(flags, access)):
            flags_by_version.setdefault(flag.submission_version_id, []).append(view)
    files_by_version: dict[int, list[str]] = {}
    if history:
        for version_id, name in db.session.execute(select(
                SubmissionAttachment.submission_version_id, SubmissionAttachment.name).where(
                SubmissionAttachment.submission_version_id.in_([h.version_id for h in history]),
                SubmissionAttachment.blob_sha256.is_not(None)).order_by(SubmissionAttachment.name)):
            files_by_version.setdefault(version_id, []).append(name)
    # Current flags: those of the latest submission of each ruled form.
    latest_per_form = {}
    for h in history:
        if h.xml_form_id in RULED_FORMS:
            latest_per_form.setdefault(h.xml_form_id, h.version_id)
    shown = (lambda idno: idno) if show_ids else mask_idno
    members, members_from = _current_members(household, latest_per_form.get(SCREENING), history)
    return HouseholdRecord(
        household_code=household.household_code, village_code=household.admin_code,
        village_name=village.name if village else None, head_name=household.head_name,
        head_idno=shown(household.head_idno), poverty_status=household.poverty_status,
        category=household.category, status=household.status, last_pc_income=household.last_pc_income,
        members=[Member(m.name, m.relation, shown(m.idno)) for m in members], members_from=members_from,
        current_flags=[f for v in latest_per_form.values() for f in flags_by_version.get(v, [])],
        history=[HistoryEntry(h.xml_form_id, h.title, h.instance_id, h.instance_name, h.surveyed_on, h.created_at,
                              flags_by_version.get(h.version_id, []), files_by_version.get(h.version_id, []))
                 for h in history])


def _current_members(household: Household, screening_version: int | None, history) -> tuple[list[Member],
                                                                                               MembersSource]:
    """The members as the latest screening listed them, else as the registry was imported.

    Read here rather than copied into the registry at ingest: a screening costs no registry write,
    and a late-synced older visit cannot overwrite a newer list.
    """
    if screening_version is None:
        return [Member(m.get("name"), m.get("relation"), m.get("idno"))
                for m in household.members or [] if isinstance(m, dict)], MembersSource("registry")
    answers = db.session.scalar(select(SubmissionVersion.answers).where(SubmissionVersion.id == screening_version))
    latest = next(h for h in history if h.version_id == screening_version)
    members = [Member(m.get("m_name"), m.get("m_relation"), str(m.get("m_idno") or "").upper() or None)
               for m in FormAnswers.from_nested(answers or {}).members]
    return members, MembersSource("screening", latest.instance_id, latest.surveyed_on)


def household_code_by_id(access: Access, household_id: int) -> str:
    """The code of the household with this row id (the opaque id map tiles carry), if it is registered in
    the caller's places; raises Problem 404.1 otherwise, as for one that does not exist."""
    code = db.session.scalar(select(Household.household_code).where(
        Household.id == household_id, Household.project_id == access.project_id,
        within(Household.admin_code, access.places)))
    if code is None:
        raise not_found(f"There is no household {household_id} in project {access.project_id}.")
    return code
