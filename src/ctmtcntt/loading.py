"""Opening a workbook file: its sheets' values with a fast reader, and the formulas without values.

python-calamine reads cached values quickly but cannot tell a formula that was never calculated
(a file written by a program and never opened in Excel) from an empty cell; every reader returns
None or "" there, silently. A regex over the raw sheet XML finds those cells in well under a
millisecond, so staff are told to open and save the file instead of us reading the cell as 0.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree

from .errors import WorkbookError
from .locate import Grid
from .reading import UnitReport, read_grids
from .sniff import check_xml_safety, sniff

_UNCACHED = re.compile(
    rb'<(?:\w+:)?c r="([A-Z]{1,3}[0-9]+)"[^>]*>\s*<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>[^<]*</(?:\w+:)?f>)'
    rb"\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PKG_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def read_workbook(path: str | Path) -> UnitReport:
    """Read a unit's workbook file (.xlsx, .xlsm, .xls, .ods) into its report.

    Raises ``WorkbookError`` with a Vietnamese reason when the file is not a readable workbook
    (encrypted, corrupt, HTML or CSV under an Excel name, …). Run it through
    ``_isolate.map_isolated`` when the file comes from outside: a malformed file can abort the
    native reader.
    """
    path = Path(path)
    sniffed = sniff(path)
    if not sniffed.readable:
        raise WorkbookError(path, sniffed.message or "Không phải tệp Excel.")
    data = path.read_bytes()
    uncached = _uncached_cells(path) if sniffed.kind == "xlsx" else {}
    grids = _grids(path)
    report = read_grids(grids, str(path), uncached=uncached)
    return _with_hash(report, hashlib.sha256(data).hexdigest())


def _with_hash(report: UnitReport, digest: str) -> UnitReport:
    from dataclasses import replace

    return replace(report, sha256=digest)


def _grids(path: Path) -> dict[str, Grid]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        return {
            name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in book.sheet_names
        }
    except Exception as exc:  # the reader's own error types vary by format and version
        raise WorkbookError(path, f"Không đọc được nội dung bảng tính ({exc}).") from exc


def _uncached_cells(path: Path) -> dict[str, set[str]]:
    """Per sheet name, the cells whose formula carries no calculated value."""
    found: dict[str, set[str]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for name, member in _sheet_members(zf, path).items():
                _safe(zf, member, path)
                xml = zf.read(member)
                cells = {m.group(1).decode() for m in _UNCACHED.finditer(xml)}
                if cells:
                    found[name] = cells
    except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError) as exc:
        raise WorkbookError(path, f"Cấu trúc tệp .xlsx bị hỏng ({exc}).") from exc
    return found


def _safe(zf: zipfile.ZipFile, member: str, path: Path) -> None:
    refusal = check_xml_safety(zf, member)
    if refusal is not None:
        raise WorkbookError(path, refusal)


def _sheet_members(zf: zipfile.ZipFile, path: Path) -> dict[str, str]:
    """Sheet name -> zip member of its XML, from the workbook and its relationships."""
    workbook = "xl/workbook.xml"
    rels = "xl/_rels/workbook.xml.rels"
    for needed in (workbook, rels):
        _safe(zf, needed, path)
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in ElementTree.fromstring(zf.read(rels)).iter(f"{_PKG_NS}Relationship")
    }
    members: dict[str, str] = {}
    for sheet in ElementTree.fromstring(zf.read(workbook)).iter(f"{_MAIN_NS}sheet"):
        target = targets.get(sheet.get(_REL_NS), "")
        if not target:
            continue
        member = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        members[sheet.get("name", "")] = posixpath.normpath(member)
    return members
