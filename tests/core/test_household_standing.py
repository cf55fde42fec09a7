"""A household's 农户属性, 监测对象类别 and 监测状态: the allowed codes, their Chinese terms, contradictions."""
import pytest

from app.core.household_standing import from_monitor_status, read_term, standing_problems


@pytest.mark.parametrize("column, raw, code", [
    ("poverty_status", "lifted", "lifted"), ("poverty_status", " 脱贫户 ", "lifted"),
    ("poverty_status", "Ordinary", "ordinary"), ("category", "不纳入", "none"),
    ("category", "突发严重困难户", "hardship"), ("status", "风险消除", "eliminated"),
    ("status", "已消除风险", "eliminated"), ("status", "MONITORED", "monitored"), ("status", "  ", None)])
def test_codes_and_chinese_terms_are_read_as_codes(column, raw, code):
    assert read_term(column, raw) == (code, None)


@pytest.mark.parametrize("column, raw", [("poverty_status", "poor"), ("category", "两类人群"),
                                         ("status", "normal"), ("status", "unstable"),
                                         ("category", "420102197003040011")])
def test_anything_else_is_a_problem_naming_the_allowed_values_but_not_the_value(column, raw):
    code, problem = read_term(column, raw)
    assert code is None and problem.startswith(f"{column} is not one of ")
    assert raw not in problem


def test_the_definitions_of_the_categories_are_checked():
    assert standing_problems("lifted", "unstable", "monitored") == []
    assert standing_problems("ordinary", "edge", "monitored") == []
    assert standing_problems("ordinary", "hardship", "eliminated") == []
    assert standing_problems("ordinary", "none", "none") == []
    assert standing_problems(None, None, None) == []
    assert "needs poverty_status lifted" in standing_problems("ordinary", "unstable", None)[0]
    assert "needs poverty_status ordinary" in standing_problems("lifted", "edge", None)[0]
    assert "category must be" in standing_problems(None, "none", "monitored")[0]
    assert "status must be" in standing_problems(None, "edge", "none")[0]


def test_a_screening_answer_becomes_category_and_status():
    assert from_monitor_status("edge", "none") == ("edge", "monitored")
    assert from_monitor_status("none", "edge") == ("none", "none")
    assert from_monitor_status("eliminated", "hardship") == ("hardship", "eliminated")
    assert from_monitor_status(None, "edge") == ("edge", None)
    assert from_monitor_status("garbage", None) == (None, None)
