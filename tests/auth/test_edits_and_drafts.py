"""Who may change what is stored: edits need submission.update and reach only the editor's places; a
draft's test code (shared with whoever tests the form) never reaches the registry or real submissions;
a household's record changes only from its own village and its own places' senders; what a
place-limited reader sees of other places through flags."""
import json

import pytest
import requests
from sqlalchemy import text

from tests.support.collect import CollectClient
from tests.support.households import screening_xml
from tests.support.people import bearer, digest_client
from tests.support.registry import SCREENING, load_registry

FIRST = "uuid:aaaaaaaa-0000-4000-8000-000000000001"


def _edit_of(instance_id: str, new_id: str, **answers) -> bytes:
    return screening_xml(new_id, **answers).replace(
        b"</instanceName>", b"</instanceName><deprecatedID>" + instance_id.encode() + b"</deprecatedID>")


def _query(app, sql: str, **params) -> list[tuple]:
    from app.extensions import db
    with app.app_context():
        return [tuple(r) for r in db.session.execute(text(sql), params)]


@pytest.fixture()
def screened(app, project, publish, device):
    load_registry(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(FIRST), {}).status_code == 201
    return project


def test_devices_and_data_collectors_cannot_edit(app, screened, device, live_server):
    """Central's app users and Data Collectors create; editing needs submission.update."""
    collector = digest_client(app, live_server, screened, "data_collector")
    for client, new_id in ((device, "uuid:bbbbbbbb-0000-4000-8000-000000000001"),
                           (collector, "uuid:bbbbbbbb-0000-4000-8000-000000000002")):
        assert client.post_submission(_edit_of(FIRST, new_id, inc_wage="1"), {}).status_code == 403
    assert _query(app, "SELECT count(*) FROM submission_version") == [(1,)]


def test_a_manager_edits_only_within_their_places(app, screened, live_server):
    elsewhere = digest_client(app, live_server, screened, "manager", ["420102001002"])
    refused = elsewhere.post_submission(_edit_of(FIRST, "uuid:bbbbbbbb-0000-4000-8000-000000000003"), {})
    assert refused.status_code == 404 and "does not exist" in refused.text      # as if it were not there
    here = digest_client(app, live_server, screened, "manager", ["420102001001"])
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


def test_a_duplicate_id_flag_names_the_other_household_only_to_readers_of_its_village(
        app, project, publish, device, live_server):
    head = load_registry(app, project)          # H001 and H002 share a head's ID number
    publish(SCREENING)
    assert device.post_submission(screening_xml(FIRST, head_idno=head), {}).status_code == 201
    url = f"{live_server}/v1/projects/{project}/forms/fpf_hh_screening/submissions/{FIRST}/flags"

    def duplicate(headers):
        [flag] = [f for f in requests.get(url, headers=headers, timeout=10).json() if f["code"] == "id_duplicate"]
        return flag
    village_one = duplicate(bearer(app, live_server, project, "viewer", ["420102001001"]))
    assert "other_household" not in village_one["inputs"] and "H002" not in json.dumps(village_one)
    township = duplicate(bearer(app, live_server, project, "viewer", ["420102001000"]))
    assert township["inputs"]["other_household"] == "H002"


def _household(app, code: str) -> tuple:
    return _query(app, "SELECT poverty_status, category, status FROM household WHERE household_code = :code",
                  code=code)[0]


