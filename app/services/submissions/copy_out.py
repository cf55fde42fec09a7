"""A SELECT's rows as PostgreSQL's COPY writes them, streamed: how exports and OData hand on any number of rows
in bounded memory, every cell written in C.
"""
from collections.abc import Iterator

from ...extensions import db

COPY_CHUNK = 64 * 1024      # bytes handed on at once: COPY sends a message per row, too small to write alone
# A web request's statements are cut at STATEMENT_TIMEOUT_MS (30 s; app/http/statement_timeout.py), but one
# COPY is the whole download and lasts as long as it does (a county's Excel, a slow link): it gets an hour.
# A client that goes away ends it sooner (the stream is closed and its transaction rolled back).
COPY_TIMEOUT = "1h"


def copy_out(statement, options: str, *, rows: bool = False) -> Iterator[bytes]:
    """The statement's rows as COPY ... TO STDOUT WITH (`options`) writes them: in chunks of about COPY_CHUNK
    bytes, or (`rows`) a row at a time, as COPY sends them.

    JIT is off for the statement: the planner guesses a hundred elements per repeat and would spend about
    0.2 s compiling each such query, longer than small downloads take and no faster for large ones. The
    statement may run for COPY_TIMEOUT."""
    # render_postcompile: an IN over a list (a campaign's forms) is written out here, where no execute() will
    # expand it (it reached PostgreSQL as `IN (__[POSTCOMPILE_…])`, and the export broke off after its 200).
    compiled = statement.compile(dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True})
    connection = db.session.connection().connection.driver_connection
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL jit = off; SET LOCAL statement_timeout = '{COPY_TIMEOUT}'")
        with cursor.copy(f"COPY ({compiled}) TO STDOUT WITH ({options})", compiled.params) as copy:
            if rows:
                yield from copy
                return
            waiting = bytearray()
            for data in copy:
                waiting += data
                if len(waiting) >= COPY_CHUNK:
                    yield bytes(waiting)
                    waiting.clear()
            if waiting:
                yield bytes(waiting)
