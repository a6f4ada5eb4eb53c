"""Golden workbooks for the tests: the Ministry's forms filled the way units fill them.

Every builder loads a copy of a blank form (``PL01.xlsx``, ``PL02.xlsx``) with openpyxl, writes
the unit's name on the "Đơn vị báo cáo:" line and types values into the cells a clerk would use.
Variants then add what real units do to the forms (insert or delete rows, add or hide columns,
unmerge the header, rename the sheet, type in NFD) and a :class:`Book` keeps track of where every
value landed, so a test asserts the exact sheet and A1 cell a finding must name.

Rows are found in the blank form by their STT, never by fixed addresses, so a new print of the
forms with shifted rows keeps the tests right.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

REPO = Path(__file__).resolve().parents[1]
FORMS = Path(os.environ.get("CTMT_FORMS") or REPO / "tests" / "fixtures" / "forms")
EXAMPLE = REPO / "examples" / "binh-dinh-2020"
ROSTER = EXAMPLE / "roster.csv"

NBSP = "\u00a0"
ROMAN = ("I", "II", "III", "IV", "V")
UNIT_LABEL = "Đơn vị báo cáo:"
# The province-wide unit of the example roster (TINH): the only one that fills (*) rows.
PROVINCE = "Sở Thông tin và Truyền thông (số liệu chung toàn tỉnh)"

Where = tuple[str, str]  # sheet title, A1 address
CellKey = tuple[str, str, int]  # form, row key ("3.a", "TOTAL", "I.2"), column number


def a1(row: int, column: int) -> str:
    """The A1 address of a 1-based row and column."""
    return f"{get_column_letter(column)}{row}"


# ---------------------------------------------------------------------------------------------
# The blank forms, read as a clerk reads them


@dataclass(frozen=True, kw_only=True)
class Blank:
    """Where things sit in a blank form: header rows, numbering row, row keys, project slots."""

    form: str
    path: Path
    header_rows: tuple[int, ...]
    numbering_row: int
    columns: dict[int, int]  # form column number -> sheet column
    rows: dict[str, int]  # row key -> sheet row
    slots: dict[str, list[int]]  # PL02 group -> its blank project rows
    unit_cell: tuple[int, int]


def _stt_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@cache
def blank(form: str) -> Blank:
    """Read the blank form ``PL01`` or ``PL02``: its numbering row and where each row is."""
    path = FORMS / f"{form}.xlsx"
    ws = openpyxl.load_workbook(path).worksheets[0]
    numbering = next(r for r in range(1, ws.max_row + 1) if _stt_text(ws.cell(r, 1).value) == "(1)")
    columns = {}
    for c in range(1, ws.max_column + 1):
        text = _stt_text(ws.cell(numbering, c).value)
        if text.startswith("("):
            columns[int(text[1 : text.index(")")])] = c
    unit = next(
        (r, c)
        for r in range(1, numbering)
        for c in range(1, ws.max_column + 1)
        if str(ws.cell(r, c).value or "").startswith(UNIT_LABEL)
    )
    header_top = next(r for r in range(1, numbering) if ws.cell(r, 1).value == "STT")
    rows: dict[str, int] = {}
    slots: dict[str, list[int]] = {}
    parent = group = ""
    for r in range(numbering + 1, ws.max_row + 1):
        stt, name = _stt_text(ws.cell(r, 1).value), _stt_text(ws.cell(r, 2).value)
        if stt.startswith("Ghi chú") or not (stt or name):
            if rows:
                break
            continue
        if form == "PL02":
            if name.startswith("TỔNG SỐ"):
                rows["TOTAL"] = r
            elif stt in ROMAN:
                group = stt
                rows[group] = r
                slots[group] = []
            else:
                slots[group].append(r)
        elif stt in ROMAN:
            rows[stt] = r
        elif stt.isdigit():
            parent = stt
            rows[stt] = r
        else:
            rows[f"{parent}.{stt}"] = r
    return Blank(
        form=form,
        path=path,
        header_rows=tuple(range(header_top, numbering)),
        numbering_row=numbering,
        columns=columns,
        rows=rows,
        slots=slots,
        unit_cell=unit,
    )


# ---------------------------------------------------------------------------------------------
# A filled sheet and a filled workbook


@dataclass
class Sheet:
    """One form's sheet in a workbook being built, and where its rows and columns are now."""

    form: str
    ws: Worksheet
    header_rows: tuple[int, ...]
    numbering_row: int
    columns: dict[int, int]
    rows: dict[str, int]
    slots: dict[str, list[int]]
    unit_cell: tuple[int, int]

    def cell(self, key: str, column: int) -> str:
        """The A1 address, as things stand now, of a row key and a form column number."""
        return a1(self.rows[key], self.columns[column])

    def write(self, key: str, column: int, value: object) -> None:
        """Type ``value`` into the cell of a row and a form column."""
        self.ws.cell(self.rows[key], self.columns[column]).value = value

    def shift_rows(self, at: int, by: int) -> None:
        """Sheet rows from ``at`` down moved by ``by`` (an inserted or deleted row)."""

        def moved(row: int) -> int:
            return row + by if row >= at else row

        self.rows = {k: moved(r) for k, r in self.rows.items()}
        self.slots = {g: [moved(r) for r in rs] for g, rs in self.slots.items()}
        self.header_rows = tuple(moved(r) for r in self.header_rows)
        self.numbering_row = moved(self.numbering_row)
        self.unit_cell = (moved(self.unit_cell[0]), self.unit_cell[1])

    def shift_columns(self, at: int, by: int) -> None:
        """Sheet columns from ``at`` rightwards moved by ``by`` (an inserted column)."""
        self.columns = {n: c + by if c >= at else c for n, c in self.columns.items()}
        row, column = self.unit_cell
        self.unit_cell = (row, column + by if column >= at else column)


