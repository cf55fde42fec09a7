"""Signing in: a limit on wrong passwords (reliability/25), Digest headers used once
(reliability/23), and forwarded headers believed only from trusted proxies."""
import hashlib
import re

import pytest
import requests
from requests.auth import HTTPBasicAuth
from sqlalchemy import select

from app.services.accounts import sign_in_limits
from tests.conftest import REPO
from tests.support.collect import CollectClient
from tests.support.households import screening_xml


def _sign_in(live_server, email, password, address=None):
    headers = {"X-Forwarded-For": address} if address else {}
    return requests.post(f"{live_server}/v1/sessions", json={"email": email, "password": password},
                         headers=headers, timeout=30)


def test_wrong_passwords_lock_the_account_from_that_address_with_429_and_retry_after(admin, live_server):
    email, password = admin
    for _ in range(sign_in_limits.PAIR_LIMIT):
        assert _sign_in(live_server, email, "wrong password", "203.0.113.1").status_code == 401
    locked = _sign_in(live_server, email, "wrong password", "203.0.113.1")
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= sign_in_limits.FIRST_LOCK.total_seconds() * 2
    assert locked.json()["code"] == 429.1
    # Locked there even with the right password; but guessing from there cannot lock the person out
    # where they are (found by the attack test).
    assert _sign_in(live_server, email, password, "203.0.113.1").status_code == 429
    assert _sign_in(live_server, email, password, "198.51.100.7").status_code == 200


def test_guessing_one_account_from_many_addresses_locks_it_where_its_person_has_not_signed_in(admin, live_server):
    """The account-wide lock stops spread-out guessing, but not the person at an address they signed in
    from (found by the attack test: 50 guesses from 10 addresses kept an administrator out)."""
    assert _sign_in(live_server, admin[0], admin[1], "192.0.2.10").status_code == 200
    for n in range(sign_in_limits.ACCOUNT_LIMIT):
        assert _sign_in(live_server, admin[0], "wrong password", f"198.18.{n // 250}.{n % 250}").status_code == 401
    assert _sign_in(live_server, admin[0], admin[1], "192.0.2.200").status_code == 429     # a new address
    assert _sign_in(live_server, admin[0], admin[1], "192.0.2.10").status_code == 200      # the known one
    assert _sign_in(live_server, admin[0], "wrong password", "198.18.9.9").status_code == 429


def test_ipv6_addresses_count_by_their_64_block(admin, live_server):
    """One subscriber's /64 holds 2^64 addresses: guessing from each of them is guessing from one."""
    for n in range(sign_in_limits.PAIR_LIMIT):
        assert _sign_in(live_server, admin[0], "wrong password", f"2001:db8:1:2::{n + 1:x}").status_code == 401
    assert _sign_in(live_server, admin[0], admin[1], "2001:db8:1:2:ffff::1").status_code == 429
    assert _sign_in(live_server, admin[0], admin[1], "2001:db8:1:3::1").status_code == 200
    assert sign_in_limits.counted_address("::ffff:192.0.2.1") == "192.0.2.1"
    assert sign_in_limits.counted_address(None) == "unknown"


def test_the_lock_holds_in_every_worker(app, admin, live_server, database_url):
    """The count lives in PostgreSQL: another app (another gunicorn worker) sees the same lock."""
    from app import create_app
    for _ in range(sign_in_limits.PAIR_LIMIT):
        _sign_in(live_server, admin[0], "wrong password")
    other = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret",
                        "BLOB_DIR": app.config["BLOB_DIR"]})
    response = other.test_client().post("/v1/sessions", json={"email": admin[0], "password": admin[1]})
    assert response.status_code == 429


def test_a_right_password_clears_the_count(admin, live_server):
    for _ in range(sign_in_limits.PAIR_LIMIT - 1):
        assert _sign_in(live_server, admin[0], "wrong password").status_code == 401
    assert _sign_in(live_server, admin[0], admin[1]).status_code == 200
    for _ in range(sign_in_limits.PAIR_LIMIT - 1):
        assert _sign_in(live_server, admin[0], "wrong password").status_code == 401
    assert _sign_in(live_server, admin[0], admin[1]).status_code == 200


