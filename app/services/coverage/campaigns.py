"""Campaigns (排查批次) and coverage: registered households screened, flags and 三保障 rates by place.

Coverage is kept per village (campaign_village) and rolled up by cutting the 12-digit place
code. A village is added up again, in SQL, from its households' latest campaign submissions
(campaign_household) when it has changed since it was last added up: by a read, or in the
background (coverage_refresher), so that reads find little left to add up.
"""
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text

from ...core.access import Access
from ...extensions import db
from ...models import Campaign, Form
from ...problems import not_found, unexpected_value, uniqueness_violation
from ...queries.places import sql_patterns
from ..column_limits import CAMPAIGN_ID, CAMPAIGN_NAME, nfc
from .campaign_households import rebuild_campaign

LEVEL_PREFIX = {"village": 12, "township": 9, "county": 6}


def create_campaign(project_id: int, name: str, starts_on: date, ends_on: date, form_ids: list[str]) -> Campaign:
    """A campaign (排查批次) over `form_ids` dated from `starts_on` to `ends_on`; raises Problem 400 for a
    bad window, unknown forms or a name too long, 409.3 for a name the project has already."""
    name = CAMPAIGN_NAME.clean(name.strip())
    if ends_on < starts_on:
        raise unexpected_value("endsOn", "The campaign ends before it starts.")
    known = set(db.session.scalars(select(Form.xml_form_id).where(Form.project_id == project_id,
                                                                  Form.xml_form_id.in_(form_ids))))
    if unknown := [f for f in form_ids if f not in known]:
        raise unexpected_value("forms", f"Unknown form(s) in project {project_id}: {', '.join(unknown)}.")
    if db.session.scalar(select(Campaign.id).where(Campaign.project_id == project_id, Campaign.name == name)):
        raise uniqueness_violation(f"A campaign named '{name}' exists already in project {project_id}.")
    campaign = Campaign(project_id=project_id, name=name, starts_on=starts_on, ends_on=ends_on, form_ids=form_ids)
    db.session.add(campaign)
    db.session.flush()
    rebuild_campaign(db.session.connection(), project_id, campaign.id)   # submissions already in count too
    db.session.commit()
    return campaign


def find_campaign(project_id: int, name_or_id: str) -> Campaign:
    query = select(Campaign).where(Campaign.project_id == project_id)
    campaign_id = CAMPAIGN_ID.parse(name_or_id)   # ASCII digits within the column's range, else a name
    campaign = db.session.scalar(query.where(Campaign.id == campaign_id)) if campaign_id is not None else None
    campaign = campaign or db.session.scalar(query.where(Campaign.name == nfc(name_or_id)))
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
    flagged: dict[str, int]             # households flagged, per flag code

    # Shares (0 to 1, four decimals; None where nothing is counted), as the 三保障 indicators
    # (domain §8.5) and the coverage figure are read.
    @property
    def coverage(self) -> float | None:
        return _rate(self.screened, self.registered)

    @property
    def compulsory_education(self) -> float | None:
        return _rate(self.school_age - self.out_of_school, self.school_age)

    @property
    def basic_medical(self) -> float | None:
        return _rate(self.insured, self.persons)

    @property
    def safe_housing(self) -> float | None:
        return _rate(self.persons_housing_safe, self.persons)

    @property
    def safe_drinking_water(self) -> float | None:
        return _rate(self.persons_water_safe, self.persons)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# A village's numbers in a campaign: its registered households, and their rows in the campaign
# (campaign_household, which carries each household's village). Screenings give the persons and the
# 三保障 numbers; housing and water inspections outrank what the screening said. Plain SELECTs, so
# PostgreSQL can spread them over its parallel workers (it never does for an INSERT ... SELECT);
# the few rows they give are stored by _STORE_VILLAGES.
_REGISTERED = """
SELECT admin_code AS village, count(*) AS registered FROM household WHERE project_id = :project {villages}
GROUP BY 1
"""
_SCREENED = """
SELECT village, count(screening_version_id) AS screened, coalesce(sum(persons), 0) AS persons,
    coalesce(sum(insured), 0) AS insured, coalesce(sum(school_age), 0) AS school_age,
    coalesce(sum(out_of_school), 0) AS out_of_school,
    coalesce(sum(persons) FILTER (WHERE coalesce(housing_unsafe, screening_housing_unsafe) IS NOT TRUE), 0)
        AS persons_housing_safe,
    coalesce(sum(persons) FILTER (WHERE coalesce(water_unsafe, screening_water_unsafe) IS NOT TRUE), 0)
        AS persons_water_safe
FROM campaign_household WHERE campaign_id = :campaign {villages}
GROUP BY 1
"""
# flag_codes holds each code once per household, whichever forms raised it.
_FLAGS = """
SELECT village, code, count(*) AS households FROM campaign_household, unnest(flag_codes) AS code
WHERE campaign_id = :campaign AND cardinality(flag_codes) > 0 {villages}
GROUP BY 1, 2
"""
_ADDED_UP = {
    scope: {name: text(sql.format(villages=where.format(column=column))) for name, sql, column in (
        ("registered", _REGISTERED, "admin_code"), ("screened", _SCREENED, "village"), ("flags", _FLAGS, "village"))}
    for scope, where in (("all", ""), ("some", "AND {column} = ANY(:villages)"))}
