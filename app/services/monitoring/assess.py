"""Tying a monitoring submission to its household and village, and raising its risk flags.

Runs inside the ingest transaction, so a submission is never stored without its
flags. The pure rules do the judging; this adds what needs the database: the
registry record, the place, the ruleset in force, and cross-household checks.
"""
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Connection

from ...core.household_standing import POVERTY_STATUS, from_monitor_status
from ...core.rules import RULED_FORMS, SCREENING, SELF_REPORT, Flag, evaluate
from ...core.rules.answers import FormAnswers
from ...core.rules.metrics import HouseholdMetrics, household_metrics
from ...models import Household
from ...queries.assessment import CONTEXT, REGISTER_HOUSEHOLD, UPDATE_HOUSEHOLD, VILLAGE_AT, store_statement
from ...queries.coverage import KEPT_FORMS
from ..forms.pick_lists import NEW_HOUSEHOLD
from .rulesets import ruleset_for

MONITORING_FORMS = (*RULED_FORMS, SELF_REPORT)
GPS_TOLERANCE_M = 1000      # a geopoint this far outside its village's boundary is doubtful

@dataclass
class Assessment:
    admin_code: str | None              # the village the submission was made in
    household_id: int | None
    surveyed_on: date
    flags: list[Flag] = field(default_factory=list)
    ruleset: str | None = None
    metrics: HouseholdMetrics = field(default_factory=HouseholdMetrics)
    household_village: str | None = None   # the village the household is registered in


@dataclass(frozen=True)
class Subject:
    """What a monitoring submission is about, as it names it: household, village, place, head's ID."""
    xml_form_id: str
    view: FormAnswers
    household_code: str | None
    village: str | None
    point: tuple[float, float] | None      # (lon, lat) of its first geopoint
    head_idno: str | None

    def context_params(self) -> dict:
        """The parameters of CONTEXT (with project_id), the database's side of the assessment."""
        lon, lat = self.point if self.point else (None, None)
        return {"code": self.household_code if self.household_code != NEW_HOUSEHOLD else None,
                "village": self.village, "lon": lon, "lat": lat, "idno": self.head_idno}


def subject_of(xml_form_id: str, answers: dict, point: tuple[float, float] | None) -> Subject | None:
    """The subject of a monitoring form's answers; None for other forms."""
    if xml_form_id not in MONITORING_FORMS:
        return None
    view = FormAnswers.from_nested(answers)
    idno = (view.text("head_idno") or "").upper() if xml_form_id == SCREENING else ""
    return Subject(xml_form_id, view, household_code=view.text("hh_pick") or view.text("hh_id"),
                   village=view.text("village") or view.text("village_code"), point=point, head_idno=idno or None)


