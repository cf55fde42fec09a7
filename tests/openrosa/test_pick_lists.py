"""Each device's pick-lists: only its villages and their households, re-downloaded only when they change."""
import csv
import io

from tests.conftest import REPO
from tests.support.collect import CollectClient
from tests.support.registry import load_registry

SCREENING = REPO / "forms" / "fpf_hh_screening.md"


def _media(device):
    [form] = device.form_list()
    return {m["filename"]: m for m in device.manifest(form.manifest_url)}


def _rows(device, entry):
    body = device.get(entry["downloadUrl"])
    assert body.status_code == 200
    assert entry["hash"] == "md5:" + __import__("hashlib").md5(body.content).hexdigest()
    return list(csv.DictReader(io.StringIO(body.content.decode("utf-8"))))


def test_a_device_gets_only_its_villages_and_households(app, project, publish, device):
    load_registry(app, project)
    publish(SCREENING)
    result = app.test_cli_runner().invoke(args=["app-user", "assign", str(project), "村干部 测试", "420102001001"])
    assert result.exit_code == 0, result.output
    media = _media(device)
    assert set(media) == {"admin_units.csv", "households.csv"}
    places = {r["name"]: r for r in _rows(device, media["admin_units.csv"])}
    assert set(places) == {"420102000000", "420102001000", "420102001001", "420102001001001"}
    assert places["420102001001"]["parent"] == "420102001000" and places["420102001001"]["seismic_ge7"] == "1"
    households = _rows(device, media["households.csv"])
    assert [h["name"] for h in households] == ["new", "H001"]
    assert households[1]["label"] == "王* H001" and households[1]["last_pc_income"] == "9000"


def test_the_hash_changes_exactly_when_the_content_does(app, project, publish, device):
    from app.services.registry.imports import import_households
    load_registry(app, project)
    publish(SCREENING)
    app.test_cli_runner().invoke(args=["app-user", "assign", str(project), "村干部 测试", "420102001001"])
    first = _media(device)
    assert _media(device) == first                                    # nothing changed, nothing to fetch
    with app.app_context():   # a household in another village: this device's lists stay the same
        import_households(project, "h.csv", "household_id,village,head_name\nH003,420102001002,赵六\n".encode())
    assert _media(device) == first
    with app.app_context():
        import_households(project, "h.csv", "household_id,village,head_name\nH004,420102001001,钱七\n".encode())
    second = _media(device)
    assert second["households.csv"]["hash"] != first["households.csv"]["hash"]
    assert second["admin_units.csv"]["hash"] == first["admin_units.csv"]["hash"]


def test_a_device_with_no_villages_gets_empty_lists(app, project, publish, device):
    load_registry(app, project)
    publish(SCREENING)
    media = _media(device)
    assert [h["name"] for h in _rows(device, media["households.csv"])] == ["new"]
    assert _rows(device, media["admin_units.csv"]) == []


def test_web_users_get_every_place(app, project, admin, publish, live_server):
    from requests.auth import HTTPDigestAuth
    load_registry(app, project)
    publish(SCREENING)
    client = CollectClient(f"{live_server}/v1/projects/{project}", auth=HTTPDigestAuth(*admin))
    media = _media(client)
    assert len(_rows(client, media["admin_units.csv"])) == 5
