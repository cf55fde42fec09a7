"""The JSON API: sessions, projects and forms with ODK Central's field names."""
import requests

from tests.conftest import REPO


def _login(live_server, admin):
    response = requests.post(f"{live_server}/v1/sessions", json={"email": admin[0], "password": admin[1]}, timeout=10)
    assert response.status_code == 200
    return response.json()


def test_session_token_opens_the_api(live_server, admin, project, publish):
    publish(REPO / "forms" / "fpf_hh_screening.md")
    session = _login(live_server, admin)
    assert len(session["token"]) == 64 and session["expiresAt"] and session["csrf"]
    auth = {"Authorization": f"Bearer {session['token']}"}
    me = requests.get(f"{live_server}/v1/users/current", headers=auth, timeout=10)
    assert me.status_code == 200 and me.json()["email"] == admin[0]
    projects = requests.get(f"{live_server}/v1/projects", headers=auth, timeout=10).json()
    assert [p["id"] for p in projects] == [project]
    assert {"id", "name", "createdAt"} <= set(projects[0])
    [form] = requests.get(f"{live_server}/v1/projects/{project}/forms", headers=auth, timeout=10).json()
    assert form["xmlFormId"] == "fpf_hh_screening" and form["state"] == "open"
    assert len(form["hash"]) == 32 and form["version"] == "2026112301"
    for key in ("name", "enketoId", "keyId", "updatedAt", "publishedAt", "projectId", "createdAt"):
        assert key in form
    one = requests.get(f"{live_server}/v1/projects/{project}/forms/fpf_hh_screening", headers=auth, timeout=10)
    assert one.json()["xmlFormId"] == "fpf_hh_screening"
    xml = requests.get(f"{live_server}/v1/projects/{project}/forms/fpf_hh_screening.xml", headers=auth, timeout=10)
    assert xml.status_code == 200 and xml.content.startswith(b"<?xml")

    assert requests.delete(f"{live_server}/v1/sessions/current", headers=auth, timeout=10).json() == {"success": True}
    assert requests.get(f"{live_server}/v1/projects", headers=auth, timeout=10).status_code == 401


def test_bad_credentials_are_401_problem_json(live_server, admin):
    response = requests.post(f"{live_server}/v1/sessions", json={"email": admin[0], "password": "nope"}, timeout=10)
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == 401.2 and body["status"] == 401 and body["message"]


def test_missing_fields_are_400(live_server, clean):
    response = requests.post(f"{live_server}/v1/sessions", json={"email": "x@example.org"}, timeout=10)
    assert response.status_code == 400 and response.json()["code"] == 400.3
    response = requests.post(f"{live_server}/v1/sessions", data=b"not json", timeout=10)
    assert response.status_code == 400


def test_unknown_things_are_404_problem_json(live_server, admin, project):
    auth = {"Authorization": f"Bearer {_login(live_server, admin)['token']}"}
    for path in (f"/v1/projects/{project + 1000}", f"/v1/projects/{project}/forms/nope", "/v1/nothing-here"):
        response = requests.get(live_server + path, headers=auth, timeout=10)
        assert response.status_code == 404, path
        assert response.json()["status"] == 404


def test_non_admin_users_see_only_projects_they_have_a_role_in(app, live_server, project):
    from app.services.accounts.grants import grant_role
    from app.services.accounts.projects import create_project
    from app.services.accounts.users import create_user
    with app.app_context():
        create_user("viewer@example.org", "viewer password 1", "Dixian")
        other = create_project("乡镇项目").id
        grant_role(other, "viewer@example.org", "viewer")
    auth = {"Authorization": f"Bearer {_login(live_server, ('viewer@example.org', 'viewer password 1'))['token']}"}
    assert [p["id"] for p in requests.get(f"{live_server}/v1/projects", headers=auth, timeout=10).json()] == [other]
    assert requests.get(f"{live_server}/v1/projects/{project}", headers=auth, timeout=10).status_code == 403


def test_form_attachments_are_listed_with_their_state(live_server, admin, project, publish):
    from tests.conftest import REAL_FORMS
    folder = REAL_FORMS / "collect-likert"
    publish(folder / "likert_test.xml", folder)
    auth = {"Authorization": f"Bearer {_login(live_server, admin)['token']}"}
    listing = requests.get(f"{live_server}/v1/projects/{project}/forms/all-widgets-icon/attachments",
                           headers=auth, timeout=10).json()
    by_name = {a["name"]: a for a in listing}
    assert by_name["famous.jpg"]["exists"] is True and len(by_name["famous.jpg"]["hash"]) == 32
    assert by_name["not_Found.jpg"]["exists"] is False and by_name["not_Found.jpg"]["type"] == "image"


def test_a_device_sees_in_the_api_only_the_forms_formlist_gives_it(app, project, publish, device, live_server):
    """Found by the attack test: the API described a form the device's formList hides."""
    from app.services.accounts.app_users import create_app_user
    from app.services.forms.catalog import assign_form
    publish(REPO / "forms" / "fpf_hh_screening.md")
    publish(REPO / "forms" / "fpf_water.md")
    with app.app_context():
        other, _ = create_app_user(project, "另一台设备")
        assign_form(project, "fpf_water", [other.actor_id])
    token = device.server_url.split("/key/")[1].split("/")[0]
    base = f"{live_server}/v1/key/{token}/projects/{project}"
    assert [f.form_id for f in device.form_list()] == ["fpf_hh_screening"]
    assert [f["xmlFormId"] for f in requests.get(f"{base}/forms", timeout=10).json()] == ["fpf_hh_screening"]
    assert requests.get(f"{base}/forms/fpf_water", timeout=10).status_code == 404


def test_generated_pick_lists_are_listed_as_existing(live_server, admin, project, publish):
    publish(REPO / "forms" / "fpf_hh_screening.md")
    auth = {"Authorization": f"Bearer {_login(live_server, admin)['token']}"}
    listing = requests.get(f"{live_server}/v1/projects/{project}/forms/fpf_hh_screening/attachments",
                           headers=auth, timeout=10).json()
    assert {a["name"]: a["exists"] for a in listing} == {"admin_units.csv": True, "households.csv": True}