def assess_submission(conn: Connection, project_id: int, subject: Subject, context=None, *,
                      draft: bool = False) -> Assessment:
    """Place, household and flags of a monitoring submission.

    `context` is CONTEXT's row when the caller fetched it already (ingest asks for it together
    with the form); otherwise it is fetched here. A `draft` (a test of a form draft) is judged like
    any submission but never writes to the registry: testing a form must not change a household.
    """
    view, named, point, xml_form_id = subject.view, subject.village, subject.point, subject.xml_form_id
    code = subject.household_code
    if context is None:
        context = conn.execute(CONTEXT, {"project_id": project_id, **subject.context_params()}).one()
    household = ({"id": context.household_id, "poverty_status": context.poverty_status,
                  "last_pc_income": context.last_pc_income} if context.household_id else None)
    village, flags = context.village, []
    if named and village is None:
        flags.append(Flag("R22", "village_unknown", "data", f"村代码{named}不在行政区划中",
                          f"Village code {named} is not a known village", inputs={"village": named}))
    elif village is None and point:
        village = conn.execute(VILLAGE_AT, {"lon": point[0], "lat": point[1]}).scalar()
    if context.distance_m is not None and context.distance_m > GPS_TOLERANCE_M:
        flags.append(Flag("R22", "gps_outside_village", "data",
                          f"采集位置距所报村庄边界{context.distance_m / 1000:.1f}公里",
                          f"The geopoint is {context.distance_m / 1000:.1f} km outside the village it names",
                          inputs={"village": village, "distance_m": round(context.distance_m)},
                          threshold={"tolerance_m": GPS_TOLERANCE_M}))
    if context.duplicate_of:
        # The other household is named in the inputs, with its village, and not in the explanation: a reader
        # whose places do not hold that village must not learn of it (household_record redacts it).
        flags.append(Flag("R22", "id_duplicate", "data", "户主身份证号已登记在另一户",
                          "The head's ID number is registered to another household",
                          inputs={"other_household": context.duplicate_of,
                                  "other_village": context.duplicate_village}))
    surveyed_on, date_flags = _survey_date(view)
    flags += date_flags
    household_id = context.household_id
    if xml_form_id == SCREENING and village and not draft:
        household_id, registry_flags = _update_registry(conn, project_id, view, context, village, code)
        flags += registry_flags
    assessment = Assessment(admin_code=village, household_id=household_id, surveyed_on=surveyed_on, flags=flags,
                            household_village=context.household_village if household_id == context.household_id
                            else village)   # a household just registered by this screening
    if xml_form_id in RULED_FORMS:
        ruleset = ruleset_for(village[:2] if village else None, surveyed_on.year)
        assessment.ruleset = ruleset.label
        assessment.flags += evaluate(xml_form_id, view, household, ruleset)
        assessment.metrics = household_metrics(xml_form_id, view, assessment.flags, ruleset)
    return assessment


# Registry columns a new household's free-text answers go to, with the answer each comes from and the
# column's size (the standing columns take the form's codes only, which always fit).
_REGISTRY_ANSWERS = {column: (answer, Household.__table__.c[column].type.length) for column, answer in (
    ("head_name", "head_name"), ("head_idno", "head_idno"))}


def _update_registry(conn: Connection, project_id: int, view: FormAnswers, context, village: str,
                     code: str | None) -> tuple[int | None, list[Flag]]:
    """A screening keeps the registry current: it registers a household picked as 'new', and
    records a changed 脱贫/监测 status (its one 当前监测状态 answer becomes the registry's category and
    status, as app.core.household_standing maps them). Returns the household the submission is about,
    and a data-quality flag when a new household's answers do not fit the registry (it is then not
    registered)."""
    poverty_status = view.text("poverty_status")
    poverty_status = poverty_status if poverty_status in POVERTY_STATUS else None   # the form's codes only
    category, status = from_monitor_status(view.text("monitor_status"), context.category)
    if code == NEW_HOUSEHOLD and view.text("head_name"):
        head = {"head_name": view.text("head_name"), "head_idno": (view.text("head_idno") or "").upper() or None}
        if too_long := _too_long_for_registry(head):
            # Not registered: a cut name or ID number would be a wrong record, worse than none. The
            # submission keeps the whole answer, for whoever registers the household by hand.
            return None, [_registry_flag(too_long)]
        # The new household's number comes from the submission, so a resend finds the same one.
        new_code = "N" + (view.text("instanceID") or "")[-12:].replace("-", "").upper()
        return conn.execute(REGISTER_HOUSEHOLD, {
            "project_id": project_id, "code": new_code, "village": village, **head,
            "poverty_status": poverty_status, "category": category, "status": status}).scalar(), []
    standing = (poverty_status, category, status)
    if context.household_id and poverty_status and status \
            and standing != (context.poverty_status, context.category, context.status):
        conn.execute(UPDATE_HOUSEHOLD, {"id": context.household_id, "poverty_status": poverty_status,
                                         "category": category, "status": status})
    return context.household_id, []


