"""Who may change what is stored: edits need submission.update and reach only the editor's places; a
draft's test code (shared with whoever tests the form) never reaches the registry or real submissions;
what a place-limited reader sees of other places through flags."""
import json

import pytest
import requests
from requests.auth import HTTPDigestAuth
from sqlalchemy import text

from tests.support.collect import CollectClient
from tests.support.households import screening_xml
from tests.support.registry import SCREENING, load_registry

FIRST = "uuid:aaaaaaaa-0000-4000-8000-000000000001"
PASSWORD = "a long enough password"


def _edit_of(instance_id: str, new_id: str, **answers) -> bytes:
    return screening_xml(new_id, **answers).replace(
        b"</instanceName>", b"</instanceName><deprecatedID>" + instance_id.encode() + b"</deprecatedID>")


def _query(app, sql: str, **params) -> list[tuple]:
    from app.extensions import db
    with app.app_context():
        return [tuple(r) for r in db.session.execute(text(sql), params)]


def _user_client(app, live_server, project, role, places=()) -> CollectClient:
    from app.services.accounts.grants import grant_role
    from app.services.accounts.users import create_user
    email = f"{role}-{'-'.join(places) or 'all'}@example.org"
    with app.app_context():
        create_user(email, PASSWORD, "Dixian")
        grant_role(project, email, role, places)
    return CollectClient(f"{live_server}/v1/projects/{project}", auth=HTTPDigestAuth(email, PASSWORD))


@pytest.fixture()
def screened(app, project, publish, device):
    load_registry(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(FIRST), {}).status_code == 201
    return project


def test_devices_and_data_collectors_cannot_edit(app, screened, device, live_server):
    """Central's app users and Data Collectors create; editing needs submission.update."""
    collector = _user_client(app, live_server, screened, "data_collector")
    for client, new_id in ((device, "uuid:bbbbbbbb-0000-4000-8000-000000000001"),
                           (collector, "uuid:bbbbbbbb-0000-4000-8000-000000000002")):
        assert client.post_submission(_edit_of(FIRST, new_id, inc_wage="1"), {}).status_code == 403
    assert _query(app, "SELECT count(*) FROM submission_version") == [(1,)]


def test_a_manager_edits_only_within_their_places(app, screened, live_server):
    elsewhere = _user_client(app, live_server, screened, "manager", ["420102001002"])
    refused = elsewhere.post_submission(_edit_of(FIRST, "uuid:bbbbbbbb-0000-4000-8000-000000000003"), {})
    assert refused.status_code == 404 and "does not exist" in refused.text      # as if it were not there
    here = _user_client(app, live_server, screened, "manager", ["420102001001"])
    assert here.post_submission(_edit_of(FIRST, "uuid:bbbbbbbb-0000-4000-8000-000000000004"), {}).status_code == 201


def _draft_tester(app, project, tmp_path) -> CollectClient:
    path = tmp_path / "fpf_hh_screening.md"
    path.write_text(SCREENING.read_text().replace("| 2026112301 |", "| 2026112399 |"))
    result = app.test_cli_runner().invoke(args=["form", "publish", str(project), str(path), "--draft"])
    assert result.exit_code == 0, result.output
    return CollectClient(json.loads(result.output.strip().splitlines()[-1])["server_url"])


def _as_draft(xml: bytes) -> bytes:
    return xml.replace(b'version="2026112301"', b'version="2026112399"')


def test_a_draft_test_never_writes_to_the_registry(app, screened, tmp_path):
    """Found by the attack test: the test code opens no door to the real registry."""
    tester = _draft_tester(app, screened, tmp_path)
    before = _query(app, "SELECT household_code, poverty_status, category, status FROM household ORDER BY 1")
    changed = _as_draft(screening_xml("uuid:cccccccc-0000-4000-8000-000000000001", monitor_status="hardship"))
    new = _as_draft(screening_xml("uuid:cccccccc-0000-4000-8000-000000000002", household="new", head_name="伪造户"))
    assert tester.post_submission(changed, {}).status_code == 201
    assert tester.post_submission(new, {}).status_code == 201
    assert _query(app, "SELECT household_code, poverty_status, category, status FROM household ORDER BY 1") == before


