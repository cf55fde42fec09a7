"""The answers of one submission as the rules read them: by field name, members as a list.

Rules never depend on how a form groups its questions; field names are unique
in an XLSForm outside repeats, so a flat view is safe.
"""
from dataclasses import dataclass, field
from datetime import date

from ..numbers import NotANumber, usable_number

SHOWN_CHARACTERS = 60     # of an unreadable answer, in a flag's explanation and inputs


class Unreadable(ValueError):
    """An answer a rule needs is there but cannot be read (text where a number belongs, inf, nan,
    a number beyond ±2**53-1). `value` is the answer as text, shortened: flags keep it as the
    rule saw it, and a number JSON cannot hold must not reach a flag's inputs as a number."""

    def __init__(self, name: str, value):
        text = str(value)
        self.name = name
        self.value = text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"
        super().__init__(f"{name}={self.value!r}")


@dataclass
class FormAnswers:
    values: dict
    repeats: dict[str, list[dict]] = field(default_factory=dict)
    ambiguous: frozenset[str] = frozenset()     # names given more than once, read as no answer

    @classmethod
    def from_nested(cls, answers: dict) -> "FormAnswers":
        """The answers by field name, groups flattened (XLSForm names are unique within a form). A name
        found twice (an element the form does not have, added beside its own: the attack test made a
        second <village> count over the form's) is ambiguous: read as no answer, and listed."""
        values: dict = {}
        repeats: dict[str, list[dict]] = {}
        ambiguous: set[str] = set()

        def walk(node: dict) -> None:
            for name, value in node.items():
                if isinstance(value, dict):
                    walk(value)
                elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
                    repeats[name] = [cls.from_nested(v).values for v in value]
                elif name in values or name in ambiguous:
                    ambiguous.add(name)
                else:
                    values[name] = value

        walk(answers or {})
        for name in ambiguous:
            values.pop(name, None)
        return cls(values, repeats, frozenset(ambiguous))

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
        for name in ("survey_date", "today"):
            value = self.values.get(name)
            if value:
                try:
                    return date.fromisoformat(str(value)[:10])
                except ValueError:
                    continue
        return None


def number(name: str, value) -> float | None:
    """None when unanswered; the number when it is a usable one (finite, within ±2**53-1, see
    app.core.numbers); Unreadable otherwise. Text answers (calculate fields such as m_age) are read
    as XML Schema decimals: 'inf', 'nan', '1e400' and '1_000' are unreadable, not numbers."""
    if value is None or value == "":
        return None
    try:
        return usable_number(value)
    except NotANumber:
        raise Unreadable(name, value) from None
