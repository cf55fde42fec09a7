"""Every rule at its boundaries: just below, at, just above each threshold, and with inputs missing."""
import pytest

from app.core import idcard
from app.core.rules import evaluate, parse_ruleset
from app.core.rules.ruleset import RulesetInvalid
from tests.support.rules import RS, RULESET, member, screening


def codes(form, answers, household=None, ruleset=RS):
    return sorted(f.code for f in evaluate(form, answers, household, ruleset))


def per_capita(value):
    return screening(inc_wage=value * 2.0)


# R1: per-capita income below the monitoring line (7500)
@pytest.mark.parametrize("pc,flagged", [(7499, True), (7500, False), (7501, False)])
def test_r1_income_line_boundary(pc, flagged):
    assert ("income_below_line" in codes("fpf_hh_screening", per_capita(pc))) == flagged


def test_r1_explains_itself_and_suggests_a_category():
    [flag] = [f for f in evaluate("fpf_hh_screening", screening(inc_wage=10000.0, poverty_status="lifted"), None, RS)
              if f.code == "income_below_line"]
    assert flag.rule == "R1" and flag.severity == "high"
    assert flag.inputs["pc_income"] == 5000 and flag.threshold == {"monitoring_line": 7500}
    assert flag.inputs["suggested_category"] == "unstable"
    assert "5000" in flag.explanation_zh and "7500" in flag.explanation_en


def test_r1_missing_or_unreadable_income_is_a_data_flag_not_a_crash():
    missing = screening()
    del missing["inc_g"]["inc_trans"]
    assert [(f.rule, f.code, f.inputs["field"]) for f in evaluate("fpf_hh_screening", missing, None, RS)] == \
        [("R1", "input_missing", "inc_trans")]
    assert "income_unreadable" in codes("fpf_hh_screening", screening(inc_wage="一万"))


# R2: 脱贫户 below the 10,000 watch line
@pytest.mark.parametrize("pc,status,flagged", [(9999, "lifted", True), (10000, "lifted", False),
                                               (9999, "ordinary", False)])
def test_r2_watch_line(pc, status, flagged):
    answers = screening(inc_wage=pc * 2.0, poverty_status=status)
    assert ("income_watch_10k" in codes("fpf_hh_screening", answers)) == flagged


# R3: income falling 20% or more from last year's registry figure
@pytest.mark.parametrize("pc,flagged", [(7999, True), (8000, True), (8001, False)])
def test_r3_income_drop(pc, flagged):
    household = {"last_pc_income": 10000}
    assert ("income_drop" in codes("fpf_hh_screening", per_capita(pc), household)) == flagged


def test_r3_needs_last_year():
    assert "income_drop" not in codes("fpf_hh_screening", per_capita(100), {"last_pc_income": None})


# R4: rigid spending beyond income, or leaving less than the line per person
def test_r4_rigid_spending_above_net_income():
    # Net 30000 for 2 members leaves 15000 each after 0; spending 30001 exceeds the whole income.
    assert "rigid_expense" in codes("fpf_hh_screening", screening(inc_wage=30000.0, loss_disaster=30001.0))
    assert "rigid_expense" not in codes("fpf_hh_screening", screening(inc_wage=30000.0))


@pytest.mark.parametrize("rigid,flagged", [(9999, False), (10000, False), (10001, True)])
def test_r4_boundary_at_the_line(rigid, flagged):
    # net 25000 for 2: after = (25000 - rigid) / 2; below 7500 once rigid > 10000
    assert ("rigid_expense" in codes("fpf_hh_screening", screening(inc_wage=25000.0, exp_edu=float(rigid)))) == flagged


# R5: serious illness, or medical costs at least half of net income
@pytest.mark.parametrize("medical,flagged", [(7999, False), (8000, True), (8001, True)])
def test_r5_medical_share(medical, flagged):
    answers = screening(inc_wage=16000.0, exp_med=float(medical))
    assert ("medical_high" in codes("fpf_hh_screening", answers)) == flagged


def test_r5_serious_illness_alone():
    answers = screening(members=[member(), member(m_relation="spouse", m_health="serious")])
    assert "medical_high" in codes("fpf_hh_screening", answers)


