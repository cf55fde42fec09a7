"""Income and spending rules (R1–R5), read from a screening submission (Form A)."""
from dataclasses import dataclass

from .answers import FormAnswers, Unreadable, number
from .flags import Flag
from .ruleset import Ruleset

INCOME_PARTS = ("inc_wage", "inc_biz", "exp_biz", "inc_prop", "inc_trans")
RIGID_PARTS = ("exp_med", "exp_edu", "loss_disaster")


@dataclass(frozen=True)
class Income:
    net: float            # 家庭纯收入
    size: int             # 家庭人口数
    per_capita: float     # 人均纯收入
    parts: dict


def household_income(answers: FormAnswers) -> Income | None:
    """Net income from its parts, as the form computes it; None if a part is unanswered."""
    parts = {name: answers.number(name) for name in INCOME_PARTS}   # may raise Unreadable
    if any(v is None for v in parts.values()):
        return None
    size = household_size(answers)
    if not size:
        return None
    net = parts["inc_wage"] + parts["inc_biz"] - parts["exp_biz"] + parts["inc_prop"] + parts["inc_trans"]
    # Not rounded: "strictly below the line" is of the income itself (5,999.67 is below 6,000; rounding it
    # to 6,000 first would clear it). Explanations show it rounded.
    return Income(net=net, size=size, per_capita=net / size, parts=parts)


def _per_head(amount: float) -> str:
    """A per-capita income as an explanation shows it: whole yuan, or with its fen when it is not whole (5,999.67 stays
    below a 6,000 line in words too)."""
    return f"{amount:.0f}" if abs(amount - round(amount)) < 0.005 else f"{amount:.2f}"


def household_size(answers: FormAnswers) -> int:
    """The persons of the member repeat (one listed twice counts once: FormAnswers.persons), else hh_size."""
    if answers.members:
        return len(answers.persons)
    size = answers.number("hh_size")
    return int(size) if size else 0


def income_rules(answers: FormAnswers, household: dict | None, ruleset: Ruleset) -> list[Flag]:
    try:
        income = household_income(answers)
    except Unreadable as e:
        return [_unreadable(e)]
    if income is None:
        return []         # a part or the members are blank: inputs.missing_inputs and R22 say which
    flags = []
    line = ruleset.monitoring_line
    # The household's status: the answer, else the registry's; unknown when neither says (never "ordinary"),
    # and unknown when the answer cannot be read (the cadre wrote something: the registry may be out of date).
    unread = any(u.field == "poverty_status" and u.member is None for u in answers.unreadable)
    status = None if unread else answers.text("poverty_status") or (household or {}).get("poverty_status")
    lifted = status == "lifted"
    inputs = {"pc_income": round(income.per_capita, 2), "inc_net": income.net, "hh_size": income.size}
    # "Below the line" is strictly below: at the line a household is not flagged (README, "Risk rules").
    if income.per_capita < line:
        suggested = None if status is None else "unstable" if lifted else "edge"
        advice = {"unstable": ("建议按脱贫不稳定户研判", "consider it as an unstable lifted household"),
                  "edge": ("建议按边缘易致贫户研判", "consider it as an edge household"),
                  None: ("农户属性未填写,待核实后研判类别", "the household's status is blank: check it first"),
                  }[suggested]
        flags.append(Flag(
            "R1", "income_below_line", "high",
            f"人均纯收入{_per_head(income.per_capita)}元,低于监测范围{line:.0f}元;{advice[0]}",
            f"Per-capita net income {_per_head(income.per_capita)} yuan is below the monitoring line of "
            f"{line:.0f} yuan; {advice[1]}",
            inputs={**inputs, "poverty_status": status, "suggested_category": suggested},
            threshold={"monitoring_line": line}))
    if lifted and income.per_capita < ruleset.watch_line:
        flags.append(Flag(
            "R2", "income_watch_10k", "low",
            f"脱贫户人均纯收入{_per_head(income.per_capita)}元,低于{ruleset.watch_line:.0f}元,列入增收重点关注",
            f"Lifted household with per-capita income {_per_head(income.per_capita)} yuan, below the "
            f"{ruleset.watch_line:.0f}-yuan watch line",
            inputs={**inputs, "poverty_status": "lifted"}, threshold={"watch_line": ruleset.watch_line}))
    flags += _income_drop(income, household, ruleset)
    flags += _rigid_expense(answers, income, ruleset)
    return flags


