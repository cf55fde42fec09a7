"""What follows an event: the work each kind of event sets off, run by the job runner.

An event waits in the log (processed_at empty) until every follower of its kind has run; then it is
marked processed. No kind has followers yet: webhooks and exports will register theirs here with
`follows(kind)`. Events of kinds nothing follows are simply marked, in bulk.

A follower runs in the same transaction that marks the event processed, and events are claimed with
FOR UPDATE SKIP LOCKED, so a follower runs once per event even should two runners overlap; if it
fails, the batch rolls back and waits for the next round.
"""
from collections.abc import Callable

from ..events import Kind
from ..extensions import db
from ..queries.events import CLAIM_AWAITING, MARK_PROCESSED

BATCH = 500
Follower = Callable[[object], None]      # gets the event's row (id, kind, actor_id, project_id, place, ...)
_FOLLOWERS: dict[str, list[Follower]] = {}


def follows(kind: Kind) -> Callable[[Follower], Follower]:
    """Register a function to run, in the background, after every event of `kind`."""
    def register(follower: Follower) -> Follower:
        _FOLLOWERS.setdefault(str(kind), []).append(follower)
        return follower
    return register


def process_awaiting() -> int:
    """Run the followers of up to BATCH awaiting events, oldest first, and mark them processed;
    returns how many were processed."""
    rows = db.session.execute(CLAIM_AWAITING, {"limit": BATCH}).all()
    for row in rows:
        for follower in _FOLLOWERS.get(row.kind, ()):
            follower(row)
    if rows:
        db.session.execute(MARK_PROCESSED, {"ids": [row.id for row in rows]})
    db.session.commit()
    return len(rows)
