"""An acknowledged attachment survives a power cut, and a crash leaves no litter (issue 11, item 6).

fsync(2) on the file makes its bytes durable, not the name it is renamed to: that lives in the
directory, which must be flushed after the rename, as must each directory the store created. The
system calls are watched with strace, so the test sees what the kernel is asked to do.
"""
import os
import re
import subprocess
import sys
import time

import pytest

from app.storage.blobstore import INCOMING_PREFIX, FileBlobStore, digest
from tests.conftest import REPO

PUT = "import sys; from app.storage.blobstore import FileBlobStore; FileBlobStore(sys.argv[1]).put(b'photo')"
# strace -y writes a descriptor with its path: fsync(3</a/b>) = 0; rename("/a/x", "/a/y") = 0
_FSYNC = re.compile(r"\bf(?:data)?sync\(\d+<(?P<path>[^>]*)>\)")
_RENAME = re.compile(r'\brename(?:at2?)?\((?:[^"]*)"(?P<old>[^"]+)",(?:[^"]*)"(?P<new>[^"]+)"')


def system_calls_of_a_put(root, trace) -> list[tuple[str, str]]:
    """('fsync', path) and ('rename', new path) in the order a put in a fresh process made them."""
    if not os.path.exists("/usr/bin/strace"):
        pytest.fail("strace is not installed: run scripts/setup.sh --dev")
    subprocess.run(["strace", "-f", "-y", "-qq", "-o", str(trace), "-e",
                    "trace=fsync,fdatasync,rename,renameat,renameat2", sys.executable, "-c", PUT, str(root)],
                   cwd=REPO, check=True)
    calls = []
    for line in trace.read_text().splitlines():
        if m := _FSYNC.search(line):
            calls.append(("fsync", m["path"]))
        elif m := _RENAME.search(line):
            assert os.path.basename(m["old"]).startswith(INCOMING_PREFIX), line
            calls.append(("rename", m["new"]))
    return calls


def test_put_flushes_the_file_then_renames_it_then_flushes_every_directory_on_its_way(tmp_path):
    root = tmp_path / "data" / "blobs"         # neither exists yet: the store makes both
    sha256 = digest(b"photo").sha256
    blob = root / sha256[:2] / sha256[2:4] / sha256
    calls = system_calls_of_a_put(root, tmp_path / "put.strace")

    renamed = calls.index(("rename", str(blob)))
    file_flushes = [i for i, (call, path) in enumerate(calls)
                    if call == "fsync" and os.path.basename(path).startswith(INCOMING_PREFIX)]
    assert file_flushes and max(file_flushes) < renamed
    flushed_after = {path for call, path in calls[renamed + 1:] if call == "fsync"}
    # The blob's directory, the two above it, and the parents of the two folders the put created.
    assert flushed_after >= {str(blob.parent), str(blob.parent.parent), str(root), str(root.parent),
                             str(tmp_path)}
    assert blob.read_bytes() == b"photo"


def test_put_leaves_no_temporary_file(tmp_path):
    store = FileBlobStore(tmp_path)
    stored = store.put(b"x" * 100_000)
    store.put(b"x" * 100_000)      # the same bytes again: nothing new
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [tmp_path / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256]


def test_start_removes_temporary_files_a_crash_left_and_keeps_fresh_ones(app):
    """`flask blobs clean`, which scripts/serve.sh runs before gunicorn starts."""
    folder = app.extensions["blobstore"].root / "ff" / "ee"
    folder.mkdir(parents=True, exist_ok=True)
    abandoned, fresh = folder / f"{INCOMING_PREFIX}crashed", folder / f"{INCOMING_PREFIX}being-written"
    blob = folder / ("ffee" + "0" * 60)
    an_hour_ago = time.time() - 3600
    for path in (abandoned, fresh, blob):
        path.write_bytes(b"part of a photo")
    for path in (abandoned, blob):
        os.utime(path, (an_hour_ago, an_hour_ago))
    try:
        result = app.test_cli_runner().invoke(args=["blobs", "clean"])
        assert result.exit_code == 0, result.output
        assert "removed 1 " in result.output
        assert not abandoned.exists()
        assert fresh.exists()         # another process may be writing it right now
        assert blob.exists()
    finally:
        for path in (abandoned, fresh, blob):
            path.unlink(missing_ok=True)
