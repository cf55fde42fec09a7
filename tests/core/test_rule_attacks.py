"""Attacks on issue 17 ("Rules say when they cannot read") with the pure rules: inputs a rule reads that are
missing or unreadable but raise no data flag, and risks guessed from answers the form would not allow.

Each test says what the issue asks: "Every input a rule reads, when missing or unreadable, gives a data-quality
flag that names the rule and the field ... and the rule does not guess"; "Unreadable answers are exactly this
issue: stored, flagged, never a crash and never a guessed risk flag." A test marked xfail is a finding.
"""
from datetime import date

import pytest

from app.core import idcard
from app.core.rules import evaluate
from app.core.rules.answers import FormAnswers
from app.core.rules.metrics import household_metrics
from app.services.coverage.campaigns import UnitCoverage
from tests.support.rules import RS, member, screening

SCREENING, HOUSING, WATER = "fpf_hh_screening", "fpf_housing", "fpf_water"


def _flags(form, answers, household=None):
    return evaluate(form, answers, household, RS)


def _data_flags(flags) -> list:
    """Every data-quality flag (input_missing, *_unreadable, answer_ambiguous, ...)."""
    return [f for f in flags if f.severity == "data"]


# --- 1. An answer given twice in place (a list) is read as no answer, and nothing says so -------------------

def test_food_given_twice_in_place_is_flagged():
    answers = screening()
    answers["lsb_g"]["food_ok"] = ["no", "no"]
    flags = _flags(SCREENING, answers)
    assert "basic_needs" in {f.code for f in flags} or any(
        f.code in ("input_missing", "answer_ambiguous") for f in _data_flags(flags))


def test_a_members_answer_given_twice_in_place_is_flagged():
    answers = screening(members=[member(), member(m_relation="spouse", m_med_ins=["none", "none"])])
    flags = _flags(SCREENING, answers)
    metrics = household_metrics(SCREENING, FormAnswers.from_nested(answers), flags, RS)
    assert "no_med_ins" in {f.code for f in flags} or _data_flags(flags)
    assert metrics.insured == 1


# --- 2. An input R5 reads with no input_missing ---------------------------------------------------------------

def test_a_blank_health_answer_is_named():
    answers = screening(members=[member(), member(m_relation="spouse", m_health=None)])
    missing = [f for f in _flags(SCREENING, answers) if f.code == "input_missing"]
    assert ("m_health", [2]) in [(f.inputs["field"], f.inputs.get("members")) for f in missing]


# --- 3. Answers that are no code of the form's choices are read as "not at risk" -----------------------------

WRONG_CODES = [
    # (form, answers, the code the rule would raise for the intended answer)
    ("m_med_ins=未参保", SCREENING, screening(members=[member(), member(m_relation="spouse", m_med_ins="未参保")]),
     "no_med_ins"),
    ("food_ok=否", SCREENING, screening(food_ok="否"), "basic_needs"),
    ("food_ok=No", SCREENING, screening(food_ok="No"), "basic_needs"),
    ("house_status=C", SCREENING, screening(house_status="C"), "housing_unsafe"),
    ("m_school=辍学", SCREENING, screening(members=[member(), member(m_relation="son", m_age=10, m_labor="none",
                                                                   m_work=None, m_work_months=None,
                                                                   m_school="辍学", m_oos_reason="work")]),
     "edu_dropout"),
    ("grade=d", HOUSING, {"grade": "d", "grade_by": "technical", "seismic7": "0"}, "housing_unsafe"),
    ("ring_beam=NO", HOUSING, {"grade": "B", "grade_by": "technical", "seismic7": "1", "ring_beam": "NO",
                               "tie_col": "yes"}, "seismic_retrofit_candidate"),
    ("drought_ok=否", WATER, {"supply_type": "well", "piped": "yes", "qty_lpcd": 40.0, "scarce_area": "0",
                              "outage_days": 5, "drought_ok": "否", "sensory": ["none"], "report": "no"},
     "water_unsafe"),
]


@pytest.mark.parametrize("label,form,answers,intended", WRONG_CODES, ids=[c[0] for c in WRONG_CODES])
def test_an_unknown_choice_code_is_flagged_not_read_as_safe(label, form, answers, intended):
    flags = _flags(form, answers)
    assert intended in {f.code for f in flags} or _data_flags(flags), label


