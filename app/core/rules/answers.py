"""The answers of one submission as the rules read them: by field name, members as a list.

Rules never depend on how a form groups its questions; field names are unique
in an XLSForm outside repeats, so a flat view is safe.
"""
import re
from dataclasses import dataclass, field
from datetime import date

from .. import idcard
from ..numbers import NotANumber, usable_number
from .codes import CHOICES, DATES, MULTIPLE, RANGES

SHOWN_CHARACTERS = 60     # of an unreadable answer, in a flag's explanation and inputs


class Unreadable(ValueError):
    """An answer a rule needs is there but cannot be read (text where a number belongs, inf, nan,
    a number beyond ±2**53-1). `value` is the answer as text, shortened: flags keep it as the
    rule saw it, and a number JSON cannot hold must not reach a flag's inputs as a number."""

    def __init__(self, name: str, value):
        self.name = name
        self.value = shown(value)
        super().__init__(f"{name}={self.value!r}")


def shown(value) -> str:
    """An answer as a flag shows it: as text, shortened."""
    text = str(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"


@dataclass(frozen=True)
class Unread:
    """An answer set aside as unreadable (codes.py): its field, the answer as text (shortened), and the
    member's position (from 1) for a member's answer."""
    field: str
    value: str
    member: int | None = None


@dataclass
class FormAnswers:
    values: dict
    repeats: dict[str, list[dict]] = field(default_factory=dict)
    ambiguous: frozenset[str] = frozenset()     # names given more than once, read as no answer
    # Answers a rule reads that are none of the codes, dates it knows (codes.py): set aside, so no rule reads
    # them, and named by a data-quality flag (inputs.missing_inputs).
    unreadable: tuple[Unread, ...] = ()

    @classmethod
    def from_nested(cls, answers: dict) -> "FormAnswers":
        """The answers by field name, groups flattened (XLSForm names are unique within a form). A name
        found twice (an element the form does not have, added beside its own: the attack test made a
        second <village> count over the form's) is ambiguous: read as no answer, and listed; so is a single
        answer a rule reads given twice in place (instance parsing keeps it as a list). A choice or date a rule
        reads that it cannot read (codes.py) is set aside, in `unreadable`: the household's, and each
        member's with the member's position (a member's answer given twice in place among them)."""
        values, repeats, ambiguous = _flattened(answers)
        ambiguous |= {name for name, value in values.items() if _given_twice(name, value)}
        values = {name: value for name, value in values.items() if name not in ambiguous}
        values, unreadable = _set_aside(values)
        members = []
        for position, member in enumerate(repeats.get("member", []), start=1):
            member, unread = _set_aside(member, position)
            members.append(member)
            unreadable += unread
        if "member" in repeats:
            repeats["member"] = members
        return cls(values, repeats, frozenset(ambiguous), tuple(unreadable))

    @property
    def members(self) -> list[dict]:
        return self.repeats.get("member", [])

    def text(self, name: str) -> str | None:
        """A single answer as text; None if missing, empty, or several (an element repeated in place,
        which instance parsing keeps as a list)."""
        value = self.values.get(name)
        return None if value in (None, "") or isinstance(value, list) else str(value)

    def number(self, name: str) -> float | None:
        return number(name, self.values.get(name))

    def choices(self, name: str) -> list[str]:
        value = self.values.get(name)
        if value is None:
            return []
        return value if isinstance(value, list) else str(value).split()

    def survey_date(self) -> date | None:
        """The visit's date (survey_date, else the device's `today`); None if neither is a date (an unreadable
        survey_date was set aside, and is flagged)."""
        for name in ("survey_date", "today"):
            if (day := read_date(self.values.get(name))) is not None:
                return day
        return None

    @property
    def persons(self) -> list[dict]:
        """The members, each person once: a member whose ID number (idcard.normalise) an earlier member of the
        same screening gives is the same person listed twice (R22 flags it), not one more mouth: it would halve
        the per-capita income and guess R1 (issue 17)."""
        seen: set[str] = set()
        persons = []
        for member in self.members:
            idno = idcard.normalise(member.get("m_idno"))
            if idno is None or idno not in seen:
                persons.append(member)
            if idno is not None:
                seen.add(idno)
        return persons


def number(name: str, value) -> float | None:
    """None when unanswered; the number when it is a usable one (finite, within ±2**53-1, see
    app.core.numbers) within the range the form allows it (codes.RANGES); Unreadable otherwise. Text
    answers (calculate fields such as m_age) are read as XML Schema decimals: 'inf', 'nan', '1e400' and
    '1_000' are unreadable, not numbers; so are -50000 yuan of wages and 99 months of work in 12."""
    if value is None or value == "":
        return None
    try:
        found = usable_number(value)
    except NotANumber:
        raise Unreadable(name, value) from None
    low, high = RANGES.get(name, (None, None))
    if (low is not None and found < low) or (high is not None and found > high):
        raise Unreadable(name, value)
    return found


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def read_date(value) -> date | None:
    """An XForm date (YYYY-MM-DD, as Collect writes it), None for anything else: not 20261120, which Python's
    date.fromisoformat would take, nor 2026-02-30."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _readable(name: str, value) -> bool:
    """Whether an answer a rule reads is one it can read (codes.py); any other answer can be."""
    if name in CHOICES:
        return isinstance(value, str) and value in CHOICES[name]
    if name in MULTIPLE:
        chosen = value.split() if isinstance(value, str) else value
        return isinstance(chosen, list) and all(isinstance(c, str) and c in MULTIPLE[name] for c in chosen)
    if name in DATES:
        return read_date(value) is not None
    return True


def _given_twice(name: str, value) -> bool:
    """A single answer a rule reads (a select_one, a date, a select_multiple's list) given more than once."""
    if not isinstance(value, list):
        return False
    return name in CHOICES or name in DATES or (name in MULTIPLE and any(isinstance(v, list) for v in value))


def _set_aside(values: dict, member: int | None = None) -> tuple[dict, list[Unread]]:
    """The answers without those a rule cannot read, and those (blank ones are missing, not unreadable)."""
    unread = [Unread(name, shown(value), member) for name, value in values.items()
              if value not in (None, "", []) and not _readable(name, value)]
    if not unread:
        return values, []
    aside = {u.field for u in unread}
    return {name: value for name, value in values.items() if name not in aside}, unread


def _flattened(answers: dict) -> tuple[dict, dict[str, list[dict]], set[str]]:
    """The answers by name, the repeats' entries (each flattened), and the names found more than once (dropped
    from the answers)."""
    values: dict = {}
    repeats: dict[str, list[dict]] = {}
    ambiguous: set[str] = set()

    def walk(node: dict) -> None:
        for name, value in node.items():
            if isinstance(value, dict):
                walk(value)
            elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
                repeats[name] = [_flattened(v)[0] for v in value]
            elif name in values or name in ambiguous:
                ambiguous.add(name)
            else:
                values[name] = value

    walk(answers or {})
    for name in ambiguous:
        values.pop(name, None)
    return values, repeats, ambiguous
