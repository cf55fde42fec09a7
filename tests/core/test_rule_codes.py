"""What the rules can read (app/core/rules/codes.py) is what the forms allow (forms/*.md): the choice codes of each
question a rule reads, and the ranges of their numbers' constraints; and each such answer, unreadable, is named
by a data flag (issue 17: an answer that is none of the form's codes is never read as "not at risk")."""
import re
from pathlib import Path

import pytest

from app.core.rules import evaluate
from app.core.rules.codes import CHOICES, DATES, MULTIPLE, PLACE_MARK, RANGES
from app.core.rules.inputs import HOUSING_NEEDS, SCREENING_NEEDS, _member_needs, _water_needs
from tests.support.rules import RS, member, screening

FORMS = Path(__file__).resolve().parents[2] / "forms"


def _rows(text: str, sheet: str) -> list[list[str]]:
    """The cells of a sheet of an XLSForm in pyxform's markdown layout, its header row first."""
    rows, inside = [], False
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| |"):
            inside = line.strip("| ").strip() == sheet
        elif inside and line.startswith("| |"):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[2:-1]])
    return rows


def _form_fields() -> dict[str, dict]:
    """Every question of the three ruled forms: name -> {type, list, constraint, codes}."""
    found: dict[str, dict] = {}
    for name in ("fpf_hh_screening", "fpf_housing", "fpf_water"):
        text = (FORMS / f"{name}.md").read_text(encoding="utf-8")
        header, *survey = _rows(text, "survey")
        _, *choices = _rows(text, "choices")
        codes: dict[str, set[str]] = {}
        for row in choices:
            codes.setdefault(row[0], set()).add(row[1])
        for row in survey:
            cells = dict(zip(header, row))
            kind, _, listed = cells.get("type", "").partition(" ")
            found[cells.get("name", "")] = {"type": kind, "codes": codes.get(listed),
                                            "constraint": cells.get("constraint", "")}
    return found


FIELDS = _form_fields()


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_a_choice_the_rules_read_has_the_forms_codes(name):
    field = FIELDS[name]
    if field["type"] == "calculate":                       # from the server's list of places
        assert CHOICES[name] == PLACE_MARK
    else:
        assert field["type"] == "select_one" and CHOICES[name] == field["codes"]


@pytest.mark.parametrize("name", sorted(MULTIPLE))
def test_a_multiple_choice_the_rules_read_has_the_forms_codes(name):
    assert FIELDS[name]["type"] == "select_multiple" and MULTIPLE[name] == FIELDS[name]["codes"]


@pytest.mark.parametrize("name", sorted(RANGES))
def test_a_number_the_rules_read_has_the_forms_range(name):
    constraint = FIELDS[name]["constraint"]
    low = re.search(r"\. >= ([0-9]+)", constraint)
    high = re.search(r"\. <= ([0-9]+)", constraint)
    assert RANGES[name] == (int(low.group(1)) if low else None, int(high.group(1)) if high else None)


def test_every_answer_the_rules_read_unreadable_is_named_by_a_flag():
    needed = {n.field for n in (*SCREENING_NEEDS, *HOUSING_NEEDS, *_water_needs(RS), *_member_needs(RS, None))}
    assert set(CHOICES) | set(MULTIPLE) | set(DATES) <= needed


def test_an_unknown_code_names_rule_field_member_and_answer():
    answers = screening(members=[member(), member(m_relation="spouse", m_med_ins="未参保", m_labor="full")])
    flags = [f for f in evaluate("fpf_hh_screening", answers, None, RS) if f.code == "input_unreadable"]
    assert [(f.rule, f.inputs) for f in flags] == [
        ("R7", {"field": "m_med_ins", "rules": ["R7"], "members": [2], "values": ["未参保"]}),
        ("R10", {"field": "m_labor", "rules": ["R10", "R11"], "members": [2], "values": ["full"]})]
    assert "input_missing" not in {f.code for f in evaluate("fpf_hh_screening", answers, None, RS)}


def test_a_multiple_choice_with_an_unknown_code_is_not_read():
    flags = evaluate("fpf_hh_screening", screening(water_issue=["none", "dirty"]), None, RS)
    assert {f.code for f in flags} == {"input_unreadable"}
