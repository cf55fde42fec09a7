"""Place scope in SQL: rows whose place code starts with one of the caller's prefixes.

Every read of households, submissions, flags, coverage, tiles and exports goes through here,
so what a township's supervisor reads is cut in the database, never filtered in Python.
"""
from sqlalchemy import ColumnElement, String, exists, false, func, literal, true
from sqlalchemy.dialects.postgresql import ARRAY

from ..models import Household, Submission


def patterns(places: tuple[str, ...]) -> list[str]:
    """LIKE patterns for code prefixes ('420102001' -> '420102001%'). Raises ValueError for a
    prefix that is not all ASCII digits (it would not be a place, and could be a wildcard)."""
    for prefix in places:
        if not (prefix.isascii() and prefix.isdigit()):
            raise ValueError(f"not a place code prefix: {prefix!r}")
    return [prefix + "%" for prefix in places]


def within(column: ColumnElement, places: tuple[str, ...] | None) -> ColumnElement[bool]:
    """SQL condition: `column` (a place code) lies within `places` (None: anywhere; (): nowhere).
    A row with no place (NULL) is within no limited scope."""
    if places is None:
        return true()
    if not places:
        return false()
    return column.op("LIKE", is_comparison=True)(func.any(literal(patterns(places), ARRAY(String))))


def sql_patterns(places: tuple[str, ...] | None) -> list[str] | None:
    """The `:places` parameter of a text() statement that filters with
    `(CAST(:places AS text[]) IS NULL OR code LIKE ANY(CAST(:places AS text[])))`."""
    return None if places is None else patterns(places)


def submission_within(places: tuple[str, ...] | None) -> ColumnElement[bool]:
    """SQL condition on Submission: made within `places`, and, when it is about a registered household,
    that household registered within them too. A submission made in one village about a household of
    another carries that household's registry data (its flags quote last year's income): only a reader
    who covers both sees it."""
    if places is None:
        return true()
    household_within = exists().where(Household.id == Submission.household_id, within(Household.admin_code, places))
    return within(Submission.admin_code, places) & (Submission.household_id.is_(None) | household_within)
