"""Risk rules as pure functions: (form, answers, household record, ruleset) -> flags.

They flag; they never decide. Identification stays a human procedure (§8.5).
"""
from .answers import FormAnswers
from .consistency import category_rule, data_quality_rules
from .flags import Flag
from .income import income_rules
from .living import housing_rules, screening_living_rules, water_rules
from .members import member_rules
from .ruleset import Ruleset, RulesetInvalid, parse_ruleset

# Which rules read which form.
SCREENING, HOUSING, WATER, SELF_REPORT = "fpf_hh_screening", "fpf_housing", "fpf_water", "fpf_self_report"
RULED_FORMS = (SCREENING, HOUSING, WATER)


def evaluate(xml_form_id: str, answers: dict, household: dict | None, ruleset: Ruleset) -> list[Flag]:
    """Every flag the rules raise for one submission's typed answers."""
    view = FormAnswers.from_nested(answers)
    if xml_form_id == SCREENING:
        return (income_rules(view, household, ruleset) + member_rules(view, ruleset)
                + screening_living_rules(view) + category_rule(view, household) + data_quality_rules(view))
    if xml_form_id == HOUSING:
        return housing_rules(view) + data_quality_rules(view)
    if xml_form_id == WATER:
        return water_rules(view, ruleset)
    return []


__all__ = ["Flag", "Ruleset", "RulesetInvalid", "RULED_FORMS", "evaluate", "parse_ruleset"]
