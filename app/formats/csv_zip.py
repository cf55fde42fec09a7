"""Files in a zip, written as a stream of bytes: each file's bytes are deflated into the archive as they come
and handed on, so a zip of any size streams in bounded memory (zipfile writes data descriptors to an
unseekable output). What the files are, CSV in the encoding asked for, is the caller's.
"""
import io
import zipfile
from collections.abc import Iterable, Iterator

FLUSH_BYTES = 64 * 1024           # hand bytes on once this many are waiting
ENCODINGS = {"utf-8": "utf-8-sig", "gb18030": "gb18030"}


class _Sink(io.RawIOBase):
    """An unseekable file that keeps what is written until drained."""

    def __init__(self):
        super().__init__()
        self._chunks: list[bytes] = []
        self.waiting = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self.waiting += len(chunk)
        return len(chunk)

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.waiting = 0
        return data


def encoding_for(name: str | None) -> str:
    """The Python codec for an export's `encoding` parameter: utf-8 (written with a byte-order mark, which
    Excel on Chinese Windows needs) or gb18030. Raises KeyError otherwise."""
    return ENCODINGS[(name or "utf-8").lower()]


def zip_of(files: Iterable[tuple[str, Iterable[bytes]]]) -> Iterator[bytes]:
    """A zip of (name, chunks of its bytes), in order, as a stream of bytes."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, chunks in files:
            with archive.open(name, "w", force_zip64=True) as entry:
                for chunk in chunks:
                    entry.write(chunk)
                    if sink.waiting >= FLUSH_BYTES:
                        yield sink.drain()
            yield sink.drain()
    yield sink.drain()
