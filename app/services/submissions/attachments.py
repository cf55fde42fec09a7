"""A submission's attachments (photos), as ODK Central lists and serves them: the files of its current
version, named as the XML names them, whether each has arrived; and a photo's thumbnail for the review
page, made once and kept (models.BlobThumbnail)."""
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from ...core.access import Access
from ...extensions import db
from ...formats.thumbnail import EDGE, NotAPhoto, thumbnail_jpeg
from ...models import BlobThumbnail, SubmissionAttachment
from ...problems import Problem, not_found
from ...storage.blobstore import BlobStore
from ..forms.publish import store_blob
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
    return blobs.open(_arrived(access, xml_form_id, instance_id, name))


def _arrived(access: Access, xml_form_id: str, instance_id: str, name: str) -> str:
    """The SHA-256 of a file of a submission the caller may read; Problem 404.1 as open_attachment says."""
    version = readable_current_version(access, xml_form_id, instance_id)
    sha256 = db.session.scalar(select(SubmissionAttachment.blob_sha256).where(
        SubmissionAttachment.submission_version_id == version, SubmissionAttachment.name == name))
    if sha256 is None:
        raise not_found(f"The submission {instance_id} has no file '{name}'.")
    return sha256


def open_thumbnail(access: Access, xml_form_id: str, instance_id: str, name: str, blobs: BlobStore) -> BinaryIO:
    """A JPEG thumbnail of the photo `name` (formats.thumbnail: EDGE pixels, upright, no EXIF), made on the
    first request and kept for every later one. Raises Problem 404.1 as open_attachment does, and 415 when
    the file is no photo it can read (a thumbnail is never guessed)."""
    sha256 = _arrived(access, xml_form_id, instance_id, name)
    made = db.session.scalar(select(BlobThumbnail.thumbnail_sha256).where(
        BlobThumbnail.blob_sha256 == sha256, BlobThumbnail.edge == EDGE))
    if made is None:
        with blobs.open(sha256) as f:
            photo = f.read()
        try:
            small = thumbnail_jpeg(photo)
        except NotAPhoto as e:
            raise Problem(415.1, f"The file '{name}' has no thumbnail: {e}") from None
        made = store_blob(small, blobs, "image/jpeg")
        # Two workers may make the same thumbnail at once: the bytes are the same, the first row stands.
        db.session.execute(insert(BlobThumbnail).values(blob_sha256=sha256, edge=EDGE, thumbnail_sha256=made)
                           .on_conflict_do_nothing())
        db.session.commit()
    return blobs.open(made)
