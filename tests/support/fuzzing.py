"""Generated bad requests, sent as raw bytes, and checks that nothing half-stored was left behind.

Shared by the suite's bounded fuzz test (tests/fuzz/) and scripts/fuzz.py, which sends
100,000 and more to a running server. Each request is built from a seeded random generator, so
a failure is reproduced by its seed and index:

- a route of the app's URL map, its parameters filled with valid values or with values that
  have broken servers before (ids past 2^31, non-ASCII digits, NUL, invalid UTF-8, very long,
  path-like), with or without the device-key prefix, and random query parameters;
- any method; credentials that are right, wrong, malformed, revoked or missing;
- headers with raw high bytes, odd content types, forwarded headers, framing that lies
  (chunked bodies with bad sizes, Content-Length shorter than the body);
- bodies: submissions mutated from real ones (non-finite and huge numbers, long identifiers,
  surrogate character references, other encodings, other root names, repeated elements,
  truncation, DOCTYPEs), JSON of every shape, random bytes.
"""
import json
import random
import re
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

from sqlalchemy import text

# Values that have broken servers before, as they appear in a URL (already percent-encoded).
EDGE_VALUES = [
    "0", "-1", "2147483647", "2147483648", "9223372036854775808", "9" * 40, "1e3", "0x10", "%201",
    "%EF%BC%91", "%D9%A3", "%00", "%FF", "%C0%AE", "%ED%A0%80", "..", "%2E%2E%2F%2E%2E", "%2F", "a" * 400,
    "x" * 5000, "%F0%9F%98%80", "%E6%8E%92%E6%9F%A5", "%0D%0AX-Injected:%201", "%25", "*", "null", "",
]
# Answers that have broken servers before, as they appear in XML text.
EDGE_ANSWERS = [
    "inf", "-inf", "nan", "NaN", "1e400", "-1e400", "1" + "0" * 400, "-0", "1e-400", "99999999999999999999",
    "名" * 101, "9" * 19, "x" * 70000, "&#55357;&#56966;", "&#55357;", "&#xD83D;&#xDE86;", "&#0;", "&#65535;",
    "&lt;b&gt;", "", " ", "2026-02-30", "2026-11-20T25:61:00", "yes no maybe", "🚆" * 50, "\u202e\u0000",
    "420102001001", "new", "N" * 41, "uuid:" + "a" * 300,
]
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "G\x00T"]


@dataclass
class FuzzTarget:
    """What the generator knows of the server under test: where it is and some valid values."""
    host: str
    port: int
    project_id: int
    device_token: str
    bearer_token: str
    user: tuple[str, str]
    routes: list[tuple[str, tuple[str, ...]]]           # (rule, methods) from the app's URL map
    valid: dict[str, list[str]] = field(default_factory=dict)   # URL argument name -> valid values
    submissions: list[bytes] = field(default_factory=list)     # well-formed submission XML to mutate


@dataclass
class FuzzReport:
    statuses: Counter = field(default_factory=Counter)
    # (index, status, request, answer): the first bytes of each, for a 5xx or no answer
    server_errors: list[tuple[int, int | None, str, str]] = field(default_factory=list)
    sent: int = 0
    seconds: float = 0.0


def run(target: FuzzTarget, count: int, *, seed: int = 1, deadline_s: float | None = None,
        timeout_s: float = 15.0) -> FuzzReport:
    """Send up to `count` generated requests (stopping at the deadline); count the answers by status.

    A 5xx, or no answer at all (None: connection closed or timed out without a status line), is
    kept in `server_errors` with the request's first 300 bytes.
    """
    rng = random.Random(seed)
    report = FuzzReport()
    started = time.monotonic()
    for index in range(count):
        if deadline_s is not None and time.monotonic() - started > deadline_s:
            break
        raw = build_request(rng, target)
        status, answer = send(target.host, target.port, raw, timeout_s)
        report.statuses[status] += 1
        report.sent += 1
        if status is None or status >= 500:
            report.server_errors.append((index, status, raw[:300].decode("latin-1"), answer[:600].decode("latin-1")))
    report.seconds = time.monotonic() - started
    return report


