"""The answers of one submission as the rules read them: by field name, members as a list.

Rules never depend on how a form groups its questions; field names are unique
in an XLSForm outside repeats, so a flat view is safe.
"""
from dataclasses import dataclass, field
from datetime import date


class Unreadable(ValueError):
    """An answer a rule needs is there but cannot be read (text where a number belongs)."""

    def __init__(self, name: str, value):
        super().__init__(f"{name}={value!r}")
        self.name = name
        self.value = value


@dataclass
class FormAnswers:
    values: dict
    repeats: dict[str, list[dict]] = field(default_factory=dict)

    @classmethod
    def from_nested(cls, answers: dict) -> "FormAnswers":
        values: dict = {}
        repeats: dict[str, list[dict]] = {}

        def walk(node: dict) -> None:
            for name, value in node.items():
                if isinstance(value, dict):
                    walk(value)
                elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
                    repeats[name] = [cls.from_nested(v).values for v in value]
                else:
                    values[name] = value

        walk(answers or {})
        return cls(values, repeats)

    @property
    def members(self) -> list[dict]:
        return self.repeats.get("member", [])

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value in (None, "") else str(value)

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
    """None when unanswered; the number when it is one; Unreadable otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Unreadable(name, value)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise Unreadable(name, value) from None
