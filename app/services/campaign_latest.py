"""Each household's latest submission of each campaign form, kept ready for coverage.

Ingest upserts the row of every campaign a submission falls in (same statement as its
assessment): a row is replaced only by a submission surveyed later, or the same day and
received later, so concurrent submissions for one household end in the same state whatever
order they commit in. What ingest cannot do incrementally (an edit that moves a submission
out of a window or to another household, a recompute, a new campaign) rebuilds the rows
concerned from submission_assessment, which holds the truth.

Every change is noted in campaign_change (or, for whole campaigns, by dropping their village
numbers), so coverage knows which villages to add up again.
"""
from sqlalchemy import text
from sqlalchemy.engine import Connection

_COLUMNS = """campaign_id, xml_form_id, household_id, submission_version_id, surveyed_on, village,
    persons, insured, school_age, out_of_school, housing_unsafe, water_unsafe, flag_codes"""
_TAKE_NEW = """submission_version_id = excluded.submission_version_id, surveyed_on = excluded.surveyed_on,
    village = excluded.village, persons = excluded.persons, insured = excluded.insured,
    school_age = excluded.school_age, out_of_school = excluded.out_of_school,
    housing_unsafe = excluded.housing_unsafe, water_unsafe = excluded.water_unsafe, flag_codes = excluded.flag_codes"""

# A CTE for the ingest statement, with the assessment's own parameters.
UPSERT_CTE = f"""
latest AS (
    INSERT INTO campaign_latest ({_COLUMNS})
    SELECT c.id, :xml_form_id, :household_id, :version_id, :surveyed_on, :household_village,
        :persons, :insured, :school_age, :out_of_school, :housing_unsafe, :water_unsafe, :flag_codes
    FROM campaign c
    WHERE c.project_id = :project_id AND CAST(:xml_form_id AS varchar) = ANY(c.form_ids)
      AND CAST(:surveyed_on AS date) BETWEEN c.starts_on AND c.ends_on
      AND CAST(:household_id AS bigint) IS NOT NULL AND NOT CAST(:is_draft AS boolean)
    ON CONFLICT (campaign_id, xml_form_id, household_id) DO UPDATE SET {_TAKE_NEW}
    WHERE (campaign_latest.surveyed_on, campaign_latest.submission_version_id)
        <= (excluded.surveyed_on, excluded.submission_version_id)
    RETURNING campaign_id, village
), noted AS (
    INSERT INTO campaign_change (campaign_id, village) SELECT campaign_id, village FROM latest
)"""

# Rebuilding is two statements: the rows of a scope go, then that scope's latest assessments come back.
_FORGET = "DELETE FROM campaign_latest l USING campaign c WHERE c.id = l.campaign_id AND c.project_id = :project_id"
_RECALL = f"""
INSERT INTO campaign_latest ({_COLUMNS})
SELECT DISTINCT ON (c.id, a.xml_form_id, a.household_id)
    c.id, a.xml_form_id, a.household_id, a.submission_version_id, a.surveyed_on, h.admin_code,
    a.persons, a.insured, a.school_age, a.out_of_school, a.housing_unsafe, a.water_unsafe, a.flag_codes
FROM campaign c
JOIN submission_assessment a ON a.project_id = c.project_id AND a.xml_form_id = ANY(c.form_ids)
    AND a.surveyed_on BETWEEN c.starts_on AND c.ends_on AND a.household_id IS NOT NULL AND NOT a.is_draft
JOIN household h ON h.id = a.household_id
WHERE c.project_id = :project_id"""
_ORDER = " ORDER BY c.id, a.xml_form_id, a.household_id, a.surveyed_on DESC, a.submission_version_id DESC"
_FORGET_VILLAGES = """
DELETE FROM campaign_village v USING campaign c WHERE c.id = v.campaign_id AND c.project_id = :project_id"""
_NOTE = """
WITH touched AS ({statement} RETURNING {columns})
INSERT INTO campaign_change (campaign_id, village) SELECT DISTINCT campaign_id, village FROM touched"""
_HOUSEHOLDS_FORGET = _FORGET + " AND l.household_id = ANY(:households)"
# Their assessments are found through submission.household_id, which is indexed.
_HOUSEHOLDS_RECALL = _RECALL + """
    AND a.submission_id IN (SELECT s.id FROM submission s WHERE s.household_id = ANY(:households))""" + _ORDER
_STATEMENTS = {
    # Whole campaigns: their village numbers are dropped and added up afresh when next read.
    "project": [text(_FORGET), text(_RECALL + _ORDER), text(_FORGET_VILLAGES)],
    "campaign": [text(_FORGET + " AND c.id = :campaign_id"), text(_RECALL + " AND c.id = :campaign_id" + _ORDER),
                 text(_FORGET_VILLAGES + " AND c.id = :campaign_id")],
    # A few households: noted as changed, so only their villages are added up again.
    "households": [text(_NOTE.format(statement=_HOUSEHOLDS_FORGET, columns="l.campaign_id, l.village")),
                   text(_NOTE.format(statement=_HOUSEHOLDS_RECALL, columns="campaign_id, village"))],
}


def _rebuild(conn: Connection, scope: str, params: dict) -> None:
    for statement in _STATEMENTS[scope]:
        conn.execute(statement, params)


def rebuild_project(conn: Connection, project_id: int) -> None:
    """Every campaign of a project, after its assessments were recomputed."""
    _rebuild(conn, "project", {"project_id": project_id})


def rebuild_campaign(conn: Connection, project_id: int, campaign_id: int) -> None:
    """One campaign, e.g. just created over submissions already in."""
    _rebuild(conn, "campaign", {"project_id": project_id, "campaign_id": campaign_id})


_MOVE_HOUSEHOLDS = text("""
UPDATE campaign_latest l SET village = h.admin_code FROM household h
WHERE h.id = l.household_id AND h.project_id = :project_id AND l.village <> h.admin_code
""")


def forget_coverage(conn: Connection, project_id: int) -> None:
    """The registry changed: households follow their villages, and every campaign's village numbers are
    added up afresh when next read."""
    conn.execute(_MOVE_HOUSEHOLDS, {"project_id": project_id})
    conn.execute(text(_FORGET_VILLAGES), {"project_id": project_id})


def rebuild_households(conn: Connection, project_id: int, household_ids: set[int]) -> None:
    """The rows of some households, after an edit replaced one of their submissions."""
    if household_ids:
        _rebuild(conn, "households", {"project_id": project_id, "households": sorted(household_ids)})
