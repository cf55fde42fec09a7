"""Statements of coverage: campaign rows per household, village numbers, and their change notes.

Some statements are assembled here from KEPT_FORMS (the forms whose latest submission a campaign
keeps, and the columns each fills), so that a form added there needs no SQL written twice. They are
assembled once, at import; tests/queries renders every one to a golden .sql file, so the SQL that
runs can be read (and reviewed in a diff) whole.
"""
from dataclasses import dataclass

from sqlalchemy import text

from ..core.rules import HOUSING, SCREENING, WATER


@dataclass(frozen=True)
class KeptForm:
    """A form whose latest submission a campaign keeps, in columns named after `prefix`."""
    xml_form_id: str
    prefix: str
    numbers: dict[str, str]      # column -> the assessment's number it holds

    @property
    def columns(self) -> dict[str, str]:
        return {f"{self.prefix}_version_id": "submission_version_id", f"{self.prefix}_on": "surveyed_on",
                **self.numbers, f"{self.prefix}_flags": "flag_codes"}


KEPT_FORMS = {form.xml_form_id: form for form in (
    KeptForm(SCREENING, "screening", {
        "persons": "persons", "insured": "insured", "school_age": "school_age", "out_of_school": "out_of_school",
        "screening_housing_unsafe": "housing_unsafe", "screening_water_unsafe": "water_unsafe",
        "screening_location": "location"}),
    KeptForm(HOUSING, "housing", {"housing_unsafe": "housing_unsafe"}),
    KeptForm(WATER, "water", {"water_unsafe": "water_unsafe"}),
)}


def _flag_union(flags: list[str]) -> str:
    return f"ARRAY(SELECT DISTINCT code FROM unnest({' || '.join(flags)}) AS code ORDER BY code)"


def note_villages(changed: str) -> str:
    """SQL noting that the villages of `changed` (a SELECT of campaign_id, village) changed in their campaigns.

    A village already noted keeps its note, locked until this transaction ends: coverage, taking
    the notes, waits for the change to commit and so adds it up. (Were the note left alone, coverage
    could take it before the change commits and never see the change.) Notes are locked in
    (campaign, village) order, as coverage takes them, so two transactions never deadlock here.
    """
    return f"""INSERT INTO campaign_change (campaign_id, village) {changed} ORDER BY 1, 2
    ON CONFLICT (campaign_id, village) DO UPDATE SET village = excluded.village WHERE false"""


# The ingest parameters each assessment column comes from.
_PARAMS = {"submission_version_id": ":version_id", "location": "CAST(:location AS geometry)"}


def upsert_ctes(xml_form_id: str | None) -> list[str]:
    """CTEs for the ingest statement, with the assessment's own parameters: the household's row in
    every campaign the submission falls in, and the note that its village changed. Nothing for the forms
    coverage does not read."""
    form = KEPT_FORMS.get(xml_form_id)
    if form is None:
        return []
    columns = ", ".join(form.columns)
    values = ", ".join(_PARAMS.get(field, f":{field}") for field in form.columns.values())
    take_new = ", ".join(f"{column} = excluded.{column}" for column in form.columns)
    others = [f"ch.{other.prefix}_flags" for other in KEPT_FORMS.values() if other is not form]
    return [f"""
kept AS (
    INSERT INTO campaign_household AS ch (campaign_id, household_id, village, {columns}, flag_codes)
    SELECT c.id, :household_id, :household_village, {values}, :flag_codes
    FROM campaign c
    WHERE c.project_id = :project_id AND CAST(:xml_form_id AS varchar) = ANY(c.form_ids)
      AND CAST(:surveyed_on AS date) BETWEEN c.starts_on AND c.ends_on
      AND CAST(:household_id AS bigint) IS NOT NULL AND NOT CAST(:is_draft AS boolean)
    ON CONFLICT (campaign_id, household_id) DO UPDATE SET village = excluded.village, {take_new},
        flag_codes = {_flag_union([*others, f"excluded.{form.prefix}_flags"])}
    WHERE ch.{form.prefix}_version_id IS NULL OR (ch.{form.prefix}_on, ch.{form.prefix}_version_id)
        <= (excluded.{form.prefix}_on, excluded.{form.prefix}_version_id)
    RETURNING campaign_id, village
)""", f"""
noted AS (
    {note_villages("SELECT campaign_id, village FROM kept")}
)"""]


# Rebuilding is two statements: the rows of a scope go, then the latest assessment of each kept form
# comes back, one row per campaign and household.
_FORGET = """DELETE FROM campaign_household l USING campaign c
WHERE c.id = l.campaign_id AND c.project_id = :project_id"""


