"""Requests that are not well-formed HTTP get a 400 in OpenRosa's format from the front door, where
gunicorn answered an HTML page echoing the request line, device token included (reliability/24), or a
501 for an unknown Transfer-Encoding (reliability/13). And the app's own answers, errors included,
pass through the front door untouched."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.frontdoor.conftest import raw_exchange


def device_request(site, request_line_rest: bytes, headers: bytes = b"", body: bytes = b"") -> bytes:
    return (b"POST " + site.device_path.encode() + request_line_rest + b"\r\nHost: 127.0.0.1\r\n"
            b"Connection: close\r\nX-OpenRosa-Version: 1.0\r\n" + headers + b"\r\n" + body)


MALFORMED = {
    "raw byte in the query": (b"/submission?deviceID=\x80 HTTP/1.1", b"Content-Length: 0\r\n", b""),
    "space in the address": (b"/submission?deviceID=a b HTTP/1.1", b"Content-Length: 0\r\n", b""),
    "unknown transfer coding": (b"/submission HTTP/1.1", b"Transfer-Encoding: xchunked\r\n",
                                b"5\r\n--x--\r\n0\r\n\r\n"),
    "gzip then chunked": (b"/submission HTTP/1.1", b"Transfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n"),
    "malformed chunk size": (b"/submission HTTP/1.1", b"Transfer-Encoding: chunked\r\n",
                             b"zz\r\n--x--\r\n0\r\n\r\n"),
    "unknown HTTP version": (b"/submission HTTP/3.0", b"Content-Length: 0\r\n", b""),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_request_gets_a_400_in_openrosa_format_without_the_token(start_front_door, site, case):
    door = start_front_door()
    answer = raw_exchange(door.port, device_request(site, *MALFORMED[case]))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), answer
    assert b"\r\nX-OpenRosa-Version: 1.0\r\n" in head + b"\r\n"
    # As every answer of the app's: kept by no cache, never sniffed (found by the second attack test).
    assert b"\r\nCache-Control: private, no-store\r\n" in head + b"\r\n"
    assert b"\r\nX-Content-Type-Options: nosniff\r\n" in head + b"\r\n"
    assert body.startswith(b'<OpenRosaResponse xmlns="http://openrosa.org/http/response"')
    assert site.token.encode() not in answer


class _Unavailable(BaseHTTPRequestHandler):
    """What the app answers while its database is unreachable (issue 11, item 4)."""

    def do_GET(self):
        body = b"<OpenRosaResponse>the app's own words</OpenRosaResponse>"
        self.send_response(503)
        self.send_header("Retry-After", "30")
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_apps_own_error_answers_pass_through_untouched(start_front_door):
    app = ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    try:
        door = start_front_door(upstream=f"127.0.0.1:{app.server_port}")
        answer = requests.get(f"{door.url}/v1/projects/1/formList", timeout=10)
    finally:
        app.shutdown()
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"
    assert answer.text == "<OpenRosaResponse>the app's own words</OpenRosaResponse>"
