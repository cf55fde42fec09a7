"""Coverage kept added up in the background, so that a read finds little left to add up.

In each server process a thread looks every few seconds for campaigns whose villages changed (or that
have no village numbers yet) and adds them up, as a read would. A campaign being added up elsewhere
is left to that process or read. Reads still add up whatever changed since, so they are never stale:
the refresher only moves the work out of the supervisor's request (a county's first read after a day
of screening otherwise adds up all its villages while the supervisor waits).
"""
import logging
import threading

from flask import Flask

from ..extensions import db
from .coverage import refresh_pending

log = logging.getLogger(__name__)


class CoverageRefresher:
    def __init__(self, app: Flask, every_seconds: float):
        self.app = app
        self.every_seconds = every_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="coverage-refresher", daemon=True)

    def start(self) -> "CoverageRefresher":
        self._thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        self._stopped.set()
        self._thread.join(timeout)

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
            self.refresh_once()


def start_coverage_refresher(app: Flask) -> CoverageRefresher | None:
    """The refresher for one server process, if COVERAGE_REFRESH_SECONDS is above 0."""
    every = app.config["COVERAGE_REFRESH_SECONDS"]
    return CoverageRefresher(app, every).start() if every > 0 else None
