"""Writing the computed cells into a unit's own workbook, keeping everything else.

Values, not formulas, are written: a formula written by a program has no cached value until
Excel recalculates it, and readers of cached values (python-calamine, pandas, the Ministry's own
tools) would see an empty cell. A value shows the same everywhere.

The workbook is patched, not re-saved: only the ``<c>`` elements of the computed cells change in
the sheet XML, and every other part of the package (styles, merged cells, widths, data validation,
comments, drawings, buttons, the VBA project of an ``.xlsm``, the cached values of the unit's own
formulas) is copied byte for byte. A re-save through openpyxl would drop the cached value of every
formula in the workbook, images and form controls; it is kept only as a fallback for sheet XML
laid out in ways the patch does not handle (cells without addresses, shared-formula masters).
"""

from __future__ import annotations

import io
import json
import math
import posixpath
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from ..common.cells import a1, parse_a1
from ..common.isolate import Outcome, map_isolated
from ..common.numbers import normalize_text
from ..common.saving import atomic_save, output_path, same_file
from ..compute.totals import Scalar, Table, compute_indicators, compute_projects
from ..errors import UsageError, WorkbookError
from ..findings import Finding
from ..forms.spec import Catalogue, RowSpec, as_catalogue, computed_columns
from ..read.submission import FormData, UnitReport
from ..read.values import Key, inputs, projects


@dataclass(frozen=True, kw_only=True)
class CellWrite:
    """One computed cell to write: sheet, A1 address and value (None empties the cell)."""

    sheet: str
    cell: str
    value: float | str | None


@dataclass(frozen=True, kw_only=True)
class FillResult:
    """What ``fill`` did: the cells computed, those that changed, and where it wrote."""

    source: str
    output: str | None
    writes: tuple[CellWrite, ...]
    changed: tuple[CellWrite, ...]
    # Errors in the workbook: the computed cells that follow from those values are left alone.
    errors: tuple[Finding, ...] = ()


def _sources(row: RowSpec) -> list[tuple[str, str]]:
    """The typed cells a row's computed cells follow from."""
    if row.kind == "percent" and row.ratio_of:
        return [(k, "actual") for k in row.ratio_of]
    if row.parts:
        return [(k, "actual") for k in row.parts]
    return [(row.key, c) for c in row.inputs]


def _indicator_writes(form: FormData, drops: set[Key]) -> list[CellWrite]:
    spec = form.spec
    typed = inputs(form, drops)
    table: Table = compute_indicators(spec, typed)
    writes = []
    for row in form.rows:
        row_spec = spec.by_key.get(row.key)
        if row_spec is None:
            continue
        # With no detail typed there is nothing to compute from: whatever the unit has there
        # stays. Once details are typed, a result that cannot be computed (a zero denominator)
        # empties the cell rather than leaving a stale figure.
        given = any(key in typed for key in _sources(row_spec))
        for column in computed_columns(row_spec):
            cell = form.cell_of(row, column)
            value = table.get((row.key, column))
            if cell is None or isinstance(value, bool) or (value is None and not given):
                continue
            writes.append(CellWrite(sheet=form.sheet, cell=cell, value=value))
    return writes


def _project_writes(form: FormData, drops: set[Key]) -> list[CellWrite]:
    spec = form.spec
    listed = projects(form, drops)
    fixed, done = compute_projects(spec, [(group, values) for group, _, values in listed])
    computed = [c for c in spec.columns if c.sum_of or c.computed]
    writes = []
    for (_, row, typed), (_, values) in zip(listed, done, strict=True):
        for column in computed:
            cell = form.cell_of(row, column.key)
            keep = column.sum_of and not any(k in typed for k in column.sum_of)
            if cell is not None and not keep:
                writes.append(
                    CellWrite(sheet=form.sheet, cell=cell, value=_plain(values.get(column.key)))
                )
    for row in form.rows:
        if row.kind in ("group", "total"):
            for key, value in fixed[row.key].items():
                cell = form.cell_of(row, key)
                if cell is not None:
                    writes.append(CellWrite(sheet=form.sheet, cell=cell, value=_plain(value)))
    return writes


def _plain(value: Scalar) -> float | str | None:
    return None if isinstance(value, bool) else value


