"""The numbers a submission contributes to 三保障 and drinking-water rates (§8.5).

Counted once per submission, so coverage roll-ups only add them up.
"""
from dataclasses import dataclass

from . import HOUSING, SCREENING, WATER
from .answers import FormAnswers
from .flags import Flag
from .members import member_age
from .ruleset import Ruleset


@dataclass(frozen=True)
class HouseholdMetrics:
    persons: int | None = None
    insured: int | None = None
    school_age: int | None = None
    out_of_school: int | None = None
    housing_unsafe: bool | None = None     # None: this form does not say
    water_unsafe: bool | None = None


def household_metrics(xml_form_id: str, answers: FormAnswers, flags: list[Flag], ruleset: Ruleset) -> HouseholdMetrics:
    codes = {f.code for f in flags}
    if xml_form_id == SCREENING:
        members = answers.persons          # one person listed twice is counted once
        on = answers.survey_date()
        ages = [member_age(m, on) for m in members]
        dropout = next((f for f in flags if f.code == "edu_dropout"), None)
        issues = answers.choices("water_issue")
        return HouseholdMetrics(
            persons=len(members),
            insured=sum(1 for m in members if m.get("m_med_ins") not in (None, "", "none")),
            school_age=sum(1 for a in ages if a is not None and ruleset.school_age_min <= a <= ruleset.school_age_max),
            out_of_school=len(dropout.inputs["children"]) if dropout else 0,
            housing_unsafe="housing_unsafe" in codes if answers.text("house_status") else None,
            water_unsafe=("water_check_needed" in codes) if issues else None)
    if xml_form_id == HOUSING:
        return HouseholdMetrics(housing_unsafe="housing_unsafe" in codes if answers.text("grade") else None)
    if xml_form_id == WATER:
        # Unsafe once an indicator fails; safe only when all four were judged (no blank, nothing unreadable).
        judged = "water_unsafe" in codes or not any(f.rule == "R9" and f.severity == "data" for f in flags)
        return HouseholdMetrics(water_unsafe=("water_unsafe" in codes) if judged else None)
    return HouseholdMetrics()
