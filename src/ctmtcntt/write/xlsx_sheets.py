"""XlsxWriter plumbing for the province workbook: a format per style, grids and titled tables.

Every sheet of the province workbook is written through these: a laid-out ``Grid`` (the forms,
drawn by ``layout.plan``) in one go, or a titled table of rows (the breakdown, the completion
rates, the findings, the sources). Text is always written as text, numbers as numbers, never a
formula; a number's format shows it as it is.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.format import Format  # type: ignore[import-untyped]

from ..common.numbers import looks_like_formula
from ..common.saving import xml_safe
from ..forms.layout import CENTER, FONT, LINE_HEIGHT, PLAIN, AlignKey, Grid, Style, lines_of

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

RATIO_FORMAT = "0.00"
MONEY_FORMAT = "#,##0.######"
COUNT_FORMAT = "#,##0"
HEAD_FILL = "#D9E1F2"
A4 = 9  # Excel's paper size code
TITLE: Style = ((FONT, 12, True, False), None, False, None, None, False)
HEAD: Style = ((FONT, 11, True, False), CENTER, True, HEAD_FILL, None, False)
_BODY_FONT = (FONT, 11, False, False)


class Formats:
    """XlsxWriter formats of a workbook, one per distinct style."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.known: dict[Style, Format | None] = {}

    def __call__(self, style: Style) -> Format | None:
        known = self.known.get(style, False)
        if known is not False:
            return known
        properties = _properties(style)
        made = self.book.add_format(properties) if properties else None
        self.known[style] = made
        return made


def _properties(style: Style) -> dict[str, Any]:
    """XlsxWriter's format properties of a writer-neutral style."""
    font, align, box, fill, number_format, quote = style
    properties: dict[str, Any] = {}
    if font is not None:
        name, size, bold, italic = font
        if name:
            properties["font_name"] = name
        properties["font_size"] = size
        if bold:
            properties["bold"] = True
        if italic:
            properties["italic"] = True
    if align is not None:
        horizontal, vertical, wrap = align
        properties["align"] = horizontal
        properties["valign"] = vertical
        if wrap:
            properties["text_wrap"] = True
    if box:
        properties["border"] = 1
    if fill:
        properties["pattern"] = 1
        properties["bg_color"] = fill
    if number_format:
        properties["num_format"] = number_format
    if quote:
        properties["quote_prefix"] = True
    return properties


def write_value(
    ws: Worksheet, formats: Formats, row: int, column: int, value: Any, style: Style
) -> None:
    """Write one value (1-based row and column): text always as text, numbers as numbers."""
    fmt = formats(style)
    if value is None:
        if fmt is not None:
            ws.write_blank(row - 1, column - 1, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row - 1, column - 1, value, fmt)
    else:
        ws.write_number(row - 1, column - 1, value, fmt)


def flush(grid: Grid, ws: Worksheet, formats: Formats) -> None:
    """Write a laid-out grid to an XlsxWriter sheet in one go."""
    for top, left, bottom, right in grid.merges:
        if (top, left) != (bottom, right):
            ws.merge_range(top - 1, left - 1, bottom - 1, right - 1, "", formats(PLAIN))
    for (row, column), style in grid.styles.items():
        write_value(ws, formats, row, column, grid.values.get((row, column)), tuple(style))
    for row, height in grid.heights.items():
        ws.set_row(row - 1, height)
    for column, width in grid.widths.items():
        set_width(ws, column - 1, width)


def set_width(ws: Worksheet, column: int, width: float) -> None:
    """A column (0-based) as wide as openpyxl writes ``width``: XlsxWriter's own widths add
    Excel's cell padding, pixels of Calibri's 7-pixel digit keep the number as given."""
    ws.set_column_pixels(column, column, width * 7)


def print_setup(ws: Worksheet, first_title: int, last_title: int) -> None:
    """Printed: landscape A4, as wide as the page, the title rows repeated on every page."""
    ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(first_title - 1, last_title - 1)