def fill_cells(report: UnitReport, findings: Sequence[Finding] | None = None) -> list[CellWrite]:
    """Every computed cell of a unit's report: an indicator form's ratios, totals and
    assessments; a project list's source totals, group rows, total row and rate columns.

    Values with an error (``findings``; the report is checked when they are not given) are
    left out, as consolidation leaves them out: a ratio is never computed from a numerator
    above its denominator, nor a disbursement rate from money disbursed beyond allocation.
    """
    if findings is None:
        from ..check.validation import validate_reports

        [findings] = validate_reports([report])
    drops = {key for finding in findings if finding.is_error for key in finding.drops}
    writes: list[CellWrite] = []
    for form in report.forms.values():
        write = _project_writes if form.spec.has_projects else _indicator_writes
        writes.extend(write(form, drops))
    return writes


def _current(report: UnitReport) -> dict[tuple[str, str], object]:
    return {
        (form.sheet, value.cell): value.raw
        for form in report.forms.values()
        for row in form.rows
        for value in row.values.values()
    }


def _same(old: object, new: float | str | None) -> bool:
    if old in (None, "") and new is None:
        return True
    if isinstance(old, bool):
        return False
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return math.isclose(float(old), float(new), rel_tol=0, abs_tol=1e-9)
    return old == new


def changes(report: UnitReport, writes: Sequence[CellWrite]) -> list[CellWrite]:
    """The writes that would change what the workbook shows now."""
    current = _current(report)
    return [w for w in writes if not _same(current.get((w.sheet, w.cell)), w.value)]


# ---------------------------------------------------------------------------------------------
# Number formats: a number must show as what it is


_BUILTIN_FORMATS = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    49: "@",
}
_LITERAL = re.compile(r'"[^"]*"|\\.|_.|\*.')
_ELAPSED = re.compile(r"\[(?:h+|m+|s+)\]", re.IGNORECASE)
_BRACKET = re.compile(r"\[[^\]]*\]")
_NOT_PLAIN = re.compile(r"[%@/eEyYmMdDhHsSbBgG]")
_SCALING = re.compile(r",(?![0#?])")
_DECIMALS = re.compile(r"\.([0#?]*)")


def _section(number_format: str, negative: bool) -> str:
    sections: list[str] = []
    current = ""
    quoted = False
    for char in number_format:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            sections.append(current)
            current = ""
        else:
            current += char
    sections.append(current)
    return sections[1] if negative and len(sections) > 1 and sections[1] else sections[0]


def shows_exactly(number_format: str | None, value: float) -> bool:
    """Whether a cell with ``number_format`` shows ``value`` as it is in Excel and LibreOffice.

    A percent format shows 66.67 as 6667%, a date format as a date, "0" hides the decimals of
    66.67 and "#,##0," divides by a thousand: none of those shows the number a reader of cached
    values gets. General and plain formats with enough decimals do.
    """
    if number_format is None:
        return False
    section = _section(number_format.strip(), value < 0)
    if section.strip().casefold() in ("", "general"):
        return True
    plain = _LITERAL.sub("", section)
    if _ELAPSED.search(plain):
        return False
    plain = _BRACKET.sub("", plain)
    if plain.strip().casefold() == "general":
        return True
    if _NOT_PLAIN.search(plain) or _SCALING.search(plain) or not re.search(r"[0#?]", plain):
        return False
    match = _DECIMALS.search(plain)
    decimals = len(match.group(1)) if match else 0
    return abs(round(value, decimals) - value) <= 1e-9 * max(1.0, abs(value))


# ---------------------------------------------------------------------------------------------
# Patching the package


class _Unpatchable(Exception):
    """Sheet XML laid out in a way the patch does not handle; openpyxl writes it instead."""


