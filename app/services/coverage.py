"""Campaigns (排查批次) and coverage: registered households screened, flags and 三保障 rates by place.

All of it is one SQL statement over the per-submission numbers stored at ingest,
rolled up by cutting the 12-digit place code (village 12, township 9, county 6).
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text

from ..core.rules import HOUSING, SCREENING, WATER
from ..extensions import db
from ..models import Campaign, Form
from ..problems import Problem, bad_request, not_found

LEVEL_PREFIX = {"village": 12, "township": 9, "county": 6}


def create_campaign(project_id: int, name: str, starts_on: date, ends_on: date, form_ids: list[str]) -> Campaign:
    if ends_on < starts_on:
        raise bad_request("The campaign ends before it starts.")
    known = set(db.session.scalars(select(Form.xml_form_id).where(Form.project_id == project_id,
                                                                  Form.xml_form_id.in_(form_ids))))
    if unknown := [f for f in form_ids if f not in known]:
        raise bad_request(f"Unknown form(s) in project {project_id}: {', '.join(unknown)}.")
    if db.session.scalar(select(Campaign.id).where(Campaign.project_id == project_id, Campaign.name == name)):
        raise Problem(409.3, f"A campaign named '{name}' exists already in project {project_id}.")
    campaign = Campaign(project_id=project_id, name=name, starts_on=starts_on, ends_on=ends_on, form_ids=form_ids)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def find_campaign(project_id: int, name_or_id: str) -> Campaign:
    query = select(Campaign).where(Campaign.project_id == project_id)
    campaign = db.session.scalar(query.where(Campaign.id == int(name_or_id))) if name_or_id.isdigit() else None
    campaign = campaign or db.session.scalar(query.where(Campaign.name == name_or_id))
    if campaign is None:
        raise not_found(f"There is no campaign '{name_or_id}' in project {project_id}.")
    return campaign


@dataclass
class UnitCoverage:
    code: str
    name: str | None
    registered: int
    screened: int
    persons: int
    insured: int
    school_age: int
    out_of_school: int
    persons_housing_safe: int
    persons_water_safe: int
    flagged: dict[str, int]

    def as_dict(self) -> dict:
        def rate(part, whole):
            return round(part / whole, 4) if whole else None
        return {
            "code": self.code, "name": self.name, "registeredHouseholds": self.registered,
            "screenedHouseholds": self.screened, "coverage": rate(self.screened, self.registered),
            "persons": self.persons,
            "rates": {
                "compulsoryEducation": rate(self.school_age - self.out_of_school, self.school_age),
                "basicMedical": rate(self.insured, self.persons),
                "safeHousing": rate(self.persons_housing_safe, self.persons),
                "safeDrinkingWater": rate(self.persons_water_safe, self.persons),
            },
            "flaggedHouseholds": self.flagged,
        }


# One statement. For each campaign form, each household's latest submission in the window
# (submission_assessment holds current versions only); screenings give the persons and the
# 三保障 numbers, housing and water inspections outrank what the screening said; registered
# households come from the registry. Submissions count where they were made (their village),
# which spares a join with the registry. Rolled up by cutting the place code to the level.
_LATEST = """
    SELECT DISTINCT ON (household_id) household_id, admin_code, persons, insured, school_age, out_of_school,
        housing_unsafe, water_unsafe, flag_codes
    FROM submission_assessment
    WHERE project_id = :project AND xml_form_id = {form} AND {form} = ANY(:forms) AND household_id IS NOT NULL
      AND surveyed_on BETWEEN :starts AND :ends AND NOT is_draft
    ORDER BY household_id, surveyed_on DESC, submission_version_id DESC"""
_COVERAGE = text(f"""
WITH s AS MATERIALIZED ({_LATEST.format(form=":screening")}
), hs AS MATERIALIZED ({_LATEST.format(form=":housing")}
), w AS MATERIALIZED ({_LATEST.format(form=":water")}
), registered AS (
    SELECT left(admin_code, :prefix) AS unit, count(*) AS registered FROM household
    WHERE project_id = :project GROUP BY 1
), screened AS (
    SELECT left(s.admin_code, :prefix) AS unit, count(*) AS screened, sum(s.persons) AS persons,
        sum(s.insured) AS insured, sum(s.school_age) AS school_age, sum(s.out_of_school) AS out_of_school,
        sum(s.persons) FILTER (WHERE coalesce(hs.housing_unsafe, s.housing_unsafe) IS NOT TRUE) AS housing_safe,
        sum(s.persons) FILTER (WHERE coalesce(w.water_unsafe, s.water_unsafe) IS NOT TRUE) AS water_safe
    FROM s LEFT JOIN hs ON hs.household_id = s.household_id LEFT JOIN w ON w.household_id = s.household_id
    GROUP BY 1
), codes AS (
    -- Each household counts once per code: an inspection adds only codes its screening lacked.
    SELECT s.admin_code, code FROM s, unnest(s.flag_codes) AS code
    UNION ALL
    SELECT hs.admin_code, code FROM hs LEFT JOIN s ON s.household_id = hs.household_id, unnest(hs.flag_codes) AS code
    WHERE NOT code = ANY(coalesce(s.flag_codes, '{{}}'))
    UNION ALL
    SELECT w.admin_code, code FROM w LEFT JOIN s ON s.household_id = w.household_id
        LEFT JOIN hs ON hs.household_id = w.household_id, unnest(w.flag_codes) AS code
    WHERE NOT code = ANY(coalesce(s.flag_codes, '{{}}') || coalesce(hs.flag_codes, '{{}}'))
), flagged AS (
    SELECT unit, jsonb_object_agg(code, households) AS counts
    FROM (SELECT left(admin_code, :prefix) AS unit, code, count(*) AS households FROM codes GROUP BY 1, 2) c
    GROUP BY unit
)
SELECT r.unit, r.registered, coalesce(c.screened, 0) AS screened, coalesce(c.persons, 0) AS persons,
    coalesce(c.insured, 0) AS insured, coalesce(c.school_age, 0) AS school_age,
    coalesce(c.out_of_school, 0) AS out_of_school, coalesce(c.housing_safe, 0) AS persons_housing_safe,
    coalesce(c.water_safe, 0) AS persons_water_safe, coalesce(f.counts, '{{}}'::jsonb) AS flagged