def cell_value(value: Any) -> Any:
    """A value as written: yes/no as words, text cleaned, numbers as they are."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, str):
        return xml_safe(value)
    if value is None or isinstance(value, numbers.Real):
        return value
    return xml_safe(str(value))


# Each (first two columns, number format, text, formula-like, wrapped) style of a table cell.
_CellKey = tuple[bool, str | None, bool, bool, bool]


class _TableWriter:
    """The rows of a titled table, each distinct cell style's format looked up once."""

    def __init__(
        self,
        ws: Worksheet,
        formats: Formats,
        widths: list[int],
        ratios: bool,
        wrap: tuple[int, ...],
    ) -> None:
        self.ws = ws
        self.formats = formats
        self.widths = widths
        self.ratios = ratios
        self.wrap = wrap
        self.blank = formats((None, None, False, None, RATIO_FORMAT, False))
        self.styles: dict[_CellKey, Format | None] = {}

    def row(self, line: int, values: list[Any]) -> None:
        """One row (0-based ``line``), as tall as its longest wrapped text."""
        tall = 1
        for column, raw in enumerate(values):
            # A province-only row is empty for every unit but one: with a thousand units,
            # leaving empty cells unwritten halves the breakdown's size and its writing time.
            if raw is None:
                if self.ratios and column:
                    self.ws.write_blank(line, column, None, self.blank)
                continue
            kind = type(raw)
            if kind is float or kind is int:  # most cells: no cleaning, no formula check
                value = raw
                text = False
            else:
                value = cell_value(raw)
                text = isinstance(value, str)
            if self.ratios and column:
                shown: str | None = RATIO_FORMAT
            elif text:
                shown = None
            else:
                shown = COUNT_FORMAT if float(value).is_integer() else MONEY_FORMAT
            wrapped = text and column in self.wrap
            if wrapped:
                tall = max(tall, lines_of(value, self.widths[column]))
            fmt = self._format(
                (column < 2, shown, text, text and looks_like_formula(value), wrapped)
            )
            if text:
                self.ws.write_string(line, column, value, fmt)
            else:
                self.ws.write_number(line, column, value, fmt)
        if tall > 1:
            self.ws.set_row(line, LINE_HEIGHT * tall)

    def _format(self, key: _CellKey) -> Format | None:
        fmt = self.styles.get(key, False)
        if fmt is False:
            first_two, shown, text, formula_like, wrapped = key
            if wrapped:
                align: AlignKey = ("left", "vcenter", True)
            elif first_two:
                align = ("left", "vcenter", False)
            else:
                align = ("center" if text else "right", "vcenter", True)
            fmt = self.styles[key] = self.formats(
                (_BODY_FONT, align, True, None, shown, formula_like)
            )
        return fmt


def _table_head(
    ws: Worksheet,
    formats: Formats,
    title: str,
    header: list[str],
    widths: list[int],
    subtitle: str | None,
) -> None:
    """The title (row 1), the subtitle (row 2) and the header row (3), which always wraps."""
    ws.write_string(0, 0, title, formats(TITLE))
    if subtitle:
        plain = formats((_BODY_FONT, None, False, None, None, False))
        ws.write_string(1, 0, xml_safe(subtitle), plain)
    head = formats(HEAD)
    for column, heading in enumerate(header):
        ws.write_string(2, column, xml_safe(heading), head)
    head_lines = max(
        (lines_of(h, widths[c]) for c, h in enumerate(header) if c < len(widths)), default=1
    )
    ws.set_row(2, LINE_HEIGHT * head_lines)


def table(
    ws: Worksheet,
    formats: Formats,
    title: str,
    header: list[str],
    rows: list[list[Any]],
    widths: list[int],
    ratios: bool = False,
    wrap: tuple[int, ...] = (),
    fit_width: bool = True,
    subtitle: str | None = None,
) -> None:
    """A titled table: a header row (3) and the rows under it, boxed, numbers formatted
    (``ratios``: every cell after the first column, also an empty one, as a ratio). Text in the
    ``wrap`` columns wraps, each row as tall as its longest text; the header row always wraps.
    ``fit_width``: printed one page wide (else the caller sets how it prints)."""
    _table_head(ws, formats, title, header, widths, subtitle)
    writer = _TableWriter(ws, formats, widths, ratios, wrap)
    for line, values in enumerate(rows, start=3):
        writer.row(line, values)
    for column, width in enumerate(widths):
        set_width(ws, column, width)
    ws.freeze_panes(3, 0)
    if not rows:
        italic = ((FONT, 11, False, True), None, False, None, None, False)
        ws.write_string(3, 0, "(không có)", formats(italic))
    if fit_width:
        print_setup(ws, 3, 3)