def _recall(scope: str) -> str:
    forms = list(KEPT_FORMS.values())
    columns = ", ".join(column for form in forms for column in form.columns)
    values = ", ".join(f"coalesce({form.prefix}.{field}, '{{}}')" if field == "flag_codes" else f"{form.prefix}.{field}"
                       for form in forms for field in form.columns.values())
    joins = "\n".join(f"""LEFT JOIN latest {form.prefix} ON {form.prefix}.campaign_id = k.campaign_id
    AND {form.prefix}.household_id = k.household_id AND {form.prefix}.xml_form_id = '{form.xml_form_id}'"""
                      for form in forms)
    flags = _flag_union([f"coalesce({form.prefix}.flag_codes, '{{}}')" for form in forms])
    return f"""
INSERT INTO campaign_household (campaign_id, household_id, village, {columns}, flag_codes)
WITH latest AS (
    SELECT DISTINCT ON (c.id, a.xml_form_id, a.household_id) c.id AS campaign_id, h.admin_code AS village, a.*
    FROM campaign c
    JOIN submission_assessment a ON a.project_id = c.project_id AND a.xml_form_id = ANY(c.form_ids)
        AND a.xml_form_id IN ({", ".join(f"'{form.xml_form_id}'" for form in forms)})
        AND a.surveyed_on BETWEEN c.starts_on AND c.ends_on AND a.household_id IS NOT NULL AND NOT a.is_draft
    JOIN household h ON h.id = a.household_id
    WHERE c.project_id = :project_id {scope}
    ORDER BY c.id, a.xml_form_id, a.household_id, a.surveyed_on DESC, a.submission_version_id DESC
)
SELECT k.campaign_id, k.household_id, k.village, {values}, {flags}
FROM (SELECT DISTINCT campaign_id, household_id, village FROM latest) k
{joins}"""


# Dropping a campaign's numbers counts a new version of its tiles, as storing them does.
_FORGET_VILLAGES = """
WITH dropped AS (
    DELETE FROM campaign_village v USING campaign c WHERE c.id = v.campaign_id AND c.project_id = :project_id{scope}
    RETURNING v.campaign_id
)
UPDATE campaign SET tiles_version = tiles_version + 1 WHERE id IN (SELECT campaign_id FROM dropped)"""
_NOTE = "WITH touched AS ({statement} RETURNING {columns})\n" + note_villages(
    "SELECT DISTINCT campaign_id, village FROM touched")
_CAMPAIGN = " AND c.id = :campaign_id"
# Their assessments are found through submission.household_id, which is indexed.
_HOUSEHOLDS = " AND a.submission_id IN (SELECT s.id FROM submission s WHERE s.household_id = ANY(:households))"
REBUILD = {
    # Whole campaigns: their village numbers are dropped and added up afresh when next read.
    "project": [text(_FORGET), text(_recall("")), text(_FORGET_VILLAGES.format(scope=""))],
    "campaign": [text(_FORGET + _CAMPAIGN), text(_recall(_CAMPAIGN)), text(_FORGET_VILLAGES.format(scope=_CAMPAIGN))],
    # A few households: noted as changed, so only their villages are added up again.
    "households": [
        text(_NOTE.format(statement=_FORGET + " AND l.household_id = ANY(:households)",
                          columns="l.campaign_id, l.village")),
        text(_NOTE.format(statement=_recall(_HOUSEHOLDS), columns="campaign_id, village"))],
}

MOVE_HOUSEHOLDS = text("""
UPDATE campaign_household l SET village = h.admin_code FROM household h
WHERE h.id = l.household_id AND h.project_id = :project_id AND l.village <> h.admin_code
""")
# Every village number of a project's campaigns, dropped (added up afresh when next read).
FORGET_CAMPAIGN_VILLAGES = text(_FORGET_VILLAGES.format(scope=""))


# A village's numbers in a campaign: its registered households, and their rows in the campaign
# (campaign_household, which carries each household's village). Screenings give the persons and the
# 三保障 numbers; housing and water inspections outrank what the screening said. R21's numerator counts
# screened households only, as its denominator does (a household with a housing inspection and no
# screening would make a village with one safe screened household "200%"). Plain SELECTs, so
# PostgreSQL can spread them over its parallel workers (it never does for an INSERT ... SELECT);
# the few rows they give are stored by STORE_VILLAGES, which also counts a new version of the campaign's
# map tiles (campaign.tiles_version).
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
        AS persons_water_safe,
    count(*) FILTER (WHERE flag_codes && CAST(:risk_codes AS varchar[])) AS households_at_risk,
    count(screening_version_id) FILTER (WHERE flag_codes && CAST(:cluster_codes AS varchar[]))
        AS households_cluster_risk
