"""CSV files in a zip, written as a stream of bytes: ODK Central's `submissions.csv.zip` layout, the
submissions' table first, then one file per repeat.

The submissions' table goes straight into the zip as its rows arrive; the repeats' tables, which arrive
interleaved with it, wait in temporary files (in memory up to SPOOL_BYTES, on disk beyond) and follow.
Memory stays bounded whatever the number of rows. Text is UTF-8 with a byte-order mark by default (Excel
on Chinese Windows then reads it right), or GB18030 on request.
"""
import codecs
import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable, Iterator

SPOOL_BYTES = 8 * 1024 * 1024
FLUSH_BYTES = 256 * 1024          # hand bytes on once this many are waiting
ENCODINGS = {"utf-8": "utf-8-sig", "gb18030": "gb18030"}


class _Sink(io.RawIOBase):
    """An unseekable file that keeps what is written until drained (zipfile then writes data descriptors)."""

    def __init__(self):
        super().__init__()
        self._chunks: list[bytes] = []
        self._waiting = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        self._waiting += len(chunk)
        return len(chunk)

    @property
    def waiting(self) -> int:
        return self._waiting

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self._waiting = 0
        return data


def encoding_for(name: str | None) -> str:
    """The Python codec for an export's `encoding` parameter (utf-8 or gb18030). Raises KeyError otherwise."""
    return ENCODINGS[(name or "utf-8").lower()]


def csv_text(rows: Iterable[list[str]], encoding: str = "utf-8-sig") -> Iterator[bytes]:
    """One CSV file as a stream of bytes (for a table without repeats)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    encoder = codecs.getincrementalencoder(encoding)()
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= FLUSH_BYTES:
            yield encoder.encode(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    yield encoder.encode(buffer.getvalue(), final=True)


def csv_zip(names: list[str], rows: Iterable[tuple[int, list[str]]], encoding: str = "utf-8-sig") -> Iterator[bytes]:
    """A zip of the CSV files `names` (file names without .csv), as a stream of bytes. `rows` gives
    (file index, row) in any order, each file's header row first; file 0 is written as it comes."""
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    first = io.TextIOWrapper(archive.open(f"{names[0]}.csv", "w", force_zip64=True), encoding=encoding, newline="")
    spools = [tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+", encoding=encoding, newline="")
              for _ in names[1:]]
    writers = [csv.writer(first)] + [csv.writer(spool) for spool in spools]
    try:
        for index, row in rows:
            writers[index].writerow(row)
            if sink.waiting >= FLUSH_BYTES:
                yield sink.drain()
        first.close()
        yield sink.drain()
        for name, spool in zip(names[1:], spools):
            spool.seek(0)
            with io.TextIOWrapper(archive.open(f"{name}.csv", "w", force_zip64=True), encoding=encoding,
                                  newline="") as target:
                while chunk := spool.read(FLUSH_BYTES):
                    target.write(chunk)
                    if sink.waiting >= FLUSH_BYTES:
                        yield sink.drain()
            yield sink.drain()
        archive.close()
        yield sink.drain()
    finally:
        for spool in spools:
            spool.close()

