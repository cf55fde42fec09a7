"""A few thousand generated bad requests against the live server: no 5xx, nothing half-stored.

The same generator drives scripts/fuzz.py, which sends 100,000 and more to gunicorn behind the
front door and reports counts by status. Here the count is bounded by FUZZ_SECONDS, so the suite
stays quick; set FUZZ_REQUESTS / FUZZ_SEED to go further or to replay a failure.
"""
import json
import os
from urllib.parse import urlsplit

from app.demo.submissions import housing_xml, water_xml
from tests.conftest import REPO
from tests.services.test_assessment import _registry
from tests.support.fuzzing import FuzzTarget, half_stored, run
from tests.support.households import screening_xml

FUZZ_REQUESTS = int(os.environ.get("FUZZ_REQUESTS", 3000))
FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", 120))
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", 20261201))


def test_generated_bad_requests_get_no_5xx_and_leave_nothing_half_stored(app, project, admin, publish, device,
                                                                          live_server, tmp_path):
    import requests

    from app.extensions import db
    _registry(app, project)
    for name in ("fpf_hh_screening", "fpf_housing", "fpf_water", "fpf_self_report"):
        publish(REPO / "forms" / f"{name}.md")
    draft = tmp_path / "fpf_water.md"
    draft.write_text((REPO / "forms" / "fpf_water.md").read_text().replace("| 2026112301 |", "| 2026112399 |"))
    drafted = app.test_cli_runner().invoke(args=["form", "publish", str(project), str(draft), "--draft"])
    assert drafted.exit_code == 0, drafted.output
    draft_code = json.loads(drafted.output.strip().splitlines()[-1])["server_url"].split("/test/")[1].split("/")[0]
    bearer = requests.post(f"{live_server}/v1/sessions", json={"email": admin[0], "password": admin[1]},
                           timeout=10).json()["token"]
    gps = "30.5928 114.3055 25.5 4.2"
    submissions = [screening_xml(), housing_xml("uuid:bbbbbbbb-0000-4000-8000-000000000001", village="420102001001",
                                                household="H001", gps=gps, grade="C"),
                   water_xml("uuid:bbbbbbbb-0000-4000-8000-000000000002", village="420102001001",
                             household="H001", gps=gps, qty_lpcd="30", outage_days="10")]
    assert device.post_submission(submissions[0], {}).status_code == 201
    address = urlsplit(live_server)
    target = FuzzTarget(
        host=address.hostname, port=address.port, project_id=project,
        device_token=device.server_url.split("/key/")[1].split("/")[0], bearer_token=bearer, user=admin,
        routes=[(rule.rule, tuple(sorted(rule.methods - {"OPTIONS"})))
                for rule in app.url_map.iter_rules()],
        valid={"project_id": [str(project)], "xml_form_id": ["fpf_hh_screening", "fpf_water", "fpf_housing"],
               "instance_id": ["uuid:aaaaaaaa-0000-4000-8000-000000000001"], "household_id": ["H001", "H002"],
               "token": [draft_code], "name": ["admin_units.csv", "households.csv"], "filename": ["x.js"],
               "campaign": ["1"], "level": ["village", "county"]},
        submissions=submissions)

    report = run(target, FUZZ_REQUESTS, seed=FUZZ_SEED, deadline_s=FUZZ_SECONDS)

    print(f"fuzz: {report.sent} requests in {report.seconds:.0f} s: "
          + ", ".join(f"{status}: {n}" for status, n in sorted(report.statuses.items(), key=lambda kv: str(kv[0]))))
    assert report.sent >= min(FUZZ_REQUESTS, 1000)
    assert report.server_errors == []
    with app.app_context():
        blobs = app.extensions["blobstore"]
        assert half_stored(db.session.connection(), blobs.exists) == []
    # The generator reached the server's deeper paths, not only its front checks.
    assert report.statuses[201] > 0 and report.statuses[200] > 0 and report.statuses[400] > 0