FROM campaign_household WHERE campaign_id = :campaign {villages}
GROUP BY 1
"""
# flag_codes holds each code once per household, whichever forms raised it.
_FLAGS = """
SELECT village, code, count(*) AS households FROM campaign_household, unnest(flag_codes) AS code
WHERE campaign_id = :campaign AND cardinality(flag_codes) > 0 {villages}
GROUP BY 1, 2
"""
ADDED_UP = {
    scope: {name: text(sql.format(villages=where.format(column=column))) for name, sql, column in (
        ("registered", _REGISTERED, "admin_code"), ("screened", _SCREENED, "village"), ("flags", _FLAGS, "village"))}
    for scope, where in (("all", ""), ("some", "AND {column} = ANY(:villages)"))}
STORE_VILLAGES = text("""
WITH drawn_anew AS (
    UPDATE campaign SET tiles_version = tiles_version + 1
    WHERE id = :campaign AND CAST(:villages AS jsonb) <> '[]'::jsonb
)
INSERT INTO campaign_village (campaign_id, village, registered, screened, persons, insured, school_age, out_of_school,
    persons_housing_safe, persons_water_safe, flagged, households_at_risk, households_cluster_risk)
SELECT :campaign, v.village, v.registered, v.screened, v.persons, v.insured, v.school_age, v.out_of_school,
    v.persons_housing_safe, v.persons_water_safe, v.flagged, v.households_at_risk, v.households_cluster_risk
FROM jsonb_to_recordset(CAST(:villages AS jsonb)) AS v(village text, registered int, screened int, persons int,
    insured int, school_age int, out_of_school int, persons_housing_safe int, persons_water_safe int, flagged jsonb,
    households_at_risk int, households_cluster_risk int)
ON CONFLICT (campaign_id, village) DO UPDATE SET registered = excluded.registered, screened = excluded.screened,
    persons = excluded.persons, insured = excluded.insured, school_age = excluded.school_age,
    out_of_school = excluded.out_of_school, persons_housing_safe = excluded.persons_housing_safe,
    persons_water_safe = excluded.persons_water_safe, flagged = excluded.flagged,
    households_at_risk = excluded.households_at_risk, households_cluster_risk = excluded.households_cluster_risk
""")
# Where the map draws each household of the campaign's project (campaign_point, models.risk.CampaignPoint),
# written again with the village numbers, in the same transaction and from the same changes: the households
# registered in the villages added up (scope "some": :villages; "all": every one), and those whose row names
# one of them (a household that left). Only rows that differ are written, and rows of households no longer
# drawn go: a round that adds up a busy county rewrites the few hundred households that changed, not 10^5.
# New rows go in village by village, so that a tile's households lie on few pages: in the order a hash gave
# them, a zoom-12 tile read ~1,700 pages instead of ~60, and its p50 doubled (scripts/bench_map.py).
_POINTS = """
WITH touched AS (
    SELECT id FROM household WHERE project_id = :project {villages}
    UNION SELECT household_id FROM campaign_point WHERE campaign_id = :campaign {villages}
), wanted AS (
    SELECT CAST(:campaign AS integer) AS campaign_id, h.id AS household_id, h.admin_code,
        ch.screening_version_id IS NOT NULL AS screened, coalesce(ch.flag_codes, '{{}}') AS flag_codes,
        coalesce(ch.screening_location, h.location) AS point
    FROM touched t
    JOIN household h ON h.id = t.id AND h.project_id = :project
    LEFT JOIN campaign_household ch ON ch.campaign_id = :campaign AND ch.household_id = h.id
    WHERE coalesce(ch.screening_location, h.location) IS NOT NULL
), gone AS (
    DELETE FROM campaign_point p USING touched t
    WHERE p.campaign_id = :campaign AND p.household_id = t.id
        AND NOT EXISTS (SELECT FROM wanted w WHERE w.household_id = p.household_id)
)
INSERT INTO campaign_point AS p (campaign_id, household_id, admin_code, screened, flag_codes, point)
SELECT * FROM wanted ORDER BY admin_code, household_id
ON CONFLICT (campaign_id, household_id) DO UPDATE SET admin_code = excluded.admin_code,
    screened = excluded.screened, flag_codes = excluded.flag_codes, point = excluded.point
