"""Submissions: one logical record per first instanceID, one version per edit.

Each version keeps the XML verbatim next to the answers parsed from it once, at
ingest, and every geo answer is a row with a real geometry.
"""
from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .columns import created_at, timestamp

# The review list's sort by survey date (services/submissions/listing.py): a submission without one (not a
# monitoring form) sorts as the first day of year 1, last. A literal, not a parameter, so that the planner
# matches the sort to the index on the same expression; spelled as PostgreSQL prints it back, so that the
# migrations check (tests/test_migrations.py) finds the index it describes.
NO_SURVEY_DATE = date(1, 1, 1)
_NO_SURVEY_DATE_SQL = "'0001-01-01'::date"
SURVEY_DATE_KEY = text(f"COALESCE(surveyed_on, {_NO_SURVEY_DATE_SQL})")


class Submission(db.Model):
    __tablename__ = "submission"
    # The review list pages through a project's submissions newest first by (received, id): keyset paging
    # reads one index range whatever the page (services/submissions/listing.py).
    __table_args__ = (UniqueConstraint("form_id", "instance_id"),
                      Index("ix_submission_project_received", "project_id", "created_at", "id"),
                      # OData pages walk one form's submissions newest first (queries/odata.py).
                      Index("ix_submission_form_id_id", "form_id", "id"),
                      # The OData rows writer walks one form's submissions by current version
                      # (services/submissions/odata_store.py).
                      Index("ix_submission_form_current_version", "form_id", "current_version_id"),
                      # ... and, sorted by survey date, by (survey date, id), those without one last.
                      Index("ix_submission_project_surveyed", "project_id", SURVEY_DATE_KEY, "id"))

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"), index=True)
    instance_id: Mapped[str] = mapped_column(String(300))      # the first version's: the REST id
    # Deferred so a new submission and its first version go in as two INSERTs, no UPDATE.
    current_version_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("submission_version.id", use_alter=True, name="fk_submission_current_version",
                               deferrable=True, initially="DEFERRED"))
    submitter_id: Mapped[int] = mapped_column(ForeignKey("actor.id"), index=True)
    # 12-digit administrative code of the place (village) the submission is about, once known.
    admin_code: Mapped[str | None] = mapped_column(String(20), index=True)
    household_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("household.id"), index=True)
    review_state: Mapped[str | None] = mapped_column(String(20))
    # The survey date of the current version, as its assessment reads it (monitoring forms only; None for
    # others): kept here, beside the place, so that the review list sorted by it reads one index range.
    surveyed_on: Mapped[date | None] = mapped_column(Date)
    # Sent to a form draft while testing; deleted when the draft is published.
    is_draft: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime | None] = timestamp()
    deleted_at: Mapped[datetime | None] = timestamp()


def survey_date_key():
    """The sort key of the review list by survey date, as the index ix_submission_project_surveyed has it."""
    return func.coalesce(Submission.surveyed_on, literal_column(_NO_SURVEY_DATE_SQL))


class SubmissionVersion(db.Model):
    __tablename__ = "submission_version"
    __table_args__ = (UniqueConstraint("form_id", "instance_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"))
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"), index=True)
    instance_id: Mapped[str] = mapped_column(String(300))
    deprecated_id: Mapped[str | None] = mapped_column(String(300))
    instance_name: Mapped[str | None] = mapped_column(Text)
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    xml_sha256: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict] = mapped_column(JSONB)
    problems: Mapped[list] = mapped_column(JSONB, default=list)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    submitter_id: Mapped[int] = mapped_column(ForeignKey("actor.id"))
    device_id: Mapped[str | None] = mapped_column(String(300))
    user_agent: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = created_at()


class SubmissionAttachment(db.Model):
    """A file a submission version refers to; blob_sha256 is NULL until it arrives."""
    __tablename__ = "submission_attachment"

    submission_version_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("submission_version.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    blob_sha256: Mapped[str | None] = mapped_column(ForeignKey("blob.sha256"))


class GeoAnswer(db.Model):
    """One geo answer of one submission version, with its geometry in SRID 4326."""
    __tablename__ = "geo_answer"
    __table_args__ = (Index("ix_geo_answer_form_field", "form_id", "field_path"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    submission_version_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("submission_version.id", ondelete="CASCADE"), index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("form.id"))
    field_path: Mapped[str] = mapped_column(String(1000))
    # 1-based position in each enclosing repeat, outermost first; empty outside repeats.
    repeat_positions: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list)
    kind: Mapped[str] = mapped_column(String(10))              # geopoint | geotrace | geoshape
    geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=True)
    altitude: Mapped[float | None] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float)
    raw: Mapped[str] = mapped_column(Text)
    problem: Mapped[str | None] = mapped_column(Text)          # why geom is missing or suspect


class OdataRow(db.Model):
    """A submission's rows of one OData table, as written for its current version (queries/odata_store.py):
    kept so that a read hands stored text on instead of writing JSON from the answers again.

    `table_path`: the table's node in the form (its schema path: /data for Submissions, /data/hh_g/member for a
    repeat), not its OData name, which two repeats may share once sanitized (r-1 and r_1 are both
    Submissions.r_1); a CSV export's lines are kept beside them under 'csv:' and the path of their table
    (queries/export_lines.py). `writer_key` names the tree of fields and the writer they were written with
    (services/submissions/odata_store.py tree_key): a read uses a row only when its key and version are the
    form's and the submission's current ones, and writes the rest as before, so a missing or stale row is slower, never
    wrong. `personal`: written for a caller who may read personal data (else with ID numbers and phones
    masked). `body`: the Submissions table's one text (its members after `__system`, comma-joined), or a
    repeat table's rows in order, each a whole object; `positions[i]`: row i's 1-based position in each
    repeat from the outermost down (the $skiptoken's)."""
    __tablename__ = "odata_row"

    submission_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True)
    table_path: Mapped[str] = mapped_column(Text, primary_key=True)
    personal: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    version_id: Mapped[int] = mapped_column(BigInteger)
    writer_key: Mapped[str] = mapped_column(String(40))
    body: Mapped[list[str]] = mapped_column(ARRAY(Text))
    positions: Mapped[list | None] = mapped_column(ARRAY(Integer, dimensions=2))


class OdataStore(db.Model):
    """How far the background writer has come through one form's submissions (services/submissions/
    odata_store.py): every submission version of the form up to `written_through` (an id) has its rows
    written with `writer_key`; a new key (the form's fields changed) starts again from 0."""
    __tablename__ = "odata_store"

    form_id: Mapped[int] = mapped_column(ForeignKey("form.id", ondelete="CASCADE"), primary_key=True)
    writer_key: Mapped[str] = mapped_column(String(40))
    written_through: Mapped[int] = mapped_column(BigInteger, default=0)
