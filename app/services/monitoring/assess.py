"""Tying a monitoring submission to its household and village, and raising its risk flags.

Runs inside the ingest transaction, so a submission is never stored without its
flags. The pure rules do the judging; this adds what needs the database: the
registry record, the place, the ruleset in force, and cross-household checks.
"""
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import BigInteger, Float, String, bindparam, column, func, select, text
from sqlalchemy.engine import Connection

from ...core.household_standing import POVERTY_STATUS, from_monitor_status
from ...core.rules import RULED_FORMS, SCREENING, SELF_REPORT, Flag, evaluate
from ...core.rules.answers import FormAnswers
from ...core.rules.metrics import HouseholdMetrics, household_metrics
from ...models import AdminUnit, Household
from ..coverage import campaign_households as campaign_household
from ..forms.pick_lists import NEW_HOUSEHOLD
from .rulesets import ruleset_for

MONITORING_FORMS = (*RULED_FORMS, SELF_REPORT)
GPS_TOLERANCE_M = 1000      # a geopoint this far outside its village's boundary is doubtful

# Everything assessment needs from the database, in one round trip: the household named, the village
# (named, else the household's) with how far the geopoint lies outside it, and another household
# already registered under the same head's ID number.
CONTEXT = text("""
SELECT h.id AS household_id, h.poverty_status, h.category, h.status, h.last_pc_income,
    h.admin_code AS household_village,
    v.code AS village,
    CASE WHEN v.boundary IS NULL OR pt.geom IS NULL THEN NULL
         WHEN ST_Intersects(v.boundary, pt.geom) THEN 0
         ELSE ST_Distance(v.boundary::geography, pt.geom::geography) END AS distance_m,
    (SELECT d.household_code FROM household d
     WHERE d.project_id = :project_id AND d.head_idno = CAST(:idno AS varchar) AND d.id IS DISTINCT FROM h.id
     LIMIT 1) AS duplicate_of
FROM (SELECT ST_SetSRID(ST_MakePoint(CAST(:lon AS float8), CAST(:lat AS float8)), 4326) AS geom) pt
LEFT JOIN household h ON h.project_id = :project_id AND h.household_code = CAST(:code AS varchar)
LEFT JOIN admin_unit v ON v.level = 'village' AND v.code = coalesce(CAST(:village AS varchar), h.admin_code)
""").columns(column("household_id", BigInteger), column("poverty_status", String), column("category", String),
             column("status", String), column("last_pc_income", Float), column("household_village", String),
             column("village", String), column("distance_m", Float), column("duplicate_of", String))
_VILLAGE_AT = select(AdminUnit.code).where(
    AdminUnit.level == "village",
    func.ST_Contains(AdminUnit.boundary, func.ST_SetSRID(func.ST_MakePoint(bindparam("lon"), bindparam("lat")), 4326))
).limit(1)


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


