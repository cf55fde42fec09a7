"""Statements of the assessment of monitoring submissions: what it reads, and the one statement that
stores a submission version with its numbers, flags and campaign rows."""
from functools import cache

from sqlalchemy import BigInteger, Float, String, bindparam, column, func, select, text
from sqlalchemy.dialects.postgresql import JSONB

from ..core.rules import SCREENING
from ..models import AdminUnit, SubmissionVersion
from .coverage import note_villages, upsert_ctes
from .events import EVENT_CTE

# Everything assessment needs from the database, in one round trip: the household named (:code), the
# village (named, :village, else the household's) with how far the geopoint (:lon, :lat) lies outside it,
# another household already registered under the same head's ID number (:idno), with its village, and the
# other households that list a person of the submission (:person_idnos, normalised; household_person's
# index on (project, idno)): [{idno, household, village}]. With :arrived (`rules recompute`: when the
# submission arrived), only the registry's persons listed before then: a registry import after the screening
# is the later record, which the import reported, as at ingest (screenings' persons are written again in
# the order they arrived).
CONTEXT = text("""
SELECT h.id AS household_id, h.poverty_status, h.category, h.status, h.last_pc_income,
    h.admin_code AS household_village,
    v.code AS village,
    CASE WHEN v.boundary IS NULL OR pt.geom IS NULL THEN NULL
         WHEN ST_Intersects(v.boundary, pt.geom) THEN 0
         ELSE ST_Distance(v.boundary::geography, pt.geom::geography) END AS distance_m,
    dup.household_code AS duplicate_of, dup.admin_code AS duplicate_village, persons.shared AS shared_persons
FROM (SELECT ST_SetSRID(ST_MakePoint(CAST(:lon AS float8), CAST(:lat AS float8)), 4326) AS geom) pt
LEFT JOIN household h ON h.project_id = :project_id AND h.household_code = CAST(:code AS varchar)
LEFT JOIN admin_unit v ON v.level = 'village' AND v.code = coalesce(CAST(:village AS varchar), h.admin_code)
LEFT JOIN LATERAL (
    SELECT d.household_code, d.admin_code FROM household d
    WHERE d.project_id = :project_id AND d.head_idno = CAST(:idno AS varchar) AND d.id IS DISTINCT FROM h.id
    LIMIT 1) dup ON true
LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('idno', s.idno, 'household', o.household_code, 'village', o.admin_code)
                     ORDER BY s.idno, o.household_code) AS shared
    FROM (SELECT DISTINCT p.idno, p.household_id FROM household_person p
          WHERE p.project_id = :project_id AND p.idno = ANY(CAST(:person_idnos AS varchar[]))
              AND p.household_id IS DISTINCT FROM h.id
              AND (CAST(:arrived AS timestamptz) IS NULL OR p.source = 'screening'
                   OR p.since < CAST(:arrived AS timestamptz))) s
    JOIN household o ON o.id = s.household_id) persons ON true
""").columns(column("household_id", BigInteger), column("poverty_status", String), column("category", String),
             column("status", String), column("last_pc_income", Float), column("household_village", String),
             column("village", String), column("distance_m", Float), column("duplicate_of", String),
             column("duplicate_village", String), column("shared_persons", JSONB))

# The village whose boundary holds a point (:lon, :lat), for a submission that names none.
VILLAGE_AT = select(AdminUnit.code).where(
    AdminUnit.level == "village",
    func.ST_Contains(AdminUnit.boundary, func.ST_SetSRID(func.ST_MakePoint(bindparam("lon"), bindparam("lat")), 4326))
).limit(1)

# A household a screening registers (picked as "new"); it changes the registered count of its village
# in every campaign, so the village is noted as changed.
REGISTER_HOUSEHOLD = text(f"""
WITH new AS (
    INSERT INTO household (project_id, household_code, admin_code, head_name, head_idno, poverty_status,
        category, status, members, created_at)
    VALUES (:project_id, :code, :village, :head_name, :head_idno, :poverty_status, :category, :status, '[]',
        now())
    ON CONFLICT (project_id, household_code) DO NOTHING
    RETURNING id, admin_code
), noted AS (
    {note_villages("SELECT c.id, new.admin_code FROM campaign c, new WHERE c.project_id = :project_id")}
)
SELECT id FROM new
""")
# An edit of the screening that registered a household corrects its head.
UPDATE_HEAD = text("UPDATE household SET head_name = :head_name, head_idno = :head_idno, updated_at = now() "
                   "WHERE id = :id")
