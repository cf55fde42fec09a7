"""Who may do what, and where: every role against every kind of route, over real HTTP.

Cases reliability/20 (a device token read the registry), 21 (a data collector read households
and coverage) and 22 (a viewer submitted), and place scope: a grant limited to a township or a
village reads only what lies in it.
"""
import pytest
import requests

from tests.support.collect import CollectClient
from tests.support.households import screening_xml
from tests.support.people import PASSWORD, bearer
from tests.support.registry import SCREENING, load_registry

FIRST = "uuid:aaaaaaaa-0000-4000-8000-000000000001"    # a screening of H001, in village 420102001001
# A second township with one village, so that a township grant has something to leave out.
OTHER_TOWNSHIP = (
    "code,level,parent_code,name,seismic_ge7,water_scarce,boundary_geojson\n"
    "420102002000,township,420102000000,二曜街道,0,0,\n"
    "420102002001,village,420102002000,三元村,0,0,\n")


@pytest.fixture()
def county(app, project, publish, device):
    """The test county with a screening of H001 (一元村) sent by a device, and a campaign."""
    from app.services.registry.imports import import_households, import_places
    load_registry(app, project)
    with app.app_context():
        import_places("more.csv", OTHER_TOWNSHIP.encode())
        import_households(project, "more.csv", "household_id,village,head_name\nH003,420102002001,赵六\n".encode())
    publish(SCREENING)
    assert device.post_submission(screening_xml(FIRST), {}).status_code == 201
    result = app.test_cli_runner().invoke(args=["campaign", "create", str(project), "排查", "--start", "2026-11-01",
                                                "--end", "2026-11-30", "--forms", "fpf_hh_screening"])
    assert result.exit_code == 0, result.output
    return project


def _reads(live_server, project, headers, params=None, root="/v1"):
    """Status of each read route: household H001, the flags of its screening, coverage."""
    base = f"{live_server}{root}/projects/{project}"
    urls = {"household": f"{base}/households/H001",
            "flags": f"{base}/forms/fpf_hh_screening/submissions/{FIRST}/flags",
            "coverage": f"{base}/coverage?campaign=排查"}
    return {name: requests.get(url, headers=headers, params=params, timeout=10).status_code
            for name, url in urls.items()}


def test_a_device_token_lists_forms_and_submits_but_reads_nothing_back(county, device, live_server):
    """reliability/20: the token of a lost phone must not open the registry."""
    assert [f.form_id for f in device.form_list()] == ["fpf_hh_screening"]
    assert device.head_submission().status_code == 204
    token = device.server_url.split("/key/")[1].split("/")[0]
    keyed = f"/v1/key/{token}"
    assert _reads(live_server, county, {}, root=keyed) == {"household": 403, "flags": 403, "coverage": 403}
    # Enketo's ?st= form of the same token, on the plain URLs.
    assert _reads(live_server, county, {}, params={"st": token}) == {"household": 403, "flags": 403, "coverage": 403}
    assert requests.get(f"{live_server}{keyed}/projects", timeout=10).json() == []


def test_a_data_collector_fills_forms_and_reads_nothing_back(app, county, live_server):
    """reliability/21: Central's Data Collector lists forms and submits, nothing more."""
    headers = bearer(app, live_server, county, "data_collector")
    assert _reads(live_server, county, headers) == {"household": 403, "flags": 403, "coverage": 403}
    collect = CollectClient(f"{live_server}/v1/projects/{county}")
    collect.http.headers.update(headers)
    assert [f.form_id for f in collect.form_list()] == ["fpf_hh_screening"]
    assert collect.post_submission(screening_xml("uuid:aaaaaaaa-0000-4000-8000-000000000021"), {}).status_code == 201


