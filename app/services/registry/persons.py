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
BATCH = 5000


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
    the caller's transaction; returns how many rows were written."""
    chosen = select(Household.id, Household.head_idno, Household.members).where(Household.project_id == project_id)
    if household_codes is not None:
        codes = list(household_codes)
        if not codes:
            return 0
        chosen = chosen.where(Household.household_code.in_(codes))
    households = conn.execute(chosen).all()
    ids = [h.id for h in households]
    for start in range(0, len(ids), BATCH):
        conn.execute(delete(HouseholdPerson).where(HouseholdPerson.source == REGISTRY,
                                                   HouseholdPerson.household_id.in_(ids[start:start + BATCH])))
    rows = [{"household_id": h.id, "source": REGISTRY, "idno": idno, "project_id": project_id}
            for h in households for idno in household_idnos(h.head_idno, h.members)]
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(HouseholdPerson).values(rows[start:start + BATCH]).on_conflict_do_nothing())
    return len(rows)


def forget_screening_persons(conn: Connection, project_id: int) -> None:
    """Drop every screening's persons of the project (`rules recompute` writes them again, screening by
    screening in the order they arrived, so that each finds only those before it, as at ingest)."""
    conn.execute(delete(HouseholdPerson).where(HouseholdPerson.project_id == project_id,
                                               HouseholdPerson.source == SCREENING))
