"""Reviewing submissions as ODK Central does: review states and comments, one at a time or over a filter.

States are Central's (models.review.REVIEW_STATES); a reviewer sets hasIssues, approved or rejected (an
edit sets edited). Every change is kept in submission_review (who, when, from, to) and written to the
event log as Central's `submission.update` with the states, in the same transaction. A bulk review
changes every submission a filter chooses in one statement and one transaction, only if their number is
the one the reviewer confirmed: between looking and confirming, others may have arrived.
"""
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, insert, select, update

from ... import events
from ...core.access import Access
from ...events import Kind
from ...extensions import db
from ...models import Form, Submission, SubmissionComment, SubmissionReview
from ...problems import missing_parameter, unexpected_value, uniqueness_violation
from ...queries.events import INSERT_EVENT
from .current import find_submission
from .listing import SubmissionFilter, conditions
from .resource import SubmissionSummary, summary

SETTABLE = ("hasIssues", "approved", "rejected")
COMMENT_CHARACTERS = 10_000
BULK_LIMIT = 200_000           # submissions one bulk review may change (a county's campaign is ~120,000)


@dataclass(frozen=True)
class Comment:
    body: str
    actor_id: int | None
    created_at: datetime


def _actor(access: Access) -> int | None:
    return access.principal.actor_id or None          # 0: the server itself, which has no actor row


def set_review_state(access: Access, xml_form_id: str, instance_id: str, state: str) -> SubmissionSummary:
    """Set a submission's review state (hasIssues, approved or rejected), with its history row and event;
    returns the submission as Central's PATCH answers (resource.summary).

    Raises Problem 400.8 for another state, 404.1 for a submission outside the caller's places."""
    if state not in SETTABLE:
        raise unexpected_value("reviewState", f"A review state is one of {', '.join(SETTABLE)}; not {str(state)[:40]}.")
    submission = find_submission(access, xml_form_id, instance_id, lock=True)
    before = submission.review_state
    now = datetime.now(timezone.utc)
    submission.review_state, submission.updated_at = state, now
    db.session.add(SubmissionReview(submission_id=submission.id, actor_id=_actor(access), from_state=before,
                                    to_state=state))
    events.record(Kind.SUBMISSION_REVIEW, actor_id=_actor(access), project_id=access.project_id,
                  place=submission.admin_code, subject=instance_id,
                  payload={"xmlFormId": xml_form_id, "submissionId": submission.id, "from": before, "to": state})
    db.session.commit()
    return summary(access, xml_form_id, instance_id)


def comments(access: Access, xml_form_id: str, instance_id: str) -> list[Comment]:
    """A submission's comments, oldest first. Raises Problem 404.1 for one outside the caller's places."""
    submission = find_submission(access, xml_form_id, instance_id)
    return [Comment(c.body, c.actor_id, c.created_at) for c in db.session.scalars(
        select(SubmissionComment).where(SubmissionComment.submission_id == submission.id)
        .order_by(SubmissionComment.id))]


def add_comment(access: Access, xml_form_id: str, instance_id: str, body) -> Comment:
    """Add a comment (1 to COMMENT_CHARACTERS characters of text). Raises Problem 400.2 for none, 400.8 for a
    body too long or not text, 404.1 for a submission outside the caller's places."""
    if not isinstance(body, str) or not body.strip():
        raise missing_parameter("body", "A comment needs a body of text.")
    if len(body) > COMMENT_CHARACTERS or "\0" in body:
        raise unexpected_value("body", f"A comment is at most {COMMENT_CHARACTERS} characters, without NUL.")
    submission = find_submission(access, xml_form_id, instance_id)
    comment = SubmissionComment(submission_id=submission.id, actor_id=_actor(access), body=body)
    db.session.add(comment)
    events.record(Kind.SUBMISSION_COMMENT, actor_id=_actor(access), project_id=access.project_id,
                  place=submission.admin_code, subject=instance_id,
                  payload={"xmlFormId": xml_form_id, "submissionId": submission.id})
    db.session.commit()
    return Comment(comment.body, comment.actor_id, comment.created_at)


def count_matching(access: Access, chosen: SubmissionFilter) -> int:
    """How many submissions the filter chooses in the caller's places."""
    return db.session.scalar(select(func.count()).select_from(Submission).join(Form, Form.id == Submission.form_id)
                             .where(*conditions(access, chosen)))


def bulk_review(access: Access, chosen: SubmissionFilter, state: str, *, confirmed: int) -> int:
    """Set the review state of every submission the filter chooses, in one transaction, if there are exactly
    `confirmed` of them (what the reviewer was shown); each change kept and an event written for each.
    Returns the number changed (those already in `state` are left alone and not counted).

    Raises Problem 400.8 for an unknown state or a filter that chooses nothing, more than BULK_LIMIT, or
    another number than confirmed (409.3: look again), 404.1 for a campaign not the project's.
    """
    if state not in SETTABLE:
        raise unexpected_value("reviewState", f"A review state is one of {', '.join(SETTABLE)}; not {str(state)[:40]}.")
    rows = db.session.execute(
        select(Submission.id, Submission.instance_id, Submission.admin_code, Submission.review_state)
        .join(Form, Form.id == Submission.form_id).where(*conditions(access, chosen))
        .order_by(Submission.id).with_for_update(of=Submission)).all()
    if not rows:
        raise unexpected_value("filter", "The filter chooses no submission: nothing to review.")
    if len(rows) > BULK_LIMIT:
        raise unexpected_value("filter", f"The filter chooses {len(rows)} submissions; review at most {BULK_LIMIT} "
                                         "at once (narrow it by place or date).")
    if len(rows) != confirmed:
        raise uniqueness_violation(f"The filter now chooses {len(rows)} submissions, not the {confirmed} confirmed; "
                                   "look again and confirm the new number.")
    changing = [row for row in rows if row.review_state != state]
    if changing:
        now, actor = datetime.now(timezone.utc), _actor(access)
        db.session.execute(update(Submission).where(Submission.id.in_([row.id for row in changing]))
                           .values(review_state=state, updated_at=now),
                           execution_options={"synchronize_session": False})
        db.session.execute(insert(SubmissionReview), [
            {"submission_id": row.id, "actor_id": actor, "from_state": row.review_state, "to_state": state,
             "bulk": True} for row in changing])
        db.session.execute(INSERT_EVENT, [events.params(
            Kind.SUBMISSION_REVIEW, actor_id=actor, project_id=access.project_id, place=row.admin_code,
            subject=row.instance_id, payload={"submissionId": row.id, "from": row.review_state, "to": state,
                                              "bulk": True}) for row in changing])
    db.session.commit()
    return len(changing)