# --- 4. R9 (water, Form C): inputs it reads that raise no flag, and the household counted safe ---------------

WATER_SAFE = {"supply_type": "well", "piped": "no", "qty_lpcd": 40.0, "scarce_area": "0", "fetch_min": 10,
              "outage_days": 5, "drought_ok": "yes", "sensory": ["none"], "report": "yes", "report_pass": "pass"}
WATER_BLANKS = [
    # supply_type decides whether drought_ok is needed; blank, nothing asks for either.
    ("supply_type and drought_ok blank", {"supply_type": None, "drought_ok": None}),
    # The form asks drought_ok of 'dispersed_other' too (forms/fpf_water.md's relevant); the server does not.
    ("dispersed_other, drought_ok blank", {"supply_type": "dispersed_other", "drought_ok": None}),
    # report decides whether report_pass is needed; blank, quality is judged on the senses alone.
    ("report and report_pass blank", {"report": None, "report_pass": None}),
]


@pytest.mark.parametrize("label,blanks", WATER_BLANKS, ids=[c[0] for c in WATER_BLANKS])
def test_a_blank_water_input_is_named_and_not_counted_safe(label, blanks):
    answers = {**WATER_SAFE, **blanks}
    flags = _flags(WATER, answers)
    metrics = household_metrics(WATER, FormAnswers.from_nested(answers), flags, RS)
    assert any(f.code == "input_missing" for f in flags), label
    assert metrics.water_unsafe is None, f"{label}: counted {'unsafe' if metrics.water_unsafe else 'safe'}"


# --- 5. Numbers the form forbids are used in arithmetic and raise risk flags --------------------------------

def test_a_negative_income_part_is_not_a_risk():
    flags = _flags(SCREENING, screening(inc_wage=-50000.0))
    assert "income_below_line" not in {f.code for f in flags} and _data_flags(flags)


def test_months_of_work_past_twelve_are_not_read():
    flags = _flags(SCREENING, screening(members=[member(m_work_months=99), member(m_relation="spouse",
                                                                                   m_work="none",
                                                                                   m_work_months=None)]))
    assert _data_flags(flags)


# --- 6. One person twice in ONE household ---------------------------------------------------------------------

def test_one_person_listed_twice_in_one_household_is_flagged_not_counted_twice():
    idno = idcard.make("420102", date(1980, 1, 1), 11)
    answers = screening(members=[member(m_noid="no", m_idno=idno),
                                 member(m_relation="spouse", m_noid="no", m_idno=idno.lower())], inc_wage=14000.0)
    flags = _flags(SCREENING, answers)
    assert any(f.rule == "R22" for f in _data_flags(flags))
    assert "income_below_line" not in {f.code for f in flags}


# --- 7. A screening with no member repeat and no hh_size ------------------------------------------------------

def test_a_screening_without_members_says_so():
    answers = screening()
    del answers["member"]
    assert _data_flags(_flags(SCREENING, answers))


# --- 8. R21 at the threshold: the share is rounded before it is compared --------------------------------------

def test_a_county_just_past_the_cluster_share_is_an_alert():
    county = UnitCoverage(code="420102000000", name=None, registered=100_000, screened=100_000, persons=0, insured=0,
                          school_age=0, out_of_school=0, persons_housing_safe=0, persons_water_safe=0, flagged={},
                          households_cluster_risk=10_001, cluster_threshold=0.10)
    assert county.cluster_risk is True


def test_r21_at_exactly_the_threshold_and_with_nothing_screened_holds():
    def unit(at_risk, screened):
        return UnitCoverage(code="420102001001", name=None, registered=10, screened=screened, persons=0, insured=0,
                            school_age=0, out_of_school=0, persons_housing_safe=0, persons_water_safe=0, flagged={},
                            households_cluster_risk=at_risk, cluster_threshold=0.10)
    assert unit(1, 10).cluster_risk is False and unit(2, 19).cluster_risk is True
    assert unit(0, 0).cluster_share is None and unit(0, 0).cluster_risk is False


