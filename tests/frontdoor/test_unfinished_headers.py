"""Thousands of connections from one address that never finish their headers (slowloris) do not stop
devices on other addresses from being answered, and nginx never answers its own 500.

nginx's per-address limit counts a connection only once its headers are in, so these count against
nothing but worker_connections until client_header_timeout closes them. 9,000 of them made nginx fail
device requests for ~20 s, some with "4096 worker_connections are not enough while connecting to
upstream" answered 500. The attack here is that one, with the front door's default settings.
"""
import resource
import socket
import struct
import time

import requests

from tests.frontdoor.test_slow_clients import assert_all_answered_promptly, probe

ATTACK = 9_000
ATTACKER = "127.0.0.2"      # the devices probe from 127.0.0.1
# Linux: the source port is chosen at connect(), among those free towards this destination, not at
# bind() among all; thousands of connections open in a fraction of a second.
IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)


def allow_open_files(count: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(count, hard), hard))
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= count, "the test needs more open files"


def unfinished_headers(port: int, count: int, seconds: float) -> list[socket.socket]:
    """Up to `count` connections from ATTACKER, each with a request line and one header and no more,
    opened within `seconds` (a connection the server does not take within 0.2 s is given up)."""
    held, deadline = [], time.monotonic() + seconds
    while len(held) < count and time.monotonic() < deadline:
        s = socket.socket()
        s.settimeout(0.2)
        s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        # Closed with a reset: no TIME_WAIT holds the ports for a minute after the test.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        try:
            s.bind((ATTACKER, 0))
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /v1/projects HTTP/1.1\r\nHost: x\r\n")
        except OSError:
            s.close()
            continue
        held.append(s)
    return held


def test_thousands_of_unfinished_headers_from_one_address_leave_devices_answered(start_front_door, site):
    door = start_front_door()
    allow_open_files(ATTACK + 1024)
    held = unfinished_headers(door.port, ATTACK, seconds=6)
    try:
        rows = probe(door.url, site.device_path, seconds=4)
    finally:
        for s in held:
            s.close()
    assert_all_answered_promptly(rows)
    assert len(held) == ATTACK      # nginx took every one of them
    assert door.settings.header_seconds == 10


def test_nginx_never_answers_its_own_500(start_front_door, site):
    """Any failure of nginx itself is a 503 with Retry-After in the door's format. Forced here with a
    body that must wait on disk in a folder nginx's workers cannot write."""
    door = start_front_door()
    (door.settings.temp_dir / "body").chmod(0)
    try:
        answer = requests.post(f"{door.url}{site.device_path}/submission", data=b"x" * 300_000,
                               headers={"X-OpenRosa-Version": "1.0"}, timeout=10)
    finally:
        (door.settings.temp_dir / "body").chmod(0o700)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "10"
    assert answer.headers["X-OpenRosa-Version"] == "1.0"
    assert answer.text.startswith("<OpenRosaResponse")
    assert "nothing was stored" in answer.text
    door.stop()
    assert b"Permission denied" in door.settings.error_log.read_bytes()
