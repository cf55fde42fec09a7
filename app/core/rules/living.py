"""Housing, drinking water and basic needs (R8, R9, R14)."""
from .answers import FormAnswers, Unreadable
from .flags import Flag
from .ruleset import Ruleset

UNSAFE_HOUSE_STATUS = {"grade_c": "C级危房", "grade_d": "D级危房", "suspect": "疑似危房(未鉴定)",
                       "no_house": "无房"}
# 六类重点对象 for housing support (易返贫致贫户, 低保户, 分散供养特困, 突发严重困难户, 低保边缘家庭, 其他脱贫户).
KEY_GROUPS = ("at_risk", "dibao", "tekun_dispersed", "hardship", "dibao_edge", "lifted_other")
# Dispersed water supplies (分散式), whose reliability includes a drought (forms/fpf_water.md asks drought_ok of them).
DISPERSED = ("well", "cistern", "spring", "dispersed_other")


def screening_living_rules(answers: FormAnswers) -> list[Flag]:
    """What a household screening (Form A) says about housing, water and food."""
    flags = []
    status = answers.text("house_status")
    if status in UNSAFE_HOUSE_STATUS:
        flags.append(Flag(
            "R8", "housing_unsafe", "high",
            f"住房安全状况:{UNSAFE_HOUSE_STATUS[status]},住房安全保障未达标,需开展住房安全排查(鉴定)",
            f"Housing reported as {status}; safe housing is not guaranteed and a housing inspection is due",
            inputs={"house_status": status}))
    issues = [i for i in answers.choices("water_issue") if i != "none"]
    if issues:
        flags.append(Flag(
            "R9", "water_check_needed", "medium",
            f"农户反映饮水问题({len(issues)}项),需开展饮水安全排查",
            f"The household reports {len(issues)} drinking-water problem(s); a water inspection is due",
            inputs={"water_issue": issues}))
    short = [name for name in ("food_ok", "cloth_ok") if answers.text(name) == "no"]
    if short:
        flags.append(Flag(
            "R14", "basic_needs", "high",
            f"{'吃' if 'food_ok' in short else ''}{'、' if len(short) == 2 else ''}"
            f"{'穿' if 'cloth_ok' in short else ''}"
            "存在困难,需第一时间解决基本生活",
            f"{' and '.join('food' if s == 'food_ok' else 'clothing' for s in short)} not secure: help at once",
            inputs={name: answers.text(name) for name in ("food_ok", "cloth_ok")}))
    return flags


def housing_rules(answers: FormAnswers) -> list[Flag]:
    """A housing inspection (Form B): grade C or D is unsafe; who is eligible for renovation; a grade the
    inspector could not determine asks for a professional appraisal (README, "Risk rules")."""
    grade = answers.text("grade")
    flags = seismic_rule(answers)
    if grade == "unknown":
        flags.append(Flag(
            "R8", "housing_grade_unknown", "medium", "房屋安全性未能判定,需委托专业机构鉴定",
            "The inspector could not grade the house: a professional appraisal is due",
            inputs={"grade": grade, "grade_by": answers.text("grade_by")}))
    if grade in ("C", "D"):
        flags.append(Flag(
            "R8", "housing_unsafe", "high",
            f"房屋安全性鉴定为{grade}级({'局部危房' if grade == 'C' else '整幢危房'}),住房安全保障未达标",
            f"The house is graded {grade}; safe housing is not guaranteed",
            inputs={"grade": grade, "grade_by": answers.text("grade_by")}, threshold={"unsafe_grades": ["C", "D"]}))
        eligible, why = _renovation_eligibility(answers)
        if eligible is True:
            flags.append(Flag(
                "R8", "renovation_eligible", "medium", "属住房安全保障对象,可纳入危房改造", why,
                inputs={k: answers.text(k) for k in ("key_group", "only_house", "other_safe_house",
                                                     "servant_family", "disaster", "prior_reno", "prior_rebuild")}))
    return flags


def _renovation_eligibility(answers: FormAnswers) -> tuple[bool | None, str]:
    """Eligible, excluded, or None when a blank answer decides it (inputs.missing_inputs names it): a blank
    is never read as "no" (no other safe house, no public servant, not renovated before)."""
    a = answers.text
    if a("key_group") is None:
        return None, "the priority group is blank"
    if a("key_group") not in KEY_GROUPS:
        return False, "not one of the six priority groups"
    if a("other_safe_house") == "yes" or a("servant_family") == "yes" or a("only_house") == "no":
        return False, "excluded: another safe house, or a public servant in the family"
    if a("prior_rebuild") == "yes":
        return False, "already in disaster reconstruction"
    if a("prior_reno") == "yes" and a("disaster") == "no":
        return False, "already renovated, and not damaged by a disaster since"
    if None in (a("other_safe_house"), a("servant_family"), a("only_house"), a("prior_rebuild"), a("prior_reno")) \
            or (a("prior_reno") == "yes" and a("disaster") is None):
        return None, "an answer that decides eligibility is blank"
    return True, "A priority household with no safe house: eligible for renovation"


