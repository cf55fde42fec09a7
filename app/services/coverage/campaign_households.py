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
from sqlalchemy.engine import Connection

from ...queries.coverage import FORGET_CAMPAIGN_VILLAGES, MOVE_HOUSEHOLDS, REBUILD


def _rebuild(conn: Connection, scope: str, params: dict) -> None:
    for statement in REBUILD[scope]:
        conn.execute(statement, params)


def rebuild_project(conn: Connection, project_id: int) -> None:
    """Every campaign of a project, after its assessments were recomputed."""
    _rebuild(conn, "project", {"project_id": project_id})


def rebuild_campaign(conn: Connection, project_id: int, campaign_id: int) -> None:
    """One campaign, e.g. just created over submissions already in."""
    _rebuild(conn, "campaign", {"project_id": project_id, "campaign_id": campaign_id})


def forget_coverage(conn: Connection, project_id: int) -> None:
    """The registry changed: households follow their villages, and every campaign's village numbers are
    added up afresh when next read."""
    conn.execute(MOVE_HOUSEHOLDS, {"project_id": project_id})
    conn.execute(FORGET_CAMPAIGN_VILLAGES, {"project_id": project_id})


def rebuild_households(conn: Connection, project_id: int, household_ids: set[int]) -> None:
    """The rows of some households, after an edit replaced one of their submissions."""
    if household_ids:
        _rebuild(conn, "households", {"project_id": project_id, "households": sorted(household_ids)})
