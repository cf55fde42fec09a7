"""Where file bytes live: content-addressed by SHA-256, written atomically and durably.

The store is behind a tiny interface (put/open/exists) so an S3-compatible
store can replace the file system one without touching the services.
"""
import hashlib
import os
import tempfile
import time
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


INCOMING_PREFIX = ".incoming-"
# A put writes and renames its temporary file within seconds; one untouched for this long was left
# by a process that died. Generous, so a slow network disk or clocks a little apart on machines
# sharing the store never make a live write look abandoned.
ABANDONED_AFTER_SECONDS = 15 * 60


class FileBlobStore:
    """Blobs as files under root/ab/cd/<sha256>."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> StoredFile:
        """Stores `data` under its SHA-256; when put returns, the file survives a power cut.

        The bytes are written beside the target, flushed to disk, then renamed into place, so readers
        never see half a file; the rename itself is only durable once the directory holding the new
        name is flushed too (rename(2), fsync(2): a file's fsync does not cover its directory entry),
        and so on for each directory the store had to create. Raises OSError (disk full, ...).
        """
        stored = digest(data)
        path = self._path(stored.sha256)
        if path.exists():
            # Maybe another writer's, renamed and not yet flushed: flush the names before saying so.
            self._sync_directories(path.parent, created=[])
            return stored
        created = _make_directories(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=INCOMING_PREFIX)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        self._sync_directories(path.parent, created)
        return stored

    def _sync_directories(self, directory: Path, created: list[Path]) -> None:
        """Flushes the blob's directory and the two levels above it up to the root (another writer may
        have created them and not flushed them yet), and the parent of every directory made here."""
        to_sync = [directory, directory.parent, self.root] + [made.parent for made in created]
        for folder in dict.fromkeys(to_sync):     # once each, in order
            _fsync_directory(folder)

    def remove_abandoned(self, older_than_seconds: float = ABANDONED_AFTER_SECONDS) -> int:
        """Deletes the temporary files (.incoming-*) a crashed put left behind; returns how many.

        Only files untouched for `older_than_seconds`: other processes or machines may be writing into
        the same store at this moment, and their temporary files are young.
        """
        if not self.root.is_dir():
            return 0
        cutoff = time.time() - older_than_seconds
        removed = 0
        for tmp in self.root.glob(f"*/*/{INCOMING_PREFIX}*"):
            try:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
                    removed += 1
            except FileNotFoundError:
                pass    # renamed into place or removed by another cleaner meanwhile
        return removed

    def open(self, sha256: str) -> BinaryIO:
        return open(self._path(sha256), "rb")

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()


def _make_directories(directory: Path) -> list[Path]:
    """mkdir -p `directory`; the directories this call created, deepest first."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    created = []
    for folder in reversed(missing):
        try:
            folder.mkdir()
            created.append(folder)
        except FileExistsError:
            pass    # another writer made it; it flushes its parent, and put flushes the two levels too
    return created[::-1]


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
