"""What a reader's values do not tell: formulas never calculated, and Excel error values.

python-calamine reads cached values quickly but cannot tell a formula that was never calculated
(a file written by a program and never opened in Excel) from an empty cell, nor an error value
(#REF!, #DIV/0!, #N/A…) from a blank: it returns "" for both, silently. A regex over the raw
sheet XML finds those cells in well under a millisecond, so staff are told to open and save the
file, or to mend the formula, instead of us reading the cell as empty.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from defusedxml import ElementTree

from ..common.cells import a1, parse_a1
from ..common.zip_names import member_names
from ..errors import WorkbookError
from ..sniff import holds_error, holds_formula, xls_workbook_stream
from .members import Package
from .package import MSG_BAD_ZIP_MEMBER, msg_os_error, sheet_members

UNCACHED = re.compile(
    rb"""<(?:\w+:)?c\b[^>]*?\sr=["']([A-Z]{1,3}[0-9]+)["'][^>]*>"""
    rb"\s*<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>[^<]*</(?:\w+:)?f>)"
    rb"\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)


@dataclass(frozen=True)
class Marks:
    """What the values alone do not tell, per sheet name: the cells holding a formula without
    a calculated value, and the cells holding an Excel error value (#REF!, …) with its text."""

    uncached: dict[str, set[str]] = field(default_factory=dict)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)


def xlsx_marks(path: Path, package: Package) -> Marks:
    """The formulas without a value and the error values of every sheet of ``package``.

    Best effort on the package's structure: a part the reader does not need for values
    (relationships it can do without, odd part names) only means fewer hints here. Member data
    that does not inflate is corrupt, and refused.
    """
    found = Marks()
    try:
        names = member_names(package)
        for sheet, member in sheet_members(package, names).items():
            # sniff() checked every XML part of this package for a DTD before any parser ran.
            cells, texts = _streamed_marks(package.pieces(member))
            if cells:
                found.uncached[sheet] = cells
            if texts:
                found.errors[sheet] = texts
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise WorkbookError(path, MSG_BAD_ZIP_MEMBER) from exc
    except (OSError, NotImplementedError, RuntimeError) as exc:
        # Unsupported compression or encryption: sniff refuses those first; the reader decides.
        if isinstance(exc, OSError) and exc.filename is not None:
            detail = exc.strerror or str(exc)
            raise WorkbookError(path, msg_os_error(exc), detail=detail) from exc
    return found


def _streamed_marks(pieces: Iterable[bytes]) -> tuple[set[str], dict[str, str]]:
    """A sheet's marks from its XML in pieces that end where rows end (most sheets: one)."""
    cells: set[str] = set()
    texts: dict[str, str] = {}
    row = 0
    for xml in pieces:
        more_cells, more_texts, row = _sheet_marks(xml, row)
        cells |= more_cells
        texts.update(more_texts)
    return cells, texts


_ANY_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ADDRESSED_CELL = re.compile(rb"""<(?:\w+:)?c\s[^>]*?\br\s*=""")
_ROW_OR_CELL = re.compile(
    rb"<(?:\w+:)?row\b([^>]*?)/?>|<((?:\w+:)?)c\b([^>]*?)(?:/>|>(.*?)</\2c\s*>)", re.DOTALL
)
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["']([0-9]{1,7})["']""")
_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s/>]")


def _sheet_marks(xml: bytes, row: int = 0) -> tuple[set[str], dict[str, str], int]:
    """A sheet's formulas without a value, and its error values with their text, in ``xml``
    (the whole sheet, or rows of it following row number ``row``); and the last row's number."""
    # The scans cost more than reading the sheet's values: only where a formula or an error
    # cell may be (the Ministry's forms hold neither).
    formulas, errors = holds_formula(xml), holds_error(xml)
    if (formulas or errors) and _unaddressed(xml):
        return _walk(xml, row)  # cells without their address (a rare writer): walked in order
    cells = {m.group(1).decode() for m in UNCACHED.finditer(xml)} if formulas else set()
    texts = {ref: text for ref, text, _, _ in error_cells(xml) if text and ref} if errors else {}
    return cells, texts, _last_row(xml, row)


def _last_row(xml: bytes, row: int) -> int:
    """The number of the last row in ``xml`` (``row`` when it holds none, or none numbered)."""
    at = max(xml.rfind(b"<row"), xml.rfind(b":row"))
    number = _ROW_NUMBER.search(xml, at, xml.find(b">", at)) if at >= 0 else None
    return int(number.group(1)) if number else row


