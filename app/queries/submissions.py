"""Statements of ingest: finding the form and any stored version of an instance, and inserting rows.

Core statements built once at import: building and tracking ORM statements per request was most of
the CPU an ingest spent. Parameters are bound at execution.
"""
from sqlalchemy import bindparam, exists, func, insert, literal, select, text, true

from ..models import (
    Form,
    FormAssignment,
    FormVersion,
    GeoAnswer,
    Submission,
    SubmissionAttachment,
    SubmissionReview,
    SubmissionVersion,
)
from .assessment import CONTEXT

SUBMISSION = Submission.__table__
_EXISTING = SubmissionVersion.__table__.alias("existing")
_EXISTING_SUBMISSION = Submission.__table__.alias("existing_submission")
# The form is assigned to some devices, and this actor (:actor_id) is not one of them (matters for devices only).
_ASSIGNED = select(FormAssignment.form_id).where(FormAssignment.form_id == Form.id)
_ASSIGNED_ELSEWHERE = exists(_ASSIGNED) & ~exists(_ASSIGNED.where(FormAssignment.actor_id == bindparam("actor_id")))


def _form_and_instance(version_matches):
    """The form (:project_id, :xml_form_id), the version the instance names (:version) if it matches,
    and a version already stored under the instanceID (:instance_id), with whether it is a test's, who
    sent it and its place."""
    return (
        select(Form.id, Form.state, FormVersion.id.label("version_id"),
               _ASSIGNED_ELSEWHERE.label("assigned_elsewhere"),
               _EXISTING.c.id.label("existing_version_id"),
               _EXISTING.c.submission_id.label("existing_submission_id"),
               _EXISTING.c.xml_sha256.label("existing_sha256"),
               _EXISTING.c.submitter_id.label("existing_submitter_id"),
               _EXISTING_SUBMISSION.c.is_draft.label("existing_is_draft"),
               _EXISTING_SUBMISSION.c.admin_code.label("existing_admin_code"))
        .outerjoin(FormVersion, (FormVersion.form_id == Form.id) & (FormVersion.version == bindparam("version"))
                   & version_matches)
        .outerjoin(_EXISTING, (_EXISTING.c.form_id == Form.id) & (_EXISTING.c.instance_id == bindparam("instance_id")))
        .outerjoin(_EXISTING_SUBMISSION, _EXISTING_SUBMISSION.c.id == _EXISTING.c.submission_id)
        .where(Form.project_id == bindparam("project_id"), Form.xml_form_id == bindparam("xml_form_id"))
    )


# Devices may send to any published version; testers only to the form's draft.
FORM_AND_INSTANCE = _form_and_instance(FormVersion.published_at.is_not(None))
DRAFT_FORM_AND_INSTANCE = _form_and_instance(FormVersion.id == Form.draft_version_id)
# With what assessment needs from the database (CONTEXT's one row): one round trip instead of two.
_FORM = FORM_AND_INSTANCE.subquery("form")
_CONTEXT = CONTEXT.subquery("context")
FORM_INSTANCE_AND_CONTEXT = select(_FORM, _CONTEXT).select_from(_FORM.join(_CONTEXT, true()))

# The version's id is drawn with the submission, so the submission can point at it before it exists.
INSERT_SUBMISSION = (insert(SUBMISSION).values(current_version_id=func.nextval("submission_version_id_seq"))
                     .returning(SUBMISSION.c.id, SUBMISSION.c.current_version_id))
NEXT_VERSION_ID = select(func.nextval("submission_version_id_seq"))
INSERT_ATTACHMENTS = insert(SubmissionAttachment.__table__)
INSERT_GEO = insert(GeoAnswer.__table__)
# An edit sets the review state to edited (Central's rule); the change goes into the review history as any
# other does, from whatever state the submission had. Params: submission_id, actor_id, now.
RECORD_EDITED = insert(SubmissionReview.__table__).from_select(
    ["submission_id", "actor_id", "from_state", "to_state", "created_at"],
    select(SUBMISSION.c.id, bindparam("actor_id"), SUBMISSION.c.review_state, literal("edited"), bindparam("now"))
    .where(SUBMISSION.c.id == bindparam("submission_id")))

# The version an edit replaces (:form_id, :deprecated_id), with its submission's test flag, place and the
# instanceID it was first sent with.
EDITED_VERSION = (
    select(SubmissionVersion.id, SubmissionVersion.submission_id, Submission.is_draft, Submission.admin_code,
           Submission.instance_id.label("origin_instance_id"))
    .join(Submission, Submission.id == SubmissionVersion.submission_id)
    .where(SubmissionVersion.form_id == bindparam("form_id"),
           SubmissionVersion.instance_id == bindparam("deprecated_id"))
)

# A version's attachments (:version_id): how many it names, and how many have arrived.
ATTACHMENT_COUNTS = text(
    "SELECT count(*), count(blob_sha256) FROM submission_attachment WHERE submission_version_id = :version_id")
