"""An answer the app gives before reading the body (401, 403, 404) reaches the client through the front
door as given: gunicorn must not close on unread bytes, which resets the connection nginx is still
sending on and turns the answer into nginx's 503 (found by the fuzz run, tests/fuzz)."""
import requests

from tests.frontdoor.conftest import submission

OPENROSA = {"X-OpenRosa-Version": "1.0"}


def test_answers_given_before_the_body_is_read_are_not_lost(start_front_door, site):
    door = start_front_door()
    _, files = submission(photo=b"\xff" * 2_000_000)
    draft = "forms/x/draft/submission"
    refused = {f"{door.url}/v1/projects/{site.project_id}/submission": 401,                 # no credentials
               f"{door.url}/v1/key/{'A' * 64}/projects/{site.project_id}/submission": 403,  # unknown token
               f"{door.url}/v1/test/{'A' * 64}/projects/{site.project_id}/{draft}": 404}    # unknown draft
    for _ in range(5):
        for url, status in refused.items():
            assert requests.post(url, headers=OPENROSA, files=files, timeout=30).status_code == status, url


def test_what_nginx_passes_gunicorn_parses(start_front_door, site):
    """A request line or headers within nginx's limits but over gunicorn's defaults (a 4,094-byte line,
    100 header fields) made gunicorn refuse the request and close on its unread body: nginx's 503
    instead of the app's answer. gunicorn's limits are set above nginx's (app.serving), so nginx alone
    refuses what is too large, with 414 or 431 in the door's format."""
    door = start_front_door()
    _, files = submission(photo=b"\xff" * 2_000_000)
    url = f"{door.url}/v1/projects/{site.project_id}/submission"
    long_query = {"deviceID": "x" * 7000}                            # a request line of ~7,060 bytes
    many_fields = OPENROSA | {f"X-Probe-{i}": "1" for i in range(300)}
    for _ in range(3):
        assert requests.post(url, headers=OPENROSA, params=long_query, files=files, timeout=30).status_code == 401
        assert requests.post(url, headers=many_fields, files=files, timeout=30).status_code == 401
    too_long = requests.post(url, headers=OPENROSA, params={"deviceID": "x" * 9000}, files=files, timeout=30)
    assert too_long.status_code == 414 and b"OpenRosaResponse" in too_long.content
