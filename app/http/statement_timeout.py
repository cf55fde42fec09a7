"""Every statement run for a web request is bounded in time (STATEMENT_TIMEOUT_MS); other work is not.

A statement that runs on after its client has given up holds a database connection and a core for
nothing, and many of them stop the server answering anyone. PostgreSQL cancels a statement that
exceeds statement_timeout (SQLSTATE 57014); the doors answer that with 503 and Retry-After
(app/errors.py), and the request's transaction is rolled back whole.

Commands (imports, migrations, rules recompute) and the background coverage refresher run outside
any request and keep no limit: they must finish. The setting is per connection, so it is written
only when a pooled connection changes hands between the two kinds of work.
"""
from flask import Flask, has_request_context
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

from ..extensions import db

_INFO_KEY = "dixian.statement_timeout_ms"


def install(app: Flask) -> None:
    """Bound the app's engine; STATEMENT_TIMEOUT_MS = 0 leaves web requests unbounded too."""
    web_timeout_ms = int(app.config["STATEMENT_TIMEOUT_MS"])
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "checkout")
    def bound_web_statements(dbapi_connection, connection_record, connection_proxy):
        wanted = web_timeout_ms if has_request_context() else 0
        if connection_record.info.get(_INFO_KEY) == wanted:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {wanted:d}")
            dbapi_connection.commit()   # a SET rolled back with the request's transaction would not hold
        except Exception as e:
            # A pooled connection the server closed (a restart): the pool drops it and connects again.
            raise DisconnectionError(f"could not set statement_timeout: {type(e).__name__}") from e
        connection_record.info[_INFO_KEY] = wanted
