"""Risk flags as lines on a page: one line per thing a reader can tell apart.

A rule may raise its code once per other household (person_in_two_households, for each household that
also lists one of this household's members). Each flag names its household in its inputs, which
household_record strips for a reader whose places do not hold that household's village (FlagView.other_hidden);
a page names it (and links it) where it is kept, and says once how many households there are where it was
stripped, instead of repeating one sentence that reads the same. Flags that never named a household are a
line each: two visits (a screening and a housing inspection) may say the same of one household.
"""
from dataclasses import dataclass

from ..services.registry.household_record import FlagView
from . import bp


@dataclass(frozen=True)
class FlagLine:
    flag: FlagView               # the first of its kind
    other_household: str | None  # the household it names, when the reader may know it
    times: int                   # how many flags read as this line


@bp.app_template_filter("flag_lines")
def flag_lines(flags: list[FlagView]) -> list[FlagLine]:
    """FlagViews -> FlagLines in their first order; flags of one rule, code and explanation whose other
    household is hidden from the reader are one line, counting those households."""
    lines: dict[object, FlagLine] = {}
    for n, flag in enumerate(flags):
        other = (flag.inputs or {}).get("other_household")
        key = (flag.rule, flag.code, flag.explanation_zh, flag.explanation_en) if flag.other_hidden else n
        seen = lines.get(key)
        lines[key] = FlagLine(seen.flag, other, seen.times + 1) if seen else FlagLine(flag, other, 1)
    return list(lines.values())
