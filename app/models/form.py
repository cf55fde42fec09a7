from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .columns import created_at, timestamp

FORM_STATES = ("open", "closing", "closed")


class Form(db.Model):
    """A form ID within a project; its published versions hang below it."""
    __tablename__ = "form"
    __table_args__ = (UniqueConstraint("project_id", "xml_form_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    xml_form_id: Mapped[str] = mapped_column(String(300))
    # open: listed and accepting; closing: accepting, not listed; closed: neither (as ODK Central).
    state: Mapped[str] = mapped_column(String(10), default="open")
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("form_version.id", use_alter=True, name="fk_form_current_version"))
    # A draft is a version under test on devices before it is published (ODK Central's drafts);
    # its token opens only the /v1/test/{token}/... URLs, and test submissions go when it is published.
    draft_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("form_version.id", use_alter=True, name="fk_form_draft_version"))
    draft_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    draft_actor_id: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime | None] = timestamp()

    current_version: Mapped["FormVersion | None"] = relationship(foreign_keys=[current_version_id])
    draft_version: Mapped["FormVersion | None"] = relationship(foreign_keys=[draft_version_id])


class FormVersion(db.Model):
    """One published definition: the XForm bytes exactly as served, and what we read from them."""
    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(300))        # '' when the form has none
    title: Mapped[str] = mapped_column(String(500))
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    md5: Mapped[str] = mapped_column(String(32))              # the formList hash
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[bytes | None] = mapped_column(LargeBinary)  # the XLSForm it came from, if any
    source_name: Mapped[str | None] = mapped_column(String(300))
    schema: Mapped[dict] = mapped_column(JSONB)
    warnings: Mapped[list] = mapped_column(JSONB, default=list)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("actor.id"))
    published_at: Mapped[datetime | None] = timestamp()       # NULL while the version is a draft
    created_at: Mapped[datetime] = created_at()

    attachments: Mapped[list["FormAttachment"]] = relationship(
        order_by="FormAttachment.name", cascade="all, delete-orphan")


class FormAttachment(db.Model):
    """A file the form version refers to; blob_sha256 is NULL until the file is supplied."""
    __tablename__ = "form_attachment"

    form_version_id: Mapped[int] = mapped_column(
        ForeignKey("form_version.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))              # image | audio | video | file
    blob_sha256: Mapped[str | None] = mapped_column(ForeignKey("blob.sha256"))

    blob = relationship("Blob", lazy="joined")


class FormAssignment(db.Model):
    """A form given to chosen device accounts; a form with no assignments goes to every device."""
    __tablename__ = "form_assignment"

    form_id: Mapped[int] = mapped_column(ForeignKey("form.id", ondelete="CASCADE"), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True)
