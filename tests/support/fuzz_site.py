"""The data a fuzz run needs in the test database (a county, the four forms, a draft, a device, a
session) and what every fuzz run of the suite must show."""
import json
import os
from pathlib import Path

import requests

from demo.submissions import housing_xml, water_xml
from tests.support.fuzzing import FuzzReport, FuzzTarget, half_stored
from tests.support.households import screening_xml
from tests.support.registry import load_registry

REPO = Path(__file__).resolve().parents[2]
FORMS = ("fpf_hh_screening", "fpf_housing", "fpf_water", "fpf_self_report")

FUZZ_REQUESTS = int(os.environ.get("FUZZ_REQUESTS", 3000))
FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", 75))
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", 20261201))


def assert_no_5xx_and_nothing_half_stored(app, report: FuzzReport) -> None:
    """What every fuzz run must show: enough requests, no 5xx or silence, every write whole, and
    answers from the server's deeper paths (stored submissions, reads), not only its front checks."""
    print(f"fuzz: {report.sent} requests in {report.seconds:.0f} s: "
          + ", ".join(f"{status}: {n}" for status, n in sorted(report.statuses.items(), key=lambda kv: str(kv[0]))))
    assert report.sent >= min(FUZZ_REQUESTS, 1000)
    assert report.server_errors == [], "\n\n".join(f"#{i} -> {status}\n{request}\n=>\n{answer}"
                                                   for i, status, request, answer in report.server_errors)
    from app.extensions import db
    with app.app_context():
        assert half_stored(db.session.connection(), app.extensions["blobstore"].exists) == []
    assert report.statuses[201] > 0 and report.statuses[200] > 0 and report.statuses[400] > 0


def fuzz_target(app, project: int, admin: tuple[str, str], publish, device, server: str, tmp_path: Path,
                host: str, port: int) -> FuzzTarget:
    """Load the test county into `project`, publish the forms and a draft, send one screening through
    `device` and sign `admin` in at `server`; a FuzzTarget aimed at host:port with their valid values."""
    load_registry(app, project)
    for name in FORMS:
        publish(REPO / "forms" / f"{name}.md")
    draft = tmp_path / "fpf_water.md"
    draft.write_text((REPO / "forms" / "fpf_water.md").read_text().replace("| 2026112301 |", "| 2026112399 |"))
    drafted = app.test_cli_runner().invoke(args=["form", "publish", str(project), str(draft), "--draft"])
    assert drafted.exit_code == 0, drafted.output
    draft_code = json.loads(drafted.output.strip().splitlines()[-1])["server_url"].split("/test/")[1].split("/")[0]
    bearer = requests.post(f"{server}/v1/sessions", json={"email": admin[0], "password": admin[1]},
                           timeout=10).json()["token"]
    gps = "30.5928 114.3055 25.5 4.2"
    submissions = [screening_xml(), housing_xml("uuid:bbbbbbbb-0000-4000-8000-000000000001", village="420102001001",
                                                household="H001", gps=gps, grade="C"),
                   water_xml("uuid:bbbbbbbb-0000-4000-8000-000000000002", village="420102001001",
                             household="H001", gps=gps, qty_lpcd="30", outage_days="10")]
    assert device.post_submission(submissions[0], {}).status_code == 201
    return FuzzTarget(
        host=host, port=port, project_id=project,
        device_token=device.server_url.split("/key/")[1].split("/")[0], bearer_token=bearer, user=admin,
        routes=[(rule.rule, tuple(sorted(rule.methods - {"OPTIONS"}))) for rule in app.url_map.iter_rules()],
        valid={"project_id": [str(project)], "xml_form_id": list(FORMS),
               "instance_id": ["uuid:aaaaaaaa-0000-4000-8000-000000000001"], "household_id": ["H001", "H002"],
               "token": [draft_code], "name": ["admin_units.csv", "households.csv"], "filename": ["x.js"],
               "campaign": ["1"], "level": ["village", "county"]},
        submissions=submissions)