_SHEET_DATA = re.compile(rb"<((?:[\w.-]+:)?)sheetData\b[^>]*?(/>|>)")
_ROW = re.compile(rb"<(?:[\w.-]+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?row>)", re.S)
_CELL = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.S)
_R_ATTR = re.compile(rb'(?:^|\s)r="([^"]*)"')
_S_ATTR = re.compile(rb'(?:^|\s)s="(\d+)"')
_SPANS = re.compile(rb'\s+spans="[^"]*"')
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f\b([^>]*)")
_DIMENSION = re.compile(rb'(<(?:[\w.-]+:)?dimension\b[^>]*?\sref=")([^"]*)(")')
_CELL_XFS = re.compile(rb"<((?:[\w.-]+:)?)cellXfs\b([^>]*)>(.*?)</(?:[\w.-]+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:[\w.-]+:)?xf\b[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?xf>)", re.S)
_NUM_FMT = re.compile(rb"<(?:[\w.-]+:)?numFmt\b[^>]*?/?>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')


def _number_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


class _Styles:
    """The cell formats of ``xl/styles.xml``, and clones of them showing numbers as General."""

    def __init__(self, xml: bytes | None) -> None:
        self.xml = xml
        self.formats: dict[int, str] = dict(_BUILTIN_FORMATS)
        self.xfs: list[bytes] = []
        self.clones: dict[int, int] = {}
        self.added: list[bytes] = []
        if xml is None:
            return
        for element in _NUM_FMT.findall(xml):
            attrs = dict(_ATTR.findall(element))
            if b"numFmtId" in attrs and attrs[b"numFmtId"].isdigit():
                code = unescape(attrs.get(b"formatCode", b"").decode("utf-8"))
                self.formats[int(attrs[b"numFmtId"])] = code
        found = _CELL_XFS.search(xml)
        if found:
            self.xfs = _XF.findall(found.group(3))

    def number_format(self, style: int) -> str | None:
        """The number format of a cell style; None when unknown (treated as unsafe)."""
        if not self.xfs and style == 0:
            return "General"
        if style >= len(self.xfs):
            return None
        match = re.search(rb'numFmtId="(\d+)"', self.xfs[style].split(b">", 1)[0])
        return self.formats.get(int(match.group(1)) if match else 0)

    def general(self, style: int) -> int:
        """A style like ``style`` whose numbers show as General."""
        if style in self.clones:
            return self.clones[style]
        if self.xml is None or style >= len(self.xfs):
            raise _Unpatchable("no cell formats to clone")
        head, sep, tail = self.xfs[style].partition(b">")
        self_closing = head.endswith(b"/")
        head = head[:-1] if self_closing else head
        head = re.sub(rb'\s(?:numFmtId|applyNumberFormat)="[^"]*"', b"", head)
        head += b' numFmtId="0" applyNumberFormat="1"'
        clone = head + (b"/" if self_closing else b"") + sep + tail
        index = len(self.xfs) + len(self.added)
        self.added.append(clone)
        self.clones[style] = index
        return index

    def patched(self) -> bytes | None:
        """The new ``styles.xml``, None when nothing was added."""
        if not self.added or self.xml is None:
            return None
        found = _CELL_XFS.search(self.xml)
        assert found is not None
        prefix, attrs, body = found.group(1), found.group(2), found.group(3)
        total = len(self.xfs) + len(self.added)
        attrs = re.sub(rb'\scount="\d+"', b"", attrs) + b' count="%d"' % total
        block = (
            b"<"
            + prefix
            + b"cellXfs"
            + attrs
            + b">"
            + body
            + b"".join(self.added)
            + b"</"
            + prefix
            + b"cellXfs>"
        )
        return self.xml[: found.start()] + block + self.xml[found.end() :]


@dataclass
class _SheetPatch:
    xml: bytes
    formulas_removed: bool = False


def _cell_xml(prefix: bytes, ref: str, style: int, value: float | str | None) -> bytes:
    p = prefix.decode()
    s = f' s="{style}"' if style else ""
    if value is None:
        text = f'<{p}c r="{ref}"{s}/>'
    elif isinstance(value, str):
        text = (
            f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t>{escape(value)}</{p}t></{p}is></{p}c>'
        )
    else:
        text = f'<{p}c r="{ref}"{s}><{p}v>{_number_text(float(value))}</{p}v></{p}c>'
    return text.encode("utf-8")


def _address(attrs: bytes) -> str:
    found = _R_ATTR.search(attrs)
    if found is None:
        raise _Unpatchable("a row or cell without its address")
    return found.group(1).decode()


def _new_cell(
    prefix: bytes,
    ref: str,
    old_attrs: bytes | None,
    old_body: bytes | None,
    value: float | str | None,
    styles: _Styles,
    patch: _SheetPatch,
) -> bytes:
    style = 0
    if old_attrs is not None:
        found = _S_ATTR.search(old_attrs)
        style = int(found.group(1)) if found else 0
    if old_body:
        formula = _FORMULA.search(old_body)
        if formula is not None:
            if b'"shared"' in formula.group(1) and b"ref=" in formula.group(1):
                raise _Unpatchable(f"{ref} holds a shared formula other cells use")
            patch.formulas_removed = True
    if isinstance(value, (int, float)) and not shows_exactly(
        styles.number_format(style), float(value)
    ):
        style = styles.general(style)
    return _cell_xml(prefix, ref, style, value)


def _patch_row(
    prefix: bytes,
    row_attrs: bytes,
    body: bytes | None,
    number: int,
    wanted: Mapping[int, float | str | None],
    styles: _Styles,
    patch: _SheetPatch,
) -> bytes:
    pieces: list[bytes] = []
    remaining = dict(sorted(wanted.items()))
    position = 0
    inserted = False
    for cell in _CELL.finditer(body or b""):
        column = parse_a1(_address(cell.group(1)))[1]
        for new in [c for c in remaining if c < column]:
            pieces.append(
                _new_cell(prefix, a1(number, new), None, None, remaining.pop(new), styles, patch)
            )
            inserted = True
        pieces.append((body or b"")[position : cell.start()])
        if column in remaining:
            pieces.append(
                _new_cell(
                    prefix,
                    a1(number, column),
                    cell.group(1),
                    cell.group(2),
                    remaining.pop(column),
                    styles,
                    patch,
                )
            )
        else:
            pieces.append(cell.group(0))
        position = cell.end()
    tail = (body or b"")[position:]
    for new in list(remaining):
        pieces.append(
            _new_cell(prefix, a1(number, new), None, None, remaining.pop(new), styles, patch)
        )
        inserted = True
    if inserted:
        row_attrs = _SPANS.sub(b"", row_attrs)
    return (
        b"<"
        + prefix
        + b"row"
        + row_attrs
        + b">"
        + b"".join(pieces)
        + tail
        + b"</"
        + prefix
        + b"row>"
    )


def _patch_sheet(
    xml: bytes, writes: Mapping[tuple[int, int], float | str | None], styles: _Styles
) -> _SheetPatch:
    patch = _SheetPatch(xml=xml)
    start = _SHEET_DATA.search(xml)
    if start is None:
        raise _Unpatchable("no sheetData")
    prefix = start.group(1)
    if start.group(2) == b"/>":
        body, body_start, body_end = b"", start.start(), start.end()
        opening, closing = (
            xml[start.start() : start.end() - 2] + b">",
            b"</" + prefix + b"sheetData>",
        )
    else:
        body_start = start.end()
        body_end = xml.find(b"</" + prefix + b"sheetData>", body_start)
        if body_end < 0:
            raise _Unpatchable("unterminated sheetData")
        body = xml[body_start:body_end]
        opening = closing = b""
    by_row: dict[int, dict[int, float | str | None]] = {}
    for (row, column), value in writes.items():
        by_row.setdefault(row, {})[column] = value
    pieces: list[bytes] = []
    position = 0
    last = 0
    for found in _ROW.finditer(body):
        number = int(_address(found.group(1)))
        if number <= last:
            raise _Unpatchable("rows out of order")
        last = number
        for new in sorted(r for r in by_row if r < number):
            pieces.append(
                _patch_row(
                    prefix, f' r="{new}"'.encode(), None, new, by_row.pop(new), styles, patch
                )
            )
        pieces.append(body[position : found.start()])
        if number in by_row:
            pieces.append(
                _patch_row(
                    prefix,
                    found.group(1).rstrip(b"/"),
                    found.group(2),
                    number,
                    by_row.pop(number),
                    styles,
                    patch,
                )
            )
        else:
            pieces.append(found.group(0))
        position = found.end()
    pieces.append(body[position:])
    for new in sorted(by_row):
        pieces.append(
            _patch_row(prefix, f' r="{new}"'.encode(), None, new, by_row[new], styles, patch)
        )
    new_body = opening + b"".join(pieces) + closing
    patched = xml[:body_start] + new_body + xml[body_end:]
    patch.xml = _widen_dimension(patched, writes)
    return patch


def _widen_dimension(xml: bytes, writes: Mapping[tuple[int, int], object]) -> bytes:
    found = _DIMENSION.search(xml)
    if found is None or not writes:
        return xml
    try:
        corners = [parse_a1(p) for p in found.group(2).decode().split(":")]
    except ValueError:
        return xml
    rows = [r for r, _ in corners] + [r for r, _ in writes]
    columns = [c for _, c in corners] + [c for _, c in writes]
    ref = f"{a1(min(rows), min(columns))}:{a1(max(rows), max(columns))}".encode()
    if ref == found.group(2):
        return xml
    return xml[: found.start(2)] + ref + xml[found.end(2) :]


def _xml(zf: zipfile.ZipFile, name: str) -> Any:
    from defusedxml import ElementTree

    return ElementTree.fromstring(zf.read(name))


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _parts(zf: zipfile.ZipFile) -> tuple[str, dict[str, str], str | None]:
    """The workbook part, each sheet's part by name, and the calculation chain part."""
    workbook = "xl/workbook.xml"
    for rel in _xml(zf, "_rels/.rels"):
        if rel.get("Type", "").endswith("/officeDocument"):
            workbook = _target("", rel.get("Target", workbook))
    targets: dict[str, str] = {}
    chain = None
    for rel in _xml(zf, _rels_of(workbook)):
        targets[rel.get("Id", "")] = _target(workbook, rel.get("Target", ""))
        if rel.get("Type", "").endswith("/calcChain"):
            chain = targets[rel.get("Id", "")]
    sheets: dict[str, str] = {}
    for element in _xml(zf, workbook).iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        if rid in targets:
            sheets[element.get("name", "")] = targets[rid]
    return workbook, sheets, chain


def _styles_part(zf: zipfile.ZipFile, workbook: str) -> str | None:
    for rel in _xml(zf, _rels_of(workbook)):
        if rel.get("Type", "").endswith("/styles"):
            return _target(workbook, rel.get("Target", ""))
    return None


def _without_chain(data: bytes, pattern: bytes) -> bytes:
    return re.sub(pattern, b"", data)


def _patched_package(source: Path, writes: Sequence[CellWrite]) -> bytes:
    """The workbook's bytes with ``writes`` applied to its sheet XML, all else as it was."""
    replaced: dict[str, bytes] = {}
    dropped: set[str] = set()
    with zipfile.ZipFile(source) as zf:
        workbook, sheets, chain = _parts(zf)
        styles_name = _styles_part(zf, workbook)
        names = set(zf.namelist())
        styles = _Styles(zf.read(styles_name) if styles_name in names else None)
        by_sheet: dict[str, dict[tuple[int, int], float | str | None]] = {}
        for write in writes:
            if write.sheet not in sheets:
                raise _Unpatchable(f"sheet {write.sheet} not found")
            by_sheet.setdefault(write.sheet, {})[parse_a1(write.cell)] = write.value
        removed = False
        for sheet, cells in by_sheet.items():
            patch = _patch_sheet(zf.read(sheets[sheet]), cells, styles)
            replaced[sheets[sheet]] = patch.xml
            removed = removed or patch.formulas_removed
        new_styles = styles.patched()
        if new_styles is not None and styles_name is not None:
            replaced[styles_name] = new_styles
        if removed and chain is not None and chain in names:
            # Excel rebuilds a missing calculation chain; a stale one naming cells that no
            # longer hold formulas makes it offer to "repair" the workbook.
            dropped.add(chain)
            rels = _rels_of(workbook)
            replaced[rels] = _without_chain(
                zf.read(rels), rb"<(?:[\w.-]+:)?Relationship\b[^>]*/calcChain\"[^>]*/>"
            )
            part = re.escape(("/" + chain).encode())
            replaced["[Content_Types].xml"] = _without_chain(
                zf.read("[Content_Types].xml"),
                rb"<(?:[\w.-]+:)?Override\b[^>]*PartName=\"" + part + rb"\"[^>]*/>",
            )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as out:
            for info in zf.infolist():
                if info.filename in dropped:
                    continue
                data = replaced.get(info.filename)
                if data is None:
                    data = zf.read(info)
                copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                copy.compress_type = info.compress_type
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                out.writestr(copy, data)
    return buffer.getvalue()


class _Saver:
    """The new workbook's bytes, as something ``atomic_save`` can save (it also keeps the
    replaced file's permissions)."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    def save(self, stream: IO[bytes]) -> None:
        stream.write(self.payload)


def _openpyxl_book(source: Path, writes: Sequence[CellWrite]) -> Any:
    from openpyxl import load_workbook
    from openpyxl.cell.cell import MergedCell

    book = load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm", keep_links=True)
    for write in writes:
        cell = book[write.sheet][write.cell]
        if isinstance(cell, MergedCell):
            continue
        cell.value = write.value
        if isinstance(write.value, (int, float)) and not shows_exactly(
            cell.number_format, float(write.value)
        ):
            cell.number_format = "General"
    return book


_MSG_UNPATCHABLE = (
    "Không ghi được các ô tính toán vào tệp này: cấu trúc bên trong tệp bất thường. Hãy mở tệp"
    " bằng Excel, Lưu thành Sổ làm việc Excel (.xlsx) mới rồi thử lại."
)
_MSG_NOT_READ = "Không đọc được tệp từ ổ đĩa: hãy chép lại tệp (hoặc tải lại) rồi thử lại."
Patched = tuple[bool, bytes | str, str | None]


def _patch_one(job: str) -> Patched:
    """The workbook's new bytes (True, bytes, None) or why they cannot be made (False, in
    Vietnamese, what the failing code said).

    Runs in a worker process: the package comes from outside and the fallback (openpyxl)
    parses all of it; a hostile part may make either spin or balloon.
    """
    request = json.loads(job)
    source = Path(request["source"])
    writes = [CellWrite(sheet=s, cell=c, value=v) for s, c, v in request["writes"]]
    try:
        try:
            payload = _patched_package(source, writes) if writes else source.read_bytes()
        except _Unpatchable:
            buffer = io.BytesIO()
            _openpyxl_book(source, writes).save(buffer)
            payload = buffer.getvalue()
    except MemoryError:
        raise  # the isolation layer says so and replaces this worker
    except Exception as exc:  # a part laid out as no writer would: refuse, in Vietnamese
        reason = _MSG_NOT_READ if isinstance(exc, OSError) else _MSG_UNPATCHABLE
        return False, reason, normalize_text(f"{type(exc).__name__}: {exc}")
    return True, payload, None


def _request(source: Path, writes: Sequence[CellWrite]) -> str:
    return json.dumps(
        {"source": str(source), "writes": [[w.sheet, w.cell, w.value] for w in writes]}
    )


def _save(source: Path, target: Path, outcome: Outcome[Patched]) -> Path:
    """Write what a worker made of ``source`` to ``target``; WorkbookError when it made nothing."""
    from ..check.batch import isolation_refusal

    if outcome.value is None or outcome.error is not None:
        raise WorkbookError(source, isolation_refusal(outcome.error))
    done, payload, detail = outcome.value
    if not done or not isinstance(payload, bytes):
        raise WorkbookError(source, str(payload), detail=detail)
    return atomic_save(_Saver(payload), target)


def write_cells(source: str | Path, output: str | Path, writes: Sequence[CellWrite]) -> Path:
    """Copy ``source`` to ``output`` with ``writes`` applied, keeping styles, merges, widths,
    data validation, comments and the VBA of an .xlsm; returns the path written. The package
    is patched in an isolated worker; ``output`` is replaced atomically."""
    from ..check.batch import worker_bounds

    source = Path(source)
    target = output_path(output, source.suffix.lower())
    [outcome] = list(map_isolated(_patch_one, [_request(source, writes)], **worker_bounds()))
    return _save(source, target, outcome)


@dataclass(frozen=True, kw_only=True)
class _Job:
    source: Path
    target: Path
    in_place: bool


def _plan(path: str | Path, output: str | Path | None, in_place: bool) -> _Job:
    """Check what was asked before any reading: a refusal costs nothing then."""
    source = Path(path)
    if in_place == (output is not None):
        raise UsageError("Hãy chọn một trong hai: -o TỆP_KẾT_QUẢ hoặc --in-place.")
    if source.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UsageError(
            f"{source}: chỉ điền được tệp .xlsx hoặc .xlsm; hãy mở bằng Excel và lưu thành .xlsx."
        )
    # The copy keeps the source's kind: an .xlsm's macros under an .xlsx name would not open.
    target = source if in_place else output_path(output, source.suffix.lower())  # type: ignore[arg-type]
    if not in_place and same_file(source, target):
        raise UsageError(f"Tệp kết quả trùng tệp gốc {source}; dùng --in-place nếu muốn ghi đè.")
    return _Job(source=source, target=target, in_place=in_place)


def fill_files(
    jobs: Sequence[tuple[str | Path, str | Path | None]],
    *,
    in_place: bool = False,
    forms: Catalogue | str | Path | None = None,
) -> Iterator[FillResult | WorkbookError]:
    """``fill`` for many workbooks at once, each (source, output), in the order given: its
    result, or the WorkbookError saying why that file was refused. Usage mistakes raise.

    Every file is read and patched in isolated worker processes with the bounds that
    ``validate`` uses (time, memory, size): a hostile file is refused, never the end of the
    program that fills it.
    """
    from ..check.batch import Refused, read_reports, worker_bounds
    from ..check.validation import validate_reports  # pandas: imported while the workers read

    catalogue = as_catalogue(forms)
    planned = [_plan(source, output, in_place) for source, output in jobs]
    read = list(read_reports([job.source for job in planned], forms=catalogue))
    sheets = " hay ".join(spec.sheet for spec in catalogue.forms.values())
    pending: list[tuple[int, FillResult]] = []
    results: list[FillResult | WorkbookError | None] = [None] * len(planned)
    for index, (job, report) in enumerate(zip(planned, read, strict=True)):
        if isinstance(report, Refused):
            results[index] = WorkbookError(job.source, report.reason, detail=report.detail)
            continue
        if not report.forms:
            results[index] = WorkbookError(
                job.source,
                f"Không tìm thấy {sheets} trong tệp để điền (xem: ctmt validate).",
            )
            continue
        renamed = next((f for f in report.findings if f.code == "duplicate-sheet-name"), None)
        if renamed is not None:
            # The sheets were read under names of our own, which the file does not have.
            results[index] = WorkbookError(
                job.source,
                f'Sổ làm việc có hai trang tính cùng tên "{renamed.value}" (tệp bị lỗi cấu trúc):'
                " hãy mở bằng Excel, đồng ý sửa chữa, đặt cho mỗi trang một tên riêng, Lưu rồi"
                " điền lại.",
            )
            continue
        [findings] = validate_reports([report])
        writes = fill_cells(report, findings)
        changed = changes(report, writes)
        result = FillResult(
            source=str(job.source),
            output=str(job.target),
            writes=tuple(writes),
            changed=tuple(changed),
            errors=tuple(f for f in findings if f.is_error),
        )
        if changed or not job.in_place:
            pending.append((index, result))
        else:
            results[index] = result  # already right: an in-place fill rewrites nothing
    requests = [_request(planned[index].source, result.changed) for index, result in pending]
    # All patched before any is saved: a save that fails (a full disk) leaves no worker behind.
    patched = list(map_isolated(_patch_one, requests, **worker_bounds()))
    for (index, result), outcome in zip(pending, patched, strict=True):
        job = planned[index]
        try:
            _save(job.source, job.target, outcome)
        except WorkbookError as exc:
            results[index] = exc
        else:
            results[index] = result
    for item in results:
        assert item is not None
        yield item


def fill(
    path: str | Path,
    output: str | Path | None = None,
    *,
    in_place: bool = False,
    forms: Catalogue | str | Path | None = None,
) -> FillResult:
    """Write the computed cells of a unit's workbook to ``output`` (or into it, ``in_place``).
    ``forms`` is the form set (the default set when None).

    ``output`` gets the source's extension when it has none (``-o tinh`` writes tinh.xlsx).
    Running it twice changes nothing the second time: in place, a workbook whose computed cells
    are already right is not rewritten at all. A file that cannot be read or patched safely
    (broken, hostile, too large) raises WorkbookError with a Vietnamese reason; see
    :func:`fill_files`.
    """
    [result] = fill_files([(path, output)], in_place=in_place, forms=forms)
    if isinstance(result, WorkbookError):
        raise result
    return result
