"""Reviewing submissions (ODK Central's review states and comments): every change of a submission's review
state is kept (who, when, from, to), and comments are kept in order. The event log has each change too;
these tables answer a submission's own history at once, whatever the size of the log."""
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .columns import created_at

REVIEW_STATES = ("hasIssues", "edited", "approved", "rejected")     # Central's; NULL is "received"


class SubmissionReview(db.Model):
    __tablename__ = "submission_review"
    __table_args__ = (Index("ix_submission_review_submission", "submission_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    submission_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("submission.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))        # None: the server itself
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    bulk: Mapped[bool] = mapped_column(default=False)                            # one of a bulk review
    created_at: Mapped[datetime] = created_at()


class SubmissionComment(db.Model):
    __tablename__ = "submission_comment"
    __table_args__ = (Index("ix_submission_comment_submission", "submission_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    submission_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("submission.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
