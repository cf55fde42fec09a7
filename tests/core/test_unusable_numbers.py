"""Numbers the rules cannot use (inf, nan, 1e400, 400 digits) are data-quality flags, never a crash."""
import json

import pytest

from app.core import idcard
from app.core.numbers import JSON_SAFE_INTEGER, NotANumber, usable_number
from app.core.rules import evaluate
from app.core.rules.answers import FormAnswers
from app.core.rules.metrics import household_metrics
from tests.support.rules import RS, member, screening

UNUSABLE = ["inf", "-inf", "Infinity", "nan", "NaN", "1e400", "-1e400", "1" + "0" * 400, 10**400, -(10**400),
            float("inf"), float("nan"), JSON_SAFE_INTEGER + 1, str(JSON_SAFE_INTEGER + 1), "1_000", "١٢", True]


@pytest.mark.parametrize("value", UNUSABLE, ids=repr)
def test_unusable_numbers_are_refused(value):
    with pytest.raises(NotANumber):
        usable_number(value)


@pytest.mark.parametrize("value,number", [(40, 40.0), (" 40 ", 40.0), ("12000.5", 12000.5), (1.5, 1.5),
                                          (JSON_SAFE_INTEGER, float(JSON_SAFE_INTEGER)), ("-3", -3.0)])
def test_usable_numbers_are_read(value, number):
    assert usable_number(value) == number


def _flags(form, answers):
    flags = evaluate(form, answers, None, RS)
    for flag in flags:     # every flag can be stored: no Infinity, NaN or oversized integer in its JSON
        json.dumps(flag.inputs, allow_nan=False)
        json.dumps(flag.threshold, allow_nan=False)
        assert all(abs(v) <= JSON_SAFE_INTEGER for v in _numbers(flag.inputs))
    return {f.code: f for f in flags}


def _numbers(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield value


@pytest.mark.parametrize("age", UNUSABLE, ids=repr)
def test_an_unusable_member_age_is_a_data_flag_and_the_age_comes_from_elsewhere(age):
    idno = idcard.make("420102", __import__("datetime").date(2016, 11, 21), 12)   # 9 on 2026-11-20
    child = member(m_relation="son", m_age=age, m_idno=idno, m_school="dropout", m_oos_reason="work",
                   m_labor="none")
    flags = _flags("fpf_hh_screening", screening(members=[member(), child]))
    assert flags["age_unreadable"].severity == "data"
    assert flags["age_unreadable"].inputs == {"members": [{"member": 2, "m_age": str(age)[:60] + (
        "…" if len(str(age)) > 60 else "")}]}
    assert flags["edu_dropout"].inputs["children"][0]["age"] == 9       # from the ID number
    view = FormAnswers.from_nested(screening(members=[member(), child]))
    assert household_metrics("fpf_hh_screening", view, [], RS).school_age == 1


@pytest.mark.parametrize("months", ["inf", "nan", "1e400", 10**400])
def test_unusable_work_months_are_a_data_flag_and_no_judgment_on_stable_work(months):
    answers = screening(members=[member(m_work_months=months),
                                 member(m_relation="spouse", m_labor="none", m_work=None)])
    flags = _flags("fpf_hh_screening", answers)
    assert "work_months_unreadable" in flags and "no_worker" not in flags


@pytest.mark.parametrize("field", ["inc_wage", "exp_med"])
@pytest.mark.parametrize("value", ["inf", "nan", "1e400", 10**400, "9" * 400, JSON_SAFE_INTEGER + 1])
def test_unusable_income_is_a_data_flag(field, value):
    flags = _flags("fpf_hh_screening", screening(**{field: value}))
    assert flags["income_unreadable"].inputs == {field: str(value)[:60] + ("…" if len(str(value)) > 60 else "")}


def test_an_unusable_household_size_is_a_data_flag():
    answers = screening(members=[])
    answers["hh_g"]["hh_size"] = "inf"
    assert "income_unreadable" in _flags("fpf_hh_screening", answers)


@pytest.mark.parametrize("field", ["outage_days", "qty_lpcd", "fetch_min"])
@pytest.mark.parametrize("value", ["1e400", "inf", "nan", 10**401, "1" + "0" * 400])
def test_unusable_water_numbers_are_a_data_flag(field, value):
    answers = {"quantity_g": {"qty_lpcd": 40.0, "fetch_min": 10}, "reliability_g": {"outage_days": 3},
               "supply_g": {"supply_type": "small_central", "piped": "no"},
               "quality_g": {"sensory": "none", "report": "no"}}
    group = "reliability_g" if field == "outage_days" else "quantity_g"
    answers[group][field] = value
    assert list(_flags("fpf_water", answers)) == ["water_unreadable"]


def test_an_unusable_last_year_income_in_the_registry_is_ignored():
    household = {"poverty_status": "lifted", "last_pc_income": float("inf")}
    flags = evaluate("fpf_hh_screening", screening(), household, RS)
    assert "income_drop" not in {f.code for f in flags}


def test_id_numbers_need_ascii_digits():
    idno = idcard.make("420102", __import__("datetime").date(1974, 5, 6), 21)
    arabic = idno[:6] + "".join(chr(0x660 + int(d)) for d in idno[6:14]) + idno[14:]   # ١٩٧٤٠٥٠٦
    assert idcard.problem(idno) is None and idcard.problem(arabic) is not None
