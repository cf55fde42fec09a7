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
