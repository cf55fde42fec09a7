"""Each household's persons by ID number (models.HouseholdPerson), kept for R22 "person in two households".

A household lists its persons twice over: the registry's head and members (written at registry import,
and again by `rules recompute`), and those of its latest screening (written with the screening's
assessment, in the same statement: queries.assessment). A screening whose members hold a number another
household lists is flagged at ingest (services.monitoring.assess); the registry's own overlaps are reported
by the import. Numbers are compared normalised (core.idcard.normalise: no spaces, upper-case X).
"""
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from ...core import idcard
from ...core.rules.answers import FormAnswers
from ...models import Household, HouseholdPerson

REGISTRY, SCREENING = "registry", "screening"
BATCH = 5000          # households (or rows) a statement


def screening_idnos(view: FormAnswers) -> list[str]:
    """The normalised ID numbers a screening lists: its head's and each member's, once each, sorted."""
    found = {idcard.normalise(view.text("head_idno"))}
    found |= {idcard.normalise(m.get("m_idno")) for m in view.members if not isinstance(m.get("m_idno"), list)}
    return sorted(n for n in found if n)


def household_idnos(head_idno, members) -> list[str]:
    """The normalised ID numbers of a registry record: its head's and those of its members
    ([{name, relation, idno}] as imported; anything else in the list is passed over)."""
    found = {idcard.normalise(head_idno)}
    found |= {idcard.normalise(m.get("idno")) for m in (members if isinstance(members, list) else [])
              if isinstance(m, dict)}
    return sorted(n for n in found if n)


def store_registry_persons(conn: Connection, project_id: int, household_codes: Iterable[str] | None = None) -> int:
    """Write again the registry's persons of the project's households `household_codes` (all when None), in
    the caller's transaction, BATCH households a statement (a county's import is 10^5 of them, past the
    65,535 parameters a statement may have); returns how many rows were written."""
    chosen = select(Household.id, Household.head_idno, Household.members).where(Household.project_id == project_id)
    if household_codes is None:
        batches = [conn.execute(chosen.order_by(Household.id)).all()]
    else:
        codes = list(household_codes)
        batches = [conn.execute(chosen.where(Household.household_code.in_(codes[start:start + BATCH]))).all()
                   for start in range(0, len(codes), BATCH)]
    written = 0
    for households in batches:
        for start in range(0, len(households), BATCH):
            part = households[start:start + BATCH]
            conn.execute(delete(HouseholdPerson).where(HouseholdPerson.source == REGISTRY,
                                                       HouseholdPerson.household_id.in_([h.id for h in part])))
            rows = [{"household_id": h.id, "source": REGISTRY, "idno": idno, "project_id": project_id}
                    for h in part for idno in household_idnos(h.head_idno, h.members)]
            # Four values a row: BATCH households of a few persons each stay far below the parameter limit.
            for first in range(0, len(rows), BATCH):
                conn.execute(insert(HouseholdPerson).values(rows[first:first + BATCH]).on_conflict_do_nothing())
            written += len(rows)
    return written


def forget_screening_persons(conn: Connection, project_id: int) -> None:
    """Drop every screening's persons of the project (`rules recompute` writes them again, screening by
    screening in the order they arrived, so that each finds only those before it, as at ingest)."""
    conn.execute(delete(HouseholdPerson).where(HouseholdPerson.project_id == project_id,
                                               HouseholdPerson.source == SCREENING))
