"""Reading the monitoring picture: one household's record, flags and history; one submission's flags."""
from sqlalchemy import select

from ...core.access import Access, Permission
from ...core.rules import RULED_FORMS, SCREENING
from ...core.rules.answers import FormAnswers
from ...extensions import db
from ...models import (AdminUnit, Form, Household, RiskFlag, Submission, SubmissionAssessment,
                       SubmissionVersion)
from ...problems import not_found
from ...queries.places import within


def mask_idno(idno: str | None) -> str | None:
    """ID numbers are sensitive personal data (PIPL): shown as 4201**********1234 unless the role allows."""
    if not idno:
        return idno
    return idno[:4] + "*" * (len(idno) - 8) + idno[-4:]


def flag_json(flag: RiskFlag) -> dict:
    return {"rule": flag.rule, "code": flag.code, "severity": flag.severity,
            "explanation": {"zh": flag.explanation_zh, "en": flag.explanation_en},
            "inputs": flag.inputs, "threshold": flag.threshold, "rulesetVersion": flag.ruleset,
            "createdAt": flag.created_at.isoformat()}


def submission_flags(access: Access, xml_form_id: str, instance_id: str) -> list[dict]:
    """The flags of a submission's current version; the id is the first instanceID, as in Central.

    Only a submission made in the caller's places is found; raises Problem 404.1 otherwise.
    """
    current = db.session.scalar(
        select(Submission.current_version_id).join(Form, Form.id == Submission.form_id)
        .where(Form.project_id == access.project_id, Form.xml_form_id == xml_form_id,
               Submission.instance_id == instance_id, Submission.deleted_at.is_(None),
               within(Submission.admin_code, access.places)))
    if current is None:
        raise not_found(f"There is no submission {instance_id} of form '{xml_form_id}'.")
    flags = db.session.scalars(select(RiskFlag).where(RiskFlag.submission_version_id == current)
                               .order_by(RiskFlag.id))
    return [flag_json(f) for f in flags]


def household_view(access: Access, household_code: str) -> dict:
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
        select(Form.xml_form_id, Submission.instance_id, Submission.created_at, SubmissionAssessment.surveyed_on,
               SubmissionVersion.id.label("version_id"), SubmissionVersion.instance_name)
        .join(Form, Form.id == Submission.form_id)
        .join(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id)
        .outerjoin(SubmissionAssessment, SubmissionAssessment.submission_version_id == SubmissionVersion.id)
        .where(Submission.household_id == household.id, Submission.deleted_at.is_(None),
               Submission.is_draft.is_(False), within(Submission.admin_code, access.places))
        .order_by(SubmissionAssessment.surveyed_on.desc().nulls_last(), Submission.created_at.desc())).all()
    flags_by_version: dict[int, list[dict]] = {}
    if history:
        for flag in db.session.scalars(select(RiskFlag).where(
                RiskFlag.submission_version_id.in_([h.version_id for h in history])).order_by(RiskFlag.id)):
            flags_by_version.setdefault(flag.submission_version_id, []).append(flag_json(flag))
    # Current flags: those of the latest submission of each ruled form.
    latest_per_form = {}
    for h in history:
        if h.xml_form_id in RULED_FORMS:
            latest_per_form.setdefault(h.xml_form_id, h.version_id)
    idno = household.head_idno if show_ids else mask_idno(household.head_idno)
    members, members_from = _current_members(household, latest_per_form.get(SCREENING), history)
    members = [{**m, "idno": m.get("idno") if show_ids else mask_idno(m.get("idno"))} if isinstance(m, dict) else m
               for m in members]
    return {
        "householdId": household.household_code,
        "village": {"code": household.admin_code, "name": village.name if village else None},
        "headName": household.head_name, "headIdno": idno, "povertyStatus": household.poverty_status,
        "category": household.category, "status": household.status, "lastPcIncome": household.last_pc_income,
        "members": members, "membersFrom": members_from,
        "currentFlags": [f for v in latest_per_form.values() for f in flags_by_version.get(v, [])],
        "history": [{"xmlFormId": h.xml_form_id, "instanceId": h.instance_id, "instanceName": h.instance_name,
                     "surveyedOn": h.surveyed_on.isoformat() if h.surveyed_on else None,
                     "receivedAt": h.created_at.isoformat(), "flags": flags_by_version.get(h.version_id, [])}
                    for h in history],
    }


def _current_members(household: Household, screening_version: int | None, history) -> tuple[list, dict]:
    """The members as the latest screening listed them, else as the registry was imported.

    Read here rather than copied into the registry at ingest: a screening costs no registry write,
    and a late-synced older visit cannot overwrite a newer list.
    """
    if screening_version is None:
        return household.members or [], {"source": "registry"}
    answers = db.session.scalar(select(SubmissionVersion.answers).where(SubmissionVersion.id == screening_version))
    latest = next(h for h in history if h.version_id == screening_version)
    members = [{"name": m.get("m_name"), "relation": m.get("m_relation"),
                "idno": str(m.get("m_idno") or "").upper() or None}
               for m in FormAnswers.from_nested(answers or {}).members]
    return members, {"source": "screening", "instanceId": latest.instance_id,
                     "surveyedOn": latest.surveyed_on.isoformat() if latest.surveyed_on else None}
