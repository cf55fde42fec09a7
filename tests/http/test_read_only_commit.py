"""A transaction that wrote nothing is ended by COMMIT where SQLAlchemy would roll it back (here: a request's,
at its end), so its connection keeps the statements psycopg prepared (PostgreSQL's plans); one that wrote,
or failed, is rolled back as before. A single read (scalar_alone, the map tiles) runs in autocommit,
outside the request's transaction."""
import time

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import select, text

from app.extensions import db
from app.models import Project
from app.services.single_reads import scalar_alone

REPEATED = "SELECT CAST(:n AS integer) + 1"      # psycopg prepares it on its 5th run on a connection


def _prepared(driver) -> int:
    """How many statements like REPEATED the connection has prepared on the server."""
    return driver.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT CAST($1%'"
                          ).fetchone()[0]


def _request_that_prepared(app, *then: str):
    """Runs a request that prepares REPEATED, then runs the statements `then`; its driver connection, idle
    once the request ended."""
    with app.test_request_context("/"):
        for n in range(6):
            db.session.execute(text(REPEATED), {"n": n})
        for statement in then:
            db.session.execute(text(statement))
        driver = db.session.connection().connection.dbapi_connection
        assert _prepared(driver) == 1
    assert driver.info.transaction_status == TransactionStatus.IDLE
    return driver


def test_a_request_that_only_read_keeps_its_prepared_statements(app, clean):
    driver = _request_that_prepared(app)
    assert _prepared(driver) == 1          # committed, not rolled back
    driver.rollback()


def test_a_request_that_wrote_without_committing_is_rolled_back(app, clean):
    with app.test_request_context("/"):
        db.session.add(Project(name="never committed"))
        db.session.flush()
    with app.app_context():
        assert db.session.scalar(select(Project.id).where(Project.name == "never committed")) is None


def test_a_transaction_id_taken_counts_as_a_write(app, clean):
    """Locking a row, or anything else that takes a transaction id, is left to the rollback."""
    driver = _request_that_prepared(app, "SELECT pg_current_xact_id()")
    assert _prepared(driver) == 0          # ROLLBACK, as before (and so psycopg forgot its prepared statements)
    driver.rollback()


def test_a_failed_transaction_is_rolled_back_and_the_request_ends_cleanly(app, clean):
    with app.test_request_context("/"):
        with pytest.raises(Exception, match="division by zero"):
            db.session.execute(text("SELECT 1 / 0"))
        driver = db.session.connection().connection.dbapi_connection
        assert driver.info.transaction_status == TransactionStatus.INERROR
    assert driver.info.transaction_status == TransactionStatus.IDLE


def test_a_single_read_runs_outside_the_requests_transaction(app, clean):
    with app.test_request_context("/"):
        db.session.execute(text("SELECT 1"))          # the request's transaction has begun
        time.sleep(0.01)
        # now() is the transaction's start: in autocommit the statement is its own transaction.
        assert scalar_alone(text("SELECT now() = statement_timestamp()"), {}) is True
        assert db.session.execute(text("SELECT now() = statement_timestamp()")).scalar() is False


def test_a_connection_that_ran_a_single_read_goes_back_to_the_pool_transactional(app, clean):
    """SQLAlchemy puts a pooled connection back in its default isolation after autocommit: had it not,
    the next request on it would write statement by statement, and a failure would leave half its work."""
    with app.app_context():
        for _ in range(3):
            assert scalar_alone(text("SELECT 1"), {}) == 1
        held = [db.engine.connect() for _ in range(db.engine.pool.checkedin() + 1)]   # every pooled one, and more
        try:
            for connection in held:
                connection.execute(text("SELECT 1"))
            time.sleep(0.01)
            assert not any(connection.execute(text("SELECT now() = statement_timestamp()")).scalar()
                           for connection in held)
        finally:
            for connection in held:
                connection.close()
