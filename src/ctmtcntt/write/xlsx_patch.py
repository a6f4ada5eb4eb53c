"""Patching a workbook package: new ``<c>`` elements for the given cells, all else byte for byte.

Only the ``<c>`` elements of the cells written change in the sheet XML, and every other part of
the package (styles, merged cells, widths, data validation, comments, drawings, buttons, the VBA
project of an ``.xlsm``, the cached values of the unit's own formulas) is copied as it was. A
re-save through openpyxl would drop the cached value of every formula in the workbook, images
and form controls; it is kept only as a fallback for sheet XML laid out in ways the patch does
not handle (cells without addresses, shared-formula masters).

The package comes from outside: ``patch_job`` is what a worker process runs, so that a hostile
part harms only that worker.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from xml.sax.saxutils import escape

from ..common.cells import a1, parse_a1
from ..common.numbers import normalize_text
from ..common.zip_names import member_names
from ..read.package import msg_os_error, sheet_members, workbook_related, workbook_relationships
from .number_formats import BUILTIN_FORMATS, shows_exactly

Value = float | str | None
#: One cell to write: sheet name, A1 address, value (None empties the cell).
Write = tuple[str, str, Value]
#: What a worker made of a package: (True, its new bytes, None) or (False, why not in
#: Vietnamese, what the failing code said).
Patched = tuple[bool, bytes | str, str | None]


class Unpatchable(Exception):
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
_CHAIN_RELATIONSHIP = rb"<(?:[\w.-]+:)?Relationship\b[^>]*/calcChain\"[^>]*/>"


# ---------------------------------------------------------------------------------------------
# Styles: a number must show as what it is


class Styles:
    """The cell formats of ``xl/styles.xml``, and clones of them showing numbers as General."""

    def __init__(self, xml: bytes | None) -> None:
        self.xml = xml
        self.formats: dict[int, str] = dict(BUILTIN_FORMATS)
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
            raise Unpatchable("no cell formats to clone")
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
        block = b"<%scellXfs%s>%s%s</%scellXfs>" % (
            prefix,
            attrs,
            body,
            b"".join(self.added),
            prefix,
        )
        return self.xml[: found.start()] + block + self.xml[found.end() :]


# ---------------------------------------------------------------------------------------------
# One sheet's XML


@dataclass(frozen=True, kw_only=True)
class SheetPatch:
    """A sheet's new XML, and whether a formula of the unit's gave way to a value."""

    xml: bytes
    formulas_removed: bool = False


def _number_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _cell_xml(prefix: bytes, ref: str, style: int, value: Value) -> bytes:
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
        raise Unpatchable("a row or cell without its address")
    return found.group(1).decode()


class _SheetPatcher:
    """Rewrites the rows and cells of one sheet's XML, in the sheet's own namespace prefix."""

    def __init__(self, prefix: bytes, styles: Styles) -> None:
        self.prefix = prefix
        self.styles = styles
        self.formulas_removed = False

    def cell(
        self, ref: str, old_attrs: bytes | None, old_body: bytes | None, value: Value
    ) -> bytes:
        """The new ``<c>`` of ``ref``, keeping the old one's style unless it would hide the
        number (then a clone of it showing General)."""
        style = 0
        if old_attrs is not None:
            found = _S_ATTR.search(old_attrs)
            style = int(found.group(1)) if found else 0
        if old_body:
            formula = _FORMULA.search(old_body)
            if formula is not None:
                if b'"shared"' in formula.group(1) and b"ref=" in formula.group(1):
                    raise Unpatchable(f"{ref} holds a shared formula other cells use")
                self.formulas_removed = True
        if isinstance(value, (int, float)) and not shows_exactly(
            self.styles.number_format(style), float(value)
        ):
            style = self.styles.general(style)
        return _cell_xml(self.prefix, ref, style, value)

    def row(
        self, row_attrs: bytes, body: bytes | None, number: int, wanted: Mapping[int, Value]
    ) -> bytes:
        """A row with the ``wanted`` columns' cells replaced or inserted in column order."""
        pieces: list[bytes] = []
        remaining = dict(sorted(wanted.items()))
        position = 0
        inserted = False
        for cell in _CELL.finditer(body or b""):
            column = parse_a1(_address(cell.group(1)))[1]
            for new in [c for c in remaining if c < column]:
                pieces.append(self.cell(a1(number, new), None, None, remaining.pop(new)))
                inserted = True
            pieces.append((body or b"")[position : cell.start()])
            if column in remaining:
                value = remaining.pop(column)
                pieces.append(self.cell(a1(number, column), cell.group(1), cell.group(2), value))
            else:
                pieces.append(cell.group(0))
            position = cell.end()
        tail = (body or b"")[position:]
        for new in list(remaining):
            pieces.append(self.cell(a1(number, new), None, None, remaining.pop(new)))
            inserted = True
        if inserted:
            row_attrs = _SPANS.sub(b"", row_attrs)
        prefix = self.prefix
        return b"<%srow%s>%s%s</%srow>" % (prefix, row_attrs, b"".join(pieces), tail, prefix)

    def new_row(self, number: int, wanted: Mapping[int, Value]) -> bytes:
        """A row the sheet did not have, holding only the ``wanted`` cells."""
        return self.row(f' r="{number}"'.encode(), None, number, wanted)

    def rows(self, body: bytes, by_row: dict[int, dict[int, Value]]) -> bytes:
        """The ``sheetData`` body with every row of ``by_row`` patched or inserted in order."""
        pieces: list[bytes] = []
        position = 0
        last = 0
        for found in _ROW.finditer(body):
            number = int(_address(found.group(1)))
            if number <= last:
                raise Unpatchable("rows out of order")
            last = number
            for new in sorted(r for r in by_row if r < number):
                pieces.append(self.new_row(new, by_row.pop(new)))
            pieces.append(body[position : found.start()])
            if number in by_row:
                attrs = found.group(1).rstrip(b"/")
                pieces.append(self.row(attrs, found.group(2), number, by_row.pop(number)))
            else:
                pieces.append(found.group(0))
            position = found.end()
        pieces.append(body[position:])
        for new in sorted(by_row):
            pieces.append(self.new_row(new, by_row[new]))
        return b"".join(pieces)


