"""The job runner: background work, in one thread of one server process per database.

Every few seconds (BACKGROUND_JOBS_SECONDS) the runner runs each of its jobs once (app/workers/jobs.py):
coverage added up where villages changed, events awaiting their follow-up work, housekeeping. A job
only moves work out of requests: reads of coverage still add up whatever changed since, so they are
never stale.

Every gunicorn worker starts a runner, but only the one holding a session advisory lock on a
connection of its own works, so there is one per database however many processes or machines serve
it; when its process dies, the connection closes, the lock is freed, and another takes over.
"""
import logging
import threading
from collections.abc import Sequence

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from ..queries.coverage import COVERAGE_LOCKS
from .jobs import JOBS, Job

log = logging.getLogger(__name__)

# The runner's lock: coverage's advisory-lock class, with 0 (no campaign) as the key.
_LEAD = text(f"SELECT pg_try_advisory_lock({COVERAGE_LOCKS}, 0)")
_STILL_THERE = text("SELECT 1")


class JobRunner:
    def __init__(self, app: Flask, every_seconds: float, jobs: Sequence[Job] = JOBS):
        self.app = app
        self.every_seconds = every_seconds
        self.jobs = list(jobs)
        self._lead: Connection | None = None      # held while this runner is the one that works
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="job-runner", daemon=True)

    def start(self) -> "JobRunner":
        self._thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._let_go()

    def leads(self) -> bool:
        """Whether this runner is the one that works: it holds the lock, or has just taken it."""
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
            log.warning("job runner lost its database connection; trying again next round")
            self._let_go()
        return False

    def run_once(self) -> dict[str, int]:
        """Run every job once, each in its own app context; how much each did (a failed one: 0)."""
        done = {}
        for job in self.jobs:
            with self.app.app_context():
                try:
                    done[job.name] = job.run()
                except Exception:
                    # Left for the next round (coverage: until then reads add the villages up themselves).
                    log.exception("background job %s failed", job.name)
                    done[job.name] = 0
                finally:
                    db.session.remove()
        return done

    def _run(self) -> None:
        while not self._stopped.wait(self.every_seconds):
            if self.leads():
                self.run_once()
        self._let_go()

    def _let_go(self) -> None:
        if self._lead is not None:
            # Closed for good, not handed back to the pool: the session lock goes with it.
            self._lead.invalidate()
            self._lead.close()
            self._lead = None


def start_job_runner(app: Flask) -> JobRunner | None:
    """The runner for one server process, if BACKGROUND_JOBS_SECONDS is above 0."""
    every = app.config["BACKGROUND_JOBS_SECONDS"]
    return JobRunner(app, every).start() if every > 0 else None
