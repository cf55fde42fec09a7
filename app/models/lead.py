"""Risk leads (风险线索): what a resident's self-report opens for the township to accept within its limit
(domain §8.6 LEAD), the first step of the identification workflow that later steps continue."""
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .columns import timestamp

LEAD_STATES = ("new", "accepted", "merged", "rejected")
OPEN_STATES = ("new", "accepted")       # a report of the same household joins a lead in these


class Lead(db.Model):
    __tablename__ = "lead"
    # A new report looks for an open lead of the project with the same ID number or phone.
    __table_args__ = (Index("ix_lead_project_idno", "project_id", "idno"),
                      Index("ix_lead_project_phone", "project_id", "phone"),
                      Index("ix_lead_project_village_state", "project_id", "village", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    village: Mapped[str] = mapped_column(ForeignKey("admin_unit.code"))
    source: Mapped[str] = mapped_column(String(20))                  # self_report
    state: Mapped[str] = mapped_column(String(10), default="new")
    idno: Mapped[str | None] = mapped_column(String(18))              # core.reporter_keys, personal data
    phone: Mapped[str | None] = mapped_column(String(15))
    reports: Mapped[int] = mapped_column(Integer, default=1)
    received_at: Mapped[datetime] = timestamp(nullable=False)        # the first report
    due_at: Mapped[datetime] = timestamp(nullable=False)             # to be accepted by (working days)
    decided_at: Mapped[datetime | None] = timestamp()
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("lead.id"))


class LeadReport(db.Model):
    """A self-report submission and the lead it opened or joined."""
    __tablename__ = "lead_report"

    submission_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("submission.id", ondelete="CASCADE"),
                                               primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id", ondelete="CASCADE"), index=True)
    received_at: Mapped[datetime] = timestamp(nullable=False)
