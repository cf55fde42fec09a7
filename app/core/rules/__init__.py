"""Risk rules as pure functions: (form, answers, household record, ruleset) -> flags.

They flag; they never decide. Identification stays a human procedure (§8.5).
"""
# Which rules read which form.
SCREENING, HOUSING, WATER, SELF_REPORT = "fpf_hh_screening", "fpf_housing", "fpf_water", "fpf_self_report"
# Forms residents fill in themselves, opened from a public link: a device gets one only when assigned it.
RESIDENTS_FORMS = (SELF_REPORT,)
RULED_FORMS = (SCREENING, HOUSING, WATER)

from .answers import FormAnswers  # noqa: E402
from .consistency import category_rule, data_quality_rules  # noqa: E402
from .flags import Flag  # noqa: E402
from .income import income_rules  # noqa: E402
from .living import housing_rules, screening_living_rules, water_rules  # noqa: E402
from .members import member_rules  # noqa: E402
from .ruleset import Ruleset, RulesetInvalid, parse_ruleset  # noqa: E402


def evaluate(xml_form_id: str, answers: dict | FormAnswers, household: dict | None, ruleset: Ruleset) -> list[Flag]:
    """Every flag the rules raise for one submission's typed answers (nested, or already a FormAnswers)."""
    view = answers if isinstance(answers, FormAnswers) else FormAnswers.from_nested(answers)
    if xml_form_id == SCREENING:
        return (income_rules(view, household, ruleset) + member_rules(view, ruleset)
                + screening_living_rules(view) + category_rule(view, household) + data_quality_rules(view))
    if xml_form_id == HOUSING:
        return housing_rules(view) + data_quality_rules(view)
    if xml_form_id == WATER:
        return water_rules(view, ruleset)
    return []


__all__ = ["Flag", "FormAnswers", "Ruleset", "RulesetInvalid", "RULED_FORMS", "evaluate", "parse_ruleset"]
