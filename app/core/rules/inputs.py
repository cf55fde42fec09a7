"""What each rule reads, and a data-quality flag for every input it needs that is blank (issue 17).

A rule never reads a blank as "no", "none" or zero: where an answer it needs is missing, it does not
judge, and this module says so, naming the rule, the field and, for a member's answer, the member.
Blanks reach the server although the forms mark these questions required: through edits, web forms,
older form versions and imports.

An input is needed when the rule would read it: for a question, when the form asks it (its `relevant`
in forms/*.md, mirrored here); for a value the form computes from the server's own lists (scarce_area,
seismic7), when the rule's outcome turns on it.

An answer a rule reads that is none of the codes (or dates) it knows (codes.py: 未参保 for `none`, 否 for
`no`, a member's answer given twice in place) was set aside by FormAnswers: it is flagged here as
`input_unreadable`, named like a blank one and with the answer as given, wherever the form holds it. (A
household's answer given twice is ambiguous: read as no answer, so named here as missing, and flagged
`answer_ambiguous` at ingest.) Unreadable numbers (text
where a number belongs, or outside the form's range) are the rules' own data flags (income_unreadable,
water_unreadable, age_unreadable, ...), not these.
"""
from collections.abc import Callable
from dataclasses import dataclass

from . import HOUSING, SCREENING, WATER
from .answers import FormAnswers, Unreadable, number
from .flags import Flag
from .living import DISPERSED
from .members import LABOUR, OUT_OF_SCHOOL
from .ruleset import Ruleset

MISSING = "input_missing"
UNREADABLE = "input_unreadable"


@dataclass(frozen=True)
class Needed:
    """One input of one or more rules: `rules` (the first names the flag), the field, its Chinese name, and
    when it is needed (a predicate on the answers, or on one member for a member's answer)."""
    rules: tuple[str, ...]
    field: str
    name_zh: str
    when: Callable | None = None
    # What the rules do instead, when they still judge (zh, en); None: they cannot be judged.
    instead: tuple[str, str] | None = None


def _always(*_) -> bool:
    return True


def blank(value) -> bool:
    """An answer that is not there: absent, empty text or no choice."""
    return value is None or value == "" or value == []


def _num(value) -> float | None:
    try:
        return number("", value)
    except Unreadable:
        return None


# Form A, the household's answers.
SCREENING_NEEDS = (
    # The visit's date decides the ruleset in force (its year: README, "Risk rules") and every member's age; the
    # device's `today` serves when it is blank.
    Needed(("R1", "R2", "R3", "R4", "R5", "R6", "R11"), "survey_date", "排查日期",
           lambda a, _: a.survey_date() is None,
           ("按设备日期(否则收到日期)所在年度的标准和年龄研判",
            "judged by the device's date, else the day it arrived, for the year's line and ages")),
    # Without the member repeat and without hh_size nothing tells the household's size nor its members.
    Needed(("R1", "R5", "R6", "R7", "R10", "R11"), "member", "家庭成员",
           lambda a, _: "member" not in a.repeats and blank(a.values.get("hh_size"))),
    *(Needed(("R1", "R2", "R3", "R4"), name, zh) for name, zh in (
        ("inc_wage", "工资性收入"), ("inc_biz", "生产经营性收入"), ("exp_biz", "生产经营性支出"),
        ("inc_prop", "财产性收入"), ("inc_trans", "转移性收入"))),
    Needed(("R4", "R5"), "exp_med", "合规自付医疗费用"),
    Needed(("R4",), "exp_edu", "教育支出"),
    Needed(("R4",), "loss_disaster", "因灾因意外损失"),
    # R1's suggested category and R2 read the household's status: the registry's serves when the answer is blank.
    Needed(("R2", "R19"), "poverty_status", "农户属性",
           lambda a, household: not (household or {}).get("poverty_status")),
    Needed(("R8",), "house_status", "住房安全状况"),
    Needed(("R9",), "water_issue", "饮水问题"),
    Needed(("R14",), "food_ok", "是否不愁吃"),
    Needed(("R14",), "cloth_ok", "是否不愁穿"),
    Needed(("R19",), "proposed_cat", "拟纳入类别"),
)

def _member_needs(ruleset: Ruleset, age_of) -> tuple[Needed, ...]:
    """A member's answers the rules read (forms/fpf_hh_screening.md's relevants); `age_of(member)` is the
    age the rules compute (None when it cannot be told)."""
    low, high = ruleset.school_age_min, ruleset.school_age_max
    return (
        Needed(("R6",), "m_age", "年龄(出生日期或身份证号)", lambda m: age_of(m) is None),
        Needed(("R6",), "m_school", "在校情况", lambda m: (age := age_of(m)) is None or age <= 25),
        Needed(("R6",), "m_oos_reason", "未在校原因",
               lambda m: (age := age_of(m)) is not None and low <= age <= high and m.get("m_school") in OUT_OF_SCHOOL),
        Needed(("R5",), "m_health", "健康状况"),
        Needed(("R7",), "m_med_ins", "医疗保险"),
        Needed(("R10", "R11"), "m_labor", "劳动能力"),
        Needed(("R11",), "m_work", "务工情况", lambda m: m.get("m_labor") in LABOUR),
        Needed(("R11",), "m_work_months", "务工月数",
               lambda m: m.get("m_labor") in LABOUR and not blank(m.get("m_work")) and m.get("m_work") != "none"),
        Needed(("R22",), "m_idno", "身份证号", lambda m: m.get("m_noid") == "no"),
    )


