"""Every input a rule reads, left blank where the form asks it: a data flag `input_missing` that names the
rule, the field and (for a member's answer) the member, and never a risk flag guessed from the blank
(issue 17). Each case starts from a complete submission in which the rule would judge, then blanks one
answer."""
import pytest

from app.core.rules import evaluate
from app.core.rules.answers import FormAnswers
from app.core.rules.metrics import household_metrics
from tests.support.rules import RS, member, screening

SCREENING, HOUSING, WATER = "fpf_hh_screening", "fpf_housing", "fpf_water"


def _missing(form, answers, household=None):
    """(rule, field, members) of each input_missing flag, and the codes of every other flag."""
    flags = evaluate(form, answers, household, RS)
    missing = sorted((f.rule, f.inputs["field"], tuple(f.inputs.get("members", ()))) for f in flags
                     if f.code == "input_missing")
    return missing, {f.code for f in flags if f.code != "input_missing"}


def _blank(answers: dict, field: str) -> dict:
    for group in answers.values():
        if isinstance(group, dict) and field in group:
            group[field] = None
    return answers


# Form A, the household's answers: (field, the rule named, answers in which the rule would judge, risk codes
# the blank must not raise).
LOW_INCOME = {"inc_wage": 10000.0}                  # 5,000 a person: below the line when all parts are given
HOUSEHOLD_CASES = [
    ("inc_wage", "R1", {}, {"income_below_line", "income_watch_10k"}),
    ("inc_biz", "R1", LOW_INCOME, {"income_below_line"}),
    ("exp_biz", "R1", LOW_INCOME, {"income_below_line"}),
    ("inc_prop", "R1", LOW_INCOME, {"income_below_line"}),
    ("inc_trans", "R1", LOW_INCOME, {"income_below_line"}),
    ("exp_med", "R4", {"inc_wage": 16000.0}, {"medical_high", "rigid_expense"}),
    ("exp_edu", "R4", {}, {"rigid_expense"}),
    ("loss_disaster", "R4", {}, {"rigid_expense"}),
    ("poverty_status", "R2", {"inc_wage": 18000.0}, {"income_watch_10k"}),
    ("house_status", "R8", {}, {"housing_unsafe"}),
    ("water_issue", "R9", {}, {"water_check_needed"}),
    ("food_ok", "R14", {}, {"basic_needs"}),
    ("cloth_ok", "R14", {}, {"basic_needs"}),
    ("proposed_cat", "R19", {}, {"category_inconsistent"}),
]


@pytest.mark.parametrize("field,rule,given,not_guessed", HOUSEHOLD_CASES, ids=[c[0] for c in HOUSEHOLD_CASES])
def test_a_blank_household_answer_is_named_and_not_guessed(field, rule, given, not_guessed):
    answers = _blank(screening(**given), field)
    missing, raised = _missing(SCREENING, answers)
    assert missing == [(rule, field, ())]
    assert not raised & not_guessed


def test_the_registrys_status_serves_when_the_answer_is_blank():
    answers = _blank(screening(inc_wage=10000.0), "poverty_status")
    missing, raised = _missing(SCREENING, answers, {"poverty_status": "lifted"})
    assert missing == [] and {"income_below_line", "income_watch_10k"} <= raised
    # Neither says: R1 still holds (income is known) but suggests no category.
    [below] = [f for f in evaluate(SCREENING, answers, None, RS) if f.code == "income_below_line"]
    assert below.inputs["suggested_category"] is None and "农户属性未填写" in below.explanation_zh


def test_given_rigid_spending_already_past_the_income_is_flagged_with_a_part_blank():
    # The parts given are a floor: 30,001 of losses exceed a net income of 30,000 whatever exp_edu is.
    answers = _blank(screening(inc_wage=30000.0, loss_disaster=30001.0), "exp_edu")
    missing, raised = _missing(SCREENING, answers)
    assert missing == [("R4", "exp_edu", ())] and "rigid_expense" in raised


# A member's answers: (field, rule, the member as the rule would judge them, risk codes not to guess).
CHILD = {"m_relation": "son", "m_age": 10, "m_labor": "none", "m_work": None, "m_work_months": None}
MEMBER_CASES = [
    ("m_age", "R6", {**CHILD, "m_school": "dropout", "m_oos_reason": "work"}, {"edu_dropout"}),
    ("m_school", "R6", {**CHILD, "m_school": "dropout", "m_oos_reason": "work"}, {"edu_dropout"}),
    ("m_oos_reason", "R6", {**CHILD, "m_school": "dropout", "m_oos_reason": "work"}, {"edu_dropout"}),
    # The case: the spouse's medical insurance left blank.
    ("m_med_ins", "R7", {"m_relation": "spouse", "m_med_ins": "none"}, {"no_med_ins"}),
    ("m_labor", "R10", {"m_relation": "spouse", "m_labor": "lost", "m_work": None, "m_work_months": None},
     {"no_labor"}),
    ("m_work", "R11", {"m_relation": "spouse", "m_work": "none", "m_work_months": None}, {"no_worker"}),
    # The case: a labourer working in the county whose months are blank.
    ("m_work_months", "R11", {"m_relation": "spouse", "m_work": "county", "m_work_months": 2}, {"no_worker"}),
    ("m_idno", "R22", {"m_relation": "spouse", "m_noid": "no", "m_idno": "420102198001010011"}, set()),
]


