"""Rules about household members (R6, R7, R10, R11), read from the member repeat of Form A."""
from datetime import date

from .. import idcard
from .answers import FormAnswers, Unreadable, number
from .flags import Flag
from .ruleset import Ruleset

LABOUR = ("normal", "skilled", "weak")            # 普通 / 技能 / 弱劳动力或半劳动力
OUT_OF_SCHOOL = ("not_in_school", "dropout")
EXCUSED = "physical"                              # 身体原因不具备学习条件 (taught at home)


def member_age(member: dict, on: date | None) -> int | None:
    """The age the form computed, or one derived from the birth date or ID number.

    An unreadable m_age ('inf', 'NaN' as JavaRosa writes a failed calculation, text) is passed
    over for the other two; member_rules reports it as a data-quality flag.
    """
    try:
        age = number("m_age", member.get("m_age"))
    except Unreadable:
        age = None
    if age is not None:
        return int(age)      # finite and within ±2**53-1: number() saw to it
    on = on or date.today()
    born = None
    for key in ("m_birth", "m_birth_in"):
        try:
            born = date.fromisoformat(str(member.get(key))[:10]) if member.get(key) else None
        except ValueError:
            born = None
        if born:
            break
    born = born or idcard.birth_date(str(member.get("m_idno") or ""))
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def member_rules(answers: FormAnswers, ruleset: Ruleset) -> list[Flag]:
    if not answers.members:
        return []
    on = answers.survey_date()
    flags = _unreadable_member_answers(answers.members)
    members = answers.persons           # one person listed twice is judged and counted once
    low, high = ruleset.school_age_min, ruleset.school_age_max
    # A child out of school whose reason is blank is not judged (the reason may be 身体原因): inputs says so.
    out = [m for m in members
           if (age := member_age(m, on)) is not None and low <= age <= high
           and m.get("m_school") in OUT_OF_SCHOOL and m.get("m_oos_reason") not in (EXCUSED, None, "")]
    if out:
        names = "、".join(str(m.get("m_name") or "?") for m in out)
        flags.append(Flag(
            "R6", "edu_dropout", "high",
            f"{len(out)}名{low}–{high}周岁义务教育阶段儿童未在校({names}),义务教育保障未达标",
            f"{len(out)} child(ren) aged {low}–{high} are out of school; compulsory education is not guaranteed",
            inputs={"children": [{"age": member_age(m, on), "m_school": m.get("m_school"),
                                  "m_oos_reason": m.get("m_oos_reason")} for m in out]},
            threshold={"school_age_min": low, "school_age_max": high}))
    uninsured = [m for m in members if m.get("m_med_ins") == "none"]
    if uninsured:
        flags.append(Flag(
            "R7", "no_med_ins", "high",
            f"{len(uninsured)}名家庭成员未参加基本医疗保险,基本医疗保障未达标",
            f"{len(uninsured)} member(s) have no basic medical insurance",
            inputs={"uninsured": len(uninsured), "members": len(members)}))
    workers = [m for m in members if m.get("m_labor") in LABOUR]
    # No labour only when every member's capacity is known: a blank may be the one who can work.
    if not workers and all(m.get("m_labor") not in (None, "") for m in members):
        flags.append(Flag(
            "R10", "no_labor", "medium", "家庭无劳动力,应落实兜底保障,不得标注风险消除",
            "No member can work: route to the safety net (低保/特困); risk cannot be marked eliminated",
            inputs={"members": len(members), "labour": 0}))
    elif workers:
        employment = [_employed(m, ruleset) for m in workers]
        # A worker whose work or months are blank or unreadable may be the stable one: no judgment.
        if not any(employment) and None not in employment:
            flags.append(Flag(
                "R11", "no_worker", "medium",
                f"家庭有{len(workers)}名劳动力,但无人稳定务工(近12个月务工不足{ruleset.min_work_months}个月)",
                f"{len(workers)} member(s) can work but none has worked {ruleset.min_work_months}+ months "
                "in the last 12",
                inputs={"labour": len(workers), "working": 0},
                threshold={"min_work_months": ruleset.min_work_months}))
    return flags


def _employed(member: dict, ruleset: Ruleset) -> bool | None:
    """Whether a worker has worked at least the ruleset's months in the last 12 (R11); None when their work
    or its months are blank or unreadable (never read as none or zero)."""
    work = member.get("m_work")
    if work in (None, ""):
        return None
    if work == "none":
        return False
    try:
        months = number("m_work_months", member.get("m_work_months"))
    except Unreadable:
        return None
    return None if months is None else months >= ruleset.min_work_months


# The member answers rules read as numbers: (field, rule, flag code, what cannot be judged).
_MEMBER_NUMBERS = (("m_age", "R6", "age_unreadable", "年龄", "age"),
                   ("m_work_months", "R11", "work_months_unreadable", "务工月数", "months worked"))


def _unreadable_member_answers(members: list[dict]) -> list[Flag]:
    """A data-quality flag per member field that holds something other than a usable number."""
    flags = []
    for name, rule, code, name_zh, name_en in _MEMBER_NUMBERS:
        bad = []
        for position, member in enumerate(members, start=1):
            try:
                number(name, member.get(name))
            except Unreadable as e:
                bad.append({"member": position, name: e.value})
        if bad:
            flags.append(Flag(rule, code, "data", f"{len(bad)}名家庭成员的{name_zh}不是可用的数字({name})",
                              f"The {name_en} ({name}) of {len(bad)} member(s) is not a usable number",
                              inputs={"members": bad}))
    return flags
