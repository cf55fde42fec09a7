"""Flags, households and coverage over the JSON API, end to end from OpenRosa submissions."""
import json

import requests

from tests.support.households import HOUSEHOLD, screening_xml
from tests.support.registry import SCREENING, load_registry


def _bearer(live_server, admin):
    token = requests.post(f"{live_server}/v1/sessions", json={"email": admin[0], "password": admin[1]},
                          timeout=10).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _campaign(app, project):
    result = app.test_cli_runner().invoke(args=["campaign", "create", str(project), "2026年集中排查",
                                                "--start", "2026-11-01", "--end", "2026-11-30",
                                                "--forms", "fpf_hh_screening"])
    assert result.exit_code == 0, result.output


def test_flags_of_one_submission(app, project, admin, publish, device, live_server):
    load_registry(app, project)
    publish(SCREENING)
    assert device.post_submission(HOUSEHOLD.encode(), {}).status_code == 201
    url = (f"{live_server}/v1/projects/{project}/forms/fpf_hh_screening/submissions/"
           "uuid:aaaaaaaa-0000-4000-8000-000000000001/flags")
    flags = requests.get(url, headers=_bearer(live_server, admin), timeout=10).json()
    below = next(f for f in flags if f["code"] == "income_below_line")
    assert below["rule"] == "R1" and below["severity"] == "high" and below["rulesetVersion"] == "42-2026-v1"
    assert below["explanation"]["zh"] and below["explanation"]["en"]
    assert below["inputs"]["pc_income"] == 6750.25 and below["threshold"] == {"monitoring_line": 7500}
    missing = requests.get(url.replace("aaaaaaaa", "bbbbbbbb"), headers=_bearer(live_server, admin), timeout=10)
    assert missing.status_code == 404


def test_household_record_with_current_flags_history_and_masked_ids(app, project, admin, publish, device,
                                                                    live_server):
    from app.services.accounts.grants import grant_role
    from app.services.accounts.users import create_user
    head = load_registry(app, project)
    publish(SCREENING)
    assert device.post_submission(HOUSEHOLD.encode(), {}).status_code == 201
    record = requests.get(f"{live_server}/v1/projects/{project}/households/H001",
                          headers=_bearer(live_server, admin), timeout=10).json()
    assert record["village"] == {"code": "420102001001", "name": "一元村"}
    assert record["headIdno"] == head                               # administrators see it whole
    assert len(record["history"]) == 1 and record["history"][0]["xmlFormId"] == "fpf_hh_screening"
    assert "income_below_line" in {f["code"] for f in record["currentFlags"]}
    with app.app_context():
        create_user("viewer@example.org", "viewer password 1", "Dixian")
        grant_role(project, "viewer@example.org", "viewer")
    masked = requests.get(f"{live_server}/v1/projects/{project}/households/H001",
                          headers=_bearer(live_server, ("viewer@example.org", "viewer password 1")), timeout=10).json()
    assert masked["headIdno"] == head[:4] + "*" * 10 + head[-4:]


def test_coverage_by_village_township_and_county(app, project, admin, publish, device, live_server):
    load_registry(app, project)
    publish(SCREENING)
    _campaign(app, project)
    assert device.post_submission(HOUSEHOLD.encode(), {}).status_code == 201
    auth = _bearer(live_server, admin)
    villages = requests.get(f"{live_server}/v1/projects/{project}/coverage",
                            params={"campaign": "2026年集中排查", "level": "village"}, headers=auth, timeout=10).json()
    units = {u["code"]: u for u in villages["units"]}
    screened = units["420102001001"]
    assert (screened["registeredHouseholds"], screened["screenedHouseholds"], screened["coverage"]) == (1, 1, 1.0)
    assert screened["flaggedHouseholds"]["income_below_line"] == 1
    # Two members, the son uninsured: basic medical 1/2.
    assert screened["rates"]["basicMedical"] == 0.5 and screened["persons"] == 2
    assert units["420102001002"]["coverage"] == 0.0
    county = requests.get(f"{live_server}/v1/projects/{project}/coverage",
                          params={"campaign": "2026年集中排查", "level": "county"}, headers=auth, timeout=10).json()
    [unit] = county["units"]
    assert unit["code"] == "420102000000" and unit["name"] == "江岸区"
    assert (unit["registeredHouseholds"], unit["screenedHouseholds"], unit["coverage"]) == (2, 1, 0.5)
    bad = requests.get(f"{live_server}/v1/projects/{project}/coverage", params={"campaign": "nope"},
                       headers=auth, timeout=10)
    assert bad.status_code == 404 and bad.json()["status"] == 404