UPDATE_HOUSEHOLD = text("UPDATE household SET poverty_status = :poverty_status, category = :category, "
                        "status = :status, updated_at = now() WHERE id = :id")


def _version_insert() -> str:
    """The one INSERT of a submission version, from the table itself: every column, the id as :version_id,
    jsonb columns given as JSON text. Ingest runs it alone, or as the first CTE of STORE (below)."""
    table = SubmissionVersion.__table__
    placeholders = [":version_id" if c.name == "id" else f"CAST(:{c.name} AS jsonb)" if isinstance(c.type, JSONB)
                    else f":{c.name}" for c in table.columns]
    return (f"INSERT INTO submission_version ({', '.join(c.name for c in table.columns)})\n"
            f"    VALUES ({', '.join(placeholders)})")


INSERT_VERSION_SQL = _version_insert()
_VERSION_CTE = f"\nversion AS (\n    {INSERT_VERSION_SQL}\n)"
# A version of a form assessment does not read, and its event (queries.events), in one statement.
INSERT_VERSION_AND_EVENT = text(f"WITH {_VERSION_CTE},{EVENT_CTE}\nSELECT 1")

_ASSESSMENT = """
assessment AS (
    INSERT INTO submission_assessment (submission_version_id, submission_id, project_id, xml_form_id, household_id,
        admin_code, surveyed_on, persons, insured, school_age, out_of_school, housing_unsafe, water_unsafe, flag_codes,
        is_draft, location)
    VALUES (:version_id, :submission_id, :project_id, :xml_form_id, :household_id, :admin_code, :surveyed_on,
        :persons, :insured, :school_age, :out_of_school, :housing_unsafe, :water_unsafe, :flag_codes, :is_draft,
        CAST(:location AS geometry))
)"""
# A screening's persons (:person_idnos) become its household's: numbers it no longer lists go, new ones come
# (two CTEs that never touch the same row, so neither hides the other's change in the one snapshot). Only
# if it is the household's latest screening (README: "in its latest screening"), by survey date and then
# arrival (the version id), as coverage takes a household's latest: an older visit synced late does not
# replace the persons of a newer one. The household's other screenings are found through
# submission.household_id's index; a household has a few.
_LATEST_SCREENING = """NOT CAST(:is_draft AS boolean) AND NOT EXISTS (
        SELECT FROM submission s JOIN submission_assessment a ON a.submission_version_id = s.current_version_id
        WHERE s.household_id = CAST(:household_id AS bigint) AND s.id <> :submission_id AND s.deleted_at IS NULL
            AND a.xml_form_id = :xml_form_id AND NOT a.is_draft
            AND (a.surveyed_on, a.submission_version_id) > (CAST(:surveyed_on AS date), :version_id))"""
_PERSONS = f"""
persons_gone AS (
    DELETE FROM household_person
    WHERE household_id = :household_id AND source = 'screening' AND {_LATEST_SCREENING}
        AND idno <> ALL(CAST(:person_idnos AS varchar[]))
),
persons_new AS (
    INSERT INTO household_person (household_id, source, idno, project_id)
    SELECT :household_id, 'screening', idno, :project_id FROM unnest(CAST(:person_idnos AS varchar[])) AS idno
    WHERE CAST(:household_id AS bigint) IS NOT NULL AND {_LATEST_SCREENING}
    ON CONFLICT DO NOTHING
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
def store_statement(kept_form: str | None, with_version: bool):
    """The numbers and the flags of a submission version, and its household's row in the campaigns it
    falls in, in one statement (one round trip at ingest); `with_version` (at ingest): the version row
    itself and its event (queries.events) too. `kept_form` is the form id of a form coverage keeps
    (queries.coverage.KEPT_FORMS), else None."""
    ctes = ([_VERSION_CTE, EVENT_CTE] * with_version + [_ASSESSMENT] + upsert_ctes(kept_form)
            + [_PERSONS] * (kept_form == SCREENING))
    return text("WITH " + ",".join(ctes) + _FLAGS)