def send(host: str, port: int, raw: bytes, timeout_s: float) -> tuple[int | None, bytes]:
    """Send raw request bytes on a new connection; the status code of the answer (None if there was
    none) and the answer's first bytes."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as sock:
            # No half-close after sending: nginx takes it for a client that has gone, and drops the request.
            try:
                sock.sendall(raw)
            except OSError:
                pass            # answered and closed before the whole request was read: read the answer
            head = b""
            while len(head) < 4096:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                head += chunk
    except (OSError, TimeoutError):
        pass
    return _final_status(head), head


def _final_status(head: bytes) -> int | None:
    """The first status other than an interim 100 Continue (sent to answer Expect), once its line is whole."""
    for match in re.finditer(rb"(?:^|\r\n)HTTP/1\.[01] (\d{3})[^\r\n]*\r\n", head):
        if match.group(1) != b"100":
            return int(match.group(1))
    return None


def build_request(rng: random.Random, target: FuzzTarget) -> bytes:
    """One generated request, as the bytes a client would put on the wire."""
    submission_routes = [r for r in target.routes if r[0].endswith("/submission")]
    rule, methods = rng.choice(submission_routes if rng.random() < 0.4 else target.routes)
    method = rng.choice(methods) if rng.random() < 0.8 else rng.choice(METHODS)
    if "POST" in methods and rng.random() < 0.6:
        method = "POST"
    path = _fill(rng, rule, target)
    headers = [("Host", f"{target.host}:{target.port}"), ("Connection", "close")]
    path, headers = _credentials(rng, target, path, headers)
    query = _query(rng, target)
    body, content_type = _body(rng, target, rule, method)
    if content_type:
        headers.append(("Content-Type", content_type))
    headers += _odd_headers(rng)
    target_line = path + (("?" + query) if query else "")
    return _frame(rng, method, target_line, headers, body)


def _fill(rng: random.Random, rule: str, target: FuzzTarget) -> str:
    def value(match: re.Match) -> str:
        name = match.group(2)
        if rng.random() < 0.75 and target.valid.get(name):
            return quote(rng.choice(target.valid[name]), safe=":")
        return rng.choice(EDGE_VALUES)
    return re.sub(r"<(?:(\w+):)?(\w+)>", value, rule)


def _credentials(rng, target, path, headers):
    choice = rng.random()
    if choice < 0.35 and path.startswith("/v1/"):
        token = target.device_token if rng.random() < 0.8 else rng.choice(["A" * 64, "short", "%00" * 3, "x/y"])
        return f"/v1/key/{token}{path[3:]}", headers
    if choice < 0.55:
        token = target.bearer_token if rng.random() < 0.8 else rng.choice(["nope", "A" * 64, "\x80\x81"])
        return path, headers + [("Authorization", f"Bearer {token}")]
    if choice < 0.65:
        import base64
        user, password = target.user if rng.random() < 0.5 else (rng.choice(EDGE_ANSWERS), "wrong")
        encoded = base64.b64encode(f"{user}:{password}".encode("utf-8", "surrogatepass")).decode()
        return path, headers + [("Authorization", f"Basic {encoded}"), ("X-Forwarded-Proto", "https")]
    if choice < 0.72:
        garbage = rng.choice(['Digest username="x", nonce="1.2.3", nc=zz, response="0"', "Digest", "Digest ,,,=",
                              f'Digest username="{target.user[0]}", realm="Dixian", nonce="9{"9" * 30}.a.b", uri="/"'])
        return path, headers + [("Authorization", garbage)]
    if choice < 0.76:
        return path + ("&" if "?" in path else "?") + f"st={target.device_token}", headers
    return path, headers


def _query(rng, target) -> str:
    if rng.random() < 0.5:
        return ""
    names = ["formID", "deviceID", "campaign", "level", "st", "$top", "x", "%00", "deviceID"]
    pairs = []
    for _ in range(rng.randint(1, 3)):
        name = rng.choice(names)
        pool = target.valid.get(name) or []
        value = quote(rng.choice(pool)) if pool and rng.random() < 0.5 else rng.choice(EDGE_VALUES)
        pairs.append(f"{name}={value}")
    return "&".join(pairs)


def _body(rng, target, rule, method) -> tuple[bytes, str | None]:
    if method in ("GET", "HEAD") and rng.random() < 0.9:
        return b"", None
    if rule.endswith("/submission") and target.submissions and rng.random() < 0.9:
        xml = mutate_submission(rng, rng.choice(target.submissions))
        return _multipart(rng, xml)
    if rule.endswith("/sessions"):
        shapes = [{"email": target.user[0], "password": target.user[1]}, {"email": "x@y.z", "password": "wrong"},
                  {"email": rng.choice(EDGE_ANSWERS)}, [], "x", None, 1e308, {"email": [1], "password": {}},
                  {"email": "a" * 100_000, "password": "b"}]
        return json.dumps(rng.choice(shapes)).encode(), rng.choice(["application/json", "text/plain", None])
    return rng.randbytes(rng.randint(0, 200)), rng.choice(["application/octet-stream", "multipart/form-data",
                                                           "multipart/form-data; boundary=", None])


def _multipart(rng, xml: bytes) -> tuple[bytes, str]:
    boundary = "fuzz" + str(rng.randint(0, 10**9))
    parts = [(b"xml_submission_file", b"submission.xml", xml)]
    if rng.random() < 0.3:
        name = rng.choice([b"1700000000001.jpg", b"../../etc/passwd", b"a" * 400, b"\xff\xfe.jpg", b"",
                           b"photo%00.jpg", "照片.jpg".encode()])
        parts.append((name, name, rng.randbytes(rng.randint(0, 3000))))
    if rng.random() < 0.1:
        parts = parts[1:]                     # no XML part at all
    body = b""
    for field_name, filename, data in parts:
        body += (f"--{boundary}\r\n".encode() + b'Content-Disposition: form-data; name="' + field_name
                 + b'"; filename="' + filename + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
                 + data + b"\r\n")
    if rng.random() < 0.9:
        body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def mutate_submission(rng: random.Random, xml: bytes) -> bytes:
    """A submission, mostly under a new instanceID, with up to two mutations of the kinds that
    have broken servers before."""
    if rng.random() < 0.9:
        xml = _new_instance_id(rng, xml)
    for _ in range(rng.randint(0, 2)):
        xml = rng.choice(_MUTATIONS)(rng, xml)
    return xml


def _new_instance_id(rng, xml):
    return re.sub(rb"<instanceID>[^<]*</instanceID>",
                  f"<instanceID>uuid:{rng.getrandbits(128):032x}</instanceID>".encode(), xml, count=1)


def _odd_answer(rng, xml):
    leaves = list(re.finditer(rb"<(\w+)>([^<]*)</\1>", xml))
    if not leaves:
        return xml
    leaf = rng.choice(leaves)
    value = rng.choice(EDGE_ANSWERS).encode("utf-8", "surrogatepass")
    return xml[:leaf.start(2)] + value + xml[leaf.end(2):]


def _repeat_element(rng, xml):
    count = rng.choice([2, 100, 5000, 60000])
    return xml.replace(b"<meta>", b"<n>x</n>" * count + b"<meta>", 1)


def _other_root(rng, xml):
    name = rng.choice([b"br_root", b"_data", b"x" * 300, b"\xe6\x95\xb0\xe6\x8d\xae"])
    xml = re.sub(rb"^<data\b", b"<" + name, xml, count=1)
    return re.sub(rb"</data>$", b"</" + name + b">", xml)


def _declaration(rng, xml):
    encoding = rng.choice([b"utf-8", b"UTF-16", b"bogus", b"utf-7", b"latin-1", b"GB18030", b"\x00"])
    return b'<?xml version="1.0" encoding="' + encoding + b'"?>' + xml


def _truncate(rng, xml):
    return xml[:rng.randint(0, len(xml))]


def _doctype(rng, xml):
    return b'<!DOCTYPE data [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + xml.replace(b"x</", b"&b;</", 1)


def _deep(rng, xml):
    depth = rng.choice([10, 70, 1000])
    return xml.replace(b"<meta>", b"<g>" * depth + b"</g>" * depth + b"<meta>", 1)


def _identity(rng, xml):
    attribute = rng.choice([rb'id="[^"]*"', rb'version="[^"]*"'])
    value = rng.choice([b"", b"x" * 400, b"%00", b"\xef\xbc\x91", b"fpf_water", b"2026112301 "])
    return re.sub(attribute, attribute.split(b"=")[0] + b'="' + value + b'"', xml, count=1)


def _long_instance_id(rng, xml):
    value = rng.choice([b"uuid:" + b"a" * 296, b"uuid:" + b"a" * 400, b"", b" ", "uuid:名".encode()])
    return re.sub(rb"<instanceID>[^<]*</instanceID>", b"<instanceID>" + value + b"</instanceID>", xml, count=1)


def _edit(rng, xml):
    return xml.replace(b"</instanceID>", b"</instanceID><deprecatedID>uuid:" + b"%032x" % rng.getrandbits(128)
                       + b"</deprecatedID>", 1)


_MUTATIONS = [_new_instance_id, _new_instance_id, _odd_answer, _odd_answer, _odd_answer, _repeat_element,
              _other_root, _declaration, _truncate, _doctype, _deep, _identity, _long_instance_id, _edit]


def _odd_headers(rng) -> list[tuple[str, str]]:
    if rng.random() < 0.7:
        return []
    pool = [("X-Forwarded-For", "1.2.3.4, \x80"), ("Accept-Language", "zh-CN\x00"), ("Date", "Mon, 99 Foo"),
            ("X-OpenRosa-Version", "9" * 100), ("User-Agent", "\xff" * 10), ("Cookie", "a=" + "b" * 3000),
            ("Content-Encoding", "gzip"), ("Expect", "100-continue"), ("If-None-Match", '"' + "x" * 500 + '"')]
    return rng.sample(pool, rng.randint(1, 3))


def _frame(rng, method: str, target_line: str, headers, body: bytes) -> bytes:
    framing = rng.random()
    if framing < 0.05:
        # Whole but malformed: a server that waited for more would be right to.
        chunk = rng.choice([b"zz\r\n", b"-1\r\n", b"3\r\nhello\r\n", b"5\r\nhello-x"])
        headers = headers + [("Transfer-Encoding", "chunked")]
        payload = chunk + b"0\r\n\r\n"
    elif framing < 0.08:
        headers = headers + [("Transfer-Encoding", rng.choice(["xchunked", "gzip, chunked", "chunked, chunked"]))]
        payload = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
    elif framing < 0.12 and body:
        headers = headers + [("Content-Length", str(rng.randint(0, len(body) - 1)))]
        payload = body
    else:
        headers = headers + [("Content-Length", str(len(body)))] if body or method == "POST" else headers
        payload = body
    lines = [f"{method} {target_line} HTTP/1.1"] + [f"{name}: {value}" for name, value in headers]
    return "\r\n".join(lines).encode("utf-8", "surrogateescape") + b"\r\n\r\n" + payload


# Nothing half-stored: each statement lists rows that a complete write would never leave.
_INVARIANTS = {
    "submission without its current version": """
        SELECT s.id FROM submission s LEFT JOIN submission_version v ON v.id = s.current_version_id
        WHERE v.id IS NULL OR v.submission_id <> s.id""",
    "version of a form other than its submission's": """
        SELECT v.id FROM submission_version v JOIN submission s ON s.id = v.submission_id
        WHERE v.form_id <> s.form_id""",
    "attachment naming a blob that is not stored": """
        SELECT a.name FROM submission_attachment a LEFT JOIN blob b ON b.sha256 = a.blob_sha256
        WHERE a.blob_sha256 IS NOT NULL AND b.sha256 IS NULL""",
    "assessment of a version that is not current": """
        SELECT sa.submission_version_id FROM submission_assessment sa
        JOIN submission s ON s.id = sa.submission_id WHERE s.current_version_id <> sa.submission_version_id""",
    "flag of a version that does not exist": """
        SELECT f.id FROM risk_flag f LEFT JOIN submission_version v ON v.id = f.submission_version_id
        WHERE v.id IS NULL""",
}


def half_stored(connection, blob_exists) -> list[str]:
    """What a complete write never leaves: a list of 'problem: ids', empty when all is whole.

    `connection` is a SQLAlchemy connection; `blob_exists(sha256)` says whether a blob's file is there.
    """
    problems = [f"{name}: {rows[:5]}" for name, sql in _INVARIANTS.items()
                if (rows := connection.execute(text(sql)).scalars().all())]
    missing = [sha for sha in connection.execute(text("SELECT sha256 FROM blob")).scalars() if not blob_exists(sha)]
    if missing:
        problems.append(f"blob row whose file is missing: {missing[:5]}")
    return problems
