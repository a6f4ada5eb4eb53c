"""Opening a workbook file: its sheets' values with a fast reader, and the formulas without values.

python-calamine reads cached values quickly but cannot tell a formula that was never calculated
(a file written by a program and never opened in Excel) from an empty cell; every reader returns
None or "" there, silently. A regex over the raw sheet XML finds those cells in well under a
millisecond, so staff are told to open and save the file instead of us reading the cell as 0.

Every refusal is a :class:`WorkbookError` whose reason says, in Vietnamese, what is wrong and
what to do: the file's bytes are judged first (:func:`sniff.sniff`), then what the reader says.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import posixpath
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from .errors import WorkbookError
from .locate import Grid
from .numbers import normalize_text
from .numbers import vn_number as _vn
from .reading import UnitReport, read_grids
from .report import Finding, make_finding
from .sniff import foreign_encoding, holds_error, holds_formula, sniff, sniff_data

__all__ = ["MAX_GRID_CELLS", "read_workbook"]

#: Files up to this size are read into memory once, for sniffing, reading and hashing.
IN_MEMORY_BYTES: Final = 16 * 1024 * 1024
#: A sheet read from A1 to its last value may hold at most this many cells. A report is about
#: 2,000; a sheet past this has a stray value far down or right (row 1,048,576, column XFD)
#: and would cost gigabytes to read.
MAX_GRID_CELLS: Final = 5_000_000

_UNCACHED = re.compile(
    rb"""<(?:\w+:)?c\b[^>]*?\sr=["']([A-Z]{1,3}[0-9]+)["'][^>]*>"""
    rb"\s*<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>[^<]*</(?:\w+:)?f>)"
    rb"\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
# Characters no XML may hold: a sheet name carrying one could not be written in any report.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_OFFICE_DOCUMENT = "/officeDocument"
_DEFAULT_WORKBOOK = "xl/workbook.xml"

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

_RESAVE: Final = {
    "xlsx": "hãy mở bằng Excel (Excel thường tự sửa được), Lưu thành Sổ làm việc Excel (.xlsx)"
    " mới rồi gửi lại",
    "xls": "hãy mở bằng Excel hoặc LibreOffice, chọn Lưu thành > Sổ làm việc Excel (.xlsx)"
    " rồi gửi lại",
    "xlsb": "hãy mở bằng Excel, chọn Lưu thành > Sổ làm việc Excel (.xlsx) rồi gửi lại",
    "ods": "hãy mở bằng LibreOffice Calc, chọn Tệp > Lưu thành > Excel 2007-365 (.xlsx)"
    " rồi gửi lại",
}
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
_MSG_BAD_ZIP_MEMBER: Final = (
    "Tệp bị hỏng (dữ liệu nén bên trong không giải nén được, thường do tải về hoặc sao chép"
    " chưa hết): hãy tải lại tệp hoặc xin đơn vị gửi lại."
)


def _msg_unreadable(kind: str, detail: str) -> str:
    detail = normalize_text(detail)
    if len(detail) > 160:
        detail = detail[:157] + "…"
    what = _WHAT.get(kind, "Tệp bảng tính")
    advice = _RESAVE.get(kind, _RESAVE["xlsx"])
    return f"{what} bị hỏng hoặc có cấu trúc trình đọc không hiểu (lỗi: {detail}): {advice}."


def _msg_too_big(kind: str, sheet: str | None, rows: int | None, columns: int | None) -> str:
    where = f'Trang tính "{sheet}"' if sheet else "Một trang tính"
    size = f" kéo dài tới dòng {_vn(rows)}, cột {_column_name(columns)}" if rows and columns else ""
    return (
        f"{where}{size}: vùng dữ liệu quá lớn (giới hạn {_vn(MAX_GRID_CELLS)} ô), thường do có"
        " ô bị gõ nhầm ở rất xa bảng hoặc tệp bị hỏng. Hãy xóa các dòng, cột thừa bên dưới và"
        f" bên phải bảng, {_RESAVE.get(kind, _RESAVE['xlsx'])}."
    )


def _msg_reader_crash(kind: str) -> str:
    return (
        "Trình đọc gặp lỗi nội bộ khi mở tệp (tệp quá lớn, bị hỏng hoặc có cấu trúc bất"
        f" thường): {_RESAVE.get(kind, _RESAVE['xlsx'])}."
    )


def _column_name(number: int) -> str:
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


# --- reading ----------------------------------------------------------------------------------


def read_workbook(path: str | Path) -> UnitReport:
    """Read a unit's workbook file (.xlsx, .xlsm, .xls, .xlsb, .ods) into its report.

    Raises ``WorkbookError`` with a Vietnamese reason when the file is not a readable workbook
    (encrypted, corrupt, HTML or CSV under an Excel name, a sheet reaching row 1,048,576, …).
    The format is judged from the bytes, so an .xls renamed .xlsx is still read. Run it
    through ``_isolate.map_isolated`` when the file comes from outside: a malformed file can
    abort the native reader.
    """
    path = Path(path)
    data = _small_file(path)  # read once for sniffing, reading and hashing, when small
    sniffed = sniff(path) if data is None else sniff_data(path, data)
    if not sniffed.readable:
        raise WorkbookError(path, sniffed.message or "Không phải tệp Excel.")
    kind = sniffed.kind
    digest = _sha256(path) if data is None else hashlib.sha256(data).hexdigest()
    fixes: list[Finding] = []
    if kind == "xlsx" and sniffed.recode:
        # Legal XML in UTF-16 (or a declared legacy encoding) that the reader refuses: read
        # from a copy in memory, in UTF-8; the file itself is left as it is.
        data = _rewritten(path, data, recode=sniffed.recode)
    book, names = _open(path, kind, data)
    if kind == "xlsx" and len(set(names)) < len(names):
        # Two sheets of one name (a damaged or forged file): the reader would read the first
        # twice. A copy with the second renamed reads both; the unit is told.
        data, renamed = _renamed(path, data)
        book, names = _open(path, kind, data)
        fixes.extend(
            make_finding("duplicate-sheet-name", file=str(path), sheet=new, value=old, detail=new)
            for old, new in renamed
        )
    # Sniffing looked into the sheets already: most reports hold no formula, no error value.
    looked = (
        kind == "xlsx"
        and data is not None
        and not fixes
        and not sniffed.recode
        and sniffed.formulas is not None
        and sniffed.errors is not None
        and not sniffed.formulas
        and not sniffed.errors
    )
    marks = _Marks() if kind != "xlsx" or looked else _marks(path, data)
    grids = _grids(path, kind, book, names, data, marks)
    report = read_grids(grids, str(path), uncached=marks.uncached, errors=marks.errors)
    if fixes:
        report = replace(report, findings=(*fixes, *report.findings))
    return replace(report, sha256=digest)


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
        raise WorkbookError(path, f"Không đọc được tệp (lỗi hệ thống: {exc.strerror}).") from exc


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
        raise WorkbookError(path, _reader_message(kind, exc)) from exc
    return book, names


def _grids(
    path: Path, kind: str, book: Any, names: list[str], data: bytes | None, marks: _Marks
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
            data = _rewritten(path, data, errors=True)
            book, _ = _open(path, kind, data)
            grid = _sheet(path, kind, book, name, key)
        except WorkbookError:
            if name in worksheets:
                raise
            continue  # a chart or dialog sheet: nothing to read there
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
                raise WorkbookError(path, _msg_too_big(kind, key, rows, columns))
        grid: list[list[object]] = sheet.to_python(skip_empty_area=False)
    except (MemoryError, WorkbookError):
        raise
    except BaseException as exc:
        if not isinstance(exc, Exception) and not _is_panic(exc):
            raise
        if kind == "xlsx" and "unsupported cell error value" in str(exc).lower():
            raise _UnsupportedError from exc
        message = _reader_message(kind, exc)
        raise WorkbookError(path, f'Không đọc được trang tính "{key}". {message}') from exc
    return grid


def _worksheet_names(book: Any, names: list[str]) -> set[str]:
    """Names of the sheets filed as worksheets (not chart or dialog sheets)."""
    try:
        kinds = {meta.name: str(meta.typ) for meta in book.sheets_metadata}
    except Exception:
        return set(names)
    return {n for n in names if kinds.get(n, "WorkSheet").rsplit(".", 1)[-1] == "WorkSheet"}


def _reader_message(kind: str, exc: BaseException) -> str:
    if _is_panic(exc):
        return _msg_reader_crash(kind)
    text = str(exc).strip() or type(exc).__name__
    lowered = text.lower()
    if "password" in lowered or "encrypt" in lowered:
        return _MSG_ENCRYPTED
    if "cell limit" in lowered:
        return _msg_too_big(kind, None, None, None)
    return _msg_unreadable(kind, text)


# --- formulas without a value, error values ---------------------------------------------------


@dataclass(frozen=True)
class _Marks:
    """What the values alone do not tell, per sheet name: the cells holding a formula without
    a calculated value, and the cells holding an Excel error value (#REF!, …) with its text."""

    uncached: dict[str, set[str]] = field(default_factory=dict)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)


def _marks(path: Path, data: bytes | None = None) -> _Marks:
    """The formulas without a value and the error values of every sheet (``data``: the
    package's bytes, when already read).

    Best effort on the package's structure: a part the reader does not need for values
    (relationships it can do without, odd part names) only means fewer hints here. Member data
    that does not inflate is corrupt, and refused.
    """
    found = _Marks()
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf:
            names = {_norm(name): name for name in zf.namelist()}
            for sheet, member in _sheet_members(zf, names).items():
                # sniff() checked every XML part of this package for a DTD before any parser ran.
                xml = zf.read(member)
                # The scans cost more than reading the sheet's values: only where a formula or
                # an error cell may be (the Ministry's forms hold neither).
                if holds_formula(xml):
                    cells = {m.group(1).decode() for m in _UNCACHED.finditer(xml)}
                    if cells:
                        found.uncached[sheet] = cells
                if holds_error(xml):
                    errors = {ref: text for ref, text, _, _ in _error_cells(xml) if text}
                    if errors:
                        found.errors[sheet] = errors
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise WorkbookError(path, _MSG_BAD_ZIP_MEMBER) from exc
    except (OSError, NotImplementedError, RuntimeError) as exc:
        # Unsupported compression or encryption: sniff refuses those first; the reader decides.
        if isinstance(exc, OSError) and exc.filename is not None:
            message = f"Không đọc được tệp (lỗi hệ thống: {exc.strerror})."
            raise WorkbookError(path, message) from exc
    return found


_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_CELL_START = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CELL_END = re.compile(rb"</(?:\w+:)?c\s*>")
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Z]{1,3}[0-9]{1,7})["']""")
_CACHED = re.compile(rb"<((?:\w+:)?v)\s*>([^<]*)</\1\s*>")
#: The error values python-calamine reads (as blank); it refuses the whole sheet on any other.
_KNOWN_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


