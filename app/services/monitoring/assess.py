"""Tying a monitoring submission to its household and village, and raising its risk flags.

Runs inside the ingest transaction, so a submission is never stored without its
flags. The pure rules do the judging; this adds what needs the database: the
registry record, the place, the ruleset in force, and cross-household checks.
"""
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Connection

from ...core import idcard
from ...core.household_standing import POVERTY_STATUS, from_monitor_status
from ...core.personal_fields import mask_idno
from ...core.rules import RULED_FORMS, SCREENING, SELF_REPORT, Flag, evaluate
from ...core.rules.answers import FormAnswers
from ...core.rules.metrics import HouseholdMetrics, household_metrics
from ...models import Household
from ...queries.assessment import (
    CONTEXT,
    REGISTER_HOUSEHOLD,
    UPDATE_HEAD,
    UPDATE_HOUSEHOLD,
    VILLAGE_AT,
    store_statement,
)
from ...queries.coverage import KEPT_FORMS
from ..forms.pick_lists import NEW_HOUSEHOLD
from ..registry.persons import screening_idnos
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
    point: tuple[float, float] | None = None   # (lon, lat) WGS84 of its first geopoint: the map's point
    person_idnos: list[str] = field(default_factory=list)   # a screening's persons, become its household's

    def location_ewkt(self) -> str | None:
        """The point as EWKT (SRID=4326), None without one."""
        return f"SRID=4326;POINT({self.point[0]!r} {self.point[1]!r})" if self.point else None


@dataclass(frozen=True)
class Subject:
    """What a monitoring submission is about, as it names it: household, village, place, head's ID."""
    xml_form_id: str
    view: FormAnswers
    household_code: str | None             # a household picked as 'new': the code it is registered under
    village: str | None
    point: tuple[float, float] | None      # (lon, lat) of its first geopoint
    head_idno: str | None
    new_household: bool = False
    person_idnos: tuple[str, ...] = ()     # a screening's head's and members' ID numbers, normalised

    def context_params(self, arrived: datetime | None = None) -> dict:
        """The parameters of CONTEXT (with project_id), the database's side of the assessment; `arrived`: when
        a submission assessed again (`rules recompute`) arrived, None at ingest."""
        lon, lat = self.point if self.point else (None, None)
        return {"code": self.household_code, "village": self.village, "lon": lon, "lat": lat,
                "idno": self.head_idno, "person_idnos": list(self.person_idnos), "arrived": arrived}


def new_household_code(origin_instance_id: str) -> str:
    """The registry code of a household a screening registers (picked as 'new'): 'N' and 16 hex digits
    of a hash of the instanceID the submission was first sent with. Its edits (new instanceIDs, the
    same submission) and a recompute find the household again; two submissions never share one."""
    return "N" + hashlib.sha256(origin_instance_id.encode("utf-8")).hexdigest()[:16].upper()


def subject_of(xml_form_id: str, answers: dict, point: tuple[float, float] | None,
               origin_instance_id: str) -> Subject | None:
    """The subject of a monitoring form's answers; None for other forms. `origin_instance_id`: the
    instanceID the submission was first sent with (an edit's is its submission's)."""
    if xml_form_id not in MONITORING_FORMS:
        return None
    view = FormAnswers.from_nested(answers)
    if xml_form_id == SELF_REPORT:
        # A resident's report names its village in village_code (a public link sets it) and picks no household:
        # whatever else it sends (a village or household element the form does not have) is not read.
        return Subject(xml_form_id, view, household_code=None, village=view.text("village_code"), point=point,
                       head_idno=None)
    idno = (view.text("head_idno") or "").upper() if xml_form_id == SCREENING else ""
    picked = view.text("hh_pick") or view.text("hh_id")
    new = picked == NEW_HOUSEHOLD
    return Subject(xml_form_id, view, household_code=new_household_code(origin_instance_id) if new else picked,
                   village=view.text("village") or view.text("village_code"), point=point, head_idno=idno or None,
                   new_household=new,
                   person_idnos=tuple(screening_idnos(view)) if xml_form_id == SCREENING else ())


def assess_submission(conn: Connection, project_id: int, subject: Subject, context=None, *,
                      writes_registry: bool = False, places: tuple[str, ...] | None = None,
                      arrived: datetime | None = None) -> Assessment:
    """Place, household and flags of a monitoring submission.

    `context` is CONTEXT's row when the caller fetched it already (ingest asks for it together
    with the form); otherwise it is fetched here. With `writes_registry` (a new submission or edit, not
    a test of a draft nor a recompute) a screening keeps the registry current (_update_registry), if
    its sender's `places` (admin-code prefixes, None: everywhere) hold its village: from elsewhere it is
    flagged by the caller and changes no registry record (cadres cover for each other; the registry is
    the village's own). A submission that names a village other than the one its
    household is registered in is flagged and tied to no household: it changes neither that household's
    record nor its village's numbers, and readers of that village do not see it. `arrived`: when a
    submission assessed again arrived (`rules recompute`; see CONTEXT), None at ingest.
    """
    view, named, point, xml_form_id = subject.view, subject.village, subject.point, subject.xml_form_id
    if context is None:
        context = conn.execute(CONTEXT, {"project_id": project_id, **subject.context_params(arrived)}).one()
    village, flags = context.village, []
    household_id, household_village = context.household_id, context.household_village
    if named and village is None:
        flags.append(Flag("R22", "village_unknown", "data", f"村代码{named}不在行政区划中",
                          f"Village code {named} is not a known village", inputs={"village": named}))
    elif village is None and point:
        village = conn.execute(VILLAGE_AT, {"lon": point[0], "lat": point[1]}).scalar()
    if household_id and named and household_village != named:
        # The other village stays in the inputs, not the explanation: household_record redacts it for a
        # reader who does not cover it.
        flags.append(Flag("R22", "household_elsewhere", "data", "所选农户登记在另一个村,本次提交未关联该户",
                          "The household picked is registered in another village; this submission is not tied to it",
                          inputs={"other_household": subject.household_code, "other_village": household_village}))
        household_id = household_village = None
    household = ({"id": household_id, "poverty_status": context.poverty_status,
                  "last_pc_income": context.last_pc_income} if household_id else None)
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
    flags += _persons_elsewhere(subject, context)
    if view.ambiguous:
        names = sorted(view.ambiguous)
        flags.append(Flag("R22", "answer_ambiguous", "data", f"{'、'.join(names)}出现多次,未采用",
                          f"{', '.join(names)} given more than once; not used", inputs={"names": names}))
    surveyed_on, date_flags = _survey_date(view)
    flags += date_flags
    covers = places is None or (village is not None and village.startswith(places))
    if xml_form_id == SCREENING and village and writes_registry and covers and (household_id or subject.new_household):
        household_id, household_village, registry_flags = _update_registry(
            conn, project_id, subject, context if household_id else None, village)
        flags += registry_flags
    assessment = Assessment(admin_code=village, household_id=household_id, surveyed_on=surveyed_on, flags=flags,
                            household_village=household_village, point=point,
                            person_idnos=list(subject.person_idnos))
    if xml_form_id in RULED_FORMS:
        ruleset = ruleset_for(village[:2] if village else None, surveyed_on.year)
        assessment.ruleset = ruleset.label
        assessment.flags += evaluate(xml_form_id, view, household, ruleset)
        assessment.metrics = household_metrics(xml_form_id, view, assessment.flags, ruleset)
    return assessment


