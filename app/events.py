"""The event log: write an event with every change, in the caller's transaction.

An event says who (actor) did what (kind) where (project, place code) to what (subject), with a
small payload that holds no personal data (no names, ID numbers or phones: the subject's id is
enough to look them up, under the reader's own access). It commits or rolls back with the change.
Kinds are ODK Central's audit action names where Central has the action.

Events are the audit trail and the queue of work that follows a change: each waits until the job
runner (app/workers) has run the jobs of its kind, if any (webhooks and exports will be such jobs).
"""
import json
from enum import StrEnum

from .extensions import db
from .queries.events import INSERT_EVENT


class Kind(StrEnum):
    SUBMISSION_CREATE = "submission.create"
    SUBMISSION_EDIT = "submission.update.version"
    SUBMISSION_ATTACHMENTS = "submission.attachment.update"
    SUBMISSION_REVIEW = "submission.update"              # Central's: a review state set
    SUBMISSION_COMMENT = "comment.create"
    SUBMISSION_EXPORT = "submission.export"             # who exported what (Dixian's: Central keeps none)
    FORM_PUBLISH = "form.update.publish"
    FORM_DRAFT = "form.update.draft.set"
    FORM_STATE = "form.update"
    FORM_ASSIGN = "form.assignment.update"
    APP_USER_CREATE = "field_key.create"
    APP_USER_REVOKE = "field_key.revoke"
    APP_USER_PLACES = "field_key.places.set"
    PROJECT_CREATE = "project.create"
    USER_CREATE = "user.create"
    GRANT = "user.assignment.create"
    REVOKE = "user.assignment.delete"
    SIGN_IN = "user.session.create"
    PLACES_IMPORT = "places.import"
    HOUSEHOLDS_IMPORT = "households.import"
    CAMPAIGN_CREATE = "campaign.create"
    RULESET_CREATE = "ruleset.create"
    RULES_RECOMPUTE = "rules.recompute"
    PUBLIC_LINK_CREATE = "public_link.create"
    PUBLIC_LINK_REVOKE = "public_link.delete"
    LEAD_CREATE = "lead.create"
    LEAD_JOIN = "lead.update.report"
    LEAD_ACCEPT = "lead.update.accept"
    LEAD_REJECT = "lead.update.reject"
    LEAD_MERGE = "lead.update.merge"


def params(kind: Kind, *, actor_id: int | None = None, project_id: int | None = None, place: str | None = None,
           subject: str | None = None, payload: dict | None = None) -> dict:
    """The :event_* parameters of an event, for queries.events (alone or as a CTE of another statement)."""
    return {"event_kind": str(kind), "event_actor": actor_id or None, "event_project": project_id,
            "event_place": place, "event_subject": subject,
            "event_payload": json.dumps(payload or {}, ensure_ascii=False)}


def record(kind: Kind, **event) -> None:
    """Write an event in the current transaction (the caller commits); arguments as `params`."""
    db.session.execute(INSERT_EVENT, params(kind, **event))
