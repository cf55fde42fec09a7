"""Coverage kept added up in the background, so that a read finds little left to add up.

Every few seconds one thread, in one server process, looks for campaigns whose villages changed (or
that have no village numbers yet) and adds them up, as a read would. Reads still add up whatever
changed since, so they are never stale: the refresher only moves the work out of the supervisor's
request (a county's first read after a day of screening would otherwise add up all its villages
while the supervisor waits).

Every gunicorn worker starts a refresher, but only the one holding a session advisory lock on a
connection of its own works, so there is one per database however many processes or machines serve
it; when its process dies, the connection closes, the lock is freed, and another takes over.
"""
import logging
import threading

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from ..queries.coverage import COVERAGE_LOCKS
from ..services.coverage.campaigns import refresh_pending

log = logging.getLogger(__name__)

_LEAD = text(f"SELECT pg_try_advisory_lock({COVERAGE_LOCKS}, 0)")    # 0: no campaign, the refresher
_STILL_THERE = text("SELECT 1")


class CoverageRefresher:
    def __init__(self, app: Flask, every_seconds: float):
        self.app = app
        self.every_seconds = every_seconds
        self._lead: Connection | None = None      # held while this refresher is the one that works
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="coverage-refresher", daemon=True)

    def start(self) -> "CoverageRefresher":
        self._thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._let_go()

    def leads(self) -> bool:
        """Whether this refresher is the one that works: it holds the lock, or has just taken it."""
        try:
            if self._lead is not None:
                self._lead.execute(_STILL_THERE)      # a lost connection has lost the lock with it
                self._lead.commit()
                return True
            with self.app.app_context():
                conn = db.engine.connect()
            if conn.execute(_LEAD).scalar():
                conn.commit()
                self._lead = conn
                return True
            conn.close()
        except DBAPIError:
            log.warning("coverage refresher lost its database connection; trying again next round")
            self._let_go()
        return False

    def refresh_once(self) -> int:
        with self.app.app_context():
            try:
                return refresh_pending()
            except Exception:
                # Left for the next round; until then reads add the villages up themselves.
                log.exception("background coverage refresh failed")
                return 0
            finally:
                db.session.remove()

    def _run(self) -> None:
        while not self._stopped.wait(self.every_seconds):
            if self.leads():
                self.refresh_once()
        self._let_go()

    def _let_go(self) -> None:
        if self._lead is not None:
            # Closed for good, not handed back to the pool: the session lock goes with it.
            self._lead.invalidate()
            self._lead.close()
            self._lead = None


def start_coverage_refresher(app: Flask) -> CoverageRefresher | None:
    """The refresher for one server process, if COVERAGE_REFRESH_SECONDS is above 0."""
    every = app.config["COVERAGE_REFRESH_SECONDS"]
    return CoverageRefresher(app, every).start() if every > 0 else None
