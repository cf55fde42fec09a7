"""The event log: one row per change, written in the transaction that makes the change.

It is the audit trail (who did what, where, when) and the queue of background work that follows a
change (webhooks, exports): a row waits, `processed_at` empty, until the job runner has run what
follows from its kind (app/workers). Modelled on ODK Central's audits table, which is both.
"""
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .columns import created_at, timestamp


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_project_id", "project_id", "id"),
        # The queue: only what awaits the job runner, so the index stays small whatever the log's size.
        Index("ix_event_awaiting", "id", postgresql_where=text("processed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    occurred_at: Mapped[datetime] = created_at()
    kind: Mapped[str] = mapped_column(String(60))                     # ODK Central's action names where it has them
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))        # None: the server itself
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id"))
    place: Mapped[str | None] = mapped_column(String(15))              # the place code it happened in, if any
    subject: Mapped[str | None] = mapped_column(String(320))           # what it is about: an instanceID, a code
    payload: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'"))   # small, no PII
    processed_at: Mapped[datetime | None] = timestamp()
