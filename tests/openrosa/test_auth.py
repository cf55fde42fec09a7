"""Device tokens, Digest for Collect over http, and the status codes Collect relies on."""
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from tests.support.collect import CollectClient


def test_unknown_or_revoked_token_is_403_not_401(app, project, live_server, device):
    from app.services.accounts.app_users import find_app_user, revoke_app_user
    assert device.head_submission().status_code == 204
    with app.app_context():
        revoke_app_user(find_app_user(project, "村干部 测试"))
    response = device.head_submission()
    assert response.status_code == 403
    assert "WWW-Authenticate" not in response.headers
    unknown = CollectClient(f"{live_server}/v1/key/{'A' * 64}/projects/{project}")
    assert unknown.head_submission().status_code == 403


def test_malformed_token_is_401(project, live_server):
    assert CollectClient(f"{live_server}/v1/key/short/projects/{project}").head_submission().status_code == 401


def test_token_of_another_project_is_403(app, device, live_server):
    from app.services.accounts.projects import create_project
    with app.app_context():
        other = create_project("other").id
    key = device.server_url.split("/key/")[1].split("/")[0]
    stranger = CollectClient(f"{live_server}/v1/key/{key}/projects/{other}")
    response = stranger.http.get(f"{stranger.server_url}/formList")
    assert response.status_code == 403


def test_no_credentials_gets_401_with_a_digest_challenge(project, live_server):
    response = requests.head(f"{live_server}/v1/projects/{project}/submission", timeout=10)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Digest ")
    assert 'qop="auth"' in response.headers["WWW-Authenticate"]


def test_collect_with_username_and_password_over_http_uses_digest(admin, project, live_server, publish):
    from tests.conftest import REPO
    publish(REPO / "forms" / "fpf_hh_screening.md")
    client = CollectClient(f"{live_server}/v1/projects/{project}", auth=HTTPDigestAuth(*admin))
    assert [f.form_id for f in client.form_list()] == ["fpf_hh_screening"]
    assert client.head_submission().status_code == 204


def test_wrong_password_is_401_with_a_fresh_challenge(admin, project, live_server):
    client = CollectClient(f"{live_server}/v1/projects/{project}", auth=HTTPDigestAuth(admin[0], "wrong password!"))
    response = client.http.get(f"{client.server_url}/formList")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Digest ")


def test_basic_is_refused_over_plain_http(admin, project, live_server):
    response = requests.get(f"{live_server}/v1/projects/{project}/formList", auth=HTTPBasicAuth(*admin), timeout=10)
    assert response.status_code == 401
    assert "http" in response.text


def test_basic_is_accepted_behind_https(admin, project, live_server):
    response = requests.get(f"{live_server}/v1/projects/{project}/formList", auth=HTTPBasicAuth(*admin),
                            headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert response.status_code == 200
    challenge = requests.get(f"{live_server}/v1/projects/{project}/formList",
                             headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert any(v.startswith("Basic") for v in challenge.raw.headers.getlist("WWW-Authenticate"))


def test_digest_nonce_expiry_is_answered_stale(app, admin, project, live_server):
    from app.core import digest_auth
    old_nonce = digest_auth.make_nonce("test-secret", now=1_000_000)
    path = f"/v1/projects/{project}/formList"
    params = {"username": admin[0], "realm": "Dixian", "nonce": old_nonce, "uri": path, "qop": "auth",
              "nc": "00000001", "cnonce": "abc"}
    with app.app_context():
        ha1 = digest_auth.ha1(admin[0], "Dixian", admin[1])
    params["response"] = digest_auth.expected_response(params, ha1, "GET")
    header = "Digest " + ", ".join(f'{k}="{v}"' for k, v in params.items())
    response = requests.get(live_server + path, headers={"Authorization": header}, timeout=10)
    assert response.status_code == 401
    assert "stale=true" in response.headers["WWW-Authenticate"]


def test_basic_credentials_in_latin_1_are_understood(app, project, live_server, clean):
    import base64

    from app.services.accounts.users import create_user
    with app.app_context():
        create_user("zoë@example.org", "pässwörd-long", "Dixian", admin=True)
    token = base64.b64encode("zoë@example.org:pässwörd-long".encode("latin-1")).decode()
    response = requests.get(f"{live_server}/v1/projects/{project}/formList", timeout=10,
                            headers={"Authorization": f"Basic {token}", "X-Forwarded-Proto": "https"})
    assert response.status_code == 200
