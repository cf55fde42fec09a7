"""A connection lost in the middle of a transaction (a database restart, a backend killed): the request is
the doors' 503, the session still closes, and a background job that lost its connection fails alone.
app/read_only_commit.py runs on every rollback, including that of a connection SQLAlchemy has
invalidated; asking such a connection for its driver would try to reconnect and raise. (Found by an
attacker helper; each test failed before the listener left invalidated connections alone.)"""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.workers.jobs import Job
from app.workers.runner import JobRunner

KILL_MYSELF = text("SELECT pg_terminate_backend(pg_backend_pid())")


def test_a_session_whose_connection_died_still_closes(app, clean):
    """A connection lost mid-request (database restart, a killed backend): the statement fails, SQLAlchemy
    invalidates the connection, and the request's end must still close the session."""
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        with pytest.raises(OperationalError):
            db.session.execute(KILL_MYSELF)
        db.session.remove()          # was fine before the listener; now PendingRollbackError


def test_a_request_whose_connection_died_is_503_and_ends_cleanly(app, clean):
    with app.test_request_context("/"):
        db.session.execute(text("SELECT 1"))
        with pytest.raises(OperationalError):
            db.session.execute(KILL_MYSELF)
    # leaving the request context tears the session down: must not raise


def _dies():
    db.session.execute(text("SELECT 1"))
    db.session.execute(KILL_MYSELF)
    return 1


def test_a_job_whose_connection_died_fails_alone(app, clean):
    """run_once: 'a failed one: 0', the next jobs still run, and the runner lives on."""
    ran = []
    jobs = [Job("dies", _dies), Job("after", lambda: ran.append(1) or 1)]
    assert JobRunner(app, 60, jobs).run_once() == {"dies": 0, "after": 1}
    assert ran == [1]


def test_the_runner_thread_survives_a_job_whose_connection_died(app, clean):
    import time
    ran = []

    def after():
        ran.append(1)
        return 1

    runner = JobRunner(app, 0.05, [Job("dies", _dies), Job("after", after)]).start()
    try:
        deadline = time.monotonic() + 5
        while len(ran) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runner._thread.is_alive()
        assert len(ran) >= 3
    finally:
        runner.stop()


def test_a_request_whose_backend_is_terminated_is_503_problem_json(app, database_url, live_server, admin, project):
    """A database restart (here: the request's backend terminated while it waits for a lock) is the doors'
    503 with Retry-After, as when the database is down; the teardown's rollback must not turn it into a 500."""
    import threading
    import time

    import psycopg
    import requests

    from tests.http import doors
    from tests.support.raw_http import send
    token = requests.post(f"{live_server}/v1/sessions", json={"email": admin[0], "password": admin[1]},
                          timeout=10).json()["token"]
    plain = database_url.replace("postgresql+psycopg://", "postgresql://")
    answer = {}
    with psycopg.connect(plain) as holder, psycopg.connect(plain, autocommit=True) as killer:
        holder.execute("LOCK TABLE form IN ACCESS EXCLUSIVE MODE")
        asking = threading.Thread(target=lambda: answer.update(response=send(
            live_server, "GET", f"/v1/projects/{project}/forms", [("Authorization", f"Bearer {token}")])))
        asking.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            waiting = killer.execute("SELECT pid FROM pg_locks WHERE NOT granted AND relation = 'form'::regclass"
                                     ).fetchall()
            if waiting:
                killer.execute("SELECT pg_terminate_backend(%s)", waiting[0])
                break
            time.sleep(0.05)
        asking.join(15)
        holder.rollback()
    assert waiting
    doors.problem(answer["response"], 503, 503.1)
