"""The jobs the runner (app/workers/runner.py) runs each round: each a name and a `run()` that does
what is due and returns how much it did. Each runs in an app context of its own, and commits its work.
"""
from collections.abc import Callable
from dataclasses import dataclass

from ..services.accounts.housekeeping import forget_expired
from ..services.coverage.campaigns import refresh_pending
from ..services.events import process_awaiting
from ..services.self_report.abuse import forget_old_counts
from ..services.submissions.odata_store import keep_due


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], int]


JOBS = (
    # Campaigns whose villages changed, added up, so that a read finds little left to add up.
    Job("coverage", refresh_pending),
    # Events awaiting the work that follows them (services/events.py: what each kind sets off).
    Job("events", process_awaiting),
    # Digest nonce uses, wrong-password counts and sessions that have expired.
    Job("housekeeping", forget_expired),
    # Self-report counts of windows long over.
    Job("self-report counts", forget_old_counts),
    # OData rows of new and edited submissions written ahead of the reads that hand them on.
    Job("odata rows", keep_due),
)