FROM registered r LEFT JOIN screened c ON c.unit = r.unit LEFT JOIN flagged f ON f.unit = r.unit
ORDER BY r.unit
""")


def coverage(project_id: int, campaign: Campaign, level: str) -> list[UnitCoverage]:
    if level not in LEVEL_PREFIX:
        raise bad_request(f"level must be one of {', '.join(LEVEL_PREFIX)}.")
    prefix = LEVEL_PREFIX[level]
    params = {"project": project_id, "forms": list(campaign.form_ids), "starts": campaign.starts_on,
              "ends": campaign.ends_on, "prefix": prefix, "screening": SCREENING, "housing": HOUSING,
              "water": WATER}
    # A county's campaign is ~10^5 rows: sort them in memory; the planner's row estimates through
    # the CTEs are far off, which would make it JIT-compile (a second of overhead) and merge-join.
    for setting in ("work_mem = '64MB'", "jit = off", "enable_mergejoin = off"):
        db.session.execute(text(f"SET LOCAL {setting}"))
    rows = db.session.execute(_COVERAGE, params).all()
    db.session.rollback()   # ends the transaction SET LOCAL belongs to; nothing was written
    names = _names([r.unit + "0" * (12 - prefix) for r in rows])
    return [UnitCoverage(code=r.unit + "0" * (12 - prefix), name=names.get(r.unit + "0" * (12 - prefix)),
                         registered=r.registered, screened=r.screened, persons=r.persons, insured=r.insured,
                         school_age=r.school_age, out_of_school=r.out_of_school,
                         persons_housing_safe=r.persons_housing_safe, persons_water_safe=r.persons_water_safe,
                         flagged=r.flagged) for r in rows]


def _names(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(db.session.execute(text("SELECT code, name FROM admin_unit WHERE code = ANY(:codes)"),
                                   {"codes": codes}).all())