def _unaddressed(xml: bytes) -> bool:
    """Whether some cell of the sheet may lack its ``r`` address (never a miss; a row without
    one only sends the sheet to the slower walk, which is right all the same)."""
    cells = xml.count(b"<c ") + xml.count(b"<c>")
    if not cells:  # elements with a prefix (<x:c>), or no cell: counted by pattern
        return len(_ANY_CELL.findall(xml)) != len(_ADDRESSED_CELL.findall(xml))
    # Counting bytes is ten times faster than matching; an r="..." is a row's or a cell's.
    addresses = xml.count(b' r="') + xml.count(b" r='")
    return addresses - xml.count(b"<row ") < cells


def _walk(xml: bytes, row: int = 0) -> tuple[set[str], dict[str, str], int]:
    """Formulas without a value and error values, each cell placed as readers place it: at
    its address, or after the cell (or row) before it; rows after row number ``row``."""
    uncached: set[str] = set()
    errors: dict[str, str] = {}
    column = 0
    for match in _ROW_OR_CELL.finditer(xml):
        if match.group(2) is None:  # a row
            number = _ROW_NUMBER.search(match.group(1))
            row, column = (int(number.group(1)) if number else row + 1), 0
            continue
        attributes, content = match.group(3), match.group(4) or b""
        address = _CELL_REF.search(b" " + attributes)
        if address is not None:
            ref = address.group(1).decode()
            row, column = parse_a1(ref)
        else:
            column += 1
            ref = a1(row, column)
        value = _CACHED.search(content)
        text = "" if value is None else html.unescape(value.group(2).decode("utf-8", "replace"))
        if _FORMULA_ELEMENT.search(content) and not text.strip():
            uncached.add(ref)
        elif _ERROR_TYPE.search(b" " + attributes) and text.strip():
            errors[ref] = text.strip()
    return uncached, errors, row


_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_CELL_START = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CELL_END = re.compile(rb"</(?:\w+:)?c\s*>")
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Z]{1,3}[0-9]{1,7})["']""")
_CACHED = re.compile(rb"<((?:\w+:)?v)\s*>([^<]*)</\1\s*>")
#: The error values python-calamine reads (as blank); it refuses the whole sheet on any other.
KNOWN_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


def error_cells(xml: bytes) -> list[tuple[str, str, int, int]]:
    """The cells of type error (``t="e"``): (A1, the error's text, where the text starts and
    ends in ``xml``); the text is "" for a formula with no value, the address "" for a cell
    written without one."""
    found: list[tuple[str, str, int, int]] = []
    for match in _ERROR_TYPE.finditer(xml):
        start = xml.rfind(b"<", 0, match.start())
        close = xml.find(b">", match.end())
        if start < 0 or close < 0 or not _CELL_START.match(xml, start):
            continue  # t="e" in another element, or in text
        ref = _CELL_REF.search(xml, start, close)
        if xml[close - 1 : close] == b"/":
            continue  # no content
        end = _CELL_END.search(xml, close)
        value = _CACHED.search(xml, close, end.start() if end else len(xml))
        if value is None:
            continue
        text = html.unescape(value.group(2).decode("utf-8", "replace")).strip()
        address = "" if ref is None else ref.group(1).decode()  # "": a rare writer's
        found.append((address, text, value.start(2), value.end(2)))
    return found


# --- OpenDocument ---------------------------------------------------------------------------

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_ODS_CELLS = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")
# Repeated rows or columns are counted, but at most this many error cells are kept per sheet.
_MAX_MARKS = 10_000


