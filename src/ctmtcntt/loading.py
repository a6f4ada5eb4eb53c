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
import io
import os
import posixpath
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from .errors import WorkbookError
from .locate import Grid
from .numbers import normalize_text
from .numbers import vn_number as _vn
from .reading import UnitReport, read_grids
from .sniff import holds_formula, sniff, sniff_data

__all__ = ["MAX_GRID_CELLS", "read_workbook"]

#: Files up to this size are read into memory once, for sniffing, reading and hashing.
IN_MEMORY_BYTES: Final = 16 * 1024 * 1024
#: A sheet read from A1 to its last value may hold at most this many cells. A report is about
#: 2,000; a sheet past this has a stray value far down or right (row 1,048,576, column XFD)
#: and would cost gigabytes to read.
MAX_GRID_CELLS: Final = 5_000_000

_UNCACHED = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3}[0-9]+)"[^>]*>'
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
    # Sniffing looked into the sheets already: most reports hold no formula at all.
    looked = kind == "xlsx" and sniffed.formulas is not None and not sniffed.formulas
    uncached = _uncached_cells(path, data) if kind == "xlsx" and not looked else {}
    grids = _grids(path, kind, data)
    percent = _percent_cells(path, data) if kind == "xlsx" else {}
    report = read_grids(grids, str(path), uncached=uncached, percent=percent)
    digest = _sha256(path) if data is None else hashlib.sha256(data).hexdigest()
    return _with_hash(report, digest)


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


def _with_hash(report: UnitReport, digest: str) -> UnitReport:
    from dataclasses import replace

    return replace(report, sha256=digest)


def _is_panic(exc: BaseException) -> bool:
    # pyo3's PanicException derives from BaseException, so that `except Exception` misses it.
    return not isinstance(exc, (Exception, KeyboardInterrupt, SystemExit, GeneratorExit))


def _grids(path: Path, kind: str, data: bytes | None = None) -> dict[str, Grid]:
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
        names = _worksheet_names(book)
    except MemoryError:
        raise  # the isolation layer reports it as such and replaces the worker
    except BaseException as exc:
        if not isinstance(exc, Exception) and not _is_panic(exc):
            raise
        raise WorkbookError(path, _reader_message(kind, exc)) from exc
    grids: dict[str, Grid] = {}
    for name in names:
        # A name with control characters (a forged file) is kept readable, and writable.
        key = normalize_text(name) if _NOT_XML.search(name) else name
        try:
            sheet = book.get_sheet_by_name(name)
            end = sheet.end
            if end is not None:
                rows, columns = end[0] + 1, end[1] + 1
                if rows * columns > MAX_GRID_CELLS:
                    raise WorkbookError(path, _msg_too_big(kind, key, rows, columns))
            grids[key] = sheet.to_python(skip_empty_area=False)
        except (MemoryError, WorkbookError):
            raise
        except BaseException as exc:
            if not isinstance(exc, Exception) and not _is_panic(exc):
                raise
            message = _reader_message(kind, exc)
            raise WorkbookError(path, f'Không đọc được trang tính "{key}". {message}') from exc
    return grids


def _worksheet_names(book: Any) -> list[str]:
    """Names of the sheets that can hold a table: chart and dialog sheets are left out."""
    names: list[str] = list(book.sheet_names)
    try:
        kinds = {meta.name: str(meta.typ) for meta in book.sheets_metadata}
    except Exception:
        return names
    return [n for n in names if kinds.get(n, "WorkSheet").rsplit(".", 1)[-1] == "WorkSheet"]


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


# --- formulas without a value ------------------------------------------------------------------