def _error_cells(xml: bytes) -> list[tuple[str, str, int, int]]:
    """The cells of type error (``t="e"``): (A1, the error's text, where the text starts and
    ends in ``xml``); the text is "" for a formula with no value."""
    found: list[tuple[str, str, int, int]] = []
    for match in _ERROR_TYPE.finditer(xml):
        start = xml.rfind(b"<", 0, match.start())
        close = xml.find(b">", match.end())
        if start < 0 or close < 0 or not _CELL_START.match(xml, start):
            continue  # t="e" in another element, or in text
        ref = _CELL_REF.search(xml, start, close)
        if ref is None or xml[close - 1 : close] == b"/":
            continue  # no address (a rare writer), or no content
        end = _CELL_END.search(xml, close)
        value = _CACHED.search(xml, close, end.start() if end else len(xml))
        if value is None:
            continue
        text = html.unescape(value.group(2).decode("utf-8", "replace")).strip()
        found.append((ref.group(1).decode(), text, value.start(2), value.end(2)))
    return found


# --- reading a repaired copy --------------------------------------------------------------------

_DECLARATION = re.compile(r"""^(<\?xml[^>]*?\sencoding\s*=\s*["'])[^"']*(["'])""")
_SHEET_ELEMENT = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_NAME_ATTRIBUTE = re.compile(rb"""(\sname\s*=\s*)(["'])(.*?)\2""", re.DOTALL)