@dataclass
class Book:
    """A workbook being built: its sheets by form, and every value typed, by form, row, column."""

    wb: Workbook
    sheets: dict[str, Sheet]
    typed: dict[CellKey, object] = field(default_factory=dict)

    def sheet(self, form: str) -> Sheet:
        """The sheet holding ``form``."""
        return self.sheets[form]

    def where(self, form: str, key: str, column: int) -> Where:
        """(sheet title, A1) of a row key and form column, after every variant applied so far."""
        sheet = self.sheets[form]
        return sheet.ws.title, sheet.cell(key, column)

    def unit_where(self, form: str = "PL01") -> Where:
        """(sheet title, A1) of the "Đơn vị báo cáo:" line."""
        sheet = self.sheets[form]
        return sheet.ws.title, a1(*sheet.unit_cell)

    def landed(self) -> dict[CellKey, Where]:
        """Where each typed value landed, as things stand now."""
        return {key: self.where(*key) for key in self.typed}

    def save(self, path: Path) -> Path:
        """Save with openpyxl (formulas keep no calculated value, as in any file it writes)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.wb.save(path)
        return path


def _open(form: str) -> tuple[Workbook, Sheet]:
    plan = blank(form)
    wb = openpyxl.load_workbook(plan.path)
    ws = wb.worksheets[0]
    sheet = Sheet(
        form=form,
        ws=ws,
        header_rows=plan.header_rows,
        numbering_row=plan.numbering_row,
        columns=dict(plan.columns),
        rows=dict(plan.rows),
        slots={g: list(rs) for g, rs in plan.slots.items()},
        unit_cell=plan.unit_cell,
    )
    return wb, sheet


def _write_unit(sheet: Sheet, unit: str | None) -> None:
    if unit is not None:
        sheet.ws.cell(*sheet.unit_cell).value = f"{UNIT_LABEL} {unit}"


def fill_pl01(
    values: Mapping[tuple[str, int], object] | None = None, unit: str | None = "Sở Tài chính"
) -> Book:
    """Fill a copy of PL01: ``values`` maps (STT path, form column number) to what is typed.

    ``unit`` None leaves the "Đơn vị báo cáo: ....." line as the Ministry printed it.
    """
    wb, sheet = _open("PL01")
    _write_unit(sheet, unit)
    book = Book(wb=wb, sheets={"PL01": sheet})
    for (key, column), value in (values or {}).items():
        sheet.write(key, column, value)
        book.typed["PL01", key, column] = value
    return book


@dataclass(frozen=True)
class Project:
    """A project row of PL02: its group, name and values by form column number (3 … 19)."""

    group: str
    name: str | None
    values: Mapping[int, object] = field(default_factory=dict)


def fill_pl02(
    projects: Sequence[Project] = (),
    unit: str | None = "Sở Tài chính",
    typed: Mapping[tuple[str, int], object] | None = None,
) -> Book:
    """Fill a copy of PL02 with ``projects`` under their groups, adding rows when a group needs more
    than the form's blank ones; ``typed`` puts values on the fixed rows ("TOTAL", "I", "II", "III").

    The k-th project of group I is row key "I.k", as the reader numbers them.
    """
    wb, sheet = _open("PL02")
    _write_unit(sheet, unit)
    book = Book(wb=wb, sheets={"PL02": sheet})
    counters: dict[str, int] = {}
    for project in projects:
        number = counters[project.group] = counters.get(project.group, 0) + 1
        if number > len(sheet.slots[project.group]):
            at = sheet.slots[project.group][-1] + 1
            insert_rows(sheet, at)
            sheet.slots[project.group].append(at)
            sheet.ws.cell(at, sheet.columns[1]).value = number
        key = f"{project.group}.{number}"
        sheet.rows[key] = sheet.slots[project.group][number - 1]
        cells: dict[int, object] = {2: project.name, **project.values}
        for column, value in cells.items():
            if value is not None:
                sheet.write(key, column, value)
                book.typed["PL02", key, column] = value
    for (key, column), value in (typed or {}).items():
        sheet.write(key, column, value)
        book.typed["PL02", key, column] = value
    return book


def both(pl01: Book, pl02: Book, *, pl02_first: bool = False) -> Book:
    """One workbook with both forms: PL02's sheet copied into PL01's workbook, as units do."""
    source = pl02.sheets["PL02"]
    ws = pl01.wb.create_sheet(source.ws.title)
    copy_sheet(source.ws, ws)
    if pl02_first:
        pl01.wb.move_sheet(ws, offset=-pl01.wb.index(ws))
        pl01.wb.active = 0
    moved = Sheet(**{**source.__dict__, "ws": ws})
    return Book(
        wb=pl01.wb,
        sheets={**pl01.sheets, "PL02": moved},
        typed={**pl01.typed, **pl02.typed},
    )


def copy_sheet(src: Worksheet, dst: Worksheet) -> None:
    """Recreate ``src`` (from another workbook) in ``dst``: values, styles, merges, sizes."""
    for row in src.iter_rows():
        for cell in row:
            if isinstance(cell, MergedCell):
                continue
            target = dst.cell(row=cell.row, column=cell.column, value=cell.value)
            if cell.has_style:
                _copy_style(cell, target)
    for rng in src.merged_cells.ranges:
        dst.merge_cells(str(rng))
    for key, dim in src.column_dimensions.items():
        dst.column_dimensions[key].width = dim.width
        dst.column_dimensions[key].hidden = dim.hidden
    for key, row_dim in src.row_dimensions.items():
        if row_dim.height is not None:
            dst.row_dimensions[key].height = row_dim.height


def _copy_style(src: object, dst: object) -> None:
    for name in ("font", "border", "fill", "protection", "alignment"):
        setattr(dst, name, copy(getattr(src, name)))
    dst.number_format = src.number_format  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# Variants: what units do to the forms


def insert_rows(sheet: Sheet, at: int, amount: int = 1) -> None:
    """Insert blank rows at sheet row ``at`` (merges below follow; styles copied from above)."""
    ws = sheet.ws
    below = [
        (r0, c0, r1, c1)
        for r0, c0, r1, c1 in (
            (m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges
        )
        if r0 >= at
    ]
    for r0, c0, r1, c1 in below:
        ws.unmerge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
    ws.insert_rows(at, amount)
    for r0, c0, r1, c1 in below:
        ws.merge_cells(start_row=r0 + amount, start_column=c0, end_row=r1 + amount, end_column=c1)
    for new in range(at, at + amount) if at > 1 else ():
        for column in range(1, ws.max_column + 1):
            _copy_style(ws.cell(at - 1, column), ws.cell(new, column))
    sheet.shift_rows(at, amount)


def insert_row_before(book: Book, form: str, key: str) -> Book:
    """A blank row inserted just above row ``key`` (a unit making room, or by mistake)."""
    sheet = book.sheets[form]
    insert_rows(sheet, sheet.rows[key])
    return book


def delete_row(book: Book, form: str, key: str) -> Book:
    """Row ``key`` deleted altogether (right-click, Delete row)."""
    sheet = book.sheets[form]
    _delete_sheet_row(sheet, sheet.rows.pop(key))
    return book


def _delete_sheet_row(sheet: Sheet, at: int) -> None:
    ws = sheet.ws
    below = [
        (m.min_row, m.min_col, m.max_row, m.max_col)
        for m in ws.merged_cells.ranges
        if m.min_row > at
    ]
    for r0, c0, r1, c1 in below:
        ws.unmerge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
    ws.delete_rows(at)
    for r0, c0, r1, c1 in below:
        ws.merge_cells(start_row=r0 - 1, start_column=c0, end_row=r1 - 1, end_column=c1)
    sheet.shift_rows(at + 1, -1)


def clear_row(book: Book, form: str, key: str) -> Book:
    """Every cell of row ``key`` emptied, STT and name included (select the row, press Delete)."""
    sheet = book.sheets[form]
    for column in range(1, sheet.ws.max_column + 1):
        sheet.ws.cell(sheet.rows[key], column).value = None
    return book


def insert_column(book: Book, form: str, at: int = 1, header: str | None = None) -> Book:
    """An extra column at sheet column ``at`` (1: a new column A before the whole form)."""
    sheet = book.sheets[form]
    ws = sheet.ws
    right = [
        (m.min_row, m.min_col, m.max_row, m.max_col)
        for m in ws.merged_cells.ranges
        if m.min_col >= at
    ]
    spanning = [
        (m.min_row, m.min_col, m.max_row, m.max_col)
        for m in ws.merged_cells.ranges
        if m.min_col < at <= m.max_col
    ]
    for r0, c0, r1, c1 in right + spanning:
        ws.unmerge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
    ws.insert_cols(at)
    for r0, c0, r1, c1 in right:
        ws.merge_cells(start_row=r0, start_column=c0 + 1, end_row=r1, end_column=c1 + 1)
    for r0, c0, r1, c1 in spanning:  # a merge across the new column widens, as in Excel
        ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1 + 1)
    if header is not None:  # under a widened merge the header goes on the lower header row
        row = next(r for r in sheet.header_rows if not isinstance(ws.cell(r, at), MergedCell))
        ws.cell(row, at).value = header
    sheet.shift_columns(at, 1)
    return book


def letterhead(book: Book, form: str, lines: Sequence[str]) -> Book:
    """Rows with the unit's letterhead inserted above the Ministry's title."""
    sheet = book.sheets[form]
    insert_rows(sheet, 1, len(lines))
    for row, line in enumerate(lines, start=1):
        sheet.ws.cell(row, 1).value = line
    return book


def delete_numbering_row(book: Book, form: str) -> Book:
    """The numbering row "(1) (2) … (6)=(5)/(4)x100" deleted, as some units do before printing."""
    sheet = book.sheets[form]
    _delete_sheet_row(sheet, sheet.numbering_row)
    return book


def add_sheet(book: Book, title: str, text: str = "", *, hidden: bool = False) -> Book:
    """Another sheet in the workbook (the unit's own notes, a hidden helper sheet)."""
    ws = book.wb.create_sheet(title)
    if text:
        ws["A1"] = text
    if hidden:
        ws.sheet_state = "hidden"
    return book


def hide_rows(book: Book, form: str, keys: Iterable[str]) -> Book:
    """Rows hidden (a unit hiding the (*) rows it does not fill); their cells are still there."""
    sheet = book.sheets[form]
    for key in keys:
        sheet.ws.row_dimensions[sheet.rows[key]].hidden = True
    return book


def drop_blank_project_rows(book: Book) -> Book:
    """PL02's blank project rows that the unit did not use, deleted."""
    sheet = book.sheets["PL02"]
    used = set(sheet.rows.values())
    blanks = [r for rows in sheet.slots.values() for r in rows if r not in used]
    for row in sorted(blanks, reverse=True):
        _delete_sheet_row(sheet, row)
    sheet.slots = {
        group: [row for key, row in sheet.rows.items() if key.startswith(f"{group}.")]
        for group in sheet.slots
    }
    return book


def project_stt(book: Book, text: Callable[[str, int], object]) -> Book:
    """PL02 projects' STT retyped: ``text(group, number)`` ("1.1", "-", None …)."""
    sheet = book.sheets["PL02"]
    for key, row in sheet.rows.items():
        if "." in key:
            group, number = key.split(".")
            sheet.ws.cell(row, sheet.columns[1]).value = text(group, int(number))
    return book


def unit_in_next_cell(book: Book, form: str, unit: str) -> Book:
    """The unit line unmerged, with the name typed two cells to the right of "Đơn vị báo cáo:"."""
    sheet = book.sheets[form]
    row, column = sheet.unit_cell
    for rng in [m for m in sheet.ws.merged_cells.ranges if m.min_row == row]:
        sheet.ws.unmerge_cells(str(rng))
    sheet.ws.cell(row, column).value = UNIT_LABEL
    sheet.ws.cell(row, column + 2).value = unit
    return book


def hide_column(book: Book, form: str, column: int) -> Book:
    """Form column ``column`` hidden (its values are still there)."""
    sheet = book.sheets[form]
    sheet.ws.column_dimensions[get_column_letter(sheet.columns[column])].hidden = True
    return book


def unmerge_headers(book: Book, form: str | None = None) -> Book:
    """The two-row table header unmerged, as a unit does before sorting or copying."""
    for sheet in [book.sheets[form]] if form else book.sheets.values():
        top, bottom = sheet.header_rows[0], sheet.header_rows[-1]
        for rng in [
            m for m in sheet.ws.merged_cells.ranges if m.min_row >= top and m.max_row <= bottom
        ]:
            sheet.ws.unmerge_cells(str(rng))
    return book


def rename_sheet(book: Book, form: str, title: str) -> Book:
    """The form's sheet renamed ("PL01", "Biểu 01", "Sheet1")."""
    book.sheets[form].ws.title = title
    return book


def to_nfd(book: Book) -> Book:
    """Every text cell of every sheet in decomposed Unicode (NFD), as some keyboards type."""
    for ws in book.wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not isinstance(cell, MergedCell):
                    cell.value = unicodedata.normalize("NFD", cell.value)
    return book


def nfd(text: str) -> str:
    """``text`` in decomposed Unicode (NFD)."""
    return unicodedata.normalize("NFD", text)


# ---------------------------------------------------------------------------------------------
# Other writers


def save_with_xlsxwriter(book: Book, path: Path) -> Path:
    """The same workbook rebuilt cell by cell with XlsxWriter (merges, widths, hidden columns)."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    out = xlsxwriter.Workbook(str(path))
    for ws in book.wb.worksheets:
        target = out.add_worksheet(ws.title)
        covered: set[tuple[int, int]] = set()
        for rng in ws.merged_cells.ranges:
            value = ws.cell(rng.min_row, rng.min_col).value
            target.merge_range(
                rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1, value
            )
            covered.update((r, c) for r, c in rng.cells)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None or (cell.row, cell.column) in covered:
                    continue
                target.write(cell.row - 1, cell.column - 1, cell.value)
        for key, dim in ws.column_dimensions.items():
            index = openpyxl.utils.column_index_from_string(key) - 1
            target.set_column(index, index, dim.width or 9, None, {"hidden": bool(dim.hidden)})
    out.close()
    return path


def soffice() -> str | None:
    """The LibreOffice command, None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_resave(paths: Iterable[Path], outdir: Path, fmt: str = "xlsx") -> dict[Path, Path]:
    """Open and save every file with LibreOffice Calc in one ``soffice`` run (it recalculates),
    as ``fmt`` (xlsx, xls, ods).

    Returns each input's converted file in ``outdir``. The input names must be distinct.
    """
    command = soffice()
    if command is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    sources = list(paths)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ctmt-lo-profile-") as profile:
        subprocess.run(
            [
                command,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                fmt,
                "--outdir",
                str(outdir),
                *map(str, sources),
            ],
            check=True,
            capture_output=True,
            timeout=240,
        )
    converted = {source: outdir / f"{source.stem}.{fmt}" for source in sources}
    missing = [str(p) for p in converted.values() if not p.is_file()]
    if missing:
        raise RuntimeError(f"LibreOffice wrote no file for {missing}")
    return converted