def _uncached_cells(path: Path, data: bytes | None = None) -> dict[str, set[str]]:
    """Per sheet name, the cells whose formula carries no calculated value (``data``: the
    file's bytes, when already read).

    Best effort on the package's structure: a part the reader does not need for values
    (relationships it can do without, odd part names) only means fewer hints here. Member data
    that does not inflate is corrupt, and refused.
    """
    found: dict[str, set[str]] = {}
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf:
            names = {_norm(name): name for name in zf.namelist()}
            if not any(
                holds_formula(zf.read(name))
                for key, name in names.items()
                if key.startswith("xl/worksheets/") and key.endswith(".xml")
            ):
                # The usual case (the Ministry's forms hold no formula): no need to map sheet
                # names to parts, which costs more than the check itself.
                return found
            members = _sheet_members(zf, names)
            for sheet, member in members.items():
                # sniff() checked every XML part of this package for a DTD before any parser ran.
                xml = zf.read(member)
                if not holds_formula(xml):
                    # No formula element at all (the Ministry's forms hold none): no need for
                    # the scan, which costs more than reading the sheet's values does.
                    continue
                cells = {m.group(1).decode() for m in _UNCACHED.finditer(xml)}
                if cells:
                    found[sheet] = cells
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise WorkbookError(path, _MSG_BAD_ZIP_MEMBER) from exc
    except (OSError, NotImplementedError, RuntimeError) as exc:
        # Unsupported compression or encryption: sniff refuses those first; the reader decides.
        if isinstance(exc, OSError) and exc.filename is not None:
            message = f"Không đọc được tệp (lỗi hệ thống: {exc.strerror})."
            raise WorkbookError(path, message) from exc
    return found


# Excel's built-in percentage formats (0%, 0.00%); a custom format is one when it shows a "%"
# outside quotes and escapes.
_PERCENT_FORMATS: Final = frozenset({"9", "10"})
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_CELL_STYLE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)/?>")
_REF = re.compile(rb'\sr="([A-Z]{1,3}[0-9]+)"')
_STYLE = re.compile(rb'\ss="([0-9]+)"')


def _percent_cells(path: Path, data: bytes | None = None) -> dict[str, set[str]]:
    """Per sheet name, the cells formatted as a percentage: calamine gives 0.9 for what Excel
    shows as 90 %, and a percentage in a count cell is a mistake staff must hear of.

    The styles part says which cell formats (``cellXfs``) show a percentage; most workbooks
    have none, and the sheets are then not looked at. Best effort: any trouble means none.
    """
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf:
            names = {_norm(name): name for name in zf.namelist()}
            member = names.get("xl/styles.xml")
            styles = zf.read(member) if member is not None else b""
            if (
                b"%" not in styles
                and b'numFmtId="9"' not in styles
                and b'numFmtId="10"' not in styles
            ):
                return {}
            formats = _percent_styles(_xml(zf, member) if member is not None else None)
            if not formats:
                return {}
            found: dict[str, set[str]] = {}
            for sheet, part in _sheet_members(zf, names).items():
                cells = set()
                for match in _CELL_STYLE.finditer(zf.read(part)):
                    attributes = match.group(1)
                    style = _STYLE.search(attributes)
                    ref = _REF.search(attributes)
                    if style and ref and style.group(1).decode() in formats:
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
        if _local(element.tag) == "numFmt":
            code = _QUOTED.sub("", element.get("formatCode", ""))
            if "%" in code and element.get("numFmtId"):
                percent.add(element.get("numFmtId", ""))
    found: set[str] = set()
    for element in root.iter():
        if _local(element.tag) == "cellXfs":
            for index, xf in enumerate(e for e in element if _local(e.tag) == "xf"):
                if xf.get("numFmtId", "0") in percent:
                    found.add(str(index))
    return found


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


def _sheet_members(zf: zipfile.ZipFile, names: dict[str, str]) -> dict[str, str]:
    """Sheet name -> zip member of its XML, from the package, workbook and their relationships.

    Transitional and strict OOXML alike (namespaces are matched by local name); sheets whose
    part cannot be found are left out.
    """
    workbook = _DEFAULT_WORKBOOK
    for rel in _relationships(zf, names, "_rels/.rels"):
        if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT) and rel.get("Target"):
            workbook = _resolve("", rel.get("Target", ""))
            break
    member = names.get(_norm(workbook))
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
