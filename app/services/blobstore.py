"""Where file bytes live: content-addressed by SHA-256, written atomically.

The store is behind a tiny interface (put/open/exists) so an S3-compatible
store can replace the file system one without touching the services.
"""
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    md5: str
    size: int


def digest(data: bytes) -> StoredFile:
    return StoredFile(hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest(), len(data))


class BlobStore(Protocol):
    def put(self, data: bytes) -> StoredFile: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def exists(self, sha256: str) -> bool: ...


class FileBlobStore:
    """Blobs as files under root/ab/cd/<sha256>."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> StoredFile:
        stored = digest(data)
        path = self._path(stored.sha256)
        if path.exists():
            return stored
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target, flush to disk, then rename: readers never see half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        return stored

    def open(self, sha256: str) -> BinaryIO:
        return open(self._path(sha256), "rb")

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()