def _rewritten(
    path: Path,
    data: bytes | None,
    *,
    recode: frozenset[str] = frozenset(),
    errors: bool = False,
    workbook: Callable[[bytes], bytes] | None = None,
) -> bytes:
    """A copy of the package, in memory, that the reader can read: the parts in ``recode``
    in UTF-8, error values it does not know as #N/A (``errors``), the workbook part through
    ``workbook``. The file itself is never changed."""
    out = io.BytesIO()
    try:
        with (
            zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf,
            zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy,
        ):
            names = {_norm(name): name for name in zf.namelist()}
            main = _workbook_part(zf, names) if workbook is not None else None
            for info in zf.infolist():
                part = zf.read(info)
                if info.filename in recode:
                    part = _to_utf8(path, info.filename, part)
                if errors and holds_error(part):
                    part = _known_errors(part)
                if workbook is not None and info.filename == main:
                    part = workbook(part)
                copy.writestr(info.filename, part)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise WorkbookError(path, _MSG_BAD_ZIP_MEMBER) from exc
    return out.getvalue()


def _to_utf8(path: Path, member: str, xml: bytes) -> bytes:
    encoding = foreign_encoding(xml[:256]) or "utf-8"
    if encoding == "utf-16" and xml[:2] in (b"<\x00", b"\x00<"):
        encoding = "utf-16-le" if xml[:1] == b"<" else "utf-16-be"  # no byte order mark
    try:
        text = xml.decode(encoding).lstrip("\ufeff")
    except (LookupError, UnicodeDecodeError) as exc:
        raise WorkbookError(
            path,
            f'Phần "{member}" của tệp ghi bằng bảng mã {encoding} mà chương trình không đọc'
            f" được: {_RESAVE['xlsx']}.",
        ) from exc
    return _DECLARATION.sub(r"\1UTF-8\2", text, count=1).encode("utf-8")


