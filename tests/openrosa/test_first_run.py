"""The README's first run, command by command, on the shipped demo county: it ends with a device that
has the three cadres' forms and the screening form's pick-lists, the shipped example screening sent with curl,
and a township supervisor reading the campaign's coverage. The test runs the README's own block."""
import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from shapely.geometry import Point, shape

from tests.conftest import REPO
from tests.support.collect import CollectClient

DEMO = REPO / "demo"
VILLAGES = ("429901001001", "429901001002")
# A cadre's phone: the residents' self-report form (fpf_self_report) is theirs only when assigned.
FORMS = {"fpf_hh_screening", "fpf_housing", "fpf_water"}


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


def readme_first_run() -> str:
    """The shell block of the README's "First run" that a user runs in the second terminal: every
    ```sh block of the section but the one that starts the server."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## First run", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return "".join(block for block in blocks if "scripts/serve.sh" not in block)


def run_readme_first_run(app, database_url: str, public_url: str, project: int, home: Path) -> str:
    """Runs the README's block in bash (-e: any failing command fails the test) as a user would after
    pasting serve.sh's export line, in a folder with the repository's demo/, .venv and wsgi.py; the
    project id (1 on a fresh server) replaced by this database's. Returns its standard output."""
    script = readme_first_run()
    assert "\nproject=1\n" in script
    script = script.replace("\nproject=1\n", f"\nproject={project}\n")
    folder = home / "repository"
    folder.mkdir()
    for name in ("demo", "wsgi.py"):
        (folder / name).symlink_to(REPO / name)
    (folder / ".venv").symlink_to(Path(sys.prefix))
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8", "PYTHONPATH": str(REPO),
           "DATABASE_URL": database_url, "DIXIAN_DATA_DIR": os.environ["DIXIAN_DATA_DIR"],
           "SECRET_KEY": app.config["SECRET_KEY"], "PUBLIC_URL": public_url, "BACKGROUND_JOBS_SECONDS": "0"}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"the README's first run failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_first_run_reaches_a_device_that_can_fill_the_screening_form(app, clean, database_url, live_server,
                                                                          tmp_path):
    _run(app, "form", "sync", REPO / "forms")                        # what scripts/serve.sh does
    projects = dict(line.split("\t")[::-1] for line in _run(app, "project", "list").splitlines())
    project = projects[app.config["DEFAULT_PROJECT_NAME"]]
    output = run_readme_first_run(app, database_url, live_server, project, tmp_path)

    # What the README's comments promise, in its output.
    assert "places: 9 added" in output and "households: 60 added" in output
    assert "HTTP/1.1 204" in output and "full submission upload was successful!" in output
    listed = set(re.findall(r"<formID>(.+?)</formID>", output))
    assert listed == FORMS
    *_, coverage_line, pyodk_line = output.rstrip().split("\n")
    coverage = json.loads(coverage_line)
    [township] = coverage["units"]
    assert township["code"] == "429901001000"
    assert township["screenedHouseholds"] == 1 and township["registeredHouseholds"] == 30
    assert (tmp_path / "zhangsan.png").read_bytes().startswith(b"\x89PNG")
    # pyodk, signed in as the supervisor, reads the screening the phone sent (its instanceID).
    sent = re.search(r"<instanceID>(uuid:[0-9a-f-]{36})</instanceID>", (tmp_path / "screening.xml").read_text())
    assert pyodk_line == sent.group(1)

    # The phone's view: the screening form and its pick-lists, for the device's two villages.
    device = json.loads((tmp_path / "zhangsan.json").read_text(encoding="utf-8"))
    collect = CollectClient(device["server_url"])
    form = {f.form_id: f for f in collect.form_list()}["fpf_hh_screening"]
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
