"""Public links (ODK Central's public access links): a resident opens one from a village's QR poster and
self-reports without an account. Each is bound to one project, one form and one village."""
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .columns import created_at, timestamp


class PublicLink(db.Model):
    __tablename__ = "public_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"))
    village: Mapped[str] = mapped_column(ForeignKey("admin_unit.code"), index=True)
    # The link is the submitter of the reports sent under it (as ODK Central's public links are actors).
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id"))
    # The token is never stored: its SHA-256 finds the link, and the server can make it again from its
    # secret key and this salt (for a poster printed later; services/self_report/links.py).
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    expires_on: Mapped[date | None] = mapped_column(Date)          # the last day it opens (None: never)
    quota: Mapped[int | None] = mapped_column(Integer)             # reports it takes at most (None: no limit)
    reports: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))
    created_at: Mapped[datetime] = created_at()
    revoked_at: Mapped[datetime | None] = timestamp()
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))

    form: Mapped["Form"] = relationship(lazy="joined")  # noqa: F821 (models/form.py)


class SelfReportCount(db.Model):
    """Self-reports counted in a fixed window (a minute or a day) for one key: an address or a link. Kept in
    PostgreSQL so that the limits hold across workers and machines; old windows are deleted by housekeeping."""
    __tablename__ = "self_report_count"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)           # 'address:…' | 'link:…'
    window: Mapped[str] = mapped_column(String(6), primary_key=True)         # minute | day
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class PublicLinkRefusal(db.Model):
    """Self-reports refused under a link, per reason and day: what the console shows as abuse."""
    __tablename__ = "public_link_refusal"

    link_id: Mapped[int] = mapped_column(ForeignKey("public_link.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