def _persons_elsewhere(subject: Subject, context) -> list[Flag]:
    """R22 person in two households (issue 17): a flag per other household that lists (in the registry or
    its latest screening) an ID number this screening gives a member or its head. The later record is
    flagged: this one. The numbers are masked in the flag; the other household and its village are in the
    inputs, which household_record keeps only for readers whose places hold that village. The head's number
    registered as another household's head is id_duplicate's already, not repeated here."""
    shared = context.shared_persons or []
    if not shared:
        return []
    positions: dict[str, list] = {}
    for position, member in enumerate(subject.view.members, start=1):
        idno = idcard.normalise(member.get("m_idno")) if not isinstance(member.get("m_idno"), list) else None
        if idno:
            positions.setdefault(idno, []).append(position)
    head = idcard.normalise(subject.head_idno)
    by_household: dict[tuple[str, str], list[dict]] = {}
    for found in shared:
        if found["idno"] == head and found["household"] == context.duplicate_of:
            continue
        where = positions.get(found["idno"]) or ["head_idno"]
        by_household.setdefault((found["household"], found["village"]), []).extend(
            {"member": p, "idno": mask_idno(found["idno"])} if p != "head_idno"
            else {"field": "head_idno", "idno": mask_idno(found["idno"])} for p in where)
    return [Flag("R22", "person_in_two_households", "data",
                 f"{len(persons)}人的身份证号已在另一户登记或被另一户的排查列为成员",
                 f"{len(persons)} person(s) of this household are listed by another household too",
                 inputs={"other_household": household, "other_village": village, "persons": persons})
            for (household, village), persons in sorted(by_household.items())]


# Registry columns a new household's free-text answers go to, with the answer each comes from and the
# column's size (the standing columns take the form's codes only, which always fit).
_REGISTRY_ANSWERS = {column: (answer, Household.__table__.c[column].type.length) for column, answer in (
    ("head_name", "head_name"), ("head_idno", "head_idno"))}


def _update_registry(conn: Connection, project_id: int, subject: Subject, household,
                     village: str) -> tuple[int | None, str | None, list[Flag]]:
    """A screening keeps the registry current: it registers a household picked as 'new' (an edit of that
    screening corrects the head it registered), and records a changed 脱贫/监测 status (its one 当前监测状态
    answer becomes the registry's category and status, as app.core.household_standing maps them).
    `household` is CONTEXT's row of the household the screening is
    about, None if it is not registered yet. Returns the household's id and village, and a data-quality
    flag when a new household's answers do not fit the registry (it is then not registered)."""
    view = subject.view
    poverty_status = view.text("poverty_status")
    poverty_status = poverty_status if poverty_status in POVERTY_STATUS else None   # the form's codes only
    category, status = from_monitor_status(view.text("monitor_status"), household.category if household else None)
    if subject.new_household and view.text("head_name"):
        head = {"head_name": view.text("head_name"), "head_idno": (view.text("head_idno") or "").upper() or None}
        if too_long := _too_long_for_registry(head):
            # Not registered: a cut name or ID number would be a wrong record, worse than none. The
            # submission keeps the whole answer, for whoever registers the household by hand.
            return (household.household_id if household else None,
                    household.household_village if household else None, [_registry_flag(too_long)])
        if household is None:
            registered = conn.execute(REGISTER_HOUSEHOLD, {
                "project_id": project_id, "code": subject.household_code, "village": village, **head,
                "poverty_status": poverty_status, "category": category, "status": status}).scalar()
            return registered, village if registered else None, []
        conn.execute(UPDATE_HEAD, {"id": household.household_id, **head})
    if household is None:
        return None, None, []
    standing = (poverty_status, category, status)
    if poverty_status and status \
            and standing != (household.poverty_status, household.category, household.status):
        conn.execute(UPDATE_HOUSEHOLD, {"id": household.household_id, "poverty_status": poverty_status,
                                         "category": category, "status": status})
    return household.household_id, household.household_village, []


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
        "location": assessment.location_ewkt(), "person_idnos": assessment.person_idnos,
        **vars(assessment.metrics),
    })
