"""Each household's persons by ID number (models.HouseholdPerson), kept for R22 "person in two households".

A household lists its persons twice over: the registry's head and members (written at registry import,
and again by `rules recompute`), and those of its latest screening (written with the screening's
assessment, in the same statement: queries.assessment). A screening whose members hold a number another
household lists is flagged at ingest (services.monitoring.assess); the registry's own overlaps are reported
by the import. Numbers are compared normalised (core.idcard.normalise: no spaces, upper-case X).
"""
from collections.abc import Iterable

from sqlalchemy import delete, func, select, text
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
    65,535 parameters a statement may have); returns how many persons they list. A person the registry
    already listed keeps the time it was first listed (HouseholdPerson.since); one it lists anew is listed
    from now, at an import, or from when the household was registered, for what `rules recompute` finds
    missing (a database from before issue 17)."""
    chosen = select(Household.id, Household.head_idno, Household.members).where(Household.project_id == project_id)
    if household_codes is None:
        batches = [conn.execute(chosen.order_by(Household.id)).all()]
        since = None
    else:
        codes = list(household_codes)
        batches = [conn.execute(chosen.where(Household.household_code.in_(codes[start:start + BATCH]))).all()
                   for start in range(0, len(codes), BATCH)]
        since = conn.execute(select(func.now())).scalar()
    written = 0
    for households in batches:
        for start in range(0, len(households), BATCH):
            part = households[start:start + BATCH]
            rows = [(h.id, idno) for h in part for idno in household_idnos(h.head_idno, h.members)]
            # Three arrays a statement, whatever the number of households and persons.
            conn.execute(_REGISTRY_PERSONS, {"project_id": project_id, "batch": [h.id for h in part],
                                             "households": [r[0] for r in rows], "idnos": [r[1] for r in rows],
                                             "since": since})
            written += len(rows)
    return written


# The registry's persons of a batch of households (:batch): those no longer listed go, new ones come with the
# time they are first listed (:since, else the household's registration); the rest are left as they are. Two
# CTEs that never touch the same row.
_REGISTRY_PERSONS = text("""
WITH wanted AS (
    SELECT * FROM unnest(CAST(:households AS bigint[]), CAST(:idnos AS varchar[])) AS w(household_id, idno)
), gone AS (
    DELETE FROM household_person p
    WHERE p.source = 'registry' AND p.household_id = ANY(CAST(:batch AS bigint[]))
        AND NOT EXISTS (SELECT FROM wanted w WHERE w.household_id = p.household_id AND w.idno = p.idno)
)
INSERT INTO household_person (household_id, source, idno, project_id, since)
SELECT w.household_id, 'registry', w.idno, :project_id, coalesce(CAST(:since AS timestamptz), h.created_at)
FROM wanted w JOIN household h ON h.id = w.household_id
ON CONFLICT DO NOTHING
""")


def forget_screening_persons(conn: Connection, project_id: int) -> None:
    """Drop every screening's persons of the project (`rules recompute` writes them again, screening by
    screening in the order they arrived, so that each finds only those before it, as at ingest)."""
    conn.execute(delete(HouseholdPerson).where(HouseholdPerson.project_id == project_id,
                                               HouseholdPerson.source == SCREENING))
