"""Answers that contradict the definitions or themselves (R19, R22)."""
from .. import idcard
from ..access import place_code
from .answers import FormAnswers
from .flags import Flag


def category_rule(answers: FormAnswers, household: dict | None) -> list[Flag]:
    """R19: 脱贫不稳定户 must be a 脱贫户; 边缘易致贫户 must be an ordinary household."""
    proposed = answers.text("proposed_cat")
    status = answers.text("poverty_status") or (household or {}).get("poverty_status")
    wrong = (proposed == "unstable" and status == "ordinary") or (proposed == "edge" and status == "lifted")
    if not wrong:
        return []
    return [Flag("R19", "category_inconsistent", "data",
                 f"拟纳入类别({'脱贫不稳定户' if proposed == 'unstable' else '边缘易致贫户'})与农户属性"
                 f"({'一般农户' if status == 'ordinary' else '脱贫户'})不符",
                 f"Proposed category {proposed} does not fit a household that is {status}",
                 inputs={"proposed_cat": proposed, "poverty_status": status})]


def data_quality_rules(answers: FormAnswers) -> list[Flag]:
    """R22 within one submission: ID numbers (each checked as written less spaces and full-width forms,
    idcard.clean; one person listed twice), the head of household, the household size."""
    flags = []
    bad_ids = []
    head = answers.text("head_idno")
    if head and idcard.problem(idcard.clean(head)):
        bad_ids.append({"field": "head_idno", "problem": idcard.problem(idcard.clean(head))})
    for position, member in enumerate(answers.members, start=1):
        idno = member.get("m_idno")
        if idno and idcard.problem(idcard.clean(idno)):
            bad_ids.append({"field": "m_idno", "member": position, "problem": idcard.problem(idcard.clean(idno))})
    if bad_ids:
        # The numbers themselves stay out of the flag: they are sensitive personal data.
        flags.append(Flag("R22", "id_invalid", "data", f"{len(bad_ids)}个身份证号码校验不通过",
                          f"{len(bad_ids)} ID number(s) fail the GB 11643 check", inputs={"ids": bad_ids}))
    flags += _listed_twice(answers)
    if "member" in answers.repeats or answers.values.get("hh_size") is not None:
        if not answers.members:
            flags.append(Flag("R22", "household_empty", "data", "家庭成员为0人", "The household has no members",
                              inputs={"hh_size": 0}))
        elif "m_relation" in answers.members[0] and \
                sum(1 for m in answers.members if m.get("m_relation") == "head") != 1:
            heads = sum(1 for m in answers.members if m.get("m_relation") == "head")
            flags.append(Flag("R22", "head_count", "data", f"户主人数为{heads},应为1人",
                              f"{heads} members are marked head of household; there must be exactly one",
                              inputs={"heads": heads}))
    return flags


def _listed_twice(answers: FormAnswers) -> list[Flag]:
    """R22 person in two households, within one: members of one screening with one ID number (normalised,
    idcard.normalise) are one person listed twice. Counted once (FormAnswers.persons), and flagged with the
    members' positions (never the number)."""
    positions: dict[str, list[int]] = {}
    for position, member in enumerate(answers.members, start=1):
        if (idno := idcard.normalise(member.get("m_idno"))) is not None:
            positions.setdefault(idno, []).append(position)
    twice = [p for p in positions.values() if len(p) > 1]
    if not twice:
        return []
    listed = "；".join("、".join(map(str, p)) + "号成员" for p in twice)
    return [Flag("R22", "person_listed_twice", "data", f"{listed}的身份证号相同,按同一人计算家庭人口",
                 f"Members {'; '.join(', '.join(map(str, p)) for p in twice)} give one ID number: counted as one "
                 "person", inputs={"members": twice})]


OUTSIDE_PLACES = "outside_assigned_places"


def outside_places_rule(village: str | None, places: tuple[str, ...] | None) -> list[Flag]:
    """R22: a submission about a village outside the places its sender covers (a device's assigned
    villages, a web user's granted places; None: everywhere). Stored and flagged, never refused:
    cadres cover for each other's villages, and a supervisor should see where that happened."""
    if places is None or village is None or village.startswith(places):
        return []
    return [Flag("R22", OUTSIDE_PLACES, "data", f"村庄{village}不在提交人负责的地区内",
                 f"Village {village} is outside the places the sender covers",
                 inputs={"village": village, "places": [place_code(p) for p in places]})]
