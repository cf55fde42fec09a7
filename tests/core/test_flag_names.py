"""Every flag code the server can raise has a Chinese and an English name in the console (app/web/i18n.py
FLAG_NAMES), which is also the console's list of flags to filter by: a fresh user found id_duplicate and
gps_outside_village shown as raw codes, and missing from the filter."""
import re
from pathlib import Path

from app.core.rules.flags import ALL_RISK_CODES
from app.web.i18n import FLAG_NAMES

APP = Path(__file__).resolve().parents[2] / "app"
# A flag made with its rule and code written out: Flag("R22", "id_duplicate", ...).
RAISED = re.compile(r'Flag\(\s*"R\w+",\s*"(\w+)"')


def test_every_flag_code_raised_is_named_in_both_languages():
    raised = {code for path in APP.rglob("*.py") for code in RAISED.findall(path.read_text(encoding="utf-8"))}
    assert len(raised) > 10                       # the pattern still finds the data flags
    missing = sorted((raised | set(ALL_RISK_CODES)) - set(FLAG_NAMES))
    assert missing == []
    assert all(names.get("zh") and names.get("en") for names in FLAG_NAMES.values())
