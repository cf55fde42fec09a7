"""An Excel workbook of tables (a sheet per table), streamed as it is written: each sheet's rows arrive as
SpreadsheetML `<row>` elements that PostgreSQL wrote (queries/export_lines.py SHEET, kept ahead), and go
into the zip as they come, so the first bytes leave at once and memory does not grow with the rows. A table
past Excel's 1,048,576 rows goes on into further sheets ("name (2)", ...), each with the header row again.
The parts that list the sheets (the workbook, its relationships, the content types) are written last, when the
sheets are known; a zip's directory, at its end, is what readers go by (ECMA-376 Part 2, the Open Packaging
Conventions, sets no order of parts).

Cells are inline strings without references (`<c t="inlineStr">`, placed one after another, as ECMA-376
Part 1 §18.3.1.4 allows), so answers keep their exact digits (ID numbers, phones, codes).
"""
import re
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

from .csv_zip import zip_of

MAX_ROWS = 1_048_576
CELL_LIMIT = 32_767          # characters in a cell (Excel's specifications and limits)
# What XML 1.0 cannot hold (its Char production): C0 controls but tab, LF and CR; U+FFFE, U+FFFF. Escapes
# that Python's and PostgreSQL's regular expressions both read; NOT_XML leaves out NUL, which no PostgreSQL
# text holds (nor can its pattern).
NOT_XML = r"[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})
_ROW = b"<row>"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}"><sheetData>'.encode()
_TAIL = b"</sheetData></worksheet>"
_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
           '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
           '</styleSheet>').encode()


def sheet_name(name: str, part: int, taken: set[str]) -> str:
    """A sheet name Excel takes for part `part` of a table, not in `taken` (lower-cased names, which it adds
    to): at most 31 characters, none of []:*?/\\, not beginning or ending with an apostrophe, not 'History'
    (Excel's own), and unlike every other sheet's once case is ignored, as Excel compares them. Parts after the
    first are "name (2)", …; a name already taken (two repeats cut to one name, or differing in case only)
    gets the first free " (k)" after it."""
    base = name.translate(_FORBIDDEN).strip("'") or "Sheet"
    if base.lower() == "history":
        base += "_"
    k = part
    while True:
        suffix = f" ({k})" if k > 1 else ""
        candidate = base[:31 - len(suffix)].rstrip("'") + suffix
        if candidate.lower() not in taken:
            taken.add(candidate.lower())
            return candidate
        k += 1


# Excel reads _xHHHH_ in a text as the character HHHH (ECMA-376 Part 1 §22.9.2.19, ST_Xstring): an underscore
# that begins one is written as _x005F_ (itself, escaped), so that the text reads as sent.
EXCEL_ESCAPE_START = "_(?=[xX][0-9A-Fa-f]{4}_)"
_EXCEL_ESCAPE_START = re.compile(EXCEL_ESCAPE_START)


def row_xml(cells: list[str]) -> bytes:
    """A row of text cells as PostgreSQL writes them for a sheet (a header row, written here): characters XML
    cannot hold are left out, a text is cut at Excel's 32,767 characters, an empty one is an empty cell;
    escaped for XML, and for Excel where a text holds what it would read as its own escape."""
    texts = [_NOT_XML.sub("", c)[:CELL_LIMIT] if c else "" for c in cells]
    return ("<row>" + "".join(f'<c t="inlineStr"><is><t xml:space="preserve">'
                              f'{_EXCEL_ESCAPE_START.sub("_x005F_", escape(t))}</t></is></c>' if t
                              else "<c/>" for t in texts) + "</row>").encode()


def workbook(tables: Iterable[tuple[str, list[str], Iterable[bytes]]], *, max_rows: int = MAX_ROWS
             ) -> Iterator[bytes]:
    """The .xlsx bytes of `tables`: (name, header cells, chunks of whole `<row>` elements), in order."""
    names: list[str] = []
    taken: set[str] = set()

    def parts():
        for name, header, chunks in tables:
            source = iter(chunks)
            left = [b""]                 # a chunk's rows that belong to the table's next sheet
            part = 0
            while True:
                part += 1
                names.append(sheet_name(name, part, taken))
                full = [False]
                yield f"xl/worksheets/sheet{len(names)}.xml", _sheet(header, source, left, full, max_rows)
                if not full[0]:
                    break
        yield "xl/workbook.xml", [_workbook(names)]
        yield "xl/_rels/workbook.xml.rels", [_workbook_relationships(len(names))]
        yield "xl/styles.xml", [_STYLES]
        yield "_rels/.rels", [(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                               f'xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
                               'Target="xl/workbook.xml"/></Relationships>').encode()]
        yield "[Content_Types].xml", [_content_types(len(names))]
    return zip_of(parts())


def _sheet(header: list[str], source: Iterator[bytes], left: list[bytes], full: list[bool], max_rows: int
           ) -> Iterator[bytes]:
    """One sheet: the header, then rows from `left` and `source` until max_rows; sets full[0] when rows remain
    for a further sheet (kept in left[0])."""
    yield _HEAD + row_xml(header)
    rows = 1
    while True:
        chunk = left[0] or next(source, b"")
        left[0] = b""
        if not chunk:
            break
        count = chunk.count(_ROW)
        if rows + count <= max_rows:
            rows += count
            yield chunk
            continue
        cut = -1
        for _ in range(max_rows - rows + 1):      # the start of the first row past the sheet's end
            cut = chunk.index(_ROW, cut + 1)
        yield chunk[:cut]
        left[0], full[0] = chunk[cut:], True
        break
    yield _TAIL


def _workbook(names: list[str]) -> bytes:
    sheets = "".join(f'<sheet name={quoteattr(n)} sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>').encode()


def _workbook_relationships(count: int) -> bytes:
    sheets = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                     for i in range(1, count + 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">{sheets}'
            f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>').encode()


def _content_types(count: int) -> bytes:
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{kind}.worksheet+xml"/>'
                     for i in range(1, count + 1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org'
            '/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>{sheets}'
            f'<Override PartName="/xl/styles.xml" ContentType="{kind}.styles+xml"/></Types>').encode()
