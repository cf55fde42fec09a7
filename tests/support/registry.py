"""The test county most tests start from: 江岸区 (420102) with two villages and two registered households,
and Hubei's 2026 ruleset (monitoring line 7500 yuan)."""
from datetime import date
from pathlib import Path

from app.core import idcard

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
SCREENING = REPO / "forms" / "fpf_hh_screening.md"


def load_registry(app, project: int) -> str:
    """Places from tests/data/places.csv, households H001 (王五, 一元村 420102001001, lifted, 9000 yuan)
    and H002 (李四, 二元村 420102001002, ordinary) sharing one head's ID number, and the ruleset.
    Returns that ID number."""
    from app.services.monitoring.rulesets import save_ruleset
    from app.services.registry.imports import import_households, import_places
    head = idcard.make("420102", date(1974, 5, 6), 21)
    with app.app_context():
        import_places("places.csv", (DATA / "places.csv").read_bytes())
        import_households(project, "h.csv", (
            "household_id,village,head_name,head_idno,poverty_status,last_pc_income\n"
            f"H001,420102001001,王五,{head},lifted,9000\n"
            f"H002,420102001002,李四,{head},ordinary,\n").encode())
        save_ruleset({"province": "42", "year": 2026, "version": 1, "monitoring_line": 7500, "watch_line": 10000,
                      "income_drop_ratio": 0.2, "medical_share": 0.5, "school_age_min": 6, "school_age_max": 15,
                      "min_work_months": 6, "water": "2018"})
    return head


def cover_test_villages(app, project: int, device_name: str = "村干部 测试") -> None:
    """Assigns the test device (tests/conftest.py's `device`) both test villages: a device covers only
    its assigned villages, and only from them do its screenings change the registry."""
    from app.services.accounts.app_users import assign_places
    with app.app_context():
        assign_places(project, device_name, ["420102001001", "420102001002"])
