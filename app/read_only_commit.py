"""A transaction that wrote nothing is ended by COMMIT where SQLAlchemy would roll it back, so that its
connection keeps its prepared statements.

psycopg prepares a statement on a connection once it has run there prepare_threshold (5) times, and
PostgreSQL then plans it once for all runs (a generic plan, after five custom ones). But psycopg forgets
every prepared statement of a connection at each ROLLBACK (DEALLOCATE ALL: the rollback may have undone
what they were planned on), and Flask-SQLAlchemy ends every request's transaction with one (the session's
close). So every request planned its statements anew: 2 ms of a places tile's 3 (scripts/bench_map.py,
issue 13), more than the tile's own work.

A transaction that holds no transaction id (pg_current_xact_id_if_assigned() is NULL: it inserted,
updated, deleted or locked no row, and created nothing) ends the same way by COMMIT as by ROLLBACK. Just
before SQLAlchemy rolls such a transaction back, it is committed on the driver's connection; the rollback
then finds the connection idle and sends nothing. A transaction that wrote, or failed, is rolled back as
before. Two things take no transaction id yet end differently by COMMIT, and this code uses neither inside
a transaction: a session-level SET (SET LOCAL is fine), and NOTIFY (a COMMIT delivers it).
"""
from flask import Flask
from psycopg.pq import TransactionStatus
from sqlalchemy import event

from .extensions import db


def install(app: Flask) -> None:
    """Commit, instead of rolling back, each transaction of the app's engine that wrote nothing: a request's,
    a command's, a background job's."""
    with app.app_context():
        engine = db.engine
    if not event.contains(engine, "rollback", _commit_if_read_only):
        event.listen(engine, "rollback", _commit_if_read_only)


def _commit_if_read_only(connection) -> None:
    if connection.invalidated:
        return            # the database went away under it (asking for its driver would try to reconnect)
    driver = connection.connection.dbapi_connection
    if driver is None or driver.info.transaction_status != TransactionStatus.INTRANS:
        return                                          # idle, in autocommit, or failed: left to the rollback
    try:
        with driver.cursor() as cursor:
            wrote = cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NOT NULL").fetchone()[0]
        if not wrote:
            driver.commit()
    except Exception:     # noqa: BLE001  whatever failed here, the rollback that follows does what it always did
        pass
