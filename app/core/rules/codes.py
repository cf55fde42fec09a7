"""What the rules can read in each answer they read: a choice question's codes (forms/*.md's choice lists), the
range a number's constraint allows, a date's one form.

An answer outside these is unreadable (issue 17): 未参保 where the form's code is `none`, 否 or `No` for `no`,
`C` for `grade_c`, a select_one given twice in place (a list), -50,000 yuan of wages, 99 months of work in the
last 12, 2026-02-30. It reaches the server through older form versions, imports, edits through the API and
web forms, whatever the current form's choices and constraints allow. A rule never reads it (so never as
"not at risk", nor as a risk): FormAnswers sets a choice or date aside (answers.FormAnswers.unreadable) and
answers.number raises Unreadable for a number, and a data-quality flag names it (inputs.missing_inputs,
income_unreadable, water_unreadable, work_months_unreadable, ...).

The lists mirror the forms; tests/core/test_rule_codes.py holds them to forms/*.md.
"""
YES_NO = frozenset({"yes", "no"})
# A value the form computes from the server's list of places (admin_units.csv, services.forms.pick_lists): 1 or
# 0, blank where the place's mark is unknown.
PLACE_MARK = frozenset({"1", "0"})

# select_one answers the rules read: field -> the codes.
CHOICES: dict[str, frozenset[str]] = {name: frozenset(codes) for name, codes in {
    # Form A, the household (fpf_hh_screening)
    "poverty_status": ("lifted", "ordinary"),
    "food_ok": YES_NO, "cloth_ok": YES_NO,
    "house_status": ("safe", "grade_c", "grade_d", "suspect", "no_house", "supported"),
    "proposed_cat": ("none", "unstable", "edge", "hardship"),
    # Form A, each member
    "m_health": ("healthy", "chronic", "serious", "disabled"),
    "m_labor": ("normal", "skilled", "weak", "lost", "none"),
    "m_school": ("preschool", "primary", "junior", "senior", "vocational", "higher_voc", "college", "not_in_school",
                 "dropout"),
    "m_oos_reason": ("physical", "dislike", "work", "marriage", "poverty", "other"),
    "m_med_ins": ("resident", "employee", "none", "other"),
    "m_work": ("county", "province", "outside", "public_job", "workshop", "flexible", "none"),
    # Form B, housing (fpf_housing)
    "grade": ("A", "B", "C", "D", "unknown"),
    "key_group": ("at_risk", "dibao", "tekun_dispersed", "hardship", "dibao_edge", "lifted_other", "none"),
    **{name: YES_NO for name in ("only_house", "other_safe_house", "servant_family", "disaster", "prior_reno",
                                 "prior_rebuild", "ring_beam", "tie_col")},
    "seismic7": PLACE_MARK,
    # Form C, water (fpf_water)
    "supply_type": ("urban_extension", "large_central", "central_1000", "small_central", "well", "cistern", "spring",
                    "dispersed_other"),
    "piped": YES_NO, "drought_ok": YES_NO, "report": YES_NO,
    "report_pass": ("pass", "fail", "unknown"),
    "scarce_area": PLACE_MARK,
}.items()}

# select_multiple answers the rules read: each chosen code must be one of these.
MULTIPLE: dict[str, frozenset[str]] = {
    "water_issue": frozenset({"none", "quantity", "quality", "access", "outage"}),      # Form A
    "sensory": frozenset({"none", "impurities", "turbid", "colour", "odour", "illness"}),   # Form C
}

# Numbers the rules read, with the range the form's constraint allows (None: no bound).
_MONEY = (0, None)                                                                  # ". >= 0"
RANGES: dict[str, tuple[float | None, float | None]] = {
    **{name: _MONEY for name in ("inc_wage", "inc_biz", "exp_biz", "inc_prop", "inc_trans", "exp_med", "exp_edu",
                                 "loss_disaster")},
    "m_work_months": (0, 12),
    "qty_lpcd": (0, 500), "fetch_min": (0, 300), "fetch_h_m": (0, 20000), "fetch_v_m": (0, 2000),
    "outage_days": (0, 365),
}

# Dates the rules read: the visit's, which decides the ruleset's year and every member's age.
DATES = frozenset({"survey_date"})