@pytest.mark.parametrize("field,rule,judged,not_guessed", MEMBER_CASES, ids=[c[0] for c in MEMBER_CASES])
def test_a_blank_member_answer_names_the_member_and_is_not_guessed(field, rule, judged, not_guessed):
    # The head can work but has not (R11 turns on the second member); the second member is judged as given.
    head = member(m_work="none", m_work_months=None) if rule in ("R10", "R11") else member()
    if rule == "R10":
        head = member(m_labor="none", m_work=None, m_work_months=None)
    second = member(**judged)
    complete = screening(members=[head, dict(second)])
    _, raised_when_complete = _missing(SCREENING, complete)
    assert raised_when_complete & not_guessed == not_guessed                 # the case does judge when given
    second[field] = None
    if field == "m_age":
        second["m_idno"] = None                                             # no way left to tell the age
    missing, raised = _missing(SCREENING, screening(members=[head, second]))
    assert (rule, field, (2,)) in missing
    assert not raised & not_guessed


def test_blank_work_months_of_a_working_member_are_not_read_as_a_full_year():
    # Before issue 17 a blank was read as 12 months: the one worker looked stably employed.
    worker = member(m_work="county", m_work_months=None)
    missing, raised = _missing(SCREENING, screening(members=[worker]))
    assert missing == [("R11", "m_work_months", (1,))] and "no_worker" not in raised


def test_answers_a_member_is_not_asked_are_not_needed():
    # An adult is not asked about school; someone who cannot work is not asked about work.
    adult = member(m_age=40, m_school=None)
    retired = member(m_relation="parent", m_age=70, m_labor="none", m_work=None, m_work_months=None)
    assert _missing(SCREENING, screening(members=[adult, retired]))[0] == []


# Form B, housing: (field, rule, answers in which the rule would judge, risk codes not to guess).
HOUSE = {"grade": "D", "grade_by": "technical", "key_group": "dibao", "only_house": "yes",
         "other_safe_house": "no", "servant_family": "no", "disaster": "no", "prior_reno": "no",
         "prior_rebuild": "no", "seismic7": "1", "ring_beam": "yes", "tie_col": "yes"}
HOUSING_CASES = [
    ("grade", "R8", {}, {"housing_unsafe", "renovation_eligible"}),
    *((name, "R8", {}, {"renovation_eligible"})
      for name in ("key_group", "only_house", "other_safe_house", "servant_family", "prior_reno", "prior_rebuild")),
    ("disaster", "R8", {"prior_reno": "yes", "disaster": "yes"}, {"renovation_eligible"}),
    ("seismic7", "R8b", {"ring_beam": "no"}, {"seismic_retrofit_candidate"}),
    ("ring_beam", "R8b", {"ring_beam": "no"}, {"seismic_retrofit_candidate"}),
    ("tie_col", "R8b", {"tie_col": "no"}, {"seismic_retrofit_candidate"}),
]


@pytest.mark.parametrize("field,rule,given,not_guessed", HOUSING_CASES, ids=[c[0] for c in HOUSING_CASES])
def test_a_blank_housing_answer_is_named_and_not_guessed(field, rule, given, not_guessed):
    complete = {**HOUSE, **given}
    assert _missing(HOUSING, complete) == ([], _missing(HOUSING, complete)[1])
    assert _missing(HOUSING, complete)[1] & not_guessed
    missing, raised = _missing(HOUSING, {**complete, field: None})
    assert missing == [(rule, field, ())]
    assert not raised & not_guessed


# Form C, water: every indicator given and met unless the case says; blanking one leaves R9 unjudged.
WATER_ANSWERS = {"supply_type": "well", "piped": "no", "qty_lpcd": 40.0, "scarce_area": "0", "fetch_min": 10,
                 "outage_days": 0, "drought_ok": "yes", "sensory": ["none"], "report": "yes", "report_pass": "pass"}
WATER_CASES = [
    ("qty_lpcd", {}), ("scarce_area", {"qty_lpcd": 25.0}), ("piped", {"piped": "yes", "fetch_min": None}),
    ("fetch_min", {}), ("outage_days", {}), ("drought_ok", {}), ("sensory", {}), ("report_pass", {}),
]


@pytest.mark.parametrize("field,given", WATER_CASES, ids=[c[0] for c in WATER_CASES])
def test_a_blank_water_answer_leaves_safety_unjudged(field, given):
    complete = {**WATER_ANSWERS, **given}
    if field == "scarce_area":
        complete["scarce_area"] = "1"                       # 25 L is enough in a scarce area only
    assert _missing(WATER, complete) == ([], set())
    blanked = {**complete, field: None}
    missing, raised = _missing(WATER, blanked)
    assert missing == [("R9", field, ())] and "water_unsafe" not in raised
    metrics = household_metrics(WATER, FormAnswers.from_nested(blanked), evaluate(WATER, blanked, None, RS), RS)
    assert metrics.water_unsafe is None                      # neither safe nor unsafe in the rates


def test_a_failed_indicator_is_unsafe_whatever_else_is_blank():
    missing, raised = _missing(WATER, {**WATER_ANSWERS, "qty_lpcd": 5.0, "sensory": None, "outage_days": None})
    assert "water_unsafe" in raised and {m[1] for m in missing} == {"sensory", "outage_days"}