def test_one_address_trying_many_accounts_is_locked_out(app, live_server, clean):
    address = "192.0.2.44"
    for n in range(sign_in_limits.ADDRESS_LIMIT):
        assert _sign_in(live_server, f"guess{n}@example.org", "wrong password", address).status_code == 401
    assert _sign_in(live_server, "another@example.org", "wrong password", address).status_code == 429
    # Someone else, elsewhere, is not affected.
    assert _sign_in(live_server, "another@example.org", "wrong password", "192.0.2.45").status_code == 401


def test_basic_and_digest_failures_count_too(admin, live_server, project):
    url = f"{live_server}/v1/projects/{project}/formList"
    https = {"X-Forwarded-Proto": "https"}
    for _ in range(sign_in_limits.PAIR_LIMIT):
        assert requests.get(url, auth=HTTPBasicAuth(admin[0], "wrong"), headers=https, timeout=30).status_code == 401
    assert requests.get(url, auth=HTTPBasicAuth(*admin), headers=https, timeout=30).status_code == 429
    response = requests.get(url, auth=requests.auth.HTTPDigestAuth(*admin), timeout=30)
    assert response.status_code == 429


def _digest_header(live_server, path, email, password, nc="00000001", method="POST"):
    """One Authorization header computed from a fresh challenge, as an eavesdropper would capture it."""
    challenge = requests.head(live_server + path, timeout=10).headers["WWW-Authenticate"]
    nonce = re.search(r'nonce="([^"]+)"', challenge).group(1)
    md5 = lambda text: hashlib.md5(text.encode()).hexdigest()  # noqa: E731
    ha1, ha2 = md5(f"{email}:Dixian:{password}"), md5(f"{method}:{path}")
    response = md5(f"{ha1}:{nonce}:{nc}:cafe:auth:{ha2}")
    return (f'Digest username="{email}", realm="Dixian", nonce="{nonce}", uri="{path}", qop=auth, nc={nc}, '
            f'cnonce="cafe", response="{response}", algorithm=MD5')


def test_a_captured_digest_header_opens_one_request_only(app, admin, project, live_server, publish):
    """reliability/23: the same header with other bodies was accepted for five minutes."""
    publish(REPO / "forms" / "fpf_hh_screening.md")
    path = f"/v1/projects/{project}/submission"
    header = _digest_header(live_server, path, *admin)
    statuses = []
    for n in (1, 2, 3):
        xml = screening_xml(f"uuid:cccccccc-0000-4000-8000-00000000000{n}")
        statuses.append(requests.post(live_server + path, headers={"Authorization": header}, timeout=30,
                                      files={"xml_submission_file": ("s.xml", xml, "text/xml")}).status_code)
    assert statuses == [201, 401, 401]
    # The next count of the same nonce is a new request, as Collect sends it.
    second = _digest_header(live_server, path, *admin, method="HEAD")
    assert requests.head(live_server + path, headers={"Authorization": second}, timeout=10).status_code == 204


def test_collect_keeps_working_over_digest(admin, project, live_server, publish):
    """Collect reuses a nonce with a rising count; every one of its requests is let in."""
    publish(REPO / "forms" / "fpf_hh_screening.md")
    client = CollectClient(f"{live_server}/v1/projects/{project}", auth=requests.auth.HTTPDigestAuth(*admin))
    for n in range(5):
        assert client.post_submission(screening_xml(f"uuid:dddddddd-0000-4000-8000-00000000000{n}"),
                                      {}).status_code == 201


