"""A submission's attachments (photos), as ODK Central lists and serves them: the files of its current
version, named as the XML names them, whether each has arrived."""
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select

from ...core.access import Access
from ...extensions import db
from ...models import SubmissionAttachment
from ...problems import not_found
from ...storage.blobstore import BlobStore
from .current import readable_current_version


@dataclass(frozen=True)
class AttachmentView:
    name: str
    exists: bool                      # Central's word: the file has arrived


def submission_attachments(access: Access, xml_form_id: str, instance_id: str) -> list[AttachmentView]:
    """GET .../submissions/{instanceId}/attachments: [{name, exists}], by name."""
    version = readable_current_version(access, xml_form_id, instance_id)
    rows = db.session.execute(select(SubmissionAttachment.name, SubmissionAttachment.blob_sha256)
                              .where(SubmissionAttachment.submission_version_id == version)
                              .order_by(SubmissionAttachment.name)).all()
    return [AttachmentView(r.name, r.blob_sha256 is not None) for r in rows]


def open_attachment(access: Access, xml_form_id: str, instance_id: str, name: str, blobs: BlobStore) -> BinaryIO:
    """The file `name` of a submission's current version, open for reading. Raises Problem 404.1 for a
    submission the caller may not read, a name it does not have, or a file that has not arrived."""
    version = readable_current_version(access, xml_form_id, instance_id)
    sha256 = db.session.scalar(select(SubmissionAttachment.blob_sha256).where(
        SubmissionAttachment.submission_version_id == version, SubmissionAttachment.name == name))
    if sha256 is None:
        raise not_found(f"The submission {instance_id} has no file '{name}'.")
    return blobs.open(sha256)