_STORE_VILLAGES = text("""
INSERT INTO campaign_village (campaign_id, village, registered, screened, persons, insured, school_age, out_of_school,
    persons_housing_safe, persons_water_safe, flagged)
SELECT :campaign, v.village, v.registered, v.screened, v.persons, v.insured, v.school_age, v.out_of_school,
    v.persons_housing_safe, v.persons_water_safe, v.flagged
FROM jsonb_to_recordset(CAST(:villages AS jsonb)) AS v(village text, registered int, screened int, persons int,
    insured int, school_age int, out_of_school int, persons_housing_safe int, persons_water_safe int, flagged jsonb)
ON CONFLICT (campaign_id, village) DO UPDATE SET registered = excluded.registered, screened = excluded.screened,
    persons = excluded.persons, insured = excluded.insured, school_age = excluded.school_age,
    out_of_school = excluded.out_of_school, persons_housing_safe = excluded.persons_housing_safe,
    persons_water_safe = excluded.persons_water_safe, flagged = excluded.flagged
""")
# The villages noted as changed since the last look; the notes are used up. Each is locked first, in
# village order, so a change still being ingested is waited for (see campaign_household.note_villages).
_TAKE_NOTES = text("""
WITH taken AS (SELECT village FROM campaign_change WHERE campaign_id = :campaign ORDER BY village FOR UPDATE)
DELETE FROM campaign_change n USING taken WHERE n.campaign_id = :campaign AND n.village = taken.village
RETURNING n.village
""")
_VILLAGES_KEPT = text("SELECT count(*) FROM campaign_village WHERE campaign_id = :campaign")
# One adding up of a campaign at a time (transaction-level advisory lock on the pair below): a read waits
# for one under way and then finds little left; the background refresher skips a campaign that is taken.
COVERAGE_LOCKS = 0x436f76   # first key of coverage's advisory locks ("Cov"); the second: a campaign id
_WAIT_FOR_CAMPAIGN = text(f"SELECT pg_advisory_xact_lock({COVERAGE_LOCKS}, :campaign)")
_TRY_CAMPAIGN = text(f"SELECT pg_try_advisory_xact_lock({COVERAGE_LOCKS}, :campaign)")
# Campaigns the background refresher adds up: villages noted as changed, or no village numbers yet.
_PENDING = text("""
SELECT c.project_id, c.id FROM campaign c
WHERE EXISTS (SELECT FROM campaign_change n WHERE n.campaign_id = c.id)
   OR NOT EXISTS (SELECT FROM campaign_village v WHERE v.campaign_id = c.id)
ORDER BY c.id
""")
# Village numbers rolled up by cutting the place code to the level (village 12, township 9, county 6),
# over every village of the campaign or over those within the caller's places (:places, LIKE patterns).
_ROLL_UP_SQL = """
WITH units AS (
    SELECT left(village, :prefix) AS unit, sum(registered) AS registered, sum(screened) AS screened,
        sum(persons) AS persons, sum(insured) AS insured, sum(school_age) AS school_age,
        sum(out_of_school) AS out_of_school, sum(persons_housing_safe) AS persons_housing_safe,
        sum(persons_water_safe) AS persons_water_safe
    FROM campaign_village WHERE campaign_id = :campaign {within} GROUP BY 1
), codes AS (
    SELECT left(village, :prefix) AS unit, code, sum(households::int) AS households
    FROM campaign_village, jsonb_each_text(flagged) AS f(code, households)
    WHERE campaign_id = :campaign {within} GROUP BY 1, 2
), flagged AS (
    SELECT unit, jsonb_object_agg(code, households) AS flagged FROM codes GROUP BY unit
)
SELECT u.*, coalesce(f.flagged, '{{}}') AS flagged FROM units u LEFT JOIN flagged f ON f.unit = u.unit ORDER BY u.unit
"""
_ROLL_UP = {"all": text(_ROLL_UP_SQL.format(within="")),
            "within": text(_ROLL_UP_SQL.format(within="AND village LIKE ANY(CAST(:places AS text[]))"))}


