"""The console's names for registry codes agree with the screening form's own lists."""
import re
from pathlib import Path

from app.web.i18n import RELATIONS

FORM = Path(__file__).resolve().parents[2] / "forms" / "fpf_hh_screening.md"


def test_relations_are_the_screening_forms_list():
    rows = re.findall(r"^\| *\| *rel *\| *(\w+) *\| *([^|]+?) *\| *([^|]+?) *\|", FORM.read_text(), re.M)
    assert {code: {"zh": zh, "en": en} for code, zh, en in rows} == RELATIONS


def test_terms_of_values_that_are_not_plain_codes(app):
    from flask import g

    from app.web.i18n import term
    with app.test_request_context():
        g.lang = "zh"
        assert term("relation", ["head", "spouse"]) == "户主 / 配偶"      # an answer given twice
        assert term("relation", "堂兄") == "堂兄" and term("relation", None) == "–"
        assert term("relation", {"odd": 1}) == "{'odd': 1}"
        assert term("poverty_status", "lifted") == "脱贫户"
        g.lang = "en"
        assert term("status", "monitored") == "Risk not eliminated"


def test_amounts_as_people_write_them():
    from app.web import amount
    assert amount(20559.0) == "20,559" and amount(1234.5) == "1,234.5" and amount(0.125) == "0.12"
    assert amount(None) == "–" and amount(-0.001) == "0" and amount(100) == "100"
    assert amount(float("nan")) == "nan" and amount("abc") == "abc"
