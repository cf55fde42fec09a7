"""Each household's standing in each campaign: its latest submission of each monitoring form.

One row per campaign and household, with a group of columns per form (screening, housing,
water), so coverage adds up one row per household without joining forms.

Ingest upserts the row of every campaign a submission falls in (same statement as its
assessment): a form's columns are replaced only by a submission of that form surveyed later,
or the same day and received later, so concurrent submissions for one household end in the
same state whatever order they commit in. What ingest cannot do incrementally (an edit that
moves a submission out of a window or to another household, a recompute, a new campaign)
rebuilds the rows concerned from submission_assessment, which holds the truth.

Every change is noted in campaign_change (or, for whole campaigns, by dropping their village
numbers), so coverage knows which villages to add up again.
"""
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from ...core.rules import HOUSING, SCREENING, WATER


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
        "screening_housing_unsafe": "housing_unsafe", "screening_water_unsafe": "water_unsafe"}),
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
_PARAMS = {"submission_version_id": ":version_id"}


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


_FORGET_VILLAGES = """
DELETE FROM campaign_village v USING campaign c WHERE c.id = v.campaign_id AND c.project_id = :project_id"""
_NOTE = "WITH touched AS ({statement} RETURNING {columns})\n" + note_villages(
    "SELECT DISTINCT campaign_id, village FROM touched")
_CAMPAIGN = " AND c.id = :campaign_id"
# Their assessments are found through submission.household_id, which is indexed.
_HOUSEHOLDS = " AND a.submission_id IN (SELECT s.id FROM submission s WHERE s.household_id = ANY(:households))"
_STATEMENTS = {
    # Whole campaigns: their village numbers are dropped and added up afresh when next read.
    "project": [text(_FORGET), text(_recall("")), text(_FORGET_VILLAGES)],
    "campaign": [text(_FORGET + _CAMPAIGN), text(_recall(_CAMPAIGN)), text(_FORGET_VILLAGES + _CAMPAIGN)],
    # A few households: noted as changed, so only their villages are added up again.
    "households": [
        text(_NOTE.format(statement=_FORGET + " AND l.household_id = ANY(:households)",
                          columns="l.campaign_id, l.village")),
        text(_NOTE.format(statement=_recall(_HOUSEHOLDS), columns="campaign_id, village"))],
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
UPDATE campaign_household l SET village = h.admin_code FROM household h
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