def test_recompute_applies_a_new_ruleset(app, project, publish, device, tmp_path):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import RiskFlag
    load_registry(app, project)
    publish(SCREENING)
    assert device.post_submission(HOUSEHOLD.encode(), {}).status_code == 201
    lower = tmp_path / "hubei-2026-v2.json"
    lower.write_text(json.dumps({"province": "42", "year": 2026, "version": 2, "monitoring_line": 6000,
                                 "watch_line": 10000, "income_drop_ratio": 0.2, "medical_share": 0.5,
                                 "school_age_min": 6, "school_age_max": 15, "min_work_months": 6, "water": "2018"}))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["rules", "save", str(lower)]).exit_code == 0
    result = runner.invoke(args=["rules", "recompute", str(project)])
    assert result.exit_code == 0 and "re-assessed 1" in result.output
    with app.app_context():
        codes = {f.code: f.ruleset for f in db.session.scalars(select(RiskFlag))}
    assert "income_below_line" not in codes and codes["income_watch_10k"] == "42-2026-v2"
    refused = tmp_path / "bad.json"
    refused.write_text(json.dumps({"province": "42", "year": 2026, "version": 3}))
    result = runner.invoke(args=["rules", "save", str(refused)])
    assert result.exit_code == 1 and "missing thresholds" in result.output


def test_housing_and_water_rates_follow_their_own_answers(app, project, admin, publish, device, live_server):
    from tests.support.households import screening_xml
    load_registry(app, project)
    publish(SCREENING)
    _campaign(app, project)
    assert device.post_submission(screening_xml(house_status="grade_d", water_issue="none"), {}).status_code == 201
    units = requests.get(f"{live_server}/v1/projects/{project}/coverage", headers=_bearer(live_server, admin),
                         params={"campaign": "2026年集中排查", "level": "village"}, timeout=10).json()["units"]
    rates = {u["code"]: u["rates"] for u in units}["420102001001"]
    assert rates["safeHousing"] == 0.0 and rates["safeDrinkingWater"] == 1.0


def test_a_village_past_the_cluster_share_is_an_area_alert(app, project, admin, publish, device, live_server):
    """R21 (§8.5): a place whose share of screened households with R1, R4, R8 or R9 exceeds the ruleset's
    cluster_share (default 10%, strictly above) is an area alert in the coverage numbers."""
    from app.services.registry.imports import import_households
    load_registry(app, project)
    rows = "".join(f"C{n:02d},420102001002,户主{n},,ordinary,\n" for n in range(1, 11))
    with app.app_context():
        import_households(project, "more.csv", ("household_id,village,head_name,head_idno,poverty_status,"
                                                "last_pc_income\n" + rows).encode())
    publish(SCREENING)
    _campaign(app, project)
    auth = _bearer(live_server, admin)

    def screen(n: int, wage: str) -> None:
        xml = screening_xml(f"uuid:cccccccc-0000-4000-8000-{n:012d}", village="420102001002", household=f"C{n:02d}",
                            inc_wage=wage)
        assert device.post_submission(xml, {}).status_code == 201

    def cluster(level: str) -> dict:
        units = requests.get(f"{live_server}/v1/projects/{project}/coverage", headers=auth, timeout=10,
                             params={"campaign": "2026年集中排查", "level": level}).json()["units"]
        return {u["code"]: u["clusterRisk"] for u in units}

    screen(1, "1000")                                   # below the line: R1
    for n in range(2, 11):
        screen(n, "40000")
    assert cluster("village")["420102001002"] == {"households": 1, "share": 0.1, "threshold": 0.1,
                                                       "minHouseholds": 2, "alert": False}
    xml = screening_xml("uuid:cccccccc-0000-4000-8000-000000000102", village="420102001002", household="C02",
                        inc_wage="40000", house_status="grade_d")          # R8, on a later visit of C02
    assert device.post_submission(xml, {}).status_code == 201
    assert cluster("village")["420102001002"] == {"households": 2, "share": 0.2, "threshold": 0.1,
                                                       "minHouseholds": 2, "alert": True}
    # The township adds its villages up: 2 of 10 screened (一元村 has none screened).
    assert cluster("township")["420102001000"]["alert"] is True