def ods_marks(path: Path, data: bytes | None = None) -> Marks:
    """The error values of an .ods (LibreOffice marks them ``calcext:value-type="error"``)
    and its formulas with no value (written by a program that does not calculate): the
    reader returns both as blank."""
    found = Marks()
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf:
            member = member_names(zf).get("content.xml")
            content = b"" if member is None else zf.read(member)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise WorkbookError(path, MSG_BAD_ZIP_MEMBER) from exc
    if b'value-type="error"' not in content and b"formula=" not in content:
        return found  # the usual case, without parsing anything
    errors: dict[str, str] = {}
    uncached: set[str] = set()
    row = column = 0
    rows = 1
    try:
        # sniff() checked every XML part of this package for a DTD before any parser ran.
        for event, element in ElementTree.iterparse(io.BytesIO(content), ("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{_TABLE}table":
                    name = element.get(f"{_TABLE}name", "")
                    errors = found.errors.setdefault(name, {})
                    uncached = found.uncached.setdefault(name, set())
                    row = 0
                elif tag == f"{_TABLE}table-row":
                    column = 0
                    rows = _repeat(element.get(f"{_TABLE}number-rows-repeated"))
            elif tag in _ODS_CELLS:
                columns = _repeat(element.get(f"{_TABLE}number-columns-repeated"))
                cells = (
                    a1(row + r + 1, column + c + 1)
                    for r in range(min(rows, _MAX_MARKS))
                    for c in range(min(columns, _MAX_MARKS))
                )
                if element.get(f"{_CALCEXT}value-type") == "error":
                    text = "".join(element.itertext()).strip() or "#VALUE!"
                    errors.update((cell, text) for cell in islice(cells, _MAX_MARKS))
                elif f"{_TABLE}formula" in element.attrib and not _has_value(element):
                    # Written by a program that does not calculate: no value, no text.
                    uncached.update(islice(cells, _MAX_MARKS))
                column += columns
                element.clear()
            elif tag == f"{_TABLE}table-row":
                row += rows
                element.clear()
    except (ValueError, SyntaxError):
        pass  # the reader says what is wrong with it
    for marks in (found.errors, found.uncached):
        for sheet in [k for k, v in marks.items() if not v]:
            del marks[sheet]
    return found


_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_VALUES = tuple(
    f"{_OFFICE}{name}"
    for name in ("value", "string-value", "boolean-value", "date-value", "time-value")
)


def _has_value(cell: object) -> bool:
    attributes: dict[str, str] = getattr(cell, "attrib", {})
    if any(name in attributes for name in _ODS_VALUES):
        return True
    return bool("".join(getattr(cell, "itertext", lambda: ())()).strip())


def _repeat(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


# --- Excel 97-2003 ----------------------------------------------------------------------------

_BOF, _EOF, _BOUNDSHEET, _CODEPAGE = 0x0809, 0x000A, 0x0085, 0x0042
_BOOLERR, _FORMULA = 0x0205, 0x0006
# [MS-XLS] 2.5.97.2 BErr: the error codes of cells and cached formula results.
_BIFF_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
# The Workbook stream is read at most this far (the sniffed zip limit, for .xls alike).
_MAX_STREAM = 200 * 1024 * 1024


def xls_marks(path: Path, data: bytes | None = None) -> list[tuple[str, dict[str, str]]]:
    """The error values of an .xls (cells, and formulas' cached results, of type error; the
    reader returns them as blank), per sheet in the workbook's order: (name, cell -> text)."""
    try:
        if data is not None:
            stream = xls_workbook_stream(io.BytesIO(data), _MAX_STREAM)
        else:
            with path.open("rb") as raw:
                stream = xls_workbook_stream(raw, _MAX_STREAM)
    except OSError:
        return []
    if not stream:
        return []
    sheets: list[tuple[int, str]] = []
    biff8, codepage = True, "cp1252"
    for kind, body in _records(stream, 0):
        if kind == _BOF and len(body) >= 2:
            biff8 = struct.unpack_from("<H", body)[0] == 0x0600
        elif kind == _CODEPAGE and len(body) >= 2:
            number = struct.unpack_from("<H", body)[0]
            codepage = "cp1252" if number in (1200, 0x8000, 0x8001) else f"cp{number}"
        elif kind == _BOUNDSHEET and len(body) >= 8:
            sheets.append((struct.unpack_from("<I", body)[0], _sheet_name(body, biff8, codepage)))
        elif kind == _EOF:
            break
    found: list[tuple[str, dict[str, str]]] = []
    for offset, name in sheets:
        errors: dict[str, str] = {}
        for kind, body in _records(stream, offset):
            if kind == _EOF:
                break
            if kind == _BOOLERR and len(body) >= 8 and body[7] == 1:
                code = body[6]
            elif kind == _FORMULA and len(body) >= 14 and _cached_error(body):
                code = body[8]
            else:
                continue
            row, column = struct.unpack_from("<HH", body)
            if len(errors) < _MAX_MARKS:
                errors[a1(row + 1, column + 1)] = _BIFF_ERRORS.get(code, "#VALUE!")
        found.append((name, errors))
    return found


def _cached_error(formula: bytes) -> bool:
    # [MS-XLS] 2.5.133 FormulaValue: 0xFFFF in its last two bytes, type 2 in its first.
    return formula[12:14] == b"\xff\xff" and formula[6] == 2


def _records(stream: bytes, start: int) -> Iterator[tuple[int, bytes]]:
    """The BIFF records from ``start``: (type, body), until the stream ends."""
    at, end = start, len(stream)
    while at >= 0 and at + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, at)
        yield kind, stream[at + 4 : at + 4 + length]
        at += 4 + length


def _sheet_name(body: bytes, biff8: bool, codepage: str) -> str:
    length = body[6]
    try:
        if not biff8:
            return body[7 : 7 + length].decode(codepage, "replace")
        if body[7] & 1:
            return body[8 : 8 + 2 * length].decode("utf-16-le", "replace")
        return body[8 : 8 + length].decode("latin-1")
    except LookupError:
        return body[8 : 8 + length].decode("latin-1")
