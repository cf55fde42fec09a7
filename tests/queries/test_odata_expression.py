"""$filter for submissions and for the households Entity List, one checker (queries/odata_expression.py): what
each accepts becomes SQL PostgreSQL takes, and anything else is a Problem (never a 500). Found by a
differential fuzz of the two checkers the shared one replaced."""
import random

import pytest
from sqlalchemy.dialects.postgresql import psycopg

from app.problems import Problem
from app.queries.odata_filter import filter_condition
from app.services.registry.entity_filter import household_filter

DIALECT = psycopg.dialect()
FEEDS = {"submissions": filter_condition, "entities": household_filter}


def _sql(feed: str, text: str) -> str:
    return str(FEEDS[feed](text).compile(dialect=DIALECT))


def _code(feed: str, text: str) -> float:
    with pytest.raises(Problem) as refused:
        FEEDS[feed](text)
    return refused.value.code


@pytest.mark.parametrize("feed", FEEDS)
def test_not_of_a_run_of_conditions_is_a_condition(feed):
    """SQLAlchemy leaves NOT (a OR b) untyped; the kinds already say it is a condition."""
    assert _sql(feed, "not (__id eq 'a' or __id eq 'b')").startswith("NOT (")
    assert _sql(feed, "true and not (__id eq 'a' and __system/updatedAt eq null)")


@pytest.mark.parametrize("feed", FEEDS)
def test_null_on_the_left_is_is_null(feed):
    """`null eq x` written as NULL = x would match nothing."""
    for text, wanted in (("null eq __system/deletedAt", "IS NULL"), ("null ne __system/updatedAt", "IS NOT NULL"),
                         ("not (null eq __id)", "IS NOT NULL")):
        sql = _sql(feed, text)
        assert wanted in sql and "NULL =" not in sql and "NULL !=" not in sql, (text, sql)


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize("text", ["true lt false", "(__id eq 'a') gt false", "__system/updatedAt lt true",
                                  "null ge 1", "__id eq 'a\x00b'", "__id eq 'a' or __id gt 1e400",
                                  "not " * 70 + "true"])
def test_what_postgresql_or_sqlalchemy_would_refuse_is_400_18(feed, text):
    assert _code(feed, text) == 400.18


def test_a_number_beyond_the_column_is_400_18_on_either_side_of_in():
    assert _code("submissions", "-9223372036854775809 in (__system/submitterId, 1)") == 400.18
    assert _code("submissions", "__system/submitterId in (1, 2147483648)") == 400.18
    assert "IN" in _sql("submissions", "__system/submitterId in (1, 2147483647)")


@pytest.mark.parametrize("feed", FEEDS)
def test_a_long_run_of_or_is_one_level(feed):
    """A client filtering on a list of ids writes a run of `or`; SQLAlchemy flattens it."""
    assert _sql(feed, " or ".join(["__id eq 'a'"] * 150)).count("OR") == 149


NAMES = ["__id", "__system/submissionDate", "__system/updatedAt", "__system/deletedAt", "__system/submitterId",
         "__system/reviewState", "__dixian/placeCode", "__dixian/flag", "__system/createdAt", "__system/creatorId",
         "__system/conflict", "head_name", "label", "nothing"]
LITERALS = ["0", "-1", "2147483648", "9223372036854775808", "1.5", "1e400", "'a'", "''", "'5'", "'x\x00'",
            "2026-01-01", "2026-02-30", "2026-01-01T08:00:00Z", "true", "false", "null"]
FUNCTIONS = ["now()", "year({})", "second({})", "startswith({}, 'a')", "contains({}, {})", "tolower({})",
             "length({})", "year({}, {})"]
OPERATORS = ["eq", "ne", "lt", "le", "gt", "ge", "add", "has"]


def _expression(rng: random.Random, depth: int) -> str:
    roll = rng.random()
    if depth <= 0 or roll < 0.3:
        return rng.choice(NAMES + LITERALS)
    if roll < 0.45:
        function = rng.choice(FUNCTIONS)
        return function.format(*(_expression(rng, depth - 1) for _ in range(function.count("{}"))))
    if roll < 0.55:
        return f"{_expression(rng, depth - 1)} in ({', '.join(_expression(rng, 0) for _ in range(rng.randint(1, 3)))})"
    if roll < 0.65:
        return f"not ({_expression(rng, depth - 1)})"
    if roll < 0.8:
        return f"({_expression(rng, depth - 1)}) {rng.choice(['and', 'or'])} ({_expression(rng, depth - 1)})"
    return f"{_expression(rng, depth - 1)} {rng.choice(OPERATORS)} {_expression(rng, depth - 1)}"


@pytest.mark.parametrize("feed", FEEDS)
def test_any_filter_is_sql_or_a_problem(feed):
    rng = random.Random(7)
    accepted = 0
    for _ in range(3000):
        text = _expression(rng, 3)
        try:
            sql = _sql(feed, text)
        except Problem:
            continue
        accepted += 1
        assert "NULL =" not in sql and "NULL !=" not in sql and "\x00" not in sql, (text, sql)
    assert accepted > 50         # the generator writes real filters too, not only refused ones