def _income_drop(income: Income, household: dict | None, ruleset: Ruleset) -> list[Flag]:
    try:
        previous = number("last_pc_income", (household or {}).get("last_pc_income"))
    except Unreadable:
        previous = None
    if not previous or previous <= 0:
        return []
    floor = previous * (1 - ruleset.income_drop_ratio)
    if income.per_capita > floor:
        return []
    fall = 1 - income.per_capita / previous
    return [Flag(
        "R3", "income_drop", "medium",
        f"人均纯收入由上年{previous:.0f}元降至{_per_head(income.per_capita)}元,降幅{fall:.0%}",
        f"Per-capita income fell from {previous:.0f} to {_per_head(income.per_capita)} yuan ({fall:.0%})",
        inputs={"pc_income": round(income.per_capita, 2), "prev_pc_income": previous},
        threshold={"income_drop_ratio": ruleset.income_drop_ratio})]


def _rigid_expense(answers: FormAnswers, income: Income, ruleset: Ruleset) -> list[Flag]:
    """R4 and R5. A blank part is not zero: the parts given are a floor of the spending (every part is
    at least 0), so R4 is raised when they already reach it and otherwise not judged; R5's share test
    needs exp_med itself (inputs.missing_inputs names what is blank)."""
    try:
        given = {name: answers.number(name) for name in RIGID_PARTS}
    except Unreadable as e:
        return [_unreadable(e)]
    rigid_parts = {name: value for name, value in given.items() if value is not None}
    rigid = sum(rigid_parts.values())
    flags = []
    after = (income.net - rigid) / income.size
    if rigid > 0 and (rigid > income.net or after < ruleset.monitoring_line):
        flags.append(Flag(
            "R4", "rigid_expense", "medium",
            f"刚性支出{rigid:.0f}元,扣除后人均{after:.0f}元(家庭纯收入{income.net:.0f}元),可研判突发严重困难户",
            f"Rigid spending of {rigid:.0f} yuan leaves {after:.0f} yuan per person (net income "
            f"{income.net:.0f}); a candidate sudden-hardship household",
            inputs={**rigid_parts, "inc_net": income.net, "hh_size": income.size},
            threshold={"monitoring_line": ruleset.monitoring_line}))
    medical = rigid_parts.get("exp_med")
    serious = [m.get("m_name") for m in answers.members if m.get("m_health") == "serious"]
    share_hit = (medical is not None and medical > 0
                 and (income.net <= 0 or medical >= ruleset.medical_share * income.net))
    if serious or share_hit:
        flags.append(Flag(
            "R5", "medical_high", "medium",
            f"{'有家庭成员患大病;' if serious else ''}合规自付医疗费用{_yuan(medical)},家庭纯收入{income.net:.0f}元",
            f"{'A member is seriously ill; ' if serious else ''}out-of-pocket medical costs {_yuan(medical, 'en')} "
            f"against net income {income.net:.0f}",
            inputs={"exp_med": medical, "inc_net": income.net, "seriously_ill": len(serious)},
            threshold={"medical_share": ruleset.medical_share}))
    return flags


def _yuan(value: float | None, lang: str = "zh") -> str:
    if value is None:
        return "未填写" if lang == "zh" else "blank"
    return f"{value:.0f}元" if lang == "zh" else f"{value:.0f} yuan"


def _unreadable(e: Unreadable) -> Flag:
    return Flag("R1", "income_unreadable", "data", f"{e.name}的答案“{e.value}”不是可用的数字,无法计算收入",
                f"The answer to {e.name} ({e.value!r}) is not a usable number; income cannot be computed",
                inputs={e.name: e.value})
