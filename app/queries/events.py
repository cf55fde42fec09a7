"""Statements of the event log (models.event)."""
from sqlalchemy import text

_COLUMNS = "kind, actor_id, project_id, place, subject, payload"
_VALUES = ":event_kind, :event_actor, :event_project, :event_place, :event_subject, CAST(:event_payload AS jsonb)"

# One event (parameters :event_*), in the caller's transaction.
INSERT_EVENT = text(f"INSERT INTO event ({_COLUMNS}) VALUES ({_VALUES})")
# The same, as a CTE of a statement that makes the change (ingest: one round trip for both).
EVENT_CTE = f"\nevent AS (\n    INSERT INTO event ({_COLUMNS}) VALUES ({_VALUES})\n)"

# Events awaiting the job runner, oldest first, locked against other runners (:limit).
CLAIM_AWAITING = text("""
SELECT id, kind, actor_id, project_id, place, subject, payload FROM event
WHERE processed_at IS NULL ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED
""")
MARK_PROCESSED = text("UPDATE event SET processed_at = now() WHERE id = ANY(:ids)")
