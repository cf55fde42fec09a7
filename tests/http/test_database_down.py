"""While the database cannot answer, every door says 503 with Retry-After (ODK Collect sends again
later), not 500; a statement cut short by the request's time limit is the same 503, with nothing written.

The suite's PostgreSQL is shared by every test, so "down" is a second app pointed at a port where
nothing listens, and "too slow" a second app with a short STATEMENT_TIMEOUT_MS behind a lock."""
import socket
import threading
from contextlib import contextmanager

import psycopg
import pytest
import requests
from sqlalchemy import func, select, text
from werkzeug.serving import make_server

from demo.submissions import collect_multipart
from tests.conftest import REPO
from tests.http import doors
from tests.support.collect import CollectClient
from tests.support.instances import build_instance
from tests.support.raw_http import send

SCREENING = REPO / "forms" / "fpf_hh_screening.md"
TOKEN = "A" * 64    # well formed; the database is asked about it


@contextmanager
def _serving(application):
    server = make_server("127.0.0.1", 0, application, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    application.config["PUBLIC_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()


def _second_app(app, **config):
    from app import create_app
    return create_app({"BLOB_DIR": app.config["BLOB_DIR"], "SECRET_KEY": app.config["SECRET_KEY"], **config})


@pytest.fixture(scope="module")
def unreachable(app):
    with socket.socket() as s:        # a port bound and closed again: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = _second_app(app, SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{port}/dixian")
    with _serving(down) as url:
        yield url


def _retry_after(response) -> int:
    return int(response.headers["Retry-After"])


def test_openrosa_requests_are_503_with_retry_after_while_the_database_is_down(unreachable):
    base = f"{unreachable}/v1/key/{TOKEN}/projects/1"
    assert "try again" in doors.openrosa_error(requests.get(f"{base}/formList", timeout=30), 503)
    head = requests.head(f"{base}/submission", timeout=30)
    assert head.status_code == 503 and _retry_after(head) > 0
    body, content_type = collect_multipart(b'<data id="f"><meta><instanceID>uuid:1</instanceID></meta></data>', {})
    post = requests.post(f"{base}/submission", data=body, headers={"Content-Type": content_type}, timeout=30)
    doors.openrosa_error(post, 503)
    assert _retry_after(post) > 0


def test_api_requests_are_503_problem_json_while_the_database_is_down(unreachable):
    response = requests.post(f"{unreachable}/v1/sessions", json={"email": "a@example.org", "password": "x" * 12},
                             timeout=30)
    assert doors.problem(response, 503, 503.1) and _retry_after(response) > 0
    response = requests.get(f"{unreachable}/v1/projects", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    doors.problem(response, 503, 503.1)


STATEMENT_TIMEOUT_MS = 500


@pytest.fixture(scope="module")
def impatient(app, database_url):
    application = _second_app(app, SQLALCHEMY_DATABASE_URI=database_url, STATEMENT_TIMEOUT_MS=STATEMENT_TIMEOUT_MS)
    with _serving(application) as url:
        yield application, url
    from app.extensions import db
    with application.app_context():
        db.engine.dispose()


@contextmanager
def _locked(database_url: str, table: str):
    """Another transaction holds the table: any statement that touches it waits."""
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield
        conn.rollback()


def test_a_submission_cut_short_by_the_statement_timeout_is_503_and_nothing_is_written(
        app, database_url, impatient, project, publish):
    from app.extensions import db
    from app.models import GeoAnswer, Submission, SubmissionVersion
    from app.services.accounts.app_users import create_app_user
    _, url = impatient
    publish(SCREENING)
    with app.app_context():
        _, token = create_app_user(project, "村干部 测试")
    device = CollectClient(f"{url}/v1/key/{token}/projects/{project}")
    xml, files = build_instance(device.get(device.form_list()[0].download_url).content)

    # The submission and its version are inserted before its geopoint, which waits for the lock.
    with _locked(database_url, "geo_answer"):
        response = device.post_submission(xml, files)
    assert "try again" in doors.openrosa_error(response, 503)
    assert _retry_after(response) > 0
    with app.app_context():
        for model in (Submission, SubmissionVersion, GeoAnswer):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
    assert device.post_submission(xml, files).status_code == 201     # what Collect does next


def test_web_requests_are_bounded_and_commands_are_not(impatient):
    """Imports, migrations and the coverage refresher run outside requests, on the same pool."""
    from app.extensions import db
    application, _ = impatient
    show = text("SHOW statement_timeout")
    for _ in range(2):     # a pooled connection changes hands both ways
        with application.test_request_context():
            assert db.session.scalar(show) == f"{STATEMENT_TIMEOUT_MS}ms"
            db.session.remove()
        with application.app_context():
            assert db.session.scalar(show) == "0"
            db.session.remove()


def test_a_slow_read_is_503_problem_json(app, database_url, impatient, admin, project):
    _, url = impatient
    token = requests.post(f"{url}/v1/sessions", json={"email": admin[0], "password": admin[1]},
                          timeout=10).json()["token"]
    with _locked(database_url, "form"):
        response = send(url, "GET", f"/v1/projects/{project}/forms", [("Authorization", f"Bearer {token}")])
    doors.problem(response, 503, 503.1)


def test_an_administration_command_says_in_one_line_that_the_database_cannot_be_reached(app):
    """Not a traceback, and not the password (found by a newcomer whose second shell lacked DATABASE_URL)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = _second_app(app, SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://dixian:s3cret@127.0.0.1:{port}/dixian")
    result = down.test_cli_runner().invoke(args=["project", "list"])
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert f"127.0.0.1:{port}/dixian cannot be used" in line and "DATABASE_URL" in line
    assert "s3cret" not in result.output and "Traceback" not in result.output