# R6: a compulsory-age child out of school for a reason other than health
@pytest.mark.parametrize("age,school,reason,flagged", [
    (5, "not_in_school", None, False), (6, "not_in_school", "work", True), (15, "dropout", "work", True),
    (16, "dropout", None, False), (10, "dropout", "physical", False), (10, "primary", None, False)])
def test_r6_school_age_boundaries(age, school, reason, flagged):
    child = member(m_relation="son", m_age=age, m_school=school, m_oos_reason=reason, m_labor="none")
    answers = screening(members=[member(), child])
    assert ("edu_dropout" in codes("fpf_hh_screening", answers)) == flagged


def test_r6_age_from_the_id_number_when_the_form_gives_none():
    idno = idcard.make("420102", __import__("datetime").date(2016, 11, 21), 12)   # 9 on 2026-11-20
    child = member(m_relation="son", m_age=None, m_idno=idno, m_school="dropout", m_oos_reason="work", m_labor="none")
    assert "edu_dropout" in codes("fpf_hh_screening", screening(members=[member(), child]))


# R7: a member without basic medical insurance
def test_r7_uninsured_member():
    assert "no_med_ins" in codes("fpf_hh_screening", screening(members=[member(), member(m_med_ins="none")]))
    assert "no_med_ins" not in codes("fpf_hh_screening", screening())


# R10 / R11: labour and work
def test_r10_no_labour():
    answers = screening(members=[member(m_labor="lost"), member(m_relation="spouse", m_labor="none")])
    assert "no_labor" in codes("fpf_hh_screening", answers)


@pytest.mark.parametrize("work,months,flagged", [("none", None, True), ("county", 5, True), ("county", 6, False)])
def test_r11_labour_without_stable_work(work, months, flagged):
    answers = screening(members=[member(m_work=work, m_work_months=months),
                                 member(m_relation="spouse", m_labor="none", m_work=None)])
    assert ("no_worker" in codes("fpf_hh_screening", answers)) == flagged


# R8: housing
@pytest.mark.parametrize("status,flagged", [("safe", False), ("grade_c", True), ("grade_d", True),
                                            ("suspect", True), ("no_house", True)])
def test_r8_screening_house_status(status, flagged):
    answers = screening()
    answers["lsb_g"] = {"house_status": status}
    assert ("housing_unsafe" in codes("fpf_hh_screening", answers)) == flagged


@pytest.mark.parametrize("grade,unsafe", [("A", False), ("B", False), ("C", True), ("D", True), ("unknown", False)])
def test_r8_housing_grade(grade, unsafe):
    assert ("housing_unsafe" in codes("fpf_housing", {"grade": grade})) == unsafe


@pytest.mark.parametrize("extra,eligible", [
    ({}, True),
    ({"key_group": "none"}, False),
    ({"other_safe_house": "yes"}, False),
    ({"prior_rebuild": "yes"}, False),
    ({"prior_reno": "yes"}, False),
    ({"prior_reno": "yes", "disaster": "yes"}, True),
])
def test_r8_renovation_eligibility(extra, eligible):
    answers = {"grade": "D", "key_group": "dibao", "only_house": "yes", "other_safe_house": "no",
               "servant_family": "no", "disaster": "no", "prior_reno": "no", "prior_rebuild": "no", **extra}
    assert ("renovation_eligible" in codes("fpf_housing", answers)) == eligible


# R9: drinking water, all four indicators
def water(**overrides):
    return {"supply_type": "large_central", "piped": "yes", "qty_lpcd": 60.0, "scarce_area": "0", "outage_days": 0,
            "sensory": ["none"], "report": "yes", "report_pass": "pass", **overrides}


@pytest.mark.parametrize("overrides,safe", [
    ({"qty_lpcd": 34.9}, False), ({"qty_lpcd": 35.0}, True),
    ({"qty_lpcd": 19.9, "scarce_area": "1"}, False), ({"qty_lpcd": 20.0, "scarce_area": "1"}, True),
    ({"piped": "no", "fetch_min": 20}, True), ({"piped": "no", "fetch_min": 21}, False),
    ({"piped": "no", "fetch_min": 40, "fetch_h_m": 800}, True), ({"piped": "no", "fetch_h_m": 801}, False),
    ({"piped": "no", "fetch_v_m": 80}, True), ({"piped": "no", "fetch_v_m": 81}, False),
    ({"outage_days": 36}, True), ({"outage_days": 37}, False),
    ({"sensory": ["turbid"]}, False), ({"report_pass": "fail"}, False), ({"report_pass": "unknown"}, True),
])
def test_r9_water_thresholds(overrides, safe):
    assert ("water_unsafe" not in codes("fpf_water", water(**overrides))) == safe


