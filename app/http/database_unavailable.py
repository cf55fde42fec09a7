"""Which database failures mean "not now" rather than "never": those are answered 503 with Retry-After.

ODK Collect keeps a submission that got a 503 and sends it again; a 500 tells the person something
broke. A failure is transient when a retry of the same request can succeed: the server cannot be
reached or went away, it is shutting down or starting, the statement was cancelled by
statement_timeout, it ran out of connections, memory or disk, or the transaction lost a deadlock or
a serialization race. Nothing is half-written in any of these: the request's transaction rolls back.
"""
import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLSTATE classes (PostgreSQL manual, appendix A): 08 connection exception, 40 transaction rollback
# (serialization failure, deadlock), 53 insufficient resources, 57 operator intervention (57014
# query_canceled by statement_timeout, 57P01 admin_shutdown, 57P03 cannot_connect_now); and 55P03
# lock_not_available.
_TRANSIENT_CLASSES = ("08", "40", "53", "57")
_TRANSIENT_STATES = {"55P03"}

# Long enough for PostgreSQL to restart or a burst of load to pass; Collect retries on its own schedule.
RETRY_AFTER_S = 30


def is_transient(error: Exception) -> bool:
    """True for a database failure that a later retry of the same request may not meet."""
    if isinstance(error, PoolTimeout):        # every pooled connection busy for pool_timeout seconds
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:          # the connection broke under the statement
        return True
    state = getattr(error.orig, "sqlstate", None)
    if state is None:
        # No SQLSTATE: the failure happened below SQL, while connecting or on the wire.
        return isinstance(error.orig, (psycopg.OperationalError, psycopg.InterfaceError))
    return state[:2] in _TRANSIENT_CLASSES or state in _TRANSIENT_STATES
