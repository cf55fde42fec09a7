"""Answers as the pure rules read them (core.rules.answers), and Hubei's 2026 ruleset, for rule tests."""
from app.core.rules import parse_ruleset

RULESET = {
    "province": "42", "year": 2026, "version": 1, "monitoring_line": 7500, "watch_line": 10000,
    "income_drop_ratio": 0.2, "medical_share": 0.5, "school_age_min": 6, "school_age_max": 15,
    "min_work_months": 6, "water": {"variant": "2018"},
}
RS = parse_ruleset(RULESET)


def member(**overrides):
    return {"m_name": "王五", "m_relation": "head", "m_age": 40, "m_health": "healthy", "m_labor": "normal",
            "m_school": None, "m_med_ins": "resident", "m_work": "county", "m_work_months": 12, **overrides}


# Form A's groups beyond the household and its income: every answer a rule reads, given.
LIVING = {"food_ok": "yes", "cloth_ok": "yes", "house_status": "safe", "water_issue": ["none"]}
RISK = {"proposed_cat": "none"}


def screening(members=None, **values):
    """A complete screening submission (no input a rule needs is blank) with per-capita income 8000 for 2
    members unless overridden; a value goes to its group (inc_g, lsb_g, risk_g, else hh_g)."""
    answers = {"meta_g": {"survey_date": "2026-11-20"},
               "hh_g": {"poverty_status": "ordinary"},
               "inc_g": {"inc_wage": 16000.0, "inc_biz": 0.0, "exp_biz": 0.0, "inc_prop": 0.0, "inc_trans": 0.0,
                         "exp_med": 0.0, "exp_edu": 0.0, "loss_disaster": 0.0},
               "lsb_g": dict(LIVING), "risk_g": dict(RISK),
               "member": members if members is not None else [member(), member(m_relation="spouse")]}
    for key, value in values.items():
        group = ("inc_g" if key.startswith(("inc_", "exp_", "loss_")) else "lsb_g" if key in LIVING
                 else "risk_g" if key in RISK else "hh_g")
        answers[group][key] = value
    return answers
