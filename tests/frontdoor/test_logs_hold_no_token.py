"""No device token in any log of the server (case reliability/24): nginx's access and error logs,
gunicorn's."""
import time

import requests

from app.core.log_masking import mask_tokens
from app.core.tokens import new_token
from tests.frontdoor.conftest import free_port, raw_exchange

OPENROSA = {"X-OpenRosa-Version": "1.0"}


def requests_with_the_token(door, site) -> None:
    """What devices and broken clients send with a token in the URL, well-formed or not."""
    token = site.token.encode()
    requests.get(f"{door.url}{site.device_path}/formList", headers=OPENROSA, timeout=10)
    requests.get(f"{door.url}/v1/projects/{site.project_id}/forms/frontdoor_probe.xml",
                 params={"st": site.token}, timeout=10)
    # A request line nginx cannot parse; a raw byte 0x80 in the query (reliability/24's input); a body
    # over the limit, which nginx logs as an error with the request line.
    raw_exchange(door.port, b"GET /v1/key/" + token + b"/projects/1/formList HTTP/1.1 junk\r\nHost: x\r\n\r\n")
    raw_exchange(door.port, raw_byte_request(token))
    requests.post(f"{door.url}{site.device_path}/submission", data=b"\0" * 7_000_000, timeout=30)


def raw_byte_request(token: bytes) -> bytes:
    return (b"POST /v1/key/" + token + b"/projects/1/submission?deviceID=\x80 HTTP/1.1\r\nHost: x\r\n"
            b"Connection: close\r\nX-OpenRosa-Version: 1.0\r\nContent-Length: 0\r\n\r\n")


def test_no_device_token_in_the_front_doors_logs_nor_in_gunicorns(start_front_door, site, gunicorn):
    door = start_front_door()
    # With gunicorn away, nginx's error log quotes each request line and upstream URL.
    dead_end = start_front_door(upstream=f"127.0.0.1:{free_port()}")
    for front in (door, dead_end):
        requests_with_the_token(front, site)
    # Straight to gunicorn, as before the front door: it logs the refused request line (reliability/24).
    answer = raw_exchange(gunicorn.port, raw_byte_request(site.token.encode()))
    assert answer.startswith(b"HTTP/1.1 400")
    door.stop()
    dead_end.stop()
    deadline = time.monotonic() + 5
    while b"Invalid request from ip=" not in gunicorn.error_log.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.1)

    logs = {path: path.read_bytes() for path in (
        door.settings.access_log, door.settings.error_log, dead_end.settings.access_log,
        dead_end.settings.error_log, gunicorn.error_log, gunicorn.access_log)}
    for path, text in logs.items():
        assert site.token.encode() not in text, path

    # The requests were logged, with the token masked: the test did not pass by logging nothing.
    access = logs[door.settings.access_log]
    assert access.count(b"/v1/key/***/projects/") == 4
    assert b"st=***" in access
    assert b'"POST /v1/key/***/projects/1/submission?deviceID=\\x80 HTTP/1.1" 400' in access
    assert b"client intended to send too large body" in logs[door.settings.error_log]
    unreachable = logs[dead_end.settings.error_log]
    assert b"connect() failed" in unreachable
    assert b'request: "GET /v1/key/***/projects/' in unreachable
    assert b'upstream: "http://' in unreachable and b"/v1/key/***/projects/" in unreachable
    assert b"Invalid request from ip=127.0.0.1: Invalid HTTP request line: 'POST /v1/key/***/projects/1/" \
        in logs[gunicorn.error_log]
    assert b"/v1/key/***/projects/" in logs[gunicorn.access_log]


def test_masking_hides_every_form_of_a_token_and_nothing_else():
    token = new_token()
    cases = {
        f"GET /v1/key/{token}/projects/1/formList HTTP/1.1": "GET /v1/key/***/projects/1/formList HTTP/1.1",
        f"GET /v1/test/{token}/projects/1/forms/x/draft/formList":
            "GET /v1/test/***/projects/1/forms/x/draft/formList",
        f"GET /v1/projects/1/forms/x.xml?st={token}&a=1": "GET /v1/projects/1/forms/x.xml?st=***&a=1",
        f"request: \"GET /v1/KEY/{token}\", upstream: \"http://127.0.0.1:8001/v1/key/{token}\"":
            "request: \"GET /v1/KEY/***\", upstream: \"http://127.0.0.1:8001/v1/key/***\"",
        f"'POST /v1/key/{token}/projects/1/submission?deviceID=\\x80 HTTP/1.1'":
            "'POST /v1/key/***/projects/1/submission?deviceID=\\x80 HTTP/1.1'",
        # A percent-encoded prefix still routes in the app; the token is caught by its shape.
        f"GET /v1/k%65y/{token}/projects/1/formList": "GET /v1/k%65y/***/projects/1/formList",
    }
    for line, masked in cases.items():
        assert mask_tokens(line) == masked
    untouched = ("POST /v1/projects/1/submission?deviceID=collect:abc HTTP/1.1 "
                 "uuid:6b1e8f0c-2d3a-4f5b-9c7d-1e2f3a4b5c6d /v1/keys/list?first=1")
    assert mask_tokens(untouched) == untouched
