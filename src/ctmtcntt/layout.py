"""Drawing a form in the Ministry's layout: title block, two-row header, numbering, rows, notes.

The template a unit fills and the province's submission are both drawn here, from the form's
spec, so they cannot drift apart from each other or from ``schemas/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from .cells import a1, column_letter
from .spec import FormSpec, LayoutCell

FONT = "Times New Roman"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
COMPUTED_FILL = PatternFill("solid", fgColor="EDEDED")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
NOTE = Alignment(horizontal="left", vertical="center", wrap_text=False)


@dataclass(frozen=True, kw_only=True)
class TableRow:
    """A row to draw: its key, the STT shown, the name, and whether it is bold."""

    key: str
    label: str
    name: str
    bold: bool
    kind: str
    group: str | None = None


@dataclass(frozen=True, kw_only=True)
class Drawn:
    """Where things landed: the unit-name cell and the sheet row of each table row."""

    unit_cell: str
    numbering_row: int
    rows: dict[str, int]
    columns: dict[str, int]
    last_row: int


def fixed_rows(spec: FormSpec, projects: Sequence[TableRow] = ()) -> list[TableRow]:
    """The rows of a form in order, with ``projects`` placed under their group."""
    rows: list[TableRow] = []
    for row in spec.rows:
        bold = (
            row.kind in ("section", "total", "group")
            or not row.label.isalpha()
            or row.label.isupper()
        )
        rows.append(TableRow(key=row.key, label=row.label, name=row.name, bold=bold, kind=row.kind))
        if row.kind == "group":
            rows.extend(p for p in projects if p.group == row.key)
    return rows


def _height(text: str, width: float) -> float:
    """A row tall enough for its wrapped name: openpyxl cannot ask Excel to fit it."""
    per_line = max(10, int(width * 1.15))
    lines = max(1, -(-len(text) // per_line))
    return 15.75 * lines


def _write(ws: Worksheet, row: int, item: LayoutCell, *, center: bool = False) -> None:
    cell = ws.cell(row=row, column=item.column, value=item.text)
    cell.font = Font(name=FONT, bold=item.bold, size=12 if row <= 2 else 11)
    cell.alignment = CENTER if center or item.merge else LEFT
    if item.merge:
        ws.merge_cells(start_row=row, start_column=item.column, end_row=row, end_column=item.merge)


def draw(ws: Worksheet, spec: FormSpec, rows: Sequence[TableRow], unit: str | None = None) -> Drawn:
    """Draw the whole form on an empty sheet and say where each table row and column is."""
    layout = spec.layout
    unit_cell = "A1"
    line = 1
    for title in layout.title:
        for item in title:
            if item.role == "unit" and unit:
                item = LayoutCell(
                    column=item.column,
                    text=f"Đơn vị báo cáo: {unit}",
                    merge=item.merge,
                    bold=item.bold,
                )
            _write(ws, line, item)
            if item.role == "unit":
                unit_cell = a1(line, item.column)
                ws.cell(row=line, column=item.column).alignment = LEFT
        line += 1
    header_top = line
    for depth, header in enumerate(layout.header):
        for item in header:
            cell = ws.cell(row=line, column=item.column, value=item.text)
            cell.font = Font(name=FONT, bold=True, size=11)
            cell.alignment = CENTER
            if item.down:
                ws.merge_cells(
                    start_row=line,
                    start_column=item.column,
                    end_row=line + len(layout.header) - 1 - depth,
                    end_column=item.column,
                )
            elif item.merge:
                ws.merge_cells(
                    start_row=line, start_column=item.column, end_row=line, end_column=item.merge
                )
        line += 1
    for row in range(header_top, line):
        # Header texts wrap inside narrow columns: give each header row room for three lines.
        ws.row_dimensions[row].height = 48
        for column in range(1, layout.last_column + 1):
            ws.cell(row=row, column=column).border = BOX
    numbering = line
    for spec_column in spec.columns:
        number = ws.cell(row=line, column=spec_column.number, value=spec_column.numbering)
        number.font = Font(name=FONT, italic=True, size=10)
        number.alignment = CENTER
        number.border = BOX
    line += 1
    placed: dict[str, int] = {}
    for table_row in rows:
        placed[table_row.key] = line
        stt = ws.cell(row=line, column=1, value=table_row.label or None)
        name = ws.cell(row=line, column=2, value=table_row.name or None)
        for each in (stt, name):
            each.font = Font(name=FONT, bold=table_row.bold, size=11)
        stt.alignment = CENTER
        name.alignment = LEFT
        ws.row_dimensions[line].height = _height(table_row.name, layout.widths.get(2, 40))
        for column in range(1, layout.last_column + 1):
            box = ws.cell(row=line, column=column)
            box.border = BOX
            if column > 2:
                box.font = Font(name=FONT, size=11)
                box.alignment = CENTER
        line += 1
    last = line - 1
    line += 1
    for note in layout.notes:
        for item in note:
            _write(ws, line, item, center=item.bold and item.column > 1)
            if not (item.bold and item.column > 1):
                # Notes read as lines of text: left-aligned, one line, never wrapped in column A.
                ws.cell(row=line, column=item.column).alignment = NOTE
        line += 1
    for column, width in layout.widths.items():
        ws.column_dimensions[column_letter(column)].width = width
    ws.freeze_panes = a1(numbering + 1, 3)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_top}:{numbering}"
    return Drawn(
        unit_cell=unit_cell,
        numbering_row=numbering,
        rows=placed,
        columns={c.key: c.number for c in spec.columns},
        last_row=last,
    )
