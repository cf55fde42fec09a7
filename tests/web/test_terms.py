"""The console's names for registry codes agree with the screening form's own lists."""
import re
from pathlib import Path

from app.web.i18n import RELATIONS

FORM = Path(__file__).resolve().parents[2] / "forms" / "fpf_hh_screening.md"


def test_relations_are_the_screening_forms_list():
    rows = re.findall(r"^\| *\| *rel *\| *(\w+) *\| *([^|]+?) *\| *([^|]+?) *\|", FORM.read_text(), re.M)
    assert {code: {"zh": zh, "en": en} for code, zh, en in rows} == RELATIONS