def assess_submission(conn: Connection, project_id: int, subject: Subject, context=None) -> Assessment:
    """Place, household and flags of a monitoring submission.

    `context` is CONTEXT's row when the caller fetched it already (ingest asks for it together
    with the form); otherwise it is fetched here.
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
        village = conn.execute(_VILLAGE_AT, {"lon": point[0], "lat": point[1]}).scalar()
    if context.distance_m is not None and context.distance_m > GPS_TOLERANCE_M:
        flags.append(Flag("R22", "gps_outside_village", "data",
                          f"采集位置距所报村庄边界{context.distance_m / 1000:.1f}公里",
                          f"The geopoint is {context.distance_m / 1000:.1f} km outside the village it names",
                          inputs={"village": village, "distance_m": round(context.distance_m)},
                          threshold={"tolerance_m": GPS_TOLERANCE_M}))
    if context.duplicate_of:
        flags.append(Flag("R22", "id_duplicate", "data", f"户主身份证号已登记在另一户({context.duplicate_of})",
                          f"The head's ID number is registered to another household ({context.duplicate_of})",
                          inputs={"other_household": context.duplicate_of}))
    surveyed_on = view.survey_date() or date.today()
    household_id = context.household_id
    if xml_form_id == SCREENING and village:
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


# A new household changes the registered count of its village in every campaign.
_NEW_HOUSEHOLD = text(f"""
WITH new AS (
    INSERT INTO household (project_id, household_code, admin_code, head_name, head_idno, poverty_status,
        category, status, members, created_at)
    VALUES (:project_id, :code, :village, :head_name, :head_idno, :poverty_status, :category, :status, '[]',
        now())
    ON CONFLICT (project_id, household_code) DO NOTHING
    RETURNING id, admin_code
), noted AS (
    {campaign_household.note_villages(
        "SELECT c.id, new.admin_code FROM campaign c, new WHERE c.project_id = :project_id")}
)
SELECT id FROM new
""")
_UPDATE_HOUSEHOLD = text("UPDATE household SET poverty_status = :poverty_status, category = :category, "
                         "status = :status, updated_at = now() WHERE id = :id")


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
        return conn.execute(_NEW_HOUSEHOLD, {
            "project_id": project_id, "code": new_code, "village": village, **head,
            "poverty_status": poverty_status, "category": category, "status": status}).scalar(), []
    standing = (poverty_status, category, status)
    if context.household_id and poverty_status and status \
            and standing != (context.poverty_status, context.category, context.status):
        conn.execute(_UPDATE_HOUSEHOLD, {"id": context.household_id, "poverty_status": poverty_status,
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


def first_point(geo_answers) -> tuple[float, float] | None:
    for g in geo_answers:
        if g.kind == "geopoint" and g.value.geometry is not None:
            return g.value.geometry.x, g.value.geometry.y
    return None


# The numbers and the flags of a submission version, and its household's row in the campaigns it falls
# in, in one statement (one round trip at ingest); at ingest the version row itself goes in too.
_VERSION = """
version AS (
    INSERT INTO submission_version (id, submission_id, form_id, form_version_id, instance_id, deprecated_id,
        instance_name, xml, xml_sha256, answers, problems, encrypted, submitter_id, device_id, user_agent, received_at)
    VALUES (:version_id, :submission_id, :form_id, :form_version_id, :instance_id, :deprecated_id, :instance_name,
        :xml, :xml_sha256, CAST(:answers AS jsonb), CAST(:problems AS jsonb), :encrypted, :submitter_id, :device_id,
        :user_agent, :received_at)
)"""
_ASSESSMENT = """
assessment AS (
    INSERT INTO submission_assessment (submission_version_id, submission_id, project_id, xml_form_id, household_id,
        admin_code, surveyed_on, persons, insured, school_age, out_of_school, housing_unsafe, water_unsafe, flag_codes,
        is_draft)
    VALUES (:version_id, :submission_id, :project_id, :xml_form_id, :household_id, :admin_code, :surveyed_on,
        :persons, :insured, :school_age, :out_of_school, :housing_unsafe, :water_unsafe, :flag_codes, :is_draft)
)"""
_FLAGS = """
INSERT INTO risk_flag (submission_version_id, submission_id, project_id, household_id, admin_code, ruleset, created_at,
    rule, code, severity, explanation_zh, explanation_en, inputs, threshold)
SELECT :version_id, :submission_id, :project_id, :household_id, :admin_code, :ruleset, :now,
    f.rule, f.code, f.severity, f.explanation_zh, f.explanation_en, f.inputs, f.threshold
FROM jsonb_to_recordset(CAST(:flags AS jsonb)) AS f(rule text, code text, severity text, explanation_zh text,
    explanation_en text, inputs jsonb, threshold jsonb)
"""


@cache
def _store(kept_form: str | None, with_version: bool):
    """The statement for a form coverage keeps (by its id), or for any other form (None)."""
    ctes = [_VERSION] * with_version + [_ASSESSMENT] + campaign_household.upsert_ctes(kept_form)
    return text("WITH " + ",".join(ctes) + _FLAGS)


def store_assessment(conn: Connection, assessment: Assessment, *, project_id: int, xml_form_id: str,
                     submission_id: int, version_id: int, now: datetime, is_draft: bool = False,
                     version: dict | None = None) -> None:
    """The flags and numbers of one submission version (in the caller's transaction).

    With `version` (the submission_version row's values) the version is inserted by the same
    statement. The caller removes the row of a version this one replaces (edits keep one per submission).
    """
    flags = [{"rule": f.rule, "code": f.code, "severity": f.severity, "explanation_zh": f.explanation_zh,
              "explanation_en": f.explanation_en, "inputs": f.inputs, "threshold": f.threshold}
             for f in assessment.flags]
    version_params = {}
    if version is not None:
        version_params = {**version, "answers": json.dumps(version["answers"], ensure_ascii=False),
                          "problems": json.dumps(version["problems"], ensure_ascii=False)}
        version_params.pop("id", None)
    kept_form = xml_form_id if xml_form_id in campaign_household.KEPT_FORMS else None
    conn.execute(_store(kept_form, version is not None), {
        **version_params,
        "version_id": version_id, "submission_id": submission_id, "project_id": project_id,
        "xml_form_id": xml_form_id, "household_id": assessment.household_id, "admin_code": assessment.admin_code,
        "surveyed_on": assessment.surveyed_on, "flag_codes": sorted({f.code for f in assessment.flags}),
        "ruleset": assessment.ruleset, "now": now, "flags": json.dumps(flags, ensure_ascii=False),
        "is_draft": is_draft, "household_village": assessment.household_village,
        **vars(assessment.metrics),
    })
