"""Slow clients wait on nginx, never on gunicorn's threads (case reliability/30).

Without the front door, 200 connections sending their headers a line at a time stopped gunicorn
(2 workers x 4 threads) answering anyone: every thread sat reading an unfinished request. The
timeouts are lowered here (2 s) so that each test takes a few seconds.
"""
import select
import socket
import threading
import time

import requests

from tests.frontdoor.conftest import submission

OPENROSA = {"X-OpenRosa-Version": "1.0"}
EXPECTED = {"HEAD": 204, "GET": 200, "POST": 201}


class SlowClients:
    """`count` connections that each send a request one piece every `interval` seconds and never finish.

    mode "headers": the request line, then one header line at a time; "body": whole headers announcing
    100,000 bytes, then one byte at a time. A connection the server closes is opened again at once,
    as an attacker's would be; `closed_by_server` counts those. `source` is the client address (any of
    the loopback range), so that the attacker and the devices may be told apart as on the Internet.
    """

    def __init__(self, port: int, count: int, mode: str, path: str, interval: float = 0.5,
                 source: str = "127.0.0.1"):
        self.port, self.count, self.mode, self.path, self.interval = port, count, mode, path, interval
        self.source = source
        self.closed_by_server = 0
        self.sockets: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _open(self) -> socket.socket:
        s = socket.create_connection(("127.0.0.1", self.port), timeout=2, source_address=(self.source, 0))
        start = f"POST {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-OpenRosa-Version: 1.0\r\n"
        if self.mode == "body":
            start += "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000\r\n\r\n"
        s.sendall(start.encode())
        return s

    def _piece(self, n: int) -> bytes:
        return f"X-Slow-{n}: {n}\r\n".encode() if self.mode == "headers" else b"-"

    def __enter__(self) -> "SlowClients":
        self.sockets = [self._open() for _ in range(self.count)]
        self._thread.start()
        return self

    def _run(self) -> None:
        n = 0
        while not self._stop.wait(self.interval):
            n += 1
            # Closed by the server: readable with nothing (FIN), a reset, or an answer (a 408 or 400).
            readable, _, _ = select.select(self.sockets, [], [], 0)
            for i, s in enumerate(list(self.sockets)):
                try:
                    if s in readable and not s.recv(4096, socket.MSG_DONTWAIT):
                        raise ConnectionResetError
                    s.send(self._piece(n))
                except OSError:
                    s.close()
                    self.closed_by_server += 1
                    self.sockets[i] = self._open()

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        for s in self.sockets:
            s.close()


def probe(url: str, device_path: str, seconds: float) -> list[tuple[str, object, float]]:
    """A well-behaved device's HEAD /submission, GET formList and POST submission in turn, for `seconds`:
    (method, status or the exception's name, seconds taken) each."""
    rows, deadline, k = [], time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        method = ("HEAD", "GET", "POST")[k % 3]
        k += 1
        started = time.monotonic()
        try:
            if method == "HEAD":
                r = requests.head(f"{url}{device_path}/submission", headers=OPENROSA, timeout=5)
            elif method == "GET":
                r = requests.get(f"{url}{device_path}/formList", headers=OPENROSA, timeout=5)
            else:
                r = requests.post(f"{url}{device_path}/submission", headers=OPENROSA, files=submission()[1],
                                  timeout=5)
            outcome = r.status_code
        except requests.RequestException as e:
            outcome = type(e).__name__
        rows.append((method, outcome, time.monotonic() - started))
        time.sleep(0.1)
    return rows


def assert_all_answered_promptly(rows) -> None:
    assert len(rows) >= 6, rows
    failures = [row for row in rows if row[1] != EXPECTED[row[0]]]
    assert not failures, failures
    assert max(seconds for _, _, seconds in rows) < 3, rows


def test_slow_header_senders_are_cut_off_and_devices_are_answered_meanwhile(start_front_door, site):
    door = start_front_door(header_seconds=2)
    with SlowClients(door.port, 200, "headers", f"{site.device_path}/submission") as slow:
        rows = probe(door.url, site.device_path, seconds=4)
    assert_all_answered_promptly(rows)
    # nginx closed every slow connection (client_header_timeout counts from the first byte), so an
    # attacker must keep reconnecting, and nothing of it reached gunicorn.
    assert slow.closed_by_server >= 200


def test_slow_bodies_are_buffered_by_nginx_and_devices_are_answered_meanwhile(start_front_door, site, gunicorn):
    # As many uploads from one address as it may hold connections: all 200 wait in nginx.
    door = start_front_door(body_seconds=2, uploads_per_address=256)
    marker = "slow-body-" + str(time.monotonic_ns())
    with SlowClients(door.port, 200, "body", f"{site.device_path}/submission?{marker}"):
        rows = probe(door.url, site.device_path, seconds=4)
    assert_all_answered_promptly(rows)
    # gunicorn never saw an unfinished body.
    assert marker not in gunicorn.access_log.read_text()


def test_one_address_cannot_hold_more_connections_than_its_share(start_front_door, site):
    door = start_front_door(connections_per_address=20)
    head = f"{door.url}{site.device_path}/submission"
    with SlowClients(door.port, 20, "body", f"{site.device_path}/submission"):
        time.sleep(0.5)     # nginx counts a connection once its headers are in
        refused = requests.head(head, headers=OPENROSA, timeout=5)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "10"
        assert refused.headers["X-OpenRosa-Version"] == "1.0"
        answer = requests.get(f"{door.url}{site.device_path}/formList", headers=OPENROSA, timeout=5)
        assert answer.status_code == 429
        assert "Too many connections from your network address" in answer.text
        assert answer.text.startswith("<OpenRosaResponse")
    deadline = time.monotonic() + 5
    while requests.head(head, headers=OPENROSA, timeout=5).status_code == 429 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert requests.head(head, headers=OPENROSA, timeout=5).status_code == 204
