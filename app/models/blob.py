from sqlalchemy import BigInteger, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Blob(db.Model):
    """A file's identity; its bytes live in the blob store under their SHA-256."""
    __tablename__ = "blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    md5: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str | None] = mapped_column(String(200))


class BlobThumbnail(db.Model):
    """A photo's thumbnail (formats.thumbnail), made once on first view and kept as a blob of its own, so
    every worker and server finds it (the photo's bytes are never decoded twice)."""
    __tablename__ = "blob_thumbnail"

    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256", ondelete="CASCADE"), primary_key=True)
    edge: Mapped[int] = mapped_column(SmallInteger, primary_key=True)        # pixels of the longer side
    thumbnail_sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256"))