def _too_long_for_registry(values: dict[str, str | None]) -> list[dict]:
    """The answers longer than the registry column they go to: [{field, length, limit}]."""
    return [{"field": _REGISTRY_ANSWERS[column][0], "length": len(value), "limit": _REGISTRY_ANSWERS[column][1]}
            for column, value in values.items() if value is not None and len(value) > _REGISTRY_ANSWERS[column][1]]


def _registry_flag(too_long: list[dict]) -> Flag:
    # The values stay out of the flag: a head's ID number is sensitive personal data.
    fields = ", ".join(f["field"] for f in too_long)
    fields_zh = "、".join(f"{f['field']}({f['length']}字,限{f['limit']}字)" for f in too_long)
    return Flag("R22", "registry_value_too_long", "data", f"{fields_zh}超出登记簿长度,新户未登记",
                f"{fields} too long for the household registry; the new household was not registered",
                inputs={"fields": too_long, "registered": False})


# A survey date this far after the day it arrives is a typo (or a wrong clock), not a future visit.
FUTURE_TOLERANCE = timedelta(days=1)


def _survey_date(view: FormAnswers) -> tuple[date, list[Flag]]:
    """The day the household was visited: the answer, unless it is missing or lies in the future (then the
    day of arrival, with a data-quality flag: a date in 9999 would stay the household's "latest" visit)."""
    today = date.today()
    answered = view.survey_date()
    if answered is None or answered <= today + FUTURE_TOLERANCE:
        return answered or today, []
    return today, [Flag("R22", "survey_date_future", "data", f"调查日期{answered.isoformat()}晚于接收日期",
                        f"The survey date {answered.isoformat()} is after the day the submission arrived",
                        inputs={"survey_date": answered.isoformat()}, threshold={"received_on": today.isoformat()})]


def version_row(version: dict) -> dict:
    """The parameters of queries.assessment.INSERT_VERSION from a version's values: the id as version_id,
    answers and problems as JSON text."""
    row = {key: value for key, value in version.items() if key != "id"}
    return row | {"version_id": version["id"], "answers": json.dumps(version["answers"], ensure_ascii=False),
                  "problems": json.dumps(version["problems"], ensure_ascii=False)}


def first_point(geo_answers) -> tuple[float, float] | None:
    for g in geo_answers:
        if g.kind == "geopoint" and g.value.geometry is not None:
            return g.value.geometry.x, g.value.geometry.y
    return None


def store_assessment(conn: Connection, assessment: Assessment, *, project_id: int, xml_form_id: str,
                     submission_id: int, version_id: int, now: datetime, is_draft: bool = False,
                     version: dict | None = None, event: dict | None = None) -> None:
    """The flags and numbers of one submission version (in the caller's transaction).

    With `version` (the submission_version row's values) the version, and its `event` (events.params),
    are inserted by the same statement. The caller removes the row of a version this one replaces
    (edits keep one per submission).
    """
    flags = [{"rule": f.rule, "code": f.code, "severity": f.severity, "explanation_zh": f.explanation_zh,
              "explanation_en": f.explanation_en, "inputs": f.inputs, "threshold": f.threshold}
             for f in assessment.flags]
    version_params = version_row(version) if version is not None else {}
    kept_form = xml_form_id if xml_form_id in KEPT_FORMS else None
    conn.execute(store_statement(kept_form, version is not None), {
        **version_params, **(event or {}),
        "version_id": version_id, "submission_id": submission_id, "project_id": project_id,
        "xml_form_id": xml_form_id, "household_id": assessment.household_id, "admin_code": assessment.admin_code,
        "surveyed_on": assessment.surveyed_on, "flag_codes": sorted({f.code for f in assessment.flags}),
        "ruleset": assessment.ruleset, "now": now, "flags": json.dumps(flags, ensure_ascii=False),
        "is_draft": is_draft, "household_village": assessment.household_village,
        **vars(assessment.metrics),
    })