def test_a_submission_naming_another_villages_household_is_tied_to_no_household(app, project, publish, device,
                                                                                  live_server):
    """Made in 一元村 (420102001001) about H002 of 二元村 (420102001002): flagged, and it changes neither
    H002's record nor what 二元村's readers see (found by the attack test: it rewrote another township's
    household, out of sight of that township)."""
    load_registry(app, project)
    publish(SCREENING)
    before = _household(app, "H002")
    assert device.post_submission(screening_xml(FIRST, household="H002", poverty_status="lifted",
                                                monitor_status="hardship"), {}).status_code == 201
    assert _household(app, "H002") == before
    assert _query(app, "SELECT household_id, admin_code FROM submission_assessment") == [(None, "420102001001")]

    flags = f"{live_server}/v1/projects/{project}/forms/fpf_hh_screening/submissions/{FIRST}/flags"
    there = bearer(app, live_server, project, "viewer", ["420102001002"])
    assert requests.get(flags, headers=there, timeout=10).status_code == 404
    record = requests.get(f"{live_server}/v1/projects/{project}/households/H002", headers=there, timeout=10).json()
    assert FIRST not in json.dumps(record)
    # Where it was made it is seen, flagged, without the other village for a reader who does not cover it.
    here = requests.get(flags, headers=bearer(app, live_server, project, "viewer", ["420102001001"]), timeout=10)
    [elsewhere] = [f for f in here.json() if f["code"] == "household_elsewhere"]
    assert "other_village" not in elsewhere["inputs"]
    township = requests.get(flags, headers=bearer(app, live_server, project, "viewer", ["420102001000"]), timeout=10)
    [elsewhere] = [f for f in township.json() if f["code"] == "household_elsewhere"]
    assert elsewhere["inputs"]["other_village"] == "420102001002"


def test_a_screening_from_outside_the_senders_places_changes_no_standing(app, project, publish, device):
    """Cadres cover for each other, so it is stored, tied to its household and flagged; but a household's
    脱贫/监测 standing is changed only by someone whose places hold it."""
    from app.services.accounts.app_users import assign_places
    load_registry(app, project)
    publish(SCREENING)
    with app.app_context():
        assign_places(project, "村干部 测试", ["420102001001"])
    before = _household(app, "H002")
    assert device.post_submission(screening_xml(FIRST, village="420102001002", household="H002",
                                                poverty_status="lifted", monitor_status="hardship"),
                                  {}).status_code == 201
    assert _household(app, "H002") == before
    assert _query(app, "SELECT h.household_code FROM submission_assessment a JOIN household h "
                       "ON h.id = a.household_id") == [("H002",)]
    assert ("outside_assigned_places",) in _query(app, "SELECT code FROM risk_flag")
    # From inside, the same answers change it.
    second = "uuid:aaaaaaaa-0000-4000-8000-000000000002"
    assert device.post_submission(screening_xml(second, household="H001", poverty_status="ordinary",
                                                monitor_status="hardship"), {}).status_code == 201
    assert _household(app, "H001") != ("lifted", None, None)


def test_an_edit_of_the_screening_that_registered_a_household_corrects_it(app, project, publish, device, editor):
    """One household, whatever the number of edits (the attack test found each edit registering another)."""
    from app.services.monitoring.assess import new_household_code
    load_registry(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(FIRST, household="new", head_name="王小"), {}).status_code == 201
    second, third = "uuid:aaaaaaaa-0000-4000-8000-000000000002", "uuid:aaaaaaaa-0000-4000-8000-000000000003"
    assert editor.post_submission(_edit_of(FIRST, second, household="new", head_name="王晓"), {}).status_code == 201
    assert editor.post_submission(_edit_of(second, third, household="new", head_name="王小明"), {}).status_code == 201
    new = _query(app, "SELECT id, household_code, head_name FROM household "
                      "WHERE household_code NOT IN ('H001', 'H002')")
    assert [row[1:] for row in new] == [(new_household_code(FIRST), "王小明")]
    assert _query(app, "SELECT household_id FROM submission_assessment") == [(new[0][0],)]
    # Judging the rules again finds the same household, and registers none.
    from app.services.monitoring.recompute import recompute_flags
    with app.app_context():
        recompute_flags(project)
    assert _query(app, "SELECT household_id FROM submission_assessment") == [(new[0][0],)]
    assert len(_query(app, "SELECT id FROM household")) == 3


def test_a_survey_date_in_the_future_is_flagged_and_not_kept_as_the_latest_visit(app, project, publish, device):
    from datetime import date
    load_registry(app, project)
    publish(SCREENING)
    assert device.post_submission(screening_xml(FIRST, survey_date="9999-12-31"), {}).status_code == 201
    [(surveyed_on,)] = _query(app, "SELECT surveyed_on FROM submission_assessment")
    assert surveyed_on == date.today()
    assert _query(app, "SELECT inputs->>'survey_date' FROM risk_flag WHERE code = 'survey_date_future'") == [
        ("9999-12-31",)]
