"""Every flag code the rules raise has one severity, the one SEVERITY_OF gives it (data-quality codes
are those it does not list)."""
import ast
from pathlib import Path

from app.core.rules.flags import RISK_CODES, SEVERITY_OF, worst_severity

APP = Path(__file__).resolve().parents[2] / "app"


def raised_flags() -> set[tuple[str, str]]:
    """(code, severity) of every Flag(rule, code, severity, ...) in app/ with both given as literals."""
    found = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Flag" and len(node.args) >= 3:
                code, severity = node.args[1], node.args[2]
                if isinstance(code, ast.Constant) and isinstance(severity, ast.Constant):
                    found.add((code.value, severity.value))
    return found


def test_each_raised_code_has_the_catalogues_severity():
    raised = raised_flags()
    assert len(raised) > 25                                   # the walk found the rules
    for code, severity in raised:
        assert SEVERITY_OF.get(code, "data") == severity, code
    assert {code for code, severity in raised if severity != "data"} == set(SEVERITY_OF)


def test_worst_severity():
    assert worst_severity(["income_watch_10k", "no_labor", "gps_outside_village"]) == "medium"
    assert worst_severity(["gps_outside_village"]) is None
    assert worst_severity([]) is None
    assert RISK_CODES["high"][0] == "basic_needs"