@pytest.fixture()
def no_trusted_proxy(app):
    kept = app.config["TRUSTED_PROXIES"]
    app.config["TRUSTED_PROXIES"] = ()
    yield
    app.config["TRUSTED_PROXIES"] = kept


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(admin, project, live_server, no_trusted_proxy):
    url = f"{live_server}/v1/projects/{project}/formList"
    # Claiming https does not make plain http safe for a password...
    response = requests.get(url, auth=HTTPBasicAuth(*admin), headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert response.status_code == 401 and "http" in response.text
    # ... and claiming other addresses does not escape the limit per address.
    for n in range(sign_in_limits.ADDRESS_LIMIT):
        assert _sign_in(live_server, f"guess{n}@example.org", "wrong password", f"192.0.2.{n}").status_code == 401
    assert _sign_in(live_server, "another@example.org", "wrong password", "192.0.2.200").status_code == 429


def test_forwarded_headers_from_the_front_door_are_believed(admin, project, live_server):
    url = f"{live_server}/v1/projects/{project}/formList"
    response = requests.get(url, auth=HTTPBasicAuth(*admin), headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert response.status_code == 200


def test_a_nul_in_the_user_name_is_a_wrong_password_not_a_crash(live_server, project, clean):
    """Found by the fuzz run: Basic credentials decode to any bytes, NUL included."""
    import base64
    token = base64.b64encode("\u202e\0:wrong".encode()).decode()
    for method, path in (("GET", f"/v1/projects/{project}/formList"), ("DELETE", "/v1/sessions/current")):
        response = requests.request(method, live_server + path, timeout=10,
                                    headers={"Authorization": f"Basic {token}", "X-Forwarded-Proto": "https"})
        assert response.status_code == 401
    assert _sign_in(live_server, "a\0b@example.org", "wrong password").status_code in (400, 401)


def test_password_hashes_wait_for_a_free_slot_on_the_machine_then_answer_503(admin, live_server):
    """Slots are flocks on files, so this test process holding them all is any other process doing so."""
    import fcntl
    import os
    import time

    from app.services.accounts import password_hashing
    directory = password_hashing.SLOT_DIRECTORY
    directory.mkdir(mode=0o700, exist_ok=True)
    held = [os.open(directory / f"slot-{n}", os.O_RDWR | os.O_CREAT, 0o600) for n in range(password_hashing.SLOTS)]
    try:
        for fd in held:
            fcntl.flock(fd, fcntl.LOCK_EX)
        started = time.monotonic()
        busy = _sign_in(live_server, admin[0], admin[1])
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
        assert time.monotonic() - started < password_hashing.WAIT_S + 2       # answered, not queued
    finally:
        for fd in held:
            os.close(fd)
    assert _sign_in(live_server, admin[0], admin[1]).status_code == 200


def test_only_users_created_for_it_sign_in_over_digest(app, project, live_server, publish):
    """Digest needs an unsalted MD5 of the password (HA1), as good as the password to whoever reads the
    database (found by the attack test): kept only for `user create --digest`."""
    from requests.auth import HTTPDigestAuth

    from app.extensions import db
    from app.models import User
    publish(REPO / "forms" / "fpf_hh_screening.md")
    runner = app.test_cli_runner()
    password = "a long enough password"
    for email, flags in (("plain@example.org", []), ("collect@example.org", ["--digest"])):
        assert runner.invoke(args=["user", "create", email, "--password", password, *flags]).exit_code == 0
        assert runner.invoke(args=["user", "grant", str(project), email, "data_collector"]).exit_code == 0
    with app.app_context():
        kept = dict(db.session.execute(select(User.email, User.digest_ha1.is_not(None))).all())
    assert kept == {"plain@example.org": False, "collect@example.org": True}
    for email, status in (("plain@example.org", 401), ("collect@example.org", 200)):
        collect = CollectClient(f"{live_server}/v1/projects/{project}", auth=HTTPDigestAuth(email, password))
        assert collect.http.get(f"{collect.server_url}/formList", timeout=10).status_code == status
    # The password alone still opens a session for the plain one.
    assert _sign_in(live_server, "plain@example.org", password).status_code == 200
