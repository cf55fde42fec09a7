"""The README's first run, command by command, on the shipped demo county: it ends with a device that
has the screening form and its pick-lists, and a screening the server accepts."""
import csv
import io
import json

from shapely.geometry import shape

from demo.submissions import member_xml, screening_xml
from tests.conftest import REPO
from tests.support.collect import CollectClient

DEMO = REPO / "demo"
VILLAGES = ("429901001001", "429901001002")


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=[str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def _csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_the_demo_files_are_what_the_generator_writes():
    from demo.first_run import first_run_files
    files = first_run_files()
    assert sorted(files) == ["households.csv", "places.csv"]
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

    collect = CollectClient(device["server_url"])
    listed = {f.form_id: f for f in collect.form_list()}
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

    picked = registry[households[1]["name"]]
    boundary = next(p for p in _csv((DEMO / "places.csv").read_bytes()) if p["code"] == picked["village"])
    inside = shape(json.loads(boundary["boundary_geojson"])).representative_point()
    xml = screening_xml("uuid:0f1e2d3c-0000-4000-8000-000000000001", village=picked["village"],
                        household=picked["household_id"], gps=f"{inside.y:.6f} {inside.x:.6f} 30 5",
                        head_name=picked["head_name"], poverty_status=picked["poverty_status"],
                        members=[member_xml(picked["head_name"], "head", idno=picked["head_idno"], age="50")])
    assert collect.post_submission(xml).status_code == 201
