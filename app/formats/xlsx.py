"""An Excel workbook of tables (a sheet per table), written in constant memory by XlsxWriter and then
streamed: XlsxWriter's constant_memory mode writes each sheet's rows to a temporary file as they come
(rows in order within a sheet, sheets interleaved), and strings inline, so memory does not grow with
the rows. A table past Excel's 1,048,576 rows goes on into further sheets ("name (2)", ...), each
with the header row again.
"""
import tempfile
from collections.abc import Iterable, Iterator

import xlsxwriter

MAX_ROWS = 1_048_576
CHUNK = 256 * 1024
_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_name(name: str, part: int = 1) -> str:
    """A valid sheet name (at most 31 characters, none of []:*?/\\) for part `part` of a table."""
    suffix = f" ({part})" if part > 1 else ""
    return name.translate(_FORBIDDEN)[:31 - len(suffix)] + suffix


def workbook(names: list[str], rows: Iterable[tuple[int, list[str]]], *, max_rows: int = MAX_ROWS) -> Iterator[bytes]:
    """The .xlsx bytes of the tables `names`; `rows` gives (table index, row), each table's header first.
    Cells are written as text (answers keep their exact digits: ID numbers, phones, codes)."""
    with tempfile.TemporaryDirectory(prefix="dixian-xlsx-") as scratch, \
            tempfile.TemporaryFile(dir=scratch) as output:
        book = xlsxwriter.Workbook(output, {"constant_memory": True, "tmpdir": scratch, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
        sheets: list[list] = [[] for _ in names]      # per table: [worksheet, next row, part, header]
        for index, row in rows:
            state = sheets[index]
            if not state:                              # the header row: the table's first sheet
                state.extend([book.add_worksheet(sheet_name(names[index])), 0, 1, row])
            elif state[1] >= max_rows:
                state[2] += 1
                state[0], state[1] = book.add_worksheet(sheet_name(names[index], state[2])), 0
                state[0].write_row(0, 0, state[3])
                state[1] = 1
            state[0].write_row(state[1], 0, row)
            state[1] += 1
        for index, state in enumerate(sheets):
            if not state:
                book.add_worksheet(sheet_name(names[index]))
        book.close()
        output.seek(0)
        while chunk := output.read(CHUNK):
            yield chunk
