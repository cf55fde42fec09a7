"""A read that is one statement, run on a connection in autocommit: no transaction around it.

A map tile is one statement (app/queries/tiles.py), and about a third of a busy map's requests are tiles
that no worker keeps. In the request's session the statement would cost three more round trips to the
database (BEGIN, then the check and COMMIT of app/read_only_commit.py), each a wake-up of a backend
and of a worker thread on a server whose two cores the tiles already fill. Alone, in autocommit, it is one
round trip; it still reads one snapshot, since a statement sees the database as of its own start. And
its connection keeps its prepared statements (psycopg forgets them at each ROLLBACK), so PostgreSQL plans
a tile statement once per connection rather than once per tile (2 ms of a places tile's 3).
"""
from sqlalchemy import Executable

from ..extensions import db


def scalar_alone(statement: Executable, params: dict):
    """The first column of the first row of `statement` (a read: it runs in autocommit, so anything it
    wrote would stay) with `params`, run on a pooled connection of its own. Raises what the driver raises
    (a statement_timeout cancel is SQLAlchemy's OperationalError, answered 503 by the doors)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(statement, params).scalar()
