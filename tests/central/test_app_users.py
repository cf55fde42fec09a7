"""App users (device accounts) through Central's API, driven by pyodk 1.3.0: created, listed with their tokens,
given forms, revoked; a place-limited manager sees only the devices of their places."""
import pytest
import requests
from pyodk.errors import PyODKError

from tests.conftest import REPO
from tests.http import doors
from tests.support.collect import CollectClient
from tests.support.pyodk_client import app_users, pyodk_as_role

SCREENING = REPO / "forms" / "fpf_hh_screening.md"
HOUSING = REPO / "forms" / "fpf_housing.md"


def collect(live_server: str, project: int, token: str) -> CollectClient:
    return CollectClient(f"{live_server}/v1/key/{token}/projects/{project}")


def test_pyodk_creates_an_app_user_whose_listed_token_opens_collects_door(odk, live_server, project, publish):
    publish(SCREENING)
    created = app_users(odk).create(display_name="村干部 甲")
    assert (created.type, created.projectId, created.displayName) == ("field_key", project, "村干部 甲")
    assert len(created.token) == 64 and created.deletedAt is None and created.updatedAt is None
    listed = app_users(odk).list()
    assert [(u.id, u.token) for u in listed] == [(created.id, created.token)]
    one = odk.session.get(f"projects/{project}/app-users/{created.id}").json()
    assert one["token"] == created.token and one["displayName"] == "村干部 甲"
    forms = collect(live_server, project, created.token).form_list()
    assert [f.form_id for f in forms] == ["fpf_hh_screening"]


def test_create_app_users_gives_them_forms_and_makes_no_name_twice(odk, live_server, project, publish):
    """pyodk's projects.create_app_users lists the app users with a token, makes the names missing and assigns
    their forms with Central's app-user role id 2."""
    publish(SCREENING)
    publish(HOUSING)
    first = odk.projects.create_app_users(display_names=["甲", "乙"], forms=["fpf_housing"])
    assert [u.displayName for u in first] == ["甲", "乙"]
    again = odk.projects.create_app_users(display_names=["甲", "乙", "丙"])
    assert [u.displayName for u in again] == ["丙"]
    # Newest first, as Central lists them.
    assert [u.displayName for u in app_users(odk).list()] == ["丙", "乙", "甲"]

    given = {f.form_id for f in collect(live_server, project, first[0].token).form_list()}
    assert given == {"fpf_hh_screening", "fpf_housing"}
    # fpf_housing now goes to the devices it is assigned to only; a form assigned to nobody goes to all.
    assert {f.form_id for f in collect(live_server, project, again[0].token).form_list()} == {"fpf_hh_screening"}
    assigned = odk.session.get(f"projects/{project}/forms/fpf_housing/assignments").json()
    assert sorted(assigned, key=lambda a: a["actorId"]) == sorted(
        [{"actorId": u.id, "roleId": 2} for u in first], key=lambda a: a["actorId"])


def test_deleting_an_app_user_revokes_its_token(odk, live_server, project, publish):
    publish(SCREENING)
    created = app_users(odk).create(display_name="丢失的手机")
    device = collect(live_server, project, created.token)
    assert device.get(f"{device.server_url}/formList").status_code == 200
    gone = odk.session.delete(f"projects/{project}/app-users/{created.id}")
    assert gone.status_code == 200 and gone.json() == {"success": True}
    assert device.get(f"{device.server_url}/formList").status_code == 403
    assert app_users(odk).list() == []
    doors.problem(odk.session.delete(f"projects/{project}/app-users/{created.id}"), 404, 404.1)
    doors.problem(odk.session.get(f"projects/{project}/app-users/{created.id}"), 404, 404.1)


def test_an_account_made_before_tokens_could_be_shown_is_listed_without_one(app, odk, project, device):
    """The `device` fixture's account is made without SECRET_KEY, as every account before migration 0027."""
    [listed] = app_users(odk).list()
    assert listed.displayName == "村干部 测试" and listed.token is None


def test_the_token_is_made_again_with_the_servers_key_and_kept_only_hashed(app, odk, project):
    import hashlib

    from sqlalchemy import text
    created = app_users(odk).create(display_name="甲")
    from app.extensions import db
    with app.app_context():
        stored = db.session.execute(text("SELECT token_sha256, token_salt FROM app_user")).one()
        dump = repr(db.session.execute(text("SELECT * FROM app_user")).all())
    assert stored.token_sha256 == hashlib.sha256(created.token.encode()).hexdigest() and len(stored.token_salt) == 16
    assert created.token not in dump
    key = app.config["SECRET_KEY"]
    try:
        app.config["SECRET_KEY"] = "another key"        # a server moved without its key: it cannot show the token
        assert [u.token for u in app_users(odk).list()] == [None]
    finally:
        app.config["SECRET_KEY"] = key
    assert [u.token for u in app_users(odk).list()] == [created.token]


def test_a_place_limited_manager_sees_and_revokes_only_devices_of_their_places(app, live_server, demo_county,
                                                                              tmp_path):
    from app.services.accounts.app_users import assign_places, create_app_user
    with app.app_context():
        create_app_user(demo_county, "娜镇 设备")
        assign_places(demo_county, "娜镇 设备", ["429901002001"])
        create_app_user(demo_county, "未分配")
    manager = pyodk_as_role(app, live_server, demo_county, "manager", tmp_path, places=("429901002000",))
    seen = {u.displayName: u.id for u in app_users(manager).list()}
    # 村干部 测试 covers villages of 芳乡 (conftest's demo_county): not this manager's.
    assert set(seen) == {"娜镇 设备", "未分配"}
    admin_view = {u.displayName: u.id for u in app_users(pyodk_as_role(app, live_server, demo_county, "manager",
                                                                       tmp_path)).list()}
    other = admin_view["村干部 测试"]
    doors.problem(manager.session.delete(f"projects/{demo_county}/app-users/{other}"), 404, 404.1)
    doors.problem(manager.session.post(f"projects/{demo_county}/forms/fpf_hh_screening/assignments/2/{other}"),
                  404, 404.1)
    assert manager.session.delete(f"projects/{demo_county}/app-users/{seen['娜镇 设备']}").json() == {"success": True}


def test_viewers_and_devices_may_not_manage_app_users(app, live_server, project, tmp_path, device):
    viewer = pyodk_as_role(app, live_server, project, "viewer", tmp_path)
    with pytest.raises(PyODKError) as refused:
        app_users(viewer).list()
    doors.problem(refused.value.args[1], 403, 403.1)
    doors.problem(requests.get(f"{device.server_url}/app-users", timeout=10), 403, 403.1)


def test_an_app_user_needs_a_name_that_fits(odk, project):
    for body, code in (({}, 400.2), ({"displayName": 5}, 400.2), ({"displayName": "  "}, 400.2),
                       ({"displayName": "x" * 201}, 400.13), ({"displayName": "a\u0000b"}, 400.8),
                       ({"displayName": "a\nb"}, 400.8)):
        doors.problem(odk.session.post(f"projects/{project}/app-users", json=body), 400, code)
    assert app_users(odk).list() == []


def test_ids_that_name_no_app_user_are_404(odk, project):
    for path in ("app-users/abc", "app-users/99999999999", "app-users/-1", "app-users/１"):
        doors.problem(odk.session.get(f"projects/{project}/{path}"), 404)
        doors.problem(odk.session.delete(f"projects/{project}/{path}"), 404)