def test_r9_legacy_2004_variant_is_selectable():
    legacy = parse_ruleset({**RULESET, "water": {"variant": "2004"}})
    assert "water_unsafe" not in codes("fpf_water", water(qty_lpcd=38.0))
    assert "water_unsafe" in codes("fpf_water", water(qty_lpcd=38.0), ruleset=legacy)


def test_r9_missing_or_unreadable_inputs_are_data_flags():
    assert [(f.rule, f.code, f.inputs["field"]) for f in evaluate("fpf_water", water(qty_lpcd=None), None, RS)] == \
        [("R9", "input_missing", "qty_lpcd")]
    assert codes("fpf_water", water(outage_days="很多")) == ["water_unreadable"]


def test_r9_screening_water_issue_asks_for_an_inspection():
    answers = screening()
    answers["lsb_g"] = {"water_issue": ["quantity"]}
    assert "water_check_needed" in codes("fpf_hh_screening", answers)
    answers["lsb_g"] = {"water_issue": ["none"]}
    assert "water_check_needed" not in codes("fpf_hh_screening", answers)


# R14 / R19 / R22
def test_r14_food_or_clothing():
    answers = screening()
    answers["lsb_g"] = {"food_ok": "yes", "cloth_ok": "no"}
    assert "basic_needs" in codes("fpf_hh_screening", answers)


@pytest.mark.parametrize("status,proposed,flagged", [("ordinary", "unstable", True), ("lifted", "edge", True),
                                                     ("lifted", "unstable", False), ("ordinary", "edge", False)])
def test_r19_category_consistency(status, proposed, flagged):
    answers = screening(poverty_status=status)
    answers["risk_g"] = {"proposed_cat": proposed}
    assert ("category_inconsistent" in codes("fpf_hh_screening", answers)) == flagged


def test_r22_id_check_digit_head_count_and_empty_household():
    good = idcard.make("420102", __import__("datetime").date(1980, 1, 1), 123)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    answers = screening(members=[member(m_idno=good), member(m_relation="spouse", m_idno=bad)])
    flags = evaluate("fpf_hh_screening", answers, None, RS)
    [id_flag] = [f for f in flags if f.code == "id_invalid"]
    assert id_flag.inputs == {"ids": [{"field": "m_idno", "member": 2, "problem": "the check digit is wrong"}]}
    assert bad not in str(id_flag.as_dict())          # the number itself is not copied into the flag
    assert "head_count" in codes("fpf_hh_screening", screening(members=[member(), member()]))
    assert "household_empty" in codes("fpf_hh_screening", screening(members=[]))


# Rulesets
@pytest.mark.parametrize("change,message", [
    ({"monitoring_line": None}, "monitoring_line"),
    ({"watch_line": 5000}, "watch_line is below"),
    ({"school_age_min": 16}, "school_age_min"),
    ({"income_drop_ratio": 1.5}, "income_drop_ratio"),
    ({"water": {"variant": "2018", "quantity_lpcd_scarce": 50}}, "quantity_lpcd_scarce"),
    ({"water": {"variant": "1999"}}, "variant"),
    ({"province": "4"}, "province"),
    ({"cluster_share": 0}, "cluster_share"), ({"cluster_share": 1.5}, "cluster_share"),
    ({"cluster_share": "10%"}, "cluster_share"),
])
def test_rulesets_with_missing_or_contradictory_thresholds_are_refused(change, message):
    data = {**RULESET, **change}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(RulesetInvalid, match=message):
        parse_ruleset(data)


def test_r21_cluster_share_is_ten_percent_unless_the_ruleset_says():
    assert RS.cluster_share == 0.10
    assert parse_ruleset({**RULESET, "cluster_share": 0.25}).cluster_share == 0.25


def test_r21_needs_two_households_unless_the_ruleset_says():
    assert RS.cluster_min_households == 2
    assert parse_ruleset({**RULESET, "cluster_min_households": 5}).cluster_min_households == 5
    for bad in (0, 1.5, "3", True):
        with pytest.raises(RulesetInvalid, match="cluster_min_households"):
            parse_ruleset({**RULESET, "cluster_min_households": bad})
