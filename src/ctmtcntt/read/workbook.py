"""Opening a workbook file: its sheets' values with a fast reader, and what they do not tell.

python-calamine reads cached values quickly; what it cannot tell (formulas never calculated,
Excel error values) comes from the file itself (``marks``), and the rare files it refuses
although they are legal (UTF-16 parts, error values it does not know, two sheets of one name)
are read from a mended copy in memory (``repair``).

Every refusal is a :class:`WorkbookError` whose reason says, in Vietnamese, what is wrong and
what to do: the file's bytes are judged first (:func:`sniff.sniff`), then what the reader says.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any, Final
from xml.etree.ElementTree import Element

from ..common.cells import column_letter
from ..common.numbers import normalize_text
from ..common.numbers import vn_number as _vn
from ..common.zip_names import member_names
from ..errors import WorkbookError
from ..findings import Finding, make_finding
from ..forms.spec import Catalogue, load_catalogue
from ..sniff import Sniffed, is_sheet_part, sniff, sniff_data
from .locate import Grid, locate, named_form
from .marks import Marks, ods_marks, xls_marks, xlsx_marks
from .members import Package
from .package import (
    MSG_BAD_ZIP_MEMBER,
    RESAVE,
    local,
    msg_os_error,
    part_xml,
    sheet_members,
    unread_parts,
    workbook_related,
)
from .repair import renamed, rewritten, with_sheets
from .submission import UnitReport, read_grids

__all__ = ["MAX_GRID_CELLS", "read_workbook"]

#: Files up to this size are read into memory once, for sniffing, reading and hashing.
IN_MEMORY_BYTES: Final = 16 * 1024 * 1024
#: A sheet read from A1 to its last value may hold at most this many cells. A report is about
#: 2,000; a sheet past this has a stray value far down or right (row 1,048,576, column XFD)
#: and would cost gigabytes to read.
MAX_GRID_CELLS: Final = 5_000_000

# Characters no XML may hold: a sheet name carrying one could not be written in any report.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Which extensions python-calamine's from_path trusts for which format.
_SUFFIX_KIND: Final = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xltx": "xlsx",
    ".xltm": "xlsx",
    ".xlam": "xlsx",
    ".xls": "xls",
    ".xla": "xls",
    ".xlt": "xls",
    ".xlsb": "xlsb",
    ".ods": "ods",
}

# --- messages (the caller names the file) ---------------------------------------------------

_WHAT: Final = {
    "xlsx": "Tệp Excel (.xlsx)",
    "xls": "Tệp Excel 97–2003 (.xls)",
    "xlsb": "Tệp Excel nhị phân (.xlsb)",
    "ods": "Tệp OpenDocument (.ods)",
}
_MSG_ENCRYPTED: Final = (
    "Tệp được bảo vệ bằng mật khẩu (mã hóa): hãy mở bằng Excel, bỏ mật khẩu (Tệp > Thông tin"
    " > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu, xóa trống mật khẩu), lưu lại rồi gửi lại."
)


def _msg_unreadable(kind: str) -> str:
    # What the reader said (English) goes to the finding's detail, not into this sentence.
    what = _WHAT.get(kind, "Tệp bảng tính")
    advice = RESAVE.get(kind, RESAVE["xlsx"])
    return f"{what} bị hỏng hoặc có cấu trúc mà chương trình không đọc được: {advice}."


def _detail(exc: BaseException) -> str:
    """What a reader said, kept for whoever looks into the file (a finding's value)."""
    text = normalize_text(str(exc).strip() or type(exc).__name__)
    return text if len(text) <= 300 else text[:297] + "…"


def _msg_too_big(kind: str, sheet: str | None, rows: int | None, columns: int | None) -> str:
    where = f'Trang tính "{sheet}"' if sheet else "Một trang tính"
    size = (
        f" kéo dài tới dòng {_vn(rows)}, cột {column_letter(columns)}" if rows and columns else ""
    )
    return (
        f"{where}{size}: vùng dữ liệu quá lớn (giới hạn {_vn(MAX_GRID_CELLS)} ô), thường do có"
        " ô bị gõ nhầm ở rất xa bảng hoặc tệp bị hỏng. Hãy xóa các dòng, cột thừa bên dưới và"
        f" bên phải bảng, {RESAVE.get(kind, RESAVE['xlsx'])}."
    )


def _msg_unknown_error(sheet: str) -> str:
    return (
        f'Trang tính "{sheet}" có ô lỗi công thức mà trình đọc không hiểu: hãy sửa các ô báo'
        f" lỗi (#...) trong Excel, {RESAVE['xlsx']}."
    )


def _msg_reader_crash(kind: str) -> str:
    return (
        "Trình đọc gặp lỗi nội bộ khi mở tệp (tệp quá lớn, bị hỏng hoặc có cấu trúc bất"
        f" thường): {RESAVE.get(kind, RESAVE['xlsx'])}."
    )


# --- reading ----------------------------------------------------------------------------------


def read_workbook(path: str | Path, forms: Catalogue | None = None) -> UnitReport:
    """Read a unit's workbook file (.xlsx, .xlsm, .xls, .xlsb, .ods) into its report.

    Raises ``WorkbookError`` with a Vietnamese reason when the file is not a readable workbook
    (encrypted, corrupt, HTML or CSV under an Excel name, a sheet reaching row 1,048,576, …).
    ``forms`` is the form set to find (the default set when None). The format is judged from
    the bytes, so an .xls renamed .xlsx is still read. Run it
    through ``common.isolate.map_isolated`` when the file comes from outside: a malformed file can
    abort the native reader.
    """
    path = Path(path)
    catalogue = forms or load_catalogue()
    data = _small_file(path)  # read once for sniffing, reading and hashing, when small
    sniffed = sniff(path) if data is None else sniff_data(path, data)
    if not sniffed.readable:
        raise WorkbookError(
            path,
            sniffed.message or "Không phải tệp Excel.",
            code=sniffed.refusal or "unreadable-file",
        )
    kind = sniffed.kind
    digest = _sha256(path) if data is None else hashlib.sha256(data).hexdigest()
    fixes: list[Finding] = []
    if kind == "xlsx" and sniffed.recode:
        # Legal XML in UTF-16 (or a declared legacy encoding) that the reader refuses: read
        # from a copy in memory, in UTF-8; the file itself is left as it is.
        data = rewritten(path, data, recode=sniffed.recode)
    book, names = _open(path, kind, data)
    if kind == "xlsx" and len(set(names)) < len(names):
        # Two sheets of one name (a damaged or forged file): the reader would read the first
        # twice. A copy with the second renamed reads both; the unit is told.
        data, names_changed = renamed(path, data)
        book, names = _open(path, kind, data)
        fixes.extend(
            make_finding("duplicate-sheet-name", file=str(path), sheet=new, value=old, detail=new)
            for old, new in names_changed
        )
    marks, percent = _hints(path, sniffed, data, names, mended=bool(fixes))
    grids = _grids(path, kind, book, names, data, marks, catalogue)
    if kind == "xlsx" and (_twins(grids) or (sniffed.sheet_parts or 0) > len(names)):
        # Two sheets showing one part, or more sheet parts than sheets: a part no sheet
        # refers to (a damaged or forged workbook) holds what no reader reads.
        fixes.extend(
            make_finding("sheet-part-not-read", file=str(path), detail=member)
            for member in _unread_forms(path, kind, data, catalogue)
        )
    report = read_grids(
        grids,
        str(path),
        uncached=marks.uncached,
        errors=marks.errors,
        percent=percent,
        catalogue=catalogue,
    )
    if fixes:
        report = replace(report, findings=(*fixes, *report.findings))
    return replace(report, sha256=digest)


def _hints(
    path: Path, sniffed: Sniffed, data: bytes | None, names: list[str], *, mended: bool
) -> tuple[Marks, dict[str, set[str]]]:
    """What the reader's values do not tell (formulas without a value, error values), and the
    cells formatted as a percentage (an xlsx's); ``mended``: read from a copy of the file."""
    kind = sniffed.kind
    if kind == "ods":
        return ods_marks(path, data), {}
    if kind == "xls":
        return _by_position(xls_marks(path, data), names), {}
    if kind != "xlsx":
        return Marks(), {}
    # The members sniffing inflated are read from here, not inflated again: unless the reader
    # reads a mended copy, whose members are others.
    unchanged = not mended and not sniffed.recode
    # Sniffing looked into the sheets already: most reports hold no formula, no error value.
    looked = unchanged and data is not None and sniffed.formulas == sniffed.errors == frozenset()
    with _package(path, data, sniffed if unchanged else None) as package:
        marks = Marks() if looked else xlsx_marks(path, package)
        return marks, _percent_cells(package)


def _twins(grids: dict[str, Grid]) -> bool:
    """Whether two sheets read alike (quick: sheets differ in their first rows)."""
    seen = [grid for grid in grids.values() if grid]
    return any(a == b for i, a in enumerate(seen) for b in seen[i + 1 :])


def _unread_forms(path: Path, kind: str, data: bytes | None, catalogue: Catalogue) -> list[str]:
    """The worksheet parts no sheet refers to that hold a form's table: read through a copy
    in which they are sheets (leftovers of other writers, holding no form, are no matter)."""
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf:
            members = unread_parts(zf, is_sheet_part)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise WorkbookError(path, MSG_BAD_ZIP_MEMBER) from exc
    if not members:
        return []
    copy, names = with_sheets(path, data, members)
    forms = list(catalogue.forms.values())
    found: list[str] = []
    try:
        book, _ = _open(path, kind, copy)
        for member, name in zip(members, names, strict=True):
            if locate(_sheet(path, kind, book, name, name), forms) is not None:
                found.append(member)
    except (WorkbookError, _UnsupportedError):
        return members  # unreadable even so: what they hold is not known, so not passed over
    return found


def _by_position(sheets: list[tuple[str, dict[str, str]]], names: list[str]) -> Marks:
    """Error values of an .xls keyed by the reader's names: by position when the sheets
    match one to one (names in an old code page may be decoded otherwise), else by name."""
    found = Marks()
    keys = names if len(sheets) == len(names) else [name for name, _ in sheets]
    for key, (_, errors) in zip(keys, sheets, strict=True):
        if errors:
            found.errors[key] = errors
    return found


def _small_file(path: Path) -> bytes | None:
    """The whole file when it is a regular file of at most IN_MEMORY_BYTES; None otherwise
    (and when it cannot be read: sniffing then says why)."""
    try:
        with path.open("rb") as stream:
            status = os.fstat(stream.fileno())
            if not stat.S_ISREG(status.st_mode) or status.st_size > IN_MEMORY_BYTES:
                return None
            return stream.read(IN_MEMORY_BYTES + 1)
    except OSError:
        return None


def sha256_of(path: str | Path) -> str:
    """The file's SHA-256 (hex), read in chunks; raises OSError when it cannot be read."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _sha256(path: Path) -> str:
    try:
        return sha256_of(path)
    except OSError as exc:
        raise WorkbookError(path, msg_os_error(exc), detail=_detail(exc)) from exc


def _is_panic(exc: BaseException) -> bool:
    # pyo3's PanicException derives from BaseException, so that `except Exception` misses it.
    return not isinstance(exc, (Exception, KeyboardInterrupt, SystemExit, GeneratorExit))


def _open(path: Path, kind: str, data: bytes | None) -> tuple[Any, list[str]]:
    """The reader's workbook and its sheets' names, in order."""
    from python_calamine import CalamineWorkbook

    try:
        if data is not None and kind == "xlsx":
            # Already read; the reader tells an xlsx by its content (not an .ods: it goes by
            # the name there).
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        elif _SUFFIX_KIND.get(path.suffix.lower()) == kind:
            book = CalamineWorkbook.from_path(str(path))
        else:
            # A renamed file (.xls saved as .xlsx): let the reader go by the content instead.
            with path.open("rb") as stream:
                book = CalamineWorkbook.from_filelike(stream)
        names: list[str] = list(book.sheet_names)
    except MemoryError:
        raise  # the isolation layer reports it as such and replaces the worker
    except BaseException as exc:
        if not isinstance(exc, Exception) and not _is_panic(exc):
            raise
        message, code = _reader_refusal(kind, exc)
        raise WorkbookError(path, message, detail=_detail(exc), code=code) from exc
    return book, names


def _grids(
    path: Path,
    kind: str,
    book: Any,
    names: list[str],
    data: bytes | None,
    marks: Marks,
    catalogue: Catalogue,
) -> dict[str, Grid]:
    grids: dict[str, Grid] = {}
    worksheets = _worksheet_names(book, names)
    for name in names:
        # A name with control characters (a forged file) is kept readable, and writable.
        key = normalize_text(name) if _NOT_XML.search(name) else name
        try:
            grid = _sheet(path, kind, book, name, key)
        except _UnsupportedError:
            # An error value this reader does not know (#SPILL!, #CALC!, …): read a copy in
            # which those cells say #N/A; the cells' own values are known from the XML.
            data = rewritten(path, data, errors=True)
            book, _ = _open(path, kind, data)
            try:
                grid = _sheet(path, kind, book, name, key)
            except _UnsupportedError as exc:
                raise WorkbookError(path, _msg_unknown_error(key)) from exc
        except WorkbookError:
            if name in worksheets:
                raise
            # A chart or dialog sheet the reader cannot read: nothing there, unless its name
            # says it is a form (then reading says that its table was not found).
            if named_form(key, list(catalogue.forms.values())):
                grids[key] = []
            continue
        if grid or name in worksheets:
            # A chart sheet reads empty; a worksheet filed as one (a damaged or forged
            # relationship) is read all the same.
            grids[key] = grid
    return grids


class _UnsupportedError(Exception):
    """The reader met an Excel error value it does not know."""


def _sheet(path: Path, kind: str, book: Any, name: str, key: str) -> list[list[object]]:
    try:
        sheet = book.get_sheet_by_name(name)
        end = sheet.end
        if end is not None:
            rows, columns = end[0] + 1, end[1] + 1
            if rows * columns > MAX_GRID_CELLS:
                raise WorkbookError(
                    path, _msg_too_big(kind, key, rows, columns), code="sheet-too-large"
                )
        grid: list[list[object]] = sheet.to_python(skip_empty_area=False)
    except (MemoryError, WorkbookError):
        raise
    except BaseException as exc:
        if not isinstance(exc, Exception) and not _is_panic(exc):
            raise
        if kind == "xlsx" and "unsupported cell error value" in str(exc).lower():
            raise _UnsupportedError from exc
        message, code = _reader_refusal(kind, exc)
        raise WorkbookError(
            path, f'Không đọc được trang tính "{key}". {message}', detail=_detail(exc), code=code
        ) from exc
    return grid


def _worksheet_names(book: Any, names: list[str]) -> set[str]:
    """Names of the sheets filed as worksheets (not chart or dialog sheets)."""
    try:
        kinds = {meta.name: str(meta.typ) for meta in book.sheets_metadata}
    except Exception:
        return set(names)
    return {n for n in names if kinds.get(n, "WorkSheet").rsplit(".", 1)[-1] == "WorkSheet"}


def _reader_refusal(kind: str, exc: BaseException) -> tuple[str, str]:
    """What the reader's error means for staff, and the finding code naming that refusal."""
    if _is_panic(exc):
        return _msg_reader_crash(kind), "reader-crashed"
    text = str(exc).strip() or type(exc).__name__
    lowered = text.lower()
    if "password" in lowered or "encrypt" in lowered:
        return _MSG_ENCRYPTED, "encrypted-file"
    if "cell limit" in lowered:
        return _msg_too_big(kind, None, None, None), "sheet-too-large"
    return _msg_unreadable(kind), "unreadable-file"


# Cell formats that show a percentage: Excel's built-in 0% and 0.00%, and any custom format
# holding a "%" outside quotes, escapes and [colour] brackets.
_PERCENT_FORMATS: Final = frozenset({"9", "10"})
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_REF = re.compile(rb'\sr="([A-Z]{1,3}[0-9]+)"')


def _package(path: Path, data: bytes | None, sniffed: Sniffed | None) -> Package:
    """The package's members, with those sniffing inflated (when ``sniffed`` is given)."""
    try:
        if sniffed is None:
            return Package(path, data)
        return Package(path, data, sniffed.members, sniffed.parts)
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(path, MSG_BAD_ZIP_MEMBER) from exc


def _percent_cells(package: Package) -> dict[str, set[str]]:
    """Per sheet name, the cells holding a value formatted as a percentage: calamine gives
    0.9 for what Excel shows as 90 %, and a percentage in a count cell is a mistake staff must
    hear of.

    The styles part says which cell formats (``cellXfs``) show a percentage; most workbooks
    have none, and the sheets are then not looked at. Best effort: any trouble means none.
    """
    try:
        names = member_names(package)
        # Where Excel and LibreOffice put it; else where the workbook's relationships say.
        member = names.get("xl/styles.xml") or workbook_related(package, names).get("styles")
        styles = package.read(member) if member is not None else b""
        if b"%" not in styles and b'numFmtId="9"' not in styles and b'numFmtId="10"' not in styles:
            return {}
        formats = _percent_styles(part_xml(package, member) if member is not None else None)
        if not formats:
            return {}
        # One pass of the regular expression engine over each sheet finds the cells of those
        # formats: looking at every cell in Python cost a third of a file's reading. A cell
        # written "<c .../>" or "<c ...></c>" holds no value (a sheet formatted down to its
        # last row has a million of them).
        styled = re.compile(
            rb'<(?:\w+:)?c\b[^>]*?\ss="(?:'
            + b"|".join(index.encode() for index in sorted(formats))
            + rb')"[^>]*(?<!/)>(?!</(?:\w+:)?c>)'
        )
        found: dict[str, set[str]] = {}
        for sheet, part in sheet_members(package, names).items():
            cells = set()
            for piece in package.pieces(part):
                for match in styled.finditer(piece):
                    ref = _REF.search(match.group(0))
                    if ref:
                        cells.add(ref.group(1).decode())
            if cells:
                found[sheet] = cells
        return found
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
        return {}


def _percent_styles(root: Element | None) -> set[str]:
    """Indexes (as text) of the cell formats that show a percentage."""
    if root is None:
        return set()
    percent = set(_PERCENT_FORMATS)
    for element in root.iter():
        if local(element.tag) == "numFmt":
            code = _QUOTED.sub("", element.get("formatCode", ""))
            if "%" in code and element.get("numFmtId"):
                percent.add(element.get("numFmtId", ""))
    found: set[str] = set()
    for element in root.iter():
        if local(element.tag) == "cellXfs":
            for index, xf in enumerate(e for e in element if local(e.tag) == "xf"):
                if xf.get("numFmtId", "0") in percent:
                    found.add(str(index))
    return found
