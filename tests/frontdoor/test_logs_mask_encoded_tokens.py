"""No token in any log however it is written: percent-encoded in part or whole, in the device-key slot,
the draft-code slot, Enketo's st=, or anywhere else in the request line (a new user's and an attacker's
walk through the server). Logs are read percent-decoded: what matters is whether the token can be read
back from them, not whether its bytes appear as sent."""
import socket
import time
from urllib.parse import unquote_to_bytes

from app.core.tokens import new_token
from tests.frontdoor.conftest import free_port


def token_with(characters: str) -> str:
    """A token of the real alphabet that holds each of `characters` (the ones percent-encoding changes)."""
    token = new_token()
    return characters + token[len(characters):]


def percent(text: str, only: str = "!$", upper: bool = True) -> str:
    """`text` with each character in `only` (every one if empty) written as %XX."""
    return "".join(("%{:02X}" if upper else "%{:02x}").format(ord(c)) if not only or c in only else c
                   for c in text)


def exchange(port: int, target: str) -> bytes:
    """GET `target` as written (no client re-encodes it) and read the whole answer."""
    request = f"GET {target} HTTP/1.1\r\nHost: x\r\nX-OpenRosa-Version: 1.0\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode("ascii"))
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    return answer


def request_targets() -> tuple[list[str], list[str]]:
    """(targets, the tokens they hold): every way of writing a token or draft code the walk found."""
    tokens = [token_with("!$") for _ in range(17)]
    t = iter(tokens)
    targets = [
        f"/v1/key/{percent(next(t))}/projects/1/formList",
        f"/v1/test/{percent(next(t))}/projects/1/forms/x/draft/formList",
        f"/v1/projects/1/forms/x.xml?st={percent(next(t))}",
        f"/v1/k%65y/{next(t)}/projects/1/formList",
        f"/v1/projects/1/forms/x.xml?%73t={next(t)}&a=1",
        f"/v1/key/{percent(next(t), only='')}/projects/1/formList",            # fully hex-escaped
        f"/v1/key/{percent(next(t), only='', upper=False)}/projects/1/formList",
        f"/v1/projects/1/forms/{percent(next(t))}",                             # a draft code in any slot
        f"/v1/projects/1/forms/x.xml?x={next(t)}",
        f"/{percent(next(t))}",
        f"/v1%2Fkey%2F{next(t)}%2Fprojects%2F1%2FformList",
        # More tokens in one line than there are maps to mask them one by one.
        "/v1/projects/1/formList?" + "&".join(f"p{i}={percent(next(t))}" for i in range(6)),
    ]
    return targets, tokens


def readable(log: bytes, token: str) -> bool:
    """Whether any 16 characters of `token` in a row can be read back from `log` once it is decoded."""
    text = unquote_to_bytes(log)
    return any(token[i:i + 16].encode() in text for i in range(len(token) - 15))


def test_tokens_written_percent_encoded_are_masked_in_every_log(start_front_door, gunicorn):
    door = start_front_door()
    dead_end = start_front_door(upstream=f"127.0.0.1:{free_port()}")   # nginx's error log quotes each line
    targets, tokens = request_targets()
    for front in (door, dead_end):
        for target in targets:
            assert exchange(front.port, target).startswith(b"HTTP/1.1 ")
    door.stop()
    dead_end.stop()
    time.sleep(0.5)     # gunicorn's access log is written just after each answer

    logs = {path: path.read_bytes() for path in (
        door.settings.access_log, dead_end.settings.access_log, dead_end.settings.error_log,
        gunicorn.access_log, gunicorn.error_log)}
    for path, log in logs.items():
        for token in tokens:
            assert not readable(log, token), (path, token)

    # Every request was logged, masked: the test did not pass by logging nothing.
    for path in (door.settings.access_log, dead_end.settings.access_log):
        assert logs[path].count(b"***") >= len(targets), path
    assert logs[dead_end.settings.error_log].count(b"connect() failed") >= len(targets)
    access = logs[door.settings.access_log]
    assert b'"GET /v1/k%65y/***/projects/1/formList HTTP/1.1" 403' in access
    assert b'"GET /v1/projects/1/forms/x.xml?%73t=***&a=1 HTTP/1.1" 403' in access
    assert b'"GET *** (more token-shaped values than are masked)" 401' in access


def test_a_token_in_the_user_agent_is_masked_too(start_front_door, gunicorn):
    """The user agent is logged, and is the client's to write (found by the second attack test)."""
    door = start_front_door()
    token = token_with("!$")
    request = (f"GET /v1/projects/1/formList HTTP/1.1\r\nHost: x\r\nUser-Agent: Collect {token}\r\n"
               "Connection: close\r\n\r\n")
    with socket.create_connection(("127.0.0.1", door.port), timeout=10) as s:
        s.sendall(request.encode("ascii"))
        while s.recv(65536):
            pass
    door.stop()
    time.sleep(0.5)
    for path in (door.settings.access_log, gunicorn.access_log):
        assert not readable(path.read_bytes(), token), path
    assert b'"GET /v1/projects/1/formList HTTP/1.1" 401' in door.settings.access_log.read_bytes()
    assert b'"***"' in door.settings.access_log.read_bytes()