def test_a_viewer_reads_with_ids_masked_and_never_submits(app, county, live_server):
    """reliability/22: a read-only role cannot create (or edit) records."""
    headers = bearer(app, live_server, county, "viewer")
    assert _reads(live_server, county, headers) == {"household": 200, "flags": 200, "coverage": 200}
    record = requests.get(f"{live_server}/v1/projects/{county}/households/H001", headers=headers, timeout=10).json()
    assert "*" * 10 in record["headIdno"]
    collect = CollectClient(f"{live_server}/v1/projects/{county}")
    collect.http.headers.update(headers)
    assert collect.head_submission().status_code == 403
    posted = collect.post_submission(screening_xml("uuid:aaaaaaaa-0000-4000-8000-000000000022"), {}, head_first=False)
    assert posted.status_code == 403 and "OpenRosaResponse" in posted.text
    edit = screening_xml("uuid:aaaaaaaa-0000-4000-8000-000000000023").replace(
        b"</instanceID>", b"</instanceID><deprecatedID>" + FIRST.encode() + b"</deprecatedID>")
    assert collect.post_submission(edit, {}, head_first=False).status_code == 403
    assert _submissions(app) == 1


def test_a_manager_reads_unmasked_and_submits(app, county, live_server):
    headers = bearer(app, live_server, county, "manager")
    assert _reads(live_server, county, headers) == {"household": 200, "flags": 200, "coverage": 200}
    record = requests.get(f"{live_server}/v1/projects/{county}/households/H001", headers=headers, timeout=10).json()
    assert "*" not in record["headIdno"]
    collect = CollectClient(f"{live_server}/v1/projects/{county}")
    collect.http.headers.update(headers)
    assert collect.post_submission(screening_xml("uuid:aaaaaaaa-0000-4000-8000-000000000024"), {}).status_code == 201


def test_a_grant_limited_to_a_township_reads_only_its_villages(app, county, live_server):
    township = bearer(app, live_server, county, "viewer", ["420102001000"])
    assert _reads(live_server, county, township) == {"household": 200, "flags": 200, "coverage": 200}
    base = f"{live_server}/v1/projects/{county}"
    # H003 lies in the other township: as absent as a household that does not exist.
    assert requests.get(f"{base}/households/H003", headers=township, timeout=10).status_code == 404
    units = requests.get(f"{base}/coverage?campaign=排查&level=village", headers=township, timeout=10).json()["units"]
    assert [u["code"] for u in units] == ["420102001001", "420102001002"]
    county_level = requests.get(f"{base}/coverage?campaign=排查&level=county", headers=township,
                                timeout=10).json()["units"]
    assert [(u["code"], u["registeredHouseholds"]) for u in county_level] == [("420102000000", 2)]


def test_a_grant_limited_to_a_village_sees_nothing_of_the_next_village(app, county, live_server):
    village = bearer(app, live_server, county, "viewer", ["420102001002"])
    assert _reads(live_server, county, village) == {"household": 404, "flags": 404, "coverage": 200}
    base = f"{live_server}/v1/projects/{county}"
    assert requests.get(f"{base}/households/H002", headers=village, timeout=10).status_code == 200
    units = requests.get(f"{base}/coverage?campaign=排查", headers=village, timeout=10).json()["units"]
    assert [u["code"] for u in units] == ["420102001002"]


def test_an_unlimited_grant_sees_the_whole_project(app, county, live_server):
    everyone = bearer(app, live_server, county, "viewer")
    units = requests.get(f"{live_server}/v1/projects/{county}/coverage?campaign=排查", headers=everyone,
                         timeout=10).json()["units"]
    assert [u["code"] for u in units] == ["420102001001", "420102001002", "420102002001"]


def test_a_grant_names_known_places_only(app, project, clean):
    from app.problems import Problem
    from app.services.accounts.grants import grant_role
    from app.services.accounts.users import create_user
    load_registry(app, project)
    with app.app_context():
        create_user("v@example.org", PASSWORD, "Dixian")
        with pytest.raises(Problem, match="420199000000"):
            grant_role(project, "v@example.org", "viewer", ["420102001000", "420199000000"])
        # A village inside a granted township adds nothing.
        grant = grant_role(project, "v@example.org", "viewer", ["420102001001", "420102001000"])
        assert grant.places == ["420102001"]


