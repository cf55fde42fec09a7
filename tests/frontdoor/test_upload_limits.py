"""Large bodies only where submissions come in, and only a few of them at once from one address.

An attacker's stalled uploads (one byte every few seconds) made nginx hold 1.9 GB on disk from one
address with 40 connections, on any route, /v1/sessions included: every route took a body up to the
OpenRosa limit. Now a body over other_body_bytes is refused (413, in the door's format) everywhere but
the submission routes, and those take at most uploads_per_address bodies at once from one address.
"""
import http.client
import json
import time

import requests

from tests.frontdoor.conftest import submission
from tests.frontdoor.test_slow_clients import SlowClients

OPENROSA = {"X-OpenRosa-Version": "1.0"}
OVER_A_MEGABYTE = 2_000_000


def request(port: int, method: str, path: str, source: str, body: bytes | None = None,
            headers: dict | None = None) -> http.client.HTTPResponse:
    """One request from the client address `source` (any of the loopback range); the answer, read."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    connection.request(method, path, body=body, headers={**OPENROSA, **(headers or {})})
    answer = connection.getresponse()
    answer.body = answer.read()
    connection.close()
    return answer


def test_a_large_body_anywhere_but_a_submission_gets_413_in_the_doors_format(start_front_door, site, gunicorn):
    door = start_front_door()
    marker = "large-session-" + str(time.monotonic_ns())
    body = json.dumps({"email": "a@example.org", "password": "x" * OVER_A_MEGABYTE})
    refused = requests.post(f"{door.url}/v1/sessions?{marker}", data=body, timeout=30,
                            headers={"Content-Type": "application/json"})
    assert refused.status_code == 413
    assert refused.headers["Content-Type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == 413.1
    assert "larger than the 1048576 bytes this server accepts at this address" in problem["message"]

    page = requests.post(f"{door.url}/login", data=b"x" * OVER_A_MEGABYTE, timeout=30)
    assert page.status_code == 413 and page.headers["Content-Type"].startswith("text/html")
    openrosa = requests.post(f"{door.url}{site.device_path}/formList", data=b"x" * OVER_A_MEGABYTE,
                             headers=OPENROSA, timeout=30)
    assert openrosa.status_code == 413 and openrosa.text.startswith("<OpenRosaResponse")
    assert openrosa.headers["X-OpenRosa-Version"] == "1.0"

    # Under the limit, the same request reaches the app, which answers it (a wrong password).
    small = requests.post(f"{door.url}/v1/sessions?{marker}", json={"email": "a@example.org", "password": "x"},
                          timeout=10)
    assert small.status_code == 401
    time.sleep(0.3)
    assert gunicorn.access_log.read_text().count(marker) == 1
    assert door.settings.other_body_bytes == 1_048_576


def test_submissions_take_large_bodies_on_every_route_the_app_takes_them(start_front_door, site):
    door = start_front_door()
    _, files = submission(photo=b"\xd8" * OVER_A_MEGABYTE)
    stored = requests.post(f"{door.url}{site.device_path}/submission", headers=OPENROSA, files=files, timeout=30)
    assert stored.status_code == 201, stored.text
    # The app, not the front door, answers these: the limit follows the routes as the app reads them.
    answered_by_the_app = {
        f"/v1/projects/{site.project_id}/submission": 401,                          # a web user's
        f"/v1/test/{'A' * 64}/projects/{site.project_id}/forms/x/draft/submission": 404,   # a draft's
        f"/v1/projects/{site.project_id}/submissio%6E": 401,                        # percent-encoded
        f"/v1//projects/{site.project_id}/submission": 401,                         # slashes merged
    }
    for path, status in answered_by_the_app.items():
        answer = requests.post(f"{door.url}{path}", headers=OPENROSA, files=files, timeout=30)
        assert answer.status_code == status, (path, answer.text)


def test_one_address_holds_only_a_few_uploads_at_once_and_nothing_else_is_held_up(start_front_door, site):
    door = start_front_door(uploads_per_address=4, body_seconds=5)
    head = f"{site.device_path}/submission"
    with SlowClients(door.port, 4, "body", head, source="127.0.0.2"):
        time.sleep(0.5)     # nginx counts a connection once its headers are in
        refused = request(door.port, "HEAD", head, "127.0.0.2")
        assert refused.status == 429
        assert refused.getheader("Retry-After") == "10"
        assert refused.getheader("X-OpenRosa-Version") == "1.0"
        _, files = submission()
        post = requests.Request("POST", f"{door.url}{head}", files=files).prepare()
        answer = request(door.port, "POST", head, "127.0.0.2", post.body, dict(post.headers))
        assert answer.status == 429, answer.body
        assert b"Too many connections from your network address" in answer.body
        # The same address may still do everything else, and another address may still submit.
        assert request(door.port, "GET", f"{site.device_path}/formList", "127.0.0.2").status == 200
        assert request(door.port, "HEAD", head, "127.0.0.3").status == 204


def test_a_residents_report_with_megabytes_of_photos_passes_the_front_door(start_front_door, site, gunicorn, app):
    """Three phone photos pass 1 MB together: the residents' report route takes bodies as submissions do."""
    from app.core.fill_time import render_stamp
    from app.services.forms.publish import publish_form
    from app.services.registry.imports import import_places
    from app.services.self_report.links import create_links, settings
    from tests.conftest import REPO
    from tests.support.self_report import PNG, SELF_REPORT, report_xml
    with app.app_context():
        import_places("places.csv", (REPO / "demo" / "places.csv").read_bytes())
        version = publish_form(site.project_id, SELF_REPORT.name, SELF_REPORT.read_bytes(),
                               blobs=app.extensions["blobstore"]).version.version
        link = create_links(site.project_id, "fpf_self_report", ["429901001001"], **settings(app.config))[0]
    door = start_front_door()
    photo = PNG + b"\0" * OVER_A_MEGABYTE
    answer = requests.post(
        f"{door.url}/f/{link.token}/submission", timeout=60, headers={"Accept": "application/json"},
        files={"xml_submission_file": ("xml_submission_file", report_xml(version, photo="p.png"), "text/xml"),
               "p.png": ("p.png", photo, "image/png")},
        data={"dixian_stamp": render_stamp(app.config["SECRET_KEY"], link.id, int(time.time()) - 60)})
    assert answer.status_code == 201, answer.text
