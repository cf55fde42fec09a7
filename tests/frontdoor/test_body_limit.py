"""The front door refuses a body over the advertised OpenRosa limit itself, before gunicorn reads a byte,
and lets through the largest submission Collect may send."""
import time
import uuid

import requests

from tests.frontdoor.conftest import submission

OPENROSA = {"X-OpenRosa-Version": "1.0"}


def test_a_body_over_the_limit_gets_413_from_the_front_door_without_reaching_the_app(
        start_front_door, site, gunicorn):
    door = start_front_door()
    assert door.settings.body_limit_bytes == 6_000_000     # the app's MAX_CONTENT_LENGTH for 5,000,000
    refused_device, control_device = uuid.uuid4().hex, uuid.uuid4().hex
    _, files = submission(photo=b"\xff" * 6_100_000)
    refused = requests.post(f"{door.url}{site.device_path}/submission", params={"deviceID": refused_device},
                            headers=OPENROSA, files=files, timeout=30)
    assert refused.status_code == 413
    assert refused.headers["X-OpenRosa-Version"] == "1.0"
    assert refused.headers["Content-Type"].startswith("text/xml")
    assert "larger than the 5000000 bytes this server accepts" in refused.text

    # A request that does reach gunicorn is in its access log (written just after the answer); the
    # refused one, sent before it, is not.
    head = requests.head(f"{door.url}{site.device_path}/submission", params={"deviceID": control_device},
                         headers=OPENROSA, timeout=5)
    assert head.status_code == 204
    deadline = time.monotonic() + 5
    while control_device not in gunicorn.access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    log = gunicorn.access_log.read_text()
    assert control_device in log
    assert refused_device not in log


def test_the_largest_submission_collect_may_send_passes(start_front_door, site):
    door = start_front_door()
    head = requests.head(f"{door.url}{site.device_path}/submission", headers=OPENROSA, timeout=5)
    advertised = int(head.headers["X-OpenRosa-Accept-Content-Length"])
    assert advertised == door.settings.accept_bytes
    # Collect fills a POST with files up to the advertised size; multipart framing comes on top.
    _, files = submission(photo=b"\xd8" * (advertised - 300))
    stored = requests.post(f"{door.url}{site.device_path}/submission", headers=OPENROSA, files=files,
                           timeout=60)
    assert stored.status_code == 201, stored.text