def test_a_draft_test_never_touches_a_real_submission(app, screened, tmp_path):
    tester = _draft_tester(app, screened, tmp_path)
    edit = _as_draft(_edit_of(FIRST, "uuid:cccccccc-0000-4000-8000-000000000003"))
    assert tester.post_submission(edit, {}).status_code == 403          # testers may not edit at all
    # The real submission's instanceID, sent as a test: not a resend of the real one, whatever the XML.
    assert tester.post_submission(_as_draft(screening_xml(FIRST)), {}).status_code == 409
    assert _query(app, "SELECT count(*), bool_or(is_draft) FROM submission") == [(1, False)]


def test_a_draft_test_gets_no_households_in_its_pick_lists(app, screened, tmp_path):
    tester = _draft_tester(app, screened, tmp_path)
    [form] = tester.form_list()
    files = {f["filename"]: f["downloadUrl"] for f in tester.manifest(form.manifest_url)}
    assert tester.get(files["households.csv"]).text.splitlines()[1:] == ["new,新建农户 New household,,,,,"]
    assert "420102001001" in tester.get(files["admin_units.csv"]).text          # the places, to test with


def _bearer(app, live_server, project, role, places=()):
    from app.services.accounts.grants import grant_role
    from app.services.accounts.users import create_user
    email = f"reader-{role}-{'-'.join(places) or 'all'}@example.org"
    with app.app_context():
        create_user(email, PASSWORD, "Dixian")
        grant_role(project, email, role, places)
    token = requests.post(f"{live_server}/v1/sessions", json={"email": email, "password": PASSWORD},
                          timeout=10).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_a_duplicate_id_flag_names_the_other_household_only_to_readers_of_its_village(
        app, project, publish, device, live_server):
    head = load_registry(app, project)          # H001 and H002 share a head's ID number
    publish(SCREENING)
    assert device.post_submission(screening_xml(FIRST, head_idno=head), {}).status_code == 201
    url = f"{live_server}/v1/projects/{project}/forms/fpf_hh_screening/submissions/{FIRST}/flags"

    def duplicate(headers):
        [flag] = [f for f in requests.get(url, headers=headers, timeout=10).json() if f["code"] == "id_duplicate"]
        return flag
    village_one = duplicate(_bearer(app, live_server, project, "viewer", ["420102001001"]))
    assert "other_household" not in village_one["inputs"] and "H002" not in json.dumps(village_one)
    township = duplicate(_bearer(app, live_server, project, "viewer", ["420102001000"]))
    assert township["inputs"]["other_household"] == "H002"


def test_a_submission_about_another_villages_household_is_read_only_by_who_covers_both(
        app, project, publish, device, live_server):
    """Its flags quote the household's registry (last year's income): not for the village it was made in alone."""
    load_registry(app, project)
    publish(SCREENING)
    # Made in 一元村 (420102001001), about H002 of 二元村 (420102001002).
    assert device.post_submission(screening_xml(FIRST, household="H002"), {}).status_code == 201
    url = f"{live_server}/v1/projects/{project}/forms/fpf_hh_screening/submissions/{FIRST}/flags"
    assert requests.get(url, headers=_bearer(app, live_server, project, "viewer", ["420102001001"]),
                        timeout=10).status_code == 404
    assert requests.get(url, headers=_bearer(app, live_server, project, "viewer", ["420102001000"]),
                        timeout=10).status_code == 200


def test_a_survey_date_in_the_future_is_flagged_and_not_kept_as_the_latest_visit(app, project, publish, device):
    from datetime import date
    load_registry(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(FIRST, survey_date="9999-12-31"), {}).status_code == 201
    [(surveyed_on,)] = _query(app, "SELECT surveyed_on FROM submission_assessment")
    assert surveyed_on == date.today()
    assert _query(app, "SELECT inputs->>'survey_date' FROM risk_flag WHERE code = 'survey_date_future'") == [
        ("9999-12-31",)]
