"""Drawing a form in the Ministry's layout: title block, two-row header, numbering, rows, notes.

The template a unit fills and the province's submission are both drawn here, from the form's
spec, so they cannot drift apart from each other or from ``schemas/``. ``plan`` lays the form out
as a ``Grid`` of values and styles, independent of any writer (no writer is imported here);
``templates`` renders that grid with openpyxl, ``province_book`` with XlsxWriter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..common.cells import a1
from .spec import FormSpec, Layout, LayoutCell

FONT = "Times New Roman"

# A cell's style, writer-neutral: the font (name, size, bold, italic), the alignment (horizontal,
# vertical, wrap), a thin box or not, the fill, the number format, the quote prefix.
FontKey = tuple[str | None, int, bool, bool]
AlignKey = tuple[str, str, bool] | None
Style = tuple[FontKey | None, AlignKey, bool, str | None, str | None, bool]
PLAIN: Style = (None, None, False, None, None, False)
CENTER: AlignKey = ("center", "vcenter", True)
LEFT: AlignKey = ("left", "vcenter", True)
NOTE: AlignKey = ("left", "vcenter", False)


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
    header_top: int = 1


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


class Grid:
    """A sheet laid out cell by cell (a value and a style, restyled as drawing goes on), with its
    merges, row heights and column widths; a writer renders it in one go."""

    def __init__(self) -> None:
        self.values: dict[tuple[int, int], Any] = {}
        self.styles: dict[tuple[int, int], list[Any]] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.heights: dict[int, float] = {}
        self.widths: dict[int, float] = {}

    def style(self, row: int, column: int) -> list[Any]:
        """The style of a cell (a list to restyle in place), PLAIN until set."""
        found = self.styles.get((row, column))
        if found is None:
            found = self.styles[(row, column)] = list(PLAIN)
        return found

    def set(self, row: int, column: int, value: Any) -> list[Any]:
        """Put a value in a cell and return its style to set."""
        self.values[(row, column)] = value
        return self.style(row, column)


LINE_HEIGHT = 15.75  # points: one line of 11 pt text


def lines_of(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` characters wide (11 pt)."""
    per_line = max(4, int(width * 1.2))
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _height(text: str, width: float) -> float:
    """A row tall enough for its wrapped name: neither writer can ask Excel to fit it."""
    return LINE_HEIGHT * lines_of(text, width)


def fit_row(grid: Grid, row: int, widths: Mapping[int, float], last_column: int) -> None:
    """Make a table row tall enough for the longest text in any of its cells (a project's name,
    investor, decision…): a row fixed at one line would cut them."""
    lines = 1
    for column in range(1, last_column + 1):
        value = grid.values.get((row, column))
        if isinstance(value, str) and value:
            lines = max(lines, lines_of(value, widths.get(column, 9)))
    grid.heights[row] = max(grid.heights.get(row, 0), LINE_HEIGHT * lines)


def _put_title(grid: Grid, row: int, item: LayoutCell, *, center: bool = False) -> None:
    style = grid.set(row, item.column, item.text)
    style[0] = (FONT, 12 if row <= 2 else 11, item.bold, False)
    style[1] = CENTER if center or item.merge else LEFT
    if item.merge:
        grid.merges.append((row, item.column, row, item.merge))


def plan(grid: Grid, spec: FormSpec, rows: Sequence[TableRow], unit: str | None = None) -> Drawn:
    """Lay the whole form out on ``grid`` and say where each table row and column is."""
    layout = spec.layout
    line, unit_cell = _title_block(grid, layout, unit)
    header_top = line
    line = _header(grid, layout, line)
    numbering = line
    _numbering(grid, spec, line)
    placed = _table_rows(grid, layout, rows, line + 1)
    last = numbering + len(rows)
    _notes(grid, layout, last + 2)
    grid.widths.update(layout.widths)
    return Drawn(
        unit_cell=unit_cell,
        numbering_row=numbering,
        rows=placed,
        columns={c.key: c.number for c in spec.columns},
        last_row=last,
        header_top=header_top,
    )


def _title_block(grid: Grid, layout: Layout, unit: str | None) -> tuple[int, str]:
    """The title lines from row 1, the unit named where the form says; the next free row and
    the unit's cell."""
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
            _put_title(grid, line, item)
            if item.role == "unit":
                unit_cell = a1(line, item.column)
                grid.style(line, item.column)[1] = LEFT
        line += 1
    return line, unit_cell


def _header(grid: Grid, layout: Layout, top: int) -> int:
    """The header rows from ``top``, boxed, merged down and across as the form says; the next
    free row."""
    line = top
    for depth, header in enumerate(layout.header):
        for item in header:
            style = grid.set(line, item.column, item.text)
            style[0] = (FONT, 11, True, False)
            style[1] = CENTER
            if item.down:
                grid.merges.append(
                    (line, item.column, line + len(layout.header) - 1 - depth, item.column)
                )
            elif item.merge:
                grid.merges.append((line, item.column, line, item.merge))
        line += 1
    for row in range(top, line):
        # Header texts wrap inside narrow columns: give each header row room for three lines.
        grid.heights[row] = 48
        for column in range(1, layout.last_column + 1):
            grid.style(row, column)[2] = True
    return line


def _numbering(grid: Grid, spec: FormSpec, line: int) -> None:
    """The row numbering the columns: (1), (2)… and how computed ones follow from others."""
    for spec_column in spec.columns:
        style = grid.set(line, spec_column.number, spec_column.numbering)
        style[0] = (FONT, 10, False, True)
        style[1] = CENTER
        style[2] = True
    # "(10)=(11)+(12)+(13)" wraps in a narrow money column: the row grows to show all of it.
    fit_row(grid, line, spec.layout.widths, spec.layout.last_column)


def _table_rows(grid: Grid, layout: Layout, rows: Sequence[TableRow], first: int) -> dict[str, int]:
    """The table's rows from ``first``, boxed, each as tall as its name; each row's line."""
    placed: dict[str, int] = {}
    for line, table_row in enumerate(rows, start=first):
        placed[table_row.key] = line
        stt = grid.set(line, 1, table_row.label or None)
        name = grid.set(line, 2, table_row.name or None)
        for each in (stt, name):
            each[0] = (FONT, 11, table_row.bold, False)
        stt[1] = CENTER
        name[1] = LEFT
        grid.heights[line] = _height(table_row.name, layout.widths.get(2, 40))
        for column in range(1, layout.last_column + 1):
            box = grid.style(line, column)
            box[2] = True
            if column > 2:
                box[0] = (FONT, 11, False, False)
                box[1] = CENTER
    return placed


def _notes(grid: Grid, layout: Layout, top: int) -> None:
    """The notes under the table from ``top``: the signatures centred, lines of text left."""
    for line, note in enumerate(layout.notes, start=top):
        for item in note:
            _put_title(grid, line, item, center=item.bold and item.column > 1)
            if not (item.bold and item.column > 1):
                # Notes read as lines of text: left-aligned, one line, never wrapped in column A.
                grid.style(line, item.column)[1] = NOTE