def _sheet_data(xml: bytes) -> tuple[bytes, bytes, int, int, bytes, bytes]:
    """The sheet's namespace prefix, its ``sheetData`` body and where that body starts and
    ends, and the opening and closing tags to add when the sheet has an empty
    ``<sheetData/>``."""
    start = _SHEET_DATA.search(xml)
    if start is None:
        raise Unpatchable("no sheetData")
    prefix = start.group(1)
    if start.group(2) == b"/>":
        opening = xml[start.start() : start.end() - 2] + b">"
        return prefix, b"", start.start(), start.end(), opening, b"</" + prefix + b"sheetData>"
    body_end = xml.find(b"</" + prefix + b"sheetData>", start.end())
    if body_end < 0:
        raise Unpatchable("unterminated sheetData")
    return prefix, xml[start.end() : body_end], start.end(), body_end, b"", b""


def patch_sheet(xml: bytes, writes: Mapping[tuple[int, int], Value], styles: Styles) -> SheetPatch:
    """A sheet's XML with the cells of ``writes`` ((row, column) -> value) written as values,
    its dimension widened to them; Unpatchable when its layout is one the patch does not
    handle."""
    prefix, body, body_start, body_end, opening, closing = _sheet_data(xml)
    by_row: dict[int, dict[int, Value]] = {}
    for (row, column), value in writes.items():
        by_row.setdefault(row, {})[column] = value
    patcher = _SheetPatcher(prefix, styles)
    new_body = opening + patcher.rows(body, by_row) + closing
    patched = xml[:body_start] + new_body + xml[body_end:]
    return SheetPatch(
        xml=_widen_dimension(patched, writes), formulas_removed=patcher.formulas_removed
    )


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


# ---------------------------------------------------------------------------------------------
# The package


def _by_sheet(
    writes: Sequence[Write], sheets: Mapping[str, str]
) -> dict[str, dict[tuple[int, int], Value]]:
    by_sheet: dict[str, dict[tuple[int, int], Value]] = {}
    for sheet, cell, value in writes:
        if sheet not in sheets:
            raise Unpatchable(f"sheet {sheet} not found")
        by_sheet.setdefault(sheet, {})[parse_a1(cell)] = value
    return by_sheet