def test_one_household_is_not_a_cluster():
    """A village with one household screened, and that one flagged, is 100%: no area alert until at least
    cluster_min_households (2 by default) have such a flag."""
    def unit(at_risk, screened, least=2):
        return UnitCoverage(code="420102001001", name=None, registered=10, screened=screened, persons=0, insured=0,
                            school_age=0, out_of_school=0, persons_housing_safe=0, persons_water_safe=0, flagged={},
                            households_cluster_risk=at_risk, cluster_threshold=0.10, cluster_min_households=least)
    assert unit(1, 1).cluster_risk is False and unit(2, 2).cluster_risk is True
    assert unit(1, 1, least=1).cluster_risk is True and unit(2, 2, least=3).cluster_risk is False


# --- 9. The survey date decides the year's ruleset and the ages, and raises nothing when blank ----------------

@pytest.mark.parametrize("value", [None, "2026-02-30", "20261120"])
def test_a_blank_or_unreadable_survey_date_is_named(value):
    answers = screening()
    answers["meta_g"]["survey_date"] = value
    flags = _flags(SCREENING, answers)
    assert any("survey_date" in str(f.inputs) for f in _data_flags(flags))


# --- 10. A status that is no code of the form suggests the wrong category ---------------------------------------

def test_an_unknown_status_code_suggests_no_category():
    flags = _flags(SCREENING, screening(inc_wage=10000.0, poverty_status="脱贫户"))
    [below] = [f for f in flags if f.code == "income_below_line"]
    assert below.inputs["suggested_category"] is None
    assert _data_flags(flags)


# --- What held ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["inf", "-inf", "NaN", "1e400", "9" * 40, "12,000", "１２０００", "1_000", "abc",
                                   True, float("nan"), float("inf"), 2 ** 60])
def test_unreadable_income_is_flagged_never_a_risk(value):
    flags = _flags(SCREENING, screening(inc_wage=value))
    assert "income_unreadable" in {f.code for f in flags}
    assert not {"income_below_line", "income_watch_10k", "rigid_expense"} & {f.code for f in flags}


@pytest.mark.parametrize("value", ["NaN", "inf", "1e400", "abc", "-"])
def test_unreadable_water_numbers_are_flagged_and_not_counted(value):
    answers = {**WATER_SAFE, "outage_days": value}
    flags = _flags(WATER, answers)
    assert "water_unreadable" in {f.code for f in flags}
    assert household_metrics(WATER, FormAnswers.from_nested(answers), flags, RS).water_unsafe is None


def test_a_blank_seismic_answer_names_r8b():
    flags = _flags(HOUSING, {"grade": "B", "grade_by": "technical", "seismic7": None, "ring_beam": "no",
                             "tie_col": "no"})
    assert [(f.rule, f.inputs["field"]) for f in flags if f.code == "input_missing"] == [("R8b", "seismic7")]
    assert "seismic_retrofit_candidate" not in {f.code for f in flags}


# --- Found by a newcomer following the README ---------------------------------------------------------------

def test_strictly_below_the_line_is_of_the_income_itself_not_its_rounding():
    """A line of L yuan, and 3L - 1 yuan for 3 persons: L - 0.33 a head is below the line, though it rounds
    to L."""
    line = RS.monitoring_line
    three = [member(), member(m_relation="spouse"), member(m_relation="son")]
    flags = _flags(SCREENING, screening(three, inc_wage=3.0 * line - 1))
    [below] = [f for f in flags if f.code == "income_below_line"]
    assert below.inputs["pc_income"] == round(line - 1 / 3, 2)
    assert f"{line - 1 / 3:.2f}" in below.explanation_zh
    at_the_line = _flags(SCREENING, screening(three, inc_wage=3.0 * line))
    assert "income_below_line" not in {f.code for f in at_the_line}


def test_an_unreadable_status_is_not_replaced_by_the_registrys():
    """The cadre wrote a status the rules cannot read: the registry's may be out of date, so R1 suggests no
    category rather than the registry's 'ordinary' household's 'edge'."""
    flags = _flags(SCREENING, screening(inc_wage=10000.0, poverty_status="脱贫户"), {"poverty_status": "ordinary"})
    [below] = [f for f in flags if f.code == "income_below_line"]
    assert below.inputs["suggested_category"] is None and below.inputs["poverty_status"] is None
