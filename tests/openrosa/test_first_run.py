"""The README's first run, command by command, on the shipped demo county: it ends with a device that
has the four forms and the screening form's pick-lists, the shipped example screening sent as the
README sends it with curl, and a township supervisor reading the campaign's coverage."""
import csv
import io
import json
import re
import uuid
from datetime import date

import requests
from shapely.geometry import Point, shape

from tests.conftest import REPO
from tests.support.collect import CollectClient

DEMO = REPO / "demo"
VILLAGES = ("429901001001", "429901001002")
FORMS = {"fpf_hh_screening", "fpf_housing", "fpf_water", "fpf_self_report"}
OPENROSA = {"X-OpenRosa-Version": "1.0"}


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=[str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def _csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_the_demo_files_are_what_the_generator_writes():
    from demo.first_run import first_run_files
    files = first_run_files()
    assert sorted(files) == ["households.csv", "places.csv", "screening-example.xml"]
    for name, content in files.items():
        assert (DEMO / name).read_bytes() == content, f"demo/{name} is stale: run scripts/demo_files.py"


def test_the_first_run_reaches_a_device_that_can_fill_the_screening_form(app, clean, live_server):
    _run(app, "form", "sync", REPO / "forms")                        # what scripts/serve.sh does
    projects = dict(line.split("\t")[::-1] for line in _run(app, "project", "list").splitlines())
    project = projects[app.config["DEFAULT_PROJECT_NAME"]]
    assert "places: 9 added" in _run(app, "places", "import", DEMO / "places.csv")
    assert "households: 60 added" in _run(app, "households", "import", project, DEMO / "households.csv")
    device = json.loads(_run(app, "app-user", "create", project, "村干部 张三"))
    assert "2 village(s)" in _run(app, "app-user", "assign", project, "村干部 张三", *VILLAGES)
    year = date.today().year
    _run(app, "campaign", "create", project, "示范排查", "--start", f"{year}-01-01", "--end", f"{year}-12-31",
         "--forms", "fpf_hh_screening,fpf_housing,fpf_water")
    _run(app, "user", "create", "wang@example.org", "--password", "a long password")
    _run(app, "user", "grant", project, "wang@example.org", "viewer", "--place", "429901001000")

    collect = CollectClient(device["server_url"])
    listed = {f.form_id: f for f in collect.form_list()}
    assert set(listed) == FORMS                                     # as the README says
    form = listed["fpf_hh_screening"]
    assert collect.get(form.download_url).status_code == 200
    media = {m["filename"]: m for m in collect.manifest(form.manifest_url)}
    assert set(media) == {"admin_units.csv", "households.csv"}
    places = _csv(collect.get(media["admin_units.csv"]["downloadUrl"]).content)
    assert {p["name"] for p in places if p["level"] == "village"} == set(VILLAGES)
    households = _csv(collect.get(media["households.csv"]["downloadUrl"]).content)
    registry = {r["household_id"]: r for r in _csv((DEMO / "households.csv").read_bytes())}
    assert households[0]["name"] == "new" and len(households) == 1 + 20
    for row in households[1:]:
        head = registry[row["name"]]["head_name"]
        # As the README says: the first character, then one * for each other character.
        assert row["label"] == head[0] + "*" * (len(head) - 1) + " " + row["name"]
        assert row["village"] in VILLAGES
    assert any(len(registry[row["name"]]["head_name"]) == 3 for row in households[1:])

    # The shipped example is a household of the device's villages, located inside its village.
    example = (DEMO / "screening-example.xml").read_text(encoding="utf-8")
    picked = registry[re.search(r"<hh_pick>(.+)</hh_pick>", example)[1]]
    assert picked["village"] in VILLAGES
    boundary = next(p for p in _csv((DEMO / "places.csv").read_bytes()) if p["code"] == picked["village"])
    lat, lon = map(float, re.search(r"<hh_gps>(.+)</hh_gps>", example)[1].split()[:2])
    assert shape(json.loads(boundary["boundary_geojson"])).contains(Point(lon, lat))

    # Sent as the README sends it: a fresh instanceID and today's date (sed), HEAD, then the multipart POST.
    xml = re.sub(r"uuid:[0-9a-f-]*", f"uuid:{uuid.uuid4()}", example).replace("2026-11-20", date.today().isoformat())
    server_url = device["server_url"]
    assert requests.head(f"{server_url}/submission", headers=OPENROSA, timeout=10).status_code == 204
    sent = requests.post(f"{server_url}/submission", headers=OPENROSA, timeout=30,
                         files={"xml_submission_file": ("screening.xml", xml.encode("utf-8"), "text/xml")})
    assert sent.status_code == 201, sent.text

    # The township supervisor's coverage read, as in the README.
    session = requests.post(f"{live_server}/v1/sessions", json={"email": "wang@example.org",
                                                                "password": "a long password"}, timeout=10)
    coverage = requests.get(f"{live_server}/v1/projects/{project}/coverage", timeout=10,
                            params={"campaign": "示范排查", "level": "township"},
                            headers={"Authorization": f"Bearer {session.json()['token']}"})
    assert coverage.status_code == 200, coverage.text
    [township] = coverage.json()["units"]
    assert township["code"] == "429901001000"
    assert township["screenedHouseholds"] == 1 and township["registeredHouseholds"] == 30
