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


# One statement: each household's latest submission of each campaign form, then one row per
# registered household, then the roll-up by place with the flag counts alongside. Housing and
# water inspections outrank what the screening said. submission_assessment holds current
# versions only, so no join to submissions is needed.
_COVERAGE = text("""
WITH latest AS MATERIALIZED (
    SELECT DISTINCT ON (household_id, xml_form_id) household_id, xml_form_id, persons, insured, school_age,
        out_of_school, housing_unsafe, water_unsafe, flag_codes
    FROM submission_assessment
    WHERE project_id = :project AND household_id IS NOT NULL AND xml_form_id = ANY(:forms)
      AND surveyed_on BETWEEN :starts AND :ends AND NOT is_draft
    ORDER BY household_id, xml_form_id, surveyed_on DESC, submission_version_id DESC
), per_household AS MATERIALIZED (
    SELECT h.id, left(h.admin_code, :prefix) AS unit,
        bool_or(l.xml_form_id = :screening) AS screened,
        max(l.persons) FILTER (WHERE l.xml_form_id = :screening) AS persons,
        max(l.insured) FILTER (WHERE l.xml_form_id = :screening) AS insured,
        max(l.school_age) FILTER (WHERE l.xml_form_id = :screening) AS school_age,
        max(l.out_of_school) FILTER (WHERE l.xml_form_id = :screening) AS out_of_school,
        coalesce(bool_or(l.housing_unsafe) FILTER (WHERE l.xml_form_id = :housing),
                 bool_or(l.housing_unsafe) FILTER (WHERE l.xml_form_id = :screening)) AS housing_unsafe,
        coalesce(bool_or(l.water_unsafe) FILTER (WHERE l.xml_form_id = :water),
                 bool_or(l.water_unsafe) FILTER (WHERE l.xml_form_id = :screening)) AS water_unsafe
    FROM household h LEFT JOIN latest l ON l.household_id = h.id
    WHERE h.project_id = :project
    GROUP BY h.id
), flagged AS (
    SELECT unit, jsonb_object_agg(code, households) AS counts
    FROM (SELECT left(h.admin_code, :prefix) AS unit, code, count(DISTINCT l.household_id) AS households
          FROM latest l JOIN household h ON h.id = l.household_id, unnest(l.flag_codes) AS code
          GROUP BY 1, 2) c
    GROUP BY unit
)
SELECT p.unit, count(*) AS registered, count(*) FILTER (WHERE screened) AS screened,
    coalesce(sum(persons), 0) AS persons, coalesce(sum(insured), 0) AS insured,
    coalesce(sum(school_age), 0) AS school_age, coalesce(sum(out_of_school), 0) AS out_of_school,
    coalesce(sum(persons) FILTER (WHERE housing_unsafe IS NOT TRUE), 0) AS persons_housing_safe,
    coalesce(sum(persons) FILTER (WHERE water_unsafe IS NOT TRUE), 0) AS persons_water_safe,
    coalesce(min(f.counts::text), '{}')::jsonb AS flagged
FROM per_household p LEFT JOIN flagged f ON f.unit = p.unit
GROUP BY p.unit ORDER BY p.unit
""")


def coverage(project_id: int, campaign: Campaign, level: str) -> list[UnitCoverage]:
    if level not in LEVEL_PREFIX:
        raise bad_request(f"level must be one of {', '.join(LEVEL_PREFIX)}.")
    prefix = LEVEL_PREFIX[level]
    params = {"project": project_id, "forms": list(campaign.form_ids), "starts": campaign.starts_on,
              "ends": campaign.ends_on, "prefix": prefix, "screening": SCREENING, "housing": HOUSING,
              "water": WATER}
    rows = db.session.execute(_COVERAGE, params).all()
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