def _known_errors(xml: bytes) -> bytes:
    parts: list[bytes] = []
    at = 0
    for _, text, start, end in _error_cells(xml):
        if text and text not in _KNOWN_ERRORS:
            parts += (xml[at:start], b"#N/A")
            at = end
    return b"".join((*parts, xml[at:]))


def _renamed(path: Path, data: bytes | None) -> tuple[bytes, list[tuple[str, str]]]:
    """A copy of the package whose sheets of one name get names of their own, with the
    (old, new) names."""
    renamed: list[tuple[str, str]] = []

    def rename(xml: bytes) -> bytes:
        seen: set[str] = set()
        parts: list[bytes] = []
        at = 0
        for element in _SHEET_ELEMENT.finditer(xml):
            attribute = _NAME_ATTRIBUTE.search(element.group(0))
            if attribute is None:
                continue
            name = html.unescape(attribute.group(3).decode("utf-8", "replace"))
            new, number = name, 1
            while new in seen:
                number += 1
                new = f"{name} ({number})"
            seen.add(new)
            if new != name:
                renamed.append((name, new))
                start = element.start() + attribute.start(3)
                parts += (xml[at:start], html.escape(new).encode("utf-8"))
                at = element.start() + attribute.end(3)
        return b"".join((*parts, xml[at:]))

    return _rewritten(path, data, workbook=rename), renamed


def _norm(name: str) -> str:
    # Some writers store Windows separators, a leading slash or other capitals; readers cope.
    return name.replace("\\", "/").lstrip("/").lower()


def _xml(zf: zipfile.ZipFile, member: str) -> Element | None:
    """A small package part parsed safely, None when it is unsafe, missing or not XML."""
    try:
        # sniff() checked every XML part for a DTD; defusedxml refuses one all the same.
        root: Element = ElementTree.fromstring(zf.read(member))
    except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile, zlib.error, EOFError):
        # ParseError is a SyntaxError; defusedxml's refusals are ValueErrors.
        return None
    return root


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attribute(element: Element, local: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == local:
            return value
    return None


def _relationships(zf: zipfile.ZipFile, names: dict[str, str], rels: str) -> Iterator[Element]:
    member = names.get(_norm(rels))
    root = None if member is None else _xml(zf, member)
    if root is not None:
        yield from (e for e in root.iter() if _local(e.tag) == "Relationship")


def _resolve(base_dir: str, target: str) -> str:
    target = target.replace("\\", "/")
    joined = target.lstrip("/") if target.startswith("/") else posixpath.join(base_dir, target)
    return _norm(posixpath.normpath(joined))


def _workbook_path(zf: zipfile.ZipFile, names: dict[str, str]) -> str:
    """The workbook part's name (normalised), as the package's relationships give it."""
    for rel in _relationships(zf, names, "_rels/.rels"):
        if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT) and rel.get("Target"):
            return _resolve("", rel.get("Target", ""))
    return _DEFAULT_WORKBOOK


def _workbook_part(zf: zipfile.ZipFile, names: dict[str, str]) -> str | None:
    """The workbook part's member name, None when the package lacks it."""
    return names.get(_workbook_path(zf, names))


def _sheet_members(zf: zipfile.ZipFile, names: dict[str, str]) -> dict[str, str]:
    """Sheet name -> zip member of its XML, from the package, workbook and their relationships.

    Transitional and strict OOXML alike (namespaces are matched by local name); sheets whose
    part cannot be found are left out.
    """
    workbook = _workbook_path(zf, names)
    member = names.get(workbook)
    root = None if member is None else _xml(zf, member)
    if root is None:
        return {}
    folder, base = posixpath.split(_norm(workbook))
    targets = {
        rel.get("Id"): _resolve(folder, rel.get("Target", ""))
        for rel in _relationships(zf, names, posixpath.join(folder, "_rels", f"{base}.rels"))
        if rel.get("Target")
    }
    members: dict[str, str] = {}
    for sheet in root.iter():
        if _local(sheet.tag) != "sheet":
            continue
        part = targets.get(_attribute(sheet, "id"))
        if part is not None and part in names:
            members[sheet.get("name", "")] = names[part]
    return members