def coverage(access: Access, campaign: Campaign, level: str) -> list[UnitCoverage]:
    """A campaign's numbers per place at `level` (village, township or county), added up over the
    villages within the caller's places only: a township's supervisor reading the county level
    gets their township's share of it. Raises Problem 400.1 for an unknown level."""
    if level not in LEVEL_PREFIX:
        raise unexpected_value("level", f"level must be one of {', '.join(LEVEL_PREFIX)}.")
    prefix = LEVEL_PREFIX[level]
    _refresh_villages(access.project_id, campaign.id)
    scope = "all" if access.places is None else "within"
    rows = db.session.execute(_ROLL_UP[scope], {"campaign": campaign.id, "prefix": prefix,
                                                "places": sql_patterns(access.places)}).all()
    codes = [r.unit.ljust(12, "0") for r in rows]        # a township 420102001 is place 420102001000
    names = _names(codes)
    return [UnitCoverage(code=code, name=names.get(code),
                         registered=r.registered, screened=r.screened, persons=r.persons, insured=r.insured,
                         school_age=r.school_age, out_of_school=r.out_of_school,
                         persons_housing_safe=r.persons_housing_safe, persons_water_safe=r.persons_water_safe,
                         flagged=r.flagged) for code, r in zip(codes, rows, strict=True)]


def refresh_pending() -> int:
    """Add up, in the background, every campaign that has changed since it was last added up, unless
    someone else is at it. Returns how many campaigns were added up."""
    pending = db.session.execute(_PENDING).all()
    db.session.rollback()
    return sum(_refresh_villages(project_id, campaign_id, wait=False) for project_id, campaign_id in pending)


def _refresh_villages(project_id: int, campaign_id: int, *, wait: bool = True) -> bool:
    """Add up again the villages whose households changed since the last look (all of them the first time).
    Without `wait`, leave the campaign (and return False) if another look at it is under way.

    Safe under concurrent ingest: taking a note waits for the change that holds it to commit, a note
    written after the notes were taken stays for the next look, and the adding up (a later statement)
    sees every change whose note it took.
    """
    conn = db.session.connection()
    params = {"project": project_id, "campaign": campaign_id}
    if wait:
        conn.execute(_WAIT_FOR_CAMPAIGN, params)
    elif not conn.execute(_TRY_CAMPAIGN, params).scalar():
        db.session.rollback()
        return False
    kept = conn.execute(_VILLAGES_KEPT, params).scalar()
    villages = conn.execute(_TAKE_NOTES, params).scalars().all()
    if not kept or len(villages) * 3 > kept:        # picking out many villages costs more than adding up all
        _add_up(conn, "all", params)
    elif villages:
        _add_up(conn, "some", {**params, "villages": villages})
    db.session.commit()
    return True


def _add_up(conn, scope: str, params: dict) -> None:
    # A county at once is ~10^5 households: hash them in memory, and skip JIT, which costs more than it saves.
    conn.execute(text("SET LOCAL jit = off"))
    conn.execute(text("SET LOCAL work_mem = '64MB'"))
    statements = _ADDED_UP[scope]
    added_up: dict[str, dict] = {}

    def village(code: str) -> dict:
        return added_up.setdefault(code, {
            "village": code, "registered": 0, "screened": 0, "persons": 0, "insured": 0, "school_age": 0,
            "out_of_school": 0, "persons_housing_safe": 0, "persons_water_safe": 0, "flagged": {}})
    for part in ("registered", "screened"):
        for row in conn.execute(statements[part], params):
            village(row.village).update(row._asdict())
    for row in conn.execute(statements["flags"], params):
        village(row.village)["flagged"][row.code] = row.households
    # In village order, so two looks at the same campaign never deadlock.
    villages = [added_up[code] for code in sorted(added_up)]
    conn.execute(_STORE_VILLAGES, {"campaign": params["campaign"], "villages": json.dumps(villages)})


def _names(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(db.session.execute(text("SELECT code, name FROM admin_unit WHERE code = ANY(:codes)"),
                                   {"codes": codes}).all())
