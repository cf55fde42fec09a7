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
from .inputs import missing_inputs  # noqa: E402
from .living import housing_rules, screening_living_rules, water_rules  # noqa: E402
from .members import member_age, member_rules  # noqa: E402
from .ruleset import Ruleset, RulesetInvalid, parse_ruleset  # noqa: E402


def evaluate(xml_form_id: str, answers: dict | FormAnswers, household: dict | None, ruleset: Ruleset) -> list[Flag]:
    """Every flag the rules raise for one submission's typed answers (nested, or already a FormAnswers),
    and a data flag for each input a rule needs that is blank (inputs.missing_inputs)."""
    view = answers if isinstance(answers, FormAnswers) else FormAnswers.from_nested(answers)
    if xml_form_id == SCREENING:
        flags = (income_rules(view, household, ruleset) + member_rules(view, ruleset)
                 + screening_living_rules(view) + category_rule(view, household) + data_quality_rules(view))
    elif xml_form_id == HOUSING:
        flags = housing_rules(view) + data_quality_rules(view)
    elif xml_form_id == WATER:
        flags = water_rules(view, ruleset)
    else:
        return []
    on = view.survey_date()
    return flags + missing_inputs(xml_form_id, view, household, ruleset, age_of=lambda m: member_age(m, on))


__all__ = ["Flag", "FormAnswers", "Ruleset", "RulesetInvalid", "RULED_FORMS", "evaluate", "parse_ruleset"]
