"""Request bodies as gunicorn (the production server) hands them over: a body gunicorn cannot read is
the client's 400, and no Transfer-Encoding / Content-Length combination that reaches the app gets a 5xx
from it. The live test server is werkzeug's, whose failures differ, so this starts real gunicorn."""
import os
import signal
import socket
import subprocess
import time

import pytest
from sqlalchemy import func, select

from tests.conftest import REPO
from tests.http import doors
from tests.support.raw_http import MALFORMED_CHUNKS, send


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(app, database_url, tmp_path_factory):
    """One gunicorn worker on the test database, started as scripts/serve.sh starts it (without the
    background coverage refresher, which these requests do not need)."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DIXIAN_DATA_DIR": str(tmp_path_factory.mktemp("gunicorn")),
           "BLOB_DIR": app.config["BLOB_DIR"], "SECRET_KEY": app.config["SECRET_KEY"],
           "PUBLIC_URL": f"http://127.0.0.1:{port}"}
    process = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "gunicorn"), "--workers", "1", "--worker-class", "gthread", "--threads", "2",
         "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning", "wsgi:app"],
        cwd=REPO, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture()
def submission_target(app, project):
    from app.services.accounts.app_users import create_app_user
    with app.app_context():
        _, token = create_app_user(project, "村干部 测试")
    return f"/v1/key/{token}/projects/{project}/submission"


def _submissions(app) -> int:
    from app.extensions import db
    from app.models import Submission
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Submission))


MULTIPART = "multipart/form-data; boundary=x"


# reliability/09: gunicorn raised InvalidChunkSize / ChunkMissingTerminator while Flask read the form (500).
@pytest.mark.parametrize("body", MALFORMED_CHUNKS.values(), ids=MALFORMED_CHUNKS.keys())
def test_malformed_chunked_bodies_are_400_39_under_gunicorn(app, gunicorn, submission_target, body):
    response = send(gunicorn, "POST", submission_target,
                    [("Content-Type", MULTIPART), ("Transfer-Encoding", "chunked")], body)
    assert "could not be read" in doors.openrosa_error(response, 400)
    assert _submissions(app) == 0


PART = b'--x\r\nContent-Disposition: form-data; name="xml_submission_file"\r\n\r\n<data/>\r\n--x--\r\n'
CHUNKED_PART = f"{len(PART):x}\r\n".encode() + PART + b"\r\n0\r\n\r\n"
FRAMINGS = {
    "length": ([("Content-Length", str(len(PART)))], PART),
    "length-short-body": ([("Content-Length", str(len(PART) + 100))], PART),
    "length-long-body": ([("Content-Length", "10")], PART),
    "length-not-a-number": ([("Content-Length", "abc")], PART),
    "length-negative": ([("Content-Length", "-1")], PART),
    "length-twice": ([("Content-Length", str(len(PART))), ("Content-Length", "5")], PART),
    "no-length": ([], PART),
    "chunked": ([("Transfer-Encoding", "chunked")], CHUNKED_PART),
    "chunked-and-length": ([("Transfer-Encoding", "chunked"), ("Content-Length", str(len(PART)))], CHUNKED_PART),
    "chunked-twice": ([("Transfer-Encoding", "chunked, chunked")], CHUNKED_PART),
    "gzip-chunked": ([("Transfer-Encoding", "gzip, chunked")], CHUNKED_PART),
    "chunked-gzip": ([("Transfer-Encoding", "chunked, gzip")], CHUNKED_PART),
    "identity": ([("Transfer-Encoding", "identity")], PART),
    "xchunked": ([("Transfer-Encoding", "xchunked")], CHUNKED_PART),
    "chunked-without-last-chunk": ([("Transfer-Encoding", "chunked")], CHUNKED_PART[:-5]),
    "chunked-extension": ([("Transfer-Encoding", "chunked")], CHUNKED_PART.replace(b"\r\n", b";a=b\r\n", 1)),
}


@pytest.mark.parametrize("headers,body", FRAMINGS.values(), ids=FRAMINGS.keys())
def test_no_framing_gets_a_5xx_from_the_app(gunicorn, submission_target, headers, body):
    """reliability/13: gunicorn itself answers 501 to a transfer coding it does not know (RFC 9112
    §6.1 allows it; nginx in front answers those). Whatever reaches the app gets a 4xx (or 201)."""
    response = send(gunicorn, "POST", submission_target, [("Content-Type", MULTIPART), *headers], body,
                    half_close=True)
    from_app = "X-OpenRosa-Version" in response.headers
    if from_app:
        assert response.status < 500, response.text
    else:
        assert response.status < 500 or response.status == 501, response.text