WHERE (p.admin_code, p.screened, p.flag_codes, ST_AsEWKB(p.point))
    IS DISTINCT FROM (excluded.admin_code, excluded.screened, excluded.flag_codes, ST_AsEWKB(excluded.point))
"""
REFRESH_POINTS = {scope: text(_POINTS.format(villages=where))
                  for scope, where in (("all", ""), ("some", "AND admin_code = ANY(:villages)"))}
# The villages noted as changed since the last look; the notes are used up. Each is locked first, in
# village order, so a change still being ingested is waited for (see campaign_household.note_villages).
TAKE_NOTES = text("""
WITH taken AS (SELECT village FROM campaign_change WHERE campaign_id = :campaign ORDER BY village FOR UPDATE)
DELETE FROM campaign_change n USING taken WHERE n.campaign_id = :campaign AND n.village = taken.village
RETURNING n.village
""")
VILLAGES_KEPT = text("SELECT count(*) FROM campaign_village WHERE campaign_id = :campaign")
# One adding up of a campaign at a time (transaction-level advisory lock on the pair below): a read waits
# for one under way and then finds little left; the background refresher skips a campaign that is taken.
COVERAGE_LOCKS = 0x436f76   # first key of coverage's advisory locks ("Cov"); the second: a campaign id
WAIT_FOR_CAMPAIGN = text(f"SELECT pg_advisory_xact_lock({COVERAGE_LOCKS}, :campaign)")
TRY_CAMPAIGN = text(f"SELECT pg_try_advisory_xact_lock({COVERAGE_LOCKS}, :campaign)")
# Campaigns the background refresher adds up: villages noted as changed, or no village numbers yet.
# Whether campaign `c` has anything to add up: a change noted, or no numbers yet (two indexed reads).
_PENDING = """(EXISTS (SELECT FROM campaign_change n WHERE n.campaign_id = c.id)
    OR NOT EXISTS (SELECT FROM campaign_village v WHERE v.campaign_id = c.id))"""
PENDING_CAMPAIGNS = text(f"""
SELECT c.project_id, c.id FROM campaign c
WHERE {_PENDING}
ORDER BY c.id
""")


def household_state(risk: str = "CAST(:risk AS varchar[])", *, screened: str = "ch.screening_version_id IS NOT NULL",
                    codes: str = "ch.flag_codes") -> str:
    """A household's state in a campaign: unscreened, flagged (a risk flag among `risk`, an SQL varchar[]: by
    default the parameter :risk, given app.core.rules.flags.ALL_RISK_CODES) or screened; by default from its
    campaign_household row `ch` (all NULL when it has none), else from the SQL given as `screened` (true when
    screened) and `codes` (its flag codes)."""
    return f"""CASE WHEN NOT ({screened}) THEN 'unscreened'
         WHEN {codes} && {risk} THEN 'flagged' ELSE 'screened' END"""


HOUSEHOLD_STATE = household_state()
# A campaign by id (:id, NULL for a name) or name (:name), the id first, with its tiles' version and whether
# it has anything to add up: map tiles ask this once each, without the campaign's lock.
CAMPAIGN_FOR_TILES = text(f"""
SELECT c.id, c.tiles_version, {_PENDING} AS pending
FROM campaign c
WHERE c.project_id = :project AND (c.id = CAST(:id AS integer) OR c.name = CAST(:name AS varchar))
ORDER BY c.id = CAST(:id AS integer) DESC NULLS LAST
LIMIT 1
""")
# Village numbers rolled up by cutting the place code to the level (village 12, township 9, county 6),
# over every village of the campaign or over those within the caller's places (:places, LIKE patterns).
_ROLL_UP_SQL = """
WITH units AS (
    SELECT left(village, :prefix) AS unit, sum(registered) AS registered, sum(screened) AS screened,
        sum(persons) AS persons, sum(insured) AS insured, sum(school_age) AS school_age,
        sum(out_of_school) AS out_of_school, sum(persons_housing_safe) AS persons_housing_safe,
        sum(persons_water_safe) AS persons_water_safe, sum(households_at_risk) AS households_at_risk,
        sum(households_cluster_risk) AS households_cluster_risk
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
ROLL_UP = {"all": text(_ROLL_UP_SQL.format(within="")),
            "within": text(_ROLL_UP_SQL.format(within="AND village LIKE ANY(CAST(:places AS text[]))"))}
# The names of places (:codes).
PLACE_NAMES = text("SELECT code, name FROM admin_unit WHERE code = ANY(:codes)")
