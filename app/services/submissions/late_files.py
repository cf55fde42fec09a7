"""Attachments that arrive after their submission: with a resend of the same XML (OpenRosa: Collect splits a
big submission over several POSTs) or one file at a time (Central's REST: pyodk and Web Forms POST the XML,
then each file to .../submissions/{instanceId}/attachments/{name}).

Both end here, so a file arrives the same way whichever door brought it: named as the XML names it, stored
once in the blob store, filled into its row only while the row is still empty (of two arrivals at once the
first to commit wins), and written to the event log as Central's `submission.attachment.update`. A file that
has arrived is never replaced (README "Who may do what"); thumbnails are made from whatever arrived, when
first asked for (attachments.open_thumbnail).
"""
import hashlib
import posixpath
import unicodedata

from sqlalchemy import false, select, update

from ... import events
from ...core.access import Access, Permission
from ...events import Kind
from ...extensions import db
from ...models import Form, Submission, SubmissionAttachment, SubmissionVersion
from ...problems import not_found, uniqueness_violation
from ...queries.places import submission_within
from ...storage.blobstore import BlobStore
from ..forms.publish import store_blob


def safe_attachment_name(name: str) -> str:
    """A file name that is only a name: no directories, no control characters."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/")
    name = posixpath.basename(name)
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if name in ("", ".", ".."):
        return "attachment"
    return name[:255]


def complete_files(access: Access, version_id: int, files: dict[str, bytes], blobs: BlobStore, *,
                   xml_form_id: str, instance_id: str, place: str | None) -> list[str]:
    """Fill in the files of a submission version that have not arrived, from `files` (name -> bytes, names
    already made safe); files it has, and names it does not expect, are left alone. When any is stored, the
    event `submission.attachment.update` (subject: the version's instanceID; place: the submission's) goes
    into the caller's transaction, which the caller commits. Returns the names stored."""
    if not files:
        return []
    missing = db.session.scalars(select(SubmissionAttachment.name).where(
        SubmissionAttachment.submission_version_id == version_id, SubmissionAttachment.blob_sha256.is_(None))).all()
    stored = []
    for name in missing:
        if name not in files:
            continue
        # WHERE still missing: of two arrivals at once, the first to commit fills it.
        filled = db.session.execute(update(SubmissionAttachment).where(
            SubmissionAttachment.submission_version_id == version_id, SubmissionAttachment.name == name,
            SubmissionAttachment.blob_sha256.is_(None)).values(blob_sha256=store_blob(files[name], blobs)))
        if filled.rowcount:
            stored.append(name)
    if stored:
        events.record(Kind.SUBMISSION_ATTACHMENTS, actor_id=access.principal.actor_id or None,
                      project_id=access.project_id, place=place, subject=instance_id,
                      payload={"xmlFormId": xml_form_id, "files": stored})
    return stored


def attach(access: Access, xml_form_id: str, instance_id: str, name: str, data: bytes, blobs: BlobStore) -> None:
    """POST .../forms/{xmlFormId}/submissions/{instanceId}/attachments/{name} (central-backend
    lib/resources/submissions.js): one file the submission's current version expects, as its body.

    Who may: whoever sent the current version (Central: submission.create, for one's own submission that no
    one has edited since), or a caller who may update submissions and whose places hold it (Central:
    submission.update). Sending the same bytes again succeeds and changes nothing (a client that lost the
    answer retries); other bytes for a file that has arrived are refused (Central would let submission.update
    replace it; Dixian never replaces one, README "Who may do what").

    Raises Problem 404.1 for a submission this caller may not complete (as for one that does not exist) or a
    name the version does not expect, 409.3 for a file that has arrived with other bytes.
    """
    # The sender of the current version anywhere (a device may send outside its villages: flagged, not
    # refused); a reviewer only within their places.
    reviewer_reach = submission_within(access.places) if access.can(Permission.SUBMISSION_REVIEW) else false()
    found = db.session.execute(
        select(Submission.admin_code, Submission.current_version_id, SubmissionVersion.instance_id)
        .join(Form, Form.id == Submission.form_id)
        .join(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id)
        .where(Form.project_id == access.project_id, Form.xml_form_id == xml_form_id,
               Submission.instance_id == instance_id, Submission.is_draft.is_(False),
               Submission.deleted_at.is_(None),
               (SubmissionVersion.submitter_id == access.principal.actor_id) | reviewer_reach)
    ).first()
    if found is None:
        raise not_found(f"There is no submission {instance_id} of form '{xml_form_id}'.")
    name = safe_attachment_name(name)
    if not complete_files(access, found.current_version_id, {name: data}, blobs, xml_form_id=xml_form_id,
                          instance_id=found.instance_id, place=found.admin_code):
        arrived = db.session.execute(select(SubmissionAttachment.blob_sha256).where(
            SubmissionAttachment.submission_version_id == found.current_version_id,
            SubmissionAttachment.name == name)).first()
        if arrived is None:
            raise not_found(f"The submission {instance_id} expects no file named '{name}'.")
        if arrived.blob_sha256 != hashlib.sha256(data).hexdigest():
            raise uniqueness_violation(f"The file '{name}' of submission {instance_id} has arrived already, with "
                                       "other contents; a file that has arrived is never replaced.")
    db.session.commit()
