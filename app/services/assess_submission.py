"""Tying a monitoring submission to its household and village, and raising its risk flags.

Runs inside the ingest transaction, so a submission is never stored without its
flags. The pure rules do the judging; this adds what needs the database: the
registry record, the place, the ruleset in force, and cross-household checks.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, func, insert, select, text
from sqlalchemy.engine import Connection

from ..core.rules import RULED_FORMS, SCREENING, SELF_REPORT, Flag, evaluate
from ..core.rules.answers import FormAnswers
from ..core.rules.metrics import HouseholdMetrics, household_metrics
from ..models import AdminUnit, Household, RiskFlag, SubmissionAssessment
from .rulesets import ruleset_for

MONITORING_FORMS = (*RULED_FORMS, SELF_REPORT)
GPS_TOLERANCE_M = 1000      # a geopoint this far outside its village's boundary is doubtful

_HOUSEHOLD = select(Household.id, Household.admin_code, Household.poverty_status, Household.last_pc_income) \
    .where(Household.project_id == bindparam("project_id"), Household.household_code == bindparam("code"))
_VILLAGE_DISTANCE = text(
    "SELECT code, CASE WHEN boundary IS NULL OR CAST(:lon AS float8) IS NULL THEN NULL ELSE "
    "ST_Distance(boundary::geography, ST_SetSRID(ST_MakePoint(CAST(:lon AS float8), CAST(:lat AS float8)), "
    "4326)::geography) END "
    "FROM admin_unit WHERE code = :code AND level = 'village'")
_VILLAGE_AT = select(AdminUnit.code).where(
    AdminUnit.level == "village",
    func.ST_Contains(AdminUnit.boundary, func.ST_SetSRID(func.ST_MakePoint(bindparam("lon"), bindparam("lat")), 4326))
).limit(1)
_DUPLICATE_ID = select(Household.household_code).where(
    Household.project_id == bindparam("project_id"), Household.head_idno == bindparam("idno"),
    Household.id != bindparam("household_id")).limit(1)


@dataclass
class Assessment:
    admin_code: str | None
    household_id: int | None
    surveyed_on: date
    flags: list[Flag] = field(default_factory=list)
    ruleset: str | None = None
    metrics: HouseholdMetrics = field(default_factory=HouseholdMetrics)


def assess_submission(conn: Connection, project_id: int, xml_form_id: str, answers: dict,
                      point: tuple[float, float] | None) -> Assessment | None:
    """Place, household and flags for a monitoring form's answers; None for other forms.

    `point` is the submission's first geopoint as (lon, lat), if it has one.
    """
    if xml_form_id not in MONITORING_FORMS:
        return None
    view = FormAnswers.from_nested(answers)
    household = _household(conn, project_id, view)
    village, location_flags = _village(conn, view, household, point)
    surveyed_on = view.survey_date() or date.today()
    assessment = Assessment(admin_code=village, household_id=household["id"] if household else None,
                            surveyed_on=surveyed_on, flags=location_flags)
    if xml_form_id in RULED_FORMS:
        ruleset = ruleset_for(village[:2] if village else None, surveyed_on.year)
        assessment.ruleset = ruleset.label
        assessment.flags += evaluate(xml_form_id, answers, household, ruleset)
        assessment.metrics = household_metrics(xml_form_id, view, assessment.flags, ruleset)
    if xml_form_id == SCREENING:
        assessment.flags += _duplicate_id(conn, project_id, view, household)
    return assessment


def first_point(geo_answers) -> tuple[float, float] | None:
    for g in geo_answers:
        if g.kind == "geopoint" and g.value.geometry is not None:
            return g.value.geometry.x, g.value.geometry.y
    return None


def _household(conn: Connection, project_id: int, view: FormAnswers) -> dict | None:
    code = view.text("hh_pick") or view.text("hh_id")
    if not code or code == "new":
        return None
    row = conn.execute(_HOUSEHOLD, {"project_id": project_id, "code": code}).first()
    return dict(row._mapping) if row else None


def _village(conn: Connection, view: FormAnswers, household: dict | None,
             point: tuple[float, float] | None) -> tuple[str | None, list[Flag]]:
    named = view.text("village") or view.text("village_code") or (household or {}).get("admin_code")
    lon, lat = point if point else (None, None)
    if named:
        row = conn.execute(_VILLAGE_DISTANCE, {"code": named, "lon": lon, "lat": lat}).first()
        if row is None:
            return None, [Flag("R22", "village_unknown", "data", f"村代码{named}不在行政区划中",
                               f"Village code {named} is not a known village", inputs={"village": named})]
        distance = row[1]
        if distance is not None and distance > GPS_TOLERANCE_M:
            return named, [Flag("R22", "gps_outside_village", "data",
                                f"采集位置距所报村庄边界{distance / 1000:.1f}公里",
                                f"The geopoint is {distance / 1000:.1f} km outside the village it names",
                                inputs={"village": named, "distance_m": round(distance)},
                                threshold={"tolerance_m": GPS_TOLERANCE_M})]
        return named, []
    if point:
        found = conn.execute(_VILLAGE_AT, {"lon": lon, "lat": lat}).scalar()
        return found, []
    return None, []


def _duplicate_id(conn: Connection, project_id: int, view: FormAnswers, household: dict | None) -> list[Flag]:
    idno = (view.text("head_idno") or "").upper()
    if not idno:
        return []
    other = conn.execute(_DUPLICATE_ID, {"project_id": project_id, "idno": idno,
                                         "household_id": household["id"] if household else -1}).scalar()
    if other is None:
        return []
    return [Flag("R22", "id_duplicate", "data", f"户主身份证号已登记在另一户({other})",
                 f"The head's ID number is registered to another household ({other})",
                 inputs={"other_household": other})]


_INSERT_FLAGS = insert(RiskFlag.__table__)
_INSERT_ASSESSMENT = insert(SubmissionAssessment.__table__)


def store_assessment(conn: Connection, assessment: Assessment, *, project_id: int, xml_form_id: str,
                     submission_id: int, version_id: int, now: datetime) -> None:
    """The flags and numbers of one submission version (in the caller's transaction)."""
    if assessment.flags:
        conn.execute(_INSERT_FLAGS, [{
            "submission_version_id": version_id, "submission_id": submission_id, "project_id": project_id,
            "household_id": assessment.household_id, "admin_code": assessment.admin_code,
            "ruleset": assessment.ruleset, "created_at": now, **flag.as_dict(),
        } for flag in assessment.flags])
    conn.execute(_INSERT_ASSESSMENT, {
        "submission_version_id": version_id, "submission_id": submission_id, "project_id": project_id,
        "xml_form_id": xml_form_id, "household_id": assessment.household_id, "admin_code": assessment.admin_code,
        "surveyed_on": assessment.surveyed_on, "flag_codes": sorted({f.code for f in assessment.flags}),
        **vars(assessment.metrics),
    })
