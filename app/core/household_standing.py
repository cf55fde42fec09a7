"""A household's standing in the registry: 农户属性, 监测对象类别 and 监测状态, as stored codes.

Pure: the allowed values, reading a value a file gives, and what contradicts what. The codes are
the choice names of the screening form (forms/fpf_hh_screening.md, lists `pov`, `cat` and `mon`),
so an imported registry and a screening say the same thing the same way; a file may give the
Chinese term instead of the code. The conditions on the categories are their national
definitions (the three kinds of 监测对象; domain analysis §1.1, confirmed on qinan.gov.cn): a
脱贫不稳定户 is a 脱贫户, an 边缘易致贫户 is an ordinary household, a 突发严重困难户 may be either.
"""

# code -> the terms a file may use for it (the first is the one shown back to people).
POVERTY_STATUS = {"lifted": ("脱贫户",), "ordinary": ("一般农户",)}
CATEGORY = {"none": ("非监测对象", "不纳入"), "unstable": ("脱贫不稳定户",), "edge": ("边缘易致贫户",),
            "hardship": ("突发严重困难户",)}
STATUS = {"none": ("非监测对象",), "monitored": ("风险未消除", "监测中"),
          "eliminated": ("风险消除", "已消除风险")}
TERMS = {"poverty_status": POVERTY_STATUS, "category": CATEGORY, "status": STATUS}

MONITORED_CATEGORIES = ("unstable", "edge", "hardship")


def read_term(column: str, raw: str | None) -> tuple[str | None, str | None]:
    """(code, None) for a known code or term of `column`, (None, None) for an empty value,
    (None, problem) otherwise. Codes are matched without regard to case or surrounding spaces.
    The problem does not repeat the value: a shifted column may have put an ID number there."""
    value = (raw or "").strip()
    if not value:
        return None, None
    terms = TERMS[column]
    for code, names in terms.items():
        if value.lower() == code or value in names:
            return code, None
    allowed = ", ".join(f"{code} ({names[0]})" for code, names in terms.items())
    return None, f"{column} is not one of {allowed}"


def standing_problems(poverty_status: str | None, category: str | None, status: str | None) -> list[str]:
    """What contradicts what among the three codes; an empty (unknown) value contradicts nothing."""
    problems = []
    if category == "unstable" and poverty_status == "ordinary":
        problems.append("category unstable (脱贫不稳定户) needs poverty_status lifted (脱贫户)")
    if category == "edge" and poverty_status == "lifted":
        problems.append("category edge (边缘易致贫户) needs poverty_status ordinary (一般农户)")
    if status in ("monitored", "eliminated") and category == "none":
        problems.append(f"status {status} is for a 监测对象: category must be unstable, edge or hardship")
    if status == "none" and category in MONITORED_CATEGORIES:
        problems.append(f"category {category} is a 监测对象: status must be monitored or eliminated")
    return problems


def from_monitor_status(monitor_status: str | None, category: str | None) -> tuple[str | None, str | None]:
    """(category, status) after a screening answered 当前监测状态 (`monitor_status`, list `mon`).

    The form asks one question where the registry keeps two: a category answer means monitored in
    that category; 已消除风险 keeps the category the household was monitored in.
    """
    if monitor_status == "none":
        return "none", "none"
    if monitor_status in MONITORED_CATEGORIES:
        return monitor_status, "monitored"
    if monitor_status == "eliminated":
        return category, "eliminated"
    return category, None