def seismic_rule(answers: FormAnswers) -> list[Flag]:
    """R8b (§8.5): a dwelling in a village of seismic intensity 7 or more (the form's seismic7, from the
    server's list of places) without a ring beam or without tie columns is a retrofit candidate. One of
    the two missing is enough; a blank is not "missing" (inputs.missing_inputs names it)."""
    if answers.text("seismic7") != "1":
        return []
    lacking = [name for name in ("ring_beam", "tie_col") if answers.text(name) == "no"]
    if not lacking:
        return []
    names = {"ring_beam": ("圈梁", "ring beam"), "tie_col": ("构造柱", "tie columns")}
    return [Flag("R8b", "seismic_retrofit_candidate", "medium",
                 f"位于7度及以上设防区,房屋无{'、'.join(names[n][0] for n in lacking)},可纳入农房抗震改造",
                 f"In a seismic zone of intensity 7+, the house has no "
                 f"{' and no '.join(names[n][1] for n in lacking)}: a candidate for seismic retrofitting",
                 inputs={"seismic7": "1", **{n: answers.text(n) for n in ("ring_beam", "tie_col")}})]


def water_rules(answers: FormAnswers, ruleset: Ruleset) -> list[Flag]:
    """A drinking-water inspection (Form C): safe only if all four indicators pass."""
    w = ruleset.water
    try:
        checks = water_checks(answers, ruleset)
    except Unreadable as e:
        return [Flag("R9", "water_unreadable", "data", f"{e.name}的答案“{e.value}”不是可用的数字,无法评价饮水安全",
                     f"The answer to {e.name} ({e.value!r}) is not a usable number; water safety cannot be judged",
                     inputs={e.name: e.value})]
    failed = [k for k, v in checks.items() if v is False]
    names_zh = {"q_ok": "水量", "c_ok": "用水方便程度", "g_ok": "供水保证率", "w_ok": "水质"}
    inputs = {k: answers.values.get(k) for k in ("piped", "qty_lpcd", "scarce_area", "fetch_min", "fetch_h_m",
                                                  "fetch_v_m", "outage_days", "sensory", "report_pass")}
    threshold = {"variant": w.variant, "quantity_lpcd": w.quantity_lpcd, "quantity_lpcd_scarce": w.quantity_lpcd_scarce,
                 "fetch_minutes": w.fetch_minutes, "fetch_horizontal_m": w.fetch_horizontal_m,
                 "fetch_vertical_m": w.fetch_vertical_m, "outage_days": w.outage_days}
    if failed:
        return [Flag("R9", "water_unsafe", "high",
                     f"饮水不安全:{'、'.join(names_zh[k] for k in failed)}未达标({w.variant}标准)",
                     f"Drinking water is unsafe: {', '.join(failed)} failed ({w.variant} criteria)",
                     inputs={**inputs, **checks}, threshold=threshold)]
    return []          # safe, or not judged: inputs.missing_inputs names each blank answer


def water_checks(answers: FormAnswers, ruleset: Ruleset) -> dict[str, bool | None]:
    """The four indicators (R9a–d): True met, False failed, None not judged (a blank input). Raises
    Unreadable for a number that cannot be read."""
    w = ruleset.water
    return {"q_ok": _quantity_ok(answers, w), "c_ok": _convenience_ok(answers, w),
            "g_ok": _reliability_ok(answers, w), "w_ok": _quality_ok(answers)}


def _quantity_ok(answers: FormAnswers, w) -> bool | None:
    quantity = answers.number("qty_lpcd")
    if quantity is None:
        return None
    if quantity >= w.quantity_lpcd:
        return True
    if quantity < w.quantity_lpcd_scarce:
        return False
    scarce = answers.text("scarce_area")              # decides only between the two thresholds
    if scarce is None:
        return None
    return scarce == "1"                              # codes.PLACE_MARK: anything else was set aside


def _convenience_ok(answers: FormAnswers, w) -> bool | None:
    if answers.text("piped") == "yes":
        return True
    minutes, horizontal, vertical = (answers.number(n) for n in ("fetch_min", "fetch_h_m", "fetch_v_m"))
    if minutes is None and horizontal is None and vertical is None:
        return None
    return (minutes is not None and minutes <= w.fetch_minutes) or \
        (horizontal is not None and horizontal <= w.fetch_horizontal_m) or \
        (vertical is not None and vertical <= w.fetch_vertical_m)


def _reliability_ok(answers: FormAnswers, w) -> bool | None:
    days = answers.number("outage_days")
    if days is None:
        return None
    if answers.text("drought_ok") == "no":
        return False
    if days > w.outage_days:
        return False
    # A dispersed supply must also hold through a drought: a blank answer leaves it unjudged, and so does a
    # blank supply type, which may be one.
    supply = answers.text("supply_type")
    if (supply is None or supply in DISPERSED) and answers.text("drought_ok") is None:
        return None
    return True


def _quality_ok(answers: FormAnswers) -> bool | None:
    sensory = answers.choices("sensory")
    result = answers.text("report_pass")
    if any(s != "none" for s in sensory) or result == "fail":
        return False
    # Safe needs the senses' answer, whether there is a report, and the test's result where there is one.
    report = answers.text("report")
    if not sensory or (report in ("yes", None) and result is None):
        return None
    return True