HOUSING_NEEDS = (
    Needed(("R8",), "grade", "安全性等级"),
    *(Needed(("R8",), name, zh, lambda a, _: a.text("grade") in ("C", "D")) for name, zh in (
        ("key_group", "重点对象类别"), ("only_house", "是否唯一住房"), ("other_safe_house", "是否另有安全住房"),
        ("servant_family", "是否有公职人员"), ("prior_reno", "是否享受过危房改造"),
        ("prior_rebuild", "是否已纳入恢复重建"))),
    Needed(("R8",), "disaster", "是否因灾致危",
           lambda a, _: a.text("grade") in ("C", "D") and a.text("prior_reno") == "yes"),
    Needed(("R8b",), "seismic7", "是否7度及以上设防区"),
    Needed(("R8b",), "ring_beam", "是否有圈梁", lambda a, _: a.text("seismic7") == "1"),
    Needed(("R8b",), "tie_col", "是否有构造柱", lambda a, _: a.text("seismic7") == "1"),
)


def _water_needs(ruleset: Ruleset) -> tuple[Needed, ...]:
    w = ruleset.water

    def quantity_between(a: FormAnswers, _) -> bool:
        # The area's scarcity decides only a quantity that meets the scarce threshold and not the other.
        quantity = _num(a.values.get("qty_lpcd"))
        return quantity is not None and w.quantity_lpcd_scarce <= quantity < w.quantity_lpcd

    return (
        Needed(("R9",), "supply_type", "供水方式"),
        Needed(("R9",), "qty_lpcd", "人均日可获得水量"),
        Needed(("R9",), "scarce_area", "是否缺水地区", quantity_between),
        Needed(("R9",), "piped", "是否自来水入户"),
        Needed(("R9",), "fetch_min", "取水往返时间", lambda a, _: a.text("piped") == "no"),
        Needed(("R9",), "outage_days", "停水断水天数"),
        Needed(("R9",), "drought_ok", "干旱时能否连续供水", lambda a, _: a.text("supply_type") in DISPERSED),
        Needed(("R9",), "sensory", "水质感官"),
        Needed(("R9",), "report", "是否有水质检测报告"),
        Needed(("R9",), "report_pass", "检测结论", lambda a, _: a.text("report") == "yes"),
    )


def missing_inputs(xml_form_id: str, answers: FormAnswers, household: dict | None, ruleset: Ruleset,
                   age_of=None) -> list[Flag]:
    """A data flag `input_missing` for each input a rule needs and the submission leaves blank, and
    `input_unreadable` for each it gives but cannot be read (FormAnswers.unreadable): rule (the first that
    reads it), inputs {field, rules, members: [positions from 1]} (members only for a member's answer; an
    unreadable one adds `values`, the answers as given). `age_of(member)` gives a member's age as the rules
    compute it (needed for Form A)."""
    unread = {(u.field, u.member) for u in answers.unreadable}
    member_needs = _member_needs(ruleset, age_of) if xml_form_id == SCREENING else ()
    needs = {SCREENING: SCREENING_NEEDS, HOUSING: HOUSING_NEEDS}.get(xml_form_id) or (
        _water_needs(ruleset) if xml_form_id == WATER else ())
    flags = [_flag(n) for n in needs if blank(answers.values.get(n.field)) and (n.field, None) not in unread
             and (n.when or _always)(answers, household)]
    for need in member_needs:
        positions = [p for p, m in enumerate(answers.members, start=1)
                     if blank(m.get(need.field)) and (need.field, p) not in unread and (need.when or _always)(m)]
        if positions:
            flags.append(_flag(need, positions))
    return flags + _unreadable(answers, needs, member_needs)


def _unreadable(answers: FormAnswers, needs, member_needs) -> list[Flag]:
    """`input_unreadable` per field a rule reads (whether or not the form would ask it: it was answered), in
    the order of the needs."""
    flags = []
    for need, of_members in [(n, False) for n in needs] + [(n, True) for n in member_needs]:
        found = [u for u in answers.unreadable if u.field == need.field and (u.member is not None) == of_members]
        if found and need.field not in {f.inputs["field"] for f in flags}:
            flags.append(_flag(need, [u.member for u in found] if of_members else None, [u.value for u in found]))
    return flags


def _flag(need: Needed, members: list[int] | None = None, values: list[str] | None = None) -> Flag:
    rules = "、".join(need.rules)
    whose = f"{'、'.join(map(str, members))}号成员的" if members else ""
    whose_en = f" of member(s) {', '.join(map(str, members))}" if members else ""
    inputs = {"field": need.field, "rules": list(need.rules), **({"members": members} if members else {})}
    outcome_zh, outcome_en = need.instead or (f"{rules}无法判断", f"{', '.join(need.rules)} cannot be judged")
    if values is None:
        return Flag(need.rules[0], MISSING, "data",
                    f"{whose}{need.name_zh}({need.field})未填写,{outcome_zh}",
                    f"{need.field}{whose_en} is blank: {outcome_en}", inputs=inputs)
    given = "、".join(f"“{v}”" for v in values)
    return Flag(need.rules[0], UNREADABLE, "data",
                f"{whose}{need.name_zh}({need.field})的答案{given}不是表单允许的答案,{outcome_zh}",
                f"{need.field}{whose_en} is {', '.join(map(repr, values))}, not an answer the form allows: "
                f"{outcome_en}", inputs={**inputs, "values": values})