def test_the_cli_grants_a_role_limited_to_places(app, project, clean):
    load_registry(app, project)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["user", "create", "t@example.org", "--password", PASSWORD]).exit_code == 0
    result = runner.invoke(args=["user", "grant", str(project), "t@example.org", "viewer",
                                 "--place", "420102001000"])
    assert result.exit_code == 0, result.output
    assert "420102001000" in result.output
    result = runner.invoke(args=["user", "grant", str(project), "t@example.org", "viewer", "--place", "999"])
    assert result.exit_code != 0 and "999" in result.output


def test_pick_lists_of_a_limited_data_collector_hold_only_their_villages(app, county, live_server):
    headers = bearer(app, live_server, county, "data_collector", ["420102002000"])
    collect = CollectClient(f"{live_server}/v1/projects/{county}")
    collect.http.headers.update(headers)
    [form] = collect.form_list()
    files = {f["filename"]: f["downloadUrl"] for f in collect.manifest(form.manifest_url)}
    households = collect.get(files["households.csv"]).text
    assert "H003" in households and "H001" not in households and "H002" not in households


def _submissions(app) -> int:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Submission
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Submission))


def _flag_codes(app, instance_id):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import RiskFlag, Submission
    with app.app_context():
        return set(db.session.scalars(select(RiskFlag.code).join(
            Submission, Submission.current_version_id == RiskFlag.submission_version_id)
            .where(Submission.instance_id == instance_id)))


def test_a_device_sending_from_outside_its_villages_is_flagged_not_refused(app, county, device, live_server):
    """Cadres cover for each other: stored, with a data-quality flag a supervisor sees."""
    from app.services.accounts.app_users import assign_places
    from app.services.monitoring.recompute import recompute_flags
    with app.app_context():
        assign_places(county, "村干部 测试", ["420102001002"])
    away = "uuid:aaaaaaaa-0000-4000-8000-000000000031"
    home = "uuid:aaaaaaaa-0000-4000-8000-000000000032"
    assert device.post_submission(screening_xml(away), {}).status_code == 201               # H001, 一元村
    assert device.post_submission(screening_xml(home, village="420102001002", household="H002"),
                                  {}).status_code == 201
    assert "outside_assigned_places" in _flag_codes(app, away)
    assert "outside_assigned_places" not in _flag_codes(app, home)
    # The sender's places are not the rules': a recompute keeps the flag as it was raised.
    with app.app_context():
        recompute_flags(county)
    assert "outside_assigned_places" in _flag_codes(app, away)
    assert "outside_assigned_places" not in _flag_codes(app, home)


def test_a_limited_data_collector_sending_elsewhere_is_flagged(app, county, live_server):
    headers = bearer(app, live_server, county, "data_collector", ["420102002000"])
    collect = CollectClient(f"{live_server}/v1/projects/{county}")
    collect.http.headers.update(headers)
    instance = "uuid:aaaaaaaa-0000-4000-8000-000000000033"
    assert collect.post_submission(screening_xml(instance), {}).status_code == 201
    assert "outside_assigned_places" in _flag_codes(app, instance)


def test_an_unassigned_device_covers_no_village(app, county, device):
    """Until it is assigned villages, what a device sends is flagged and changes no registry record (found
    by the attack test: an unassigned device counted as covering everywhere)."""
    assert "outside_assigned_places" in _flag_codes(app, FIRST)
    new = "uuid:aaaaaaaa-0000-4000-8000-000000000044"
    assert device.post_submission(screening_xml(new, household="new", head_name="赵七"), {}).status_code == 201
    assert "outside_assigned_places" in _flag_codes(app, new)
    from app.extensions import db
    from app.models import Household
    with app.app_context():
        assert db.session.query(Household).filter_by(head_name="赵七").count() == 0