def _without_calc_chain(
    zf: zipfile.ZipFile, names: dict[str, str], chain: str | None, replaced: dict[str, bytes]
) -> set[str]:
    """The calculation chain's member, to drop, and in ``replaced`` the parts naming it without
    it. Excel rebuilds a missing chain; a stale one naming cells that no longer hold formulas
    makes it offer to "repair" the workbook."""
    relationships = names.get(workbook_relationships(zf, names))
    if chain is None or relationships is None:
        return set()
    replaced[relationships] = re.sub(_CHAIN_RELATIONSHIP, b"", zf.read(relationships))
    part = re.escape(("/" + chain).encode())
    replaced["[Content_Types].xml"] = re.sub(
        rb"<(?:[\w.-]+:)?Override\b[^>]*PartName=\"" + part + rb"\"[^>]*/>",
        b"",
        zf.read("[Content_Types].xml"),
    )
    return {chain}


def _copied(zf: zipfile.ZipFile, replaced: Mapping[str, bytes], dropped: set[str]) -> bytes:
    """The package again, member by member in its order, with ``replaced`` members' new
    bytes, without the ``dropped`` ones."""
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


def patched_package(source: Path, writes: Sequence[Write]) -> bytes:
    """The workbook's bytes with ``writes`` applied to its sheet XML, all else as it was;
    Unpatchable when a sheet is laid out in a way the patch does not handle."""
    with zipfile.ZipFile(source) as zf:
        names = member_names(zf)
        sheets = sheet_members(zf, names)
        related = workbook_related(zf, names)
        styles_name = related.get("styles")
        styles = Styles(zf.read(styles_name) if styles_name is not None else None)
        replaced: dict[str, bytes] = {}
        removed = False
        for sheet, cells in _by_sheet(writes, sheets).items():
            patch = patch_sheet(zf.read(sheets[sheet]), cells, styles)
            replaced[sheets[sheet]] = patch.xml
            removed = removed or patch.formulas_removed
        new_styles = styles.patched()
        if new_styles is not None and styles_name is not None:
            replaced[styles_name] = new_styles
        chain = related.get("calcChain")
        dropped = _without_calc_chain(zf, names, chain, replaced) if removed else set()
        return _copied(zf, replaced, dropped)


def _openpyxl_bytes(source: Path, writes: Sequence[Write]) -> bytes:
    """The workbook re-saved through openpyxl with ``writes``: the fallback, which loses
    cached formula values, images and form controls."""
    from openpyxl import load_workbook
    from openpyxl.cell.cell import MergedCell

    book = load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm", keep_links=True)
    for sheet, ref, value in writes:
        cell = book[sheet][ref]
        if isinstance(cell, MergedCell):
            continue
        cell.value = value
        if isinstance(value, (int, float)) and not shows_exactly(cell.number_format, float(value)):
            cell.number_format = "General"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# The worker's job

_MSG_UNPATCHABLE = (
    "Không ghi được các ô tính toán vào tệp này: cấu trúc bên trong tệp bất thường. Hãy mở tệp"
    " bằng Excel, Lưu thành Sổ làm việc Excel (.xlsx) mới rồi thử lại."
)


def patch_request(source: Path, writes: Sequence[Write]) -> str:
    """What ``patch_job`` is given for ``source``: plain text, for a worker process."""
    return json.dumps({"source": str(source), "writes": [list(write) for write in writes]})


def patch_job(job: str) -> Patched:
    """The workbook's new bytes (True, bytes, None) or why they cannot be made (False, in
    Vietnamese, what the failing code said).

    Runs in a worker process: the package comes from outside and the fallback (openpyxl)
    parses all of it; a hostile part may make either spin or balloon.
    """
    request = json.loads(job)
    source = Path(request["source"])
    writes: list[Write] = [(s, c, v) for s, c, v in request["writes"]]
    try:
        try:
            payload = patched_package(source, writes) if writes else source.read_bytes()
        except Unpatchable:
            payload = _openpyxl_bytes(source, writes)
    except MemoryError:
        raise  # the isolation layer says so and replaces this worker
    except Exception as exc:  # a part laid out as no writer would: refuse, in Vietnamese
        reason = msg_os_error(exc) if isinstance(exc, OSError) else _MSG_UNPATCHABLE
        return False, reason, normalize_text(f"{type(exc).__name__}: {exc}")
    return True, payload, None
