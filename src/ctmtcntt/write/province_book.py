"""The province workbook: each form of the set in its printed layout, and the sheets behind them.

Values only, no formulas: every number shows the same in Excel, LibreOffice and any reader of
cached values. Text that came from units is written as text, never as a formula.

Written with XlsxWriter, which serialises a thousand units' breakdown in a fraction of
openpyxl's time. The two forms are laid out by ``layout.plan``, as the templates are.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.format import Format  # type: ignore[import-untyped]

from ..common import gc_pause
from ..common.numbers import looks_like_formula, vn_number
from ..common.saving import atomic_save, output_path, xml_safe
from ..compute.totals import compute_indicators, ratio
from ..forms.layout import (
    CENTER,
    FONT,
    LINE_HEIGHT,
    PLAIN,
    AlignKey,
    Drawn,
    Grid,
    Style,
    TableRow,
    fit_row,
    fixed_rows,
    lines_of,
    plan,
)
from ..forms.spec import FormSpec, RowSpec
from ..read.submission import (
    AREA_LABEL,
    BREAKDOWN_SHEET,
    SOURCES_SHEET,
    SOURCES_TITLE,
    breakdown_title,
)
from ..read.values import texts_of

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

    from ..result import ConsolidationResult

RATIO_FORMAT = "0.00"
MONEY_FORMAT = "#,##0.######"
COUNT_FORMAT = "#,##0"
HEAD_FILL = "#D9E1F2"
A4 = 9  # Excel's paper size code
CM = 96 / 2.54  # pixels per centimetre


class _Formats:
    """XlsxWriter formats of a workbook, one per distinct style."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.known: dict[Style, Format | None] = {}

    def __call__(self, style: Style) -> Format | None:
        known = self.known.get(style, False)
        if known is not False:
            return known
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
        made = self.book.add_format(properties) if properties else None
        self.known[style] = made
        return made


def _write(
    ws: Worksheet, formats: _Formats, row: int, column: int, value: Any, style: Style
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


def _flush(grid: Grid, ws: Worksheet, formats: _Formats) -> None:
    """Write a laid-out grid to an XlsxWriter sheet in one go."""
    for top, left, bottom, right in grid.merges:
        if (top, left) != (bottom, right):
            ws.merge_range(top - 1, left - 1, bottom - 1, right - 1, "", formats(PLAIN))
    for (row, column), style in grid.styles.items():
        _write(ws, formats, row, column, grid.values.get((row, column)), tuple(style))
    for row, height in grid.heights.items():
        ws.set_row(row - 1, height)
    for column, width in grid.widths.items():
        _set_width(ws, column - 1, width)


def _set_width(ws: Worksheet, column: int, width: float) -> None:
    """A column (0-based) as wide as openpyxl writes ``width``: XlsxWriter's own widths add
    Excel's cell padding, pixels of Calibri's 7-pixel digit keep the number as given."""
    ws.set_column_pixels(column, column, width * 7)


def _print_setup(ws: Worksheet, first_title: int, last_title: int) -> None:
    """Printed: landscape A4, as wide as the page, the title rows repeated on every page."""
    ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(first_title - 1, last_title - 1)


def _draw(
    grid: Grid, ws: Worksheet, spec: FormSpec, rows: Sequence[TableRow], unit: str | None
) -> Drawn:
    """The form laid out by ``layout.plan``, with XlsxWriter's frozen panes and print setup."""
    drawn = plan(grid, spec, rows, unit=xml_safe(unit) if unit else None)
    ws.freeze_panes(drawn.numbering_row, 2)
    _print_setup(ws, drawn.header_top, drawn.numbering_row)
    return drawn


def _value(value: Any) -> Any:
    """A value as written: yes/no as words, text cleaned, numbers as they are."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, str):
        return xml_safe(value)
    if value is None or isinstance(value, numbers.Real):
        return value
    return xml_safe(str(value))


def _shown_as(value: float, number_format: str) -> str:
    """The format that shows ``value`` as it is: a whole number without a trailing decimal
    point ("400", not Excel's "400." for "#,##0.##"), a fraction with its decimals."""
    if number_format == RATIO_FORMAT:
        return number_format
    return COUNT_FORMAT if float(value).is_integer() else MONEY_FORMAT


def _put(grid: Grid, row: int, column: int, value: Any, number_format: str | None = None) -> None:
    """A table value with our font (keeping the cell's bold), a thin box and its alignment."""
    value = _value(value)
    style = grid.set(row, column, value)
    if isinstance(value, str):
        style[5] = looks_like_formula(value)
    elif value is not None and number_format:
        style[4] = _shown_as(value, number_format)
    font = style[0]
    style[0] = (FONT, 11, bool(font and font[2]), False)
    style[2] = True
    if column > 2:
        style[1] = ("center" if isinstance(value, str) else "right", "vcenter", True)


def _indicator_sheet(
    ws: Worksheet, formats: _Formats, spec: FormSpec, result: ConsolidationResult
) -> None:
    added = result.data.indicators[spec.code]
    grid = Grid()
    drawn = _draw(grid, ws, spec, fixed_rows(spec), unit=result.province)
    for row in spec.rows:
        if row.kind in ("section", "heading"):
            if row.kind == "heading" and row.unit:
                grid.set(drawn.rows[row.key], drawn.columns["unit"], xml_safe(row.unit))
            continue
        line = drawn.rows[row.key]
        grid.set(line, drawn.columns["unit"], xml_safe(row.unit) if row.unit else None)
        plan = (
            row.target.text
            if row.target and row.target.op != "plan"
            else result.plan(row.key, spec.code)
        )
        _put(grid, line, drawn.columns["plan"], plan, COUNT_FORMAT)
        actual = added.table.get((row.key, "actual"))
        fmt = (
            RATIO_FORMAT
            if row.kind == "percent"
            else (MONEY_FORMAT if row.kind == "money" else COUNT_FORMAT)
        )
        _put(grid, line, drawn.columns["actual"], actual, fmt)
        _put(
            grid,
            line,
            drawn.columns["ratio"],
            added.table.get((row.key, "ratio")),
            RATIO_FORMAT,
        )
        _put(grid, line, drawn.columns["assessment"], added.table.get((row.key, "assessment")))
        if row.key in added.counted:
            _put(grid, line, drawn.columns["actual"], added.counted[row.key])
        if "note" in drawn.columns:
            _put(grid, line, drawn.columns["note"], added.province_notes.get(row.key))
    _fit(grid, drawn, spec)
    _flush(grid, ws, formats)


def _fit(grid: Grid, drawn: Drawn, spec: FormSpec) -> None:
    """Every table row as tall as its longest text, wrapped in its column."""
    for line in drawn.rows.values():
        fit_row(grid, line, spec.layout.widths, spec.layout.last_column)


def _project_sheet(
    ws: Worksheet, formats: _Formats, spec: FormSpec, result: ConsolidationResult
) -> None:
    added = result.data.lists[spec.code]
    counters: dict[str, int] = {}
    extra: list[TableRow] = []
    for index, project in enumerate(added.projects):
        counters[project.group] = counters.get(project.group, 0) + 1
        extra.append(
            TableRow(
                key=f"p{index}",
                label=str(counters[project.group]),
                name="",
                bold=False,
                kind="project",
                group=project.group,
            )
        )
    grid = Grid()
    drawn = _draw(grid, ws, spec, fixed_rows(spec, extra), unit=result.province)
    money = [c for c in spec.columns if c.type in ("money", "percent")]
    for row in spec.rows:
        line = drawn.rows[row.key]
        for column in money:
            value = added.fixed[row.key].get(column.key)
            _put(
                grid,
                line,
                column.number,
                value,
                RATIO_FORMAT if column.type == "percent" else MONEY_FORMAT,
            )
            grid.style(line, column.number)[0] = (FONT, 11, True, False)
    for index, project in enumerate(added.projects):
        line = drawn.rows[f"p{index}"]
        texts = dict(project.texts)
        if spec.owner:
            texts.setdefault(spec.owner, project.unit)
        for key in texts_of(spec):
            _put(grid, line, spec.column_by_key[key].number, texts.get(key))
        for column in money:
            _put(
                grid,
                line,
                column.number,
                project.values.get(column.key),
                RATIO_FORMAT if column.type == "percent" else MONEY_FORMAT,
            )
    _fit(grid, drawn, spec)
    _flush(grid, ws, formats)


def _table(
    ws: Worksheet,
    formats: _Formats,
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
    ws.write_string(0, 0, title, formats(((FONT, 12, True, False), None, False, None, None, False)))
    if subtitle:
        plain = formats(((FONT, 11, False, False), None, False, None, None, False))
        ws.write_string(1, 0, xml_safe(subtitle), plain)
    head = formats(((FONT, 11, True, False), CENTER, True, HEAD_FILL, None, False))
    for column, heading in enumerate(header):
        ws.write_string(2, column, xml_safe(heading), head)
    head_lines = max(
        (lines_of(h, widths[c]) for c, h in enumerate(header) if c < len(widths)), default=1
    )
    ws.set_row(2, LINE_HEIGHT * head_lines)
    font = (FONT, 11, False, False)
    blank = formats((None, None, False, None, RATIO_FORMAT, False))
    # Each (first two columns, number format, text, formula-like, wrapped) style is looked up
    # once.
    styles: dict[tuple[bool, str | None, bool, bool, bool], Format | None] = {}
    for line, values in enumerate(rows, start=3):
        tall = 1
        for column, raw in enumerate(values):
            # A province-only row is empty for every unit but one: with a thousand units,
            # leaving empty cells unwritten halves the breakdown's size and its writing time.
            if raw is None:
                if ratios and column:
                    ws.write_blank(line, column, None, blank)
                continue
            kind = type(raw)
            if kind is float or kind is int:  # most cells: no cleaning, no formula check
                value = raw
                text = False
            else:
                value = _value(raw)
                text = isinstance(value, str)
            if ratios and column:
                shown: str | None = RATIO_FORMAT
            elif text:
                shown = None
            else:
                shown = COUNT_FORMAT if float(value).is_integer() else MONEY_FORMAT
            wrapped = text and column in wrap
            if wrapped:
                tall = max(tall, lines_of(value, widths[column]))
            key = (column < 2, shown, text, text and looks_like_formula(value), wrapped)
            fmt = styles.get(key, False)
            if fmt is False:
                if wrapped:
                    align: AlignKey = ("left", "vcenter", True)
                elif column < 2:
                    align = ("left", "vcenter", False)
                else:
                    align = ("center" if text else "right", "vcenter", True)
                fmt = styles[key] = formats((font, align, True, None, shown, key[3]))
            if text:
                ws.write_string(line, column, value, fmt)
            else:
                ws.write_number(line, column, value, fmt)
        if tall > 1:
            ws.set_row(line, LINE_HEIGHT * tall)
    for column, width in enumerate(widths):
        _set_width(ws, column, width)
    ws.freeze_panes(3, 0)
    if not rows:
        ws.write_string(
            3, 0, "(không có)", formats(((FONT, 11, False, True), None, False, None, None, False))
        )
    if fit_width:
        _print_setup(ws, 3, 3)


#: The breakdown printed: its scale, and the page's printable width (landscape A4 less the
#: default margins) in the pixels ``_set_width`` gives a column, as LibreOffice prints them
#: (measured: labels of 63 and four units of 12 fill a page at 90 %); Excel fits a little more.
BREAKDOWN_SCALE: Final = 80
PRINTABLE_PX: Final = 720
BREAKDOWN_WIDTHS: Final = (6, 36, 11)
UNIT_WIDTH: Final = 10


def _breakdown_sheet(
    ws: Worksheet, formats: _Formats, spec: FormSpec, result: ConsolidationResult
) -> None:
    added = result.data.indicators[spec.code]
    names = result.data.unit_names
    units = list(added.per_unit)
    rows = []
    for row in spec.rows:
        for column in row.inputs:
            # Which figure of the row, only where a row has several (9, 10: plan and actual).
            name = row.name
            if len(row.inputs) > 1:
                name += f" – {spec.column_by_key[column].header.lower()}"
            values = [added.per_unit[u].get((row.key, column)) for u in units]
            province = added.table.get((row.key, column))
            rows.append([row.key, name, province, *values])
    # The units' notes (column (8)), one line per row that has any, under the figures.
    keys = {name: key for key, name in names.items()}
    written = {(n.row, keys.get(n.unit, n.unit)): n.text for n in added.notes}
    note_column = spec.column_by_key.get("note")
    for row in spec.rows if note_column is not None and written else ():
        values = [written.get((row.key, u)) for u in units]
        if any(v is not None for v in values):
            name = f"{row.name} – {note_column.header.lower()}"  # type: ignore[union-attr]
            rows.append([row.key, name, added.province_notes.get(row.key), *values])
    header = ["STT", "Chỉ tiêu", "Toàn tỉnh", *(names.get(u, u) for u in units)]
    labels = len(BREAKDOWN_WIDTHS)
    _table(
        ws,
        formats,
        breakdown_title(spec),
        header,
        rows,
        [*BREAKDOWN_WIDTHS, *([UNIT_WIDTH] * len(units))],
        wrap=(1,),
        fit_width=False,
    )
    # Printed landscape, the header row and the indicator columns on every page, each page as
    # many units as fit across it: 35 columns on one page cannot be read.
    ws.set_landscape()
    ws.set_paper(A4)
    ws.set_print_scale(BREAKDOWN_SCALE)
    ws.repeat_rows(2, 2)
    ws.repeat_columns(0, labels - 1)
    room = PRINTABLE_PX * 100 / BREAKDOWN_SCALE - 7 * sum(BREAKDOWN_WIDTHS)
    per_page = max(1, int(room // (7 * UNIT_WIDTH)))
    breaks = list(range(labels + per_page, labels + len(units), per_page))
    if breaks:
        ws.set_v_pagebreaks(breaks[:1023])  # Excel's limit


#: The sheet of completion rates by unit, per indicator form.
COMPLETION_SHEET: Final = "Tỷ lệ theo đơn vị"

#: Units up to which the completion sheet draws its charts (one bar per unit): past that the
#: bars are thinner than a line.
CHART_MAX_UNITS: Final = 100
CHART_ROWS: Final = 30  # sheet rows each chart takes, with a gap: one chart a printed page
CHART_CM: Final = (25, 14)
LABEL_CHARS: Final = 32  # a unit's name under its bar, cut beyond this
CHARTS_SHEET: Final = "Biểu đồ tỷ lệ"


def _completion_sheet(
    ws: Worksheet, formats: _Formats, spec: FormSpec, result: ConsolidationResult
) -> None:
    """Per unit, each percentage indicator's result (5) and completion ratio (6) = (5)/target,
    then one chart per indicator: units sorted by their result, the target drawn as a line."""
    added = result.data.indicators[spec.code]
    # The form's charts sheet carries the same suffix as its completion sheet (none for the
    # set's first indicator form).
    charts_name = f"{CHARTS_SHEET}{ws.name[len(COMPLETION_SHEET) :]}"[:31]
    # Rows whose result each unit's parts give (a percentage typed directly is the province's).
    percent_rows = [r for r in spec.rows if r.kind == "percent" and r.target and r.ratio_of]
    names = result.data.unit_names
    header = ["Đơn vị"]
    for row in percent_rows:
        header += [
            f"Chỉ tiêu {row.key}: thực hiện (%)",
            f"Chỉ tiêu {row.key}: tỷ lệ hoàn thành (%)",
        ]
    by_key = {r.key: r for r in spec.rows}
    typed = all(
        by_key[part].kind != "percent" and not by_key[part].parts
        for r in percent_rows
        for part in r.ratio_of
    )
    results: list[tuple[str, list[Any]]] = []
    for unit, table in added.per_unit.items():
        if typed:
            # Each percent is of two typed rows, which compute_indicators leaves as they are: the
            # same figures as computing the whole form, without computing it for every unit.
            actuals: list[Any] = [
                ratio(*(table.get((part, "actual")) for part in r.ratio_of)) for r in percent_rows
            ]
        else:
            computed = compute_indicators(spec, table)
            actuals = [computed.get((r.key, "actual")) for r in percent_rows]
        results.append((names.get(unit, unit), actuals))
    province = [added.table.get((r.key, "actual")) for r in percent_rows]
    rows = []
    for name, figures in [*results, ("Toàn tỉnh", province)]:
        cells: list[Any] = [name]
        for row, actual in zip(percent_rows, figures, strict=True):
            cells += [actual, _completion(row, actual)]
        rows.append(cells)
    _table(
        ws,
        formats,
        "TỶ LỆ THỰC HIỆN VÀ TỶ LỆ HOÀN THÀNH CÁC CHỈ TIÊU TỶ LỆ THEO ĐƠN VỊ",
        header,
        rows,
        [40, *([13] * (2 * len(percent_rows)))],
        ratios=True,
    )
    note = (FONT, 11, False, True)
    ws.write_string(
        1,
        0,
        "Tỷ lệ hoàn thành (%) = thực hiện / chỉ tiêu × 100; biểu đồ từng chỉ tiêu ở trang «"
        f"{charts_name}».",
        formats((note, None, False, None, None, False)),
    )
    units = len(results)
    if units > CHART_MAX_UNITS:
        text = (
            f"Biểu đồ chỉ vẽ khi có tới {CHART_MAX_UNITS} đơn vị (với {units} đơn vị, mỗi thanh"
            " mảnh hơn một nét kẻ); bảng bên trái có đủ mọi đơn vị."
        )
        _write(ws, formats, 3, 2 * len(percent_rows) + 3, text, PLAIN)
        return
    charts = formats.book.add_worksheet(charts_name)
    charts.write_string(
        0,
        0,
        "BIỂU ĐỒ TỶ LỆ THỰC HIỆN CÁC CHỈ TIÊU TỶ LỆ THEO ĐƠN VỊ (đơn vị xếp từ cao xuống thấp;"
        " đường đỏ là chỉ tiêu)",
        formats(((FONT, 12, True, False), None, False, None, None, False)),
    )
    # The sorted data of each chart sits right of the printed charts.
    data_column = 16
    for index, row in enumerate(percent_rows):
        _chart(charts, formats, row, index, results, province[index], data_column + 4 * index)
    last = 2 + CHART_ROWS * len(percent_rows)
    charts.print_area(0, 0, last, data_column - 2)
    charts.set_landscape()
    charts.set_paper(A4)
    charts.fit_to_pages(1, 0)
    # A chart a page, never one cut across two.
    charts.set_h_pagebreaks(list(range(2 + CHART_ROWS, last, CHART_ROWS)))


def _completion(row: RowSpec, actual: Any) -> float | None:
    target = row.target
    if target is None or not isinstance(target.value, (int, float)) or not target.value:
        return None
    return ratio(actual, target.value)


def _chart(
    ws: Worksheet,
    formats: _Formats,
    row: RowSpec,
    index: int,
    results: list[tuple[str, list[Any]]],
    province: Any,
    column: int,
) -> None:
    """One indicator's chart: a bar per unit that reported it, highest first, and the target
    as a line across; its data sorted beside the table (outside the printed area)."""
    assert row.target is not None
    reported = sorted(
        ((name, values[index]) for name, values in results if _is_figure(values[index])),
        key=lambda item: -float(item[1] or 0),
    )
    target = row.target.value if isinstance(row.target.value, (int, float)) else None
    head = formats(((FONT, 11, True, False), CENTER, True, HEAD_FILL, None, False))
    ws.write_string(2, column, f"Chỉ tiêu {row.key}", head)
    ws.write_string(2, column + 1, "Thực hiện (%)", head)
    ws.write_string(2, column + 2, f"Chỉ tiêu ({row.target.text} %)", head)
    for line, (name, value) in enumerate(reported, start=3):
        label = name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"
        ws.write_string(line, column, xml_safe(label))
        ws.write_number(line, column + 1, float(value or 0))
        if target is not None:
            ws.write_number(line, column + 2, float(target))
    _set_width(ws, column, 30)
    if not reported:
        return
    last = 2 + len(reported)
    bars = formats.book.add_chart({"type": "column"})
    assert bars is not None
    bars.add_series(
        {
            "name": [ws.name, 2, column + 1],
            "categories": [ws.name, 3, column, last, column],
            "values": [ws.name, 3, column + 1, last, column + 1],
            "fill": {"color": "#4472C4"},
            "gap": 40,
        }
    )
    if target is not None:
        line = formats.book.add_chart({"type": "line"})
        assert line is not None
        line.add_series(
            {
                "name": [ws.name, 2, column + 2],
                "categories": [ws.name, 3, column, last, column],
                "values": [ws.name, 3, column + 2, last, column + 2],
                "line": {"color": "#C00000", "width": 2.25},
                "marker": {"type": "none"},
            }
        )
        bars.combine(line)
    whole = f"; toàn tỉnh {vn_number(float(province), 2)} %" if _is_figure(province) else ""
    name = row.name if len(row.name) <= 80 else row.name[:79].rstrip() + "…"
    bars.set_title(
        {
            "name": f"{row.key}. {name} (chỉ tiêu {row.target.text} %{whole})",
            "name_font": {"size": 11, "bold": True},
        }
    )
    bars.set_x_axis({"num_font": {"size": 8, "rotation": -45}})
    bars.set_y_axis({"name": "%", "min": 0, "major_gridlines": {"visible": True}})
    bars.set_legend({"position": "bottom"})
    width, height = CHART_CM
    bars.set_size({"width": round(width * CM), "height": round(height * CM)})
    ws.insert_chart(2 + CHART_ROWS * index, 0, bars)


def _is_figure(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


class _Book:
    """The province workbook, written when saved (``atomic_save`` saves to a temporary file)."""

    def __init__(self, result: ConsolidationResult) -> None:
        self.result = result

    def save(self, stream: IO[bytes]) -> None:
        result = self.result
        forms = result.forms
        book = xlsxwriter.Workbook(
            stream,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        formats = _Formats(book)
        # One sheet per form of the set, named by the form, in the set's order; then, per
        # indicator form, its breakdown by unit and its chart of completion by unit.
        for spec in forms.forms.values():
            draw = _project_sheet if spec.has_projects else _indicator_sheet
            draw(book.add_worksheet(spec.sheet), formats, spec, result)
        indicators = forms.of_kind("indicators")
        for spec in indicators:
            # The first indicator form's sheets keep their names; others' carry the form's code.
            suffix = "" if spec is indicators[0] else f" {spec.code}"
            _breakdown_sheet(
                book.add_worksheet(f"{BREAKDOWN_SHEET}{suffix}"[:31]), formats, spec, result
            )
            _completion_sheet(
                book.add_worksheet(f"{COMPLETION_SHEET}{suffix}"[:31]), formats, spec, result
            )
        findings = [
            [f.file, f.sheet, f.cell, "Lỗi" if f.is_error else "Cảnh báo", f.code, f.message]
            for f in result.data.findings
        ]
        _table(
            book.add_worksheet("Kết quả kiểm tra"),
            formats,
            "KẾT QUẢ KIỂM TRA CÁC TỆP BÁO CÁO",
            ["Tệp", "Trang tính", "Ô", "Mức độ", "Mã", "Nội dung"],
            findings,
            [32, 14, 8, 10, 24, 72],
            wrap=(0, 4, 5),
        )
        sources = [
            [s.path, s.unit_code, s.unit_name, s.sha256, s.status] for s in result.data.sources
        ]
        _table(
            book.add_worksheet(SOURCES_SHEET),
            formats,
            SOURCES_TITLE,
            ["Tệp", "Mã đơn vị", "Tên đơn vị", "SHA-256", "Tình trạng"],
            sources,
            [50, 10, 40, 66, 34],
            wrap=(0, 2, 4),
            subtitle=f"{AREA_LABEL}: {result.area}" if result.area else None,
        )
        missing = [[a.code, a.name] for a in result.data.units["missing"]]
        _table(
            book.add_worksheet("Đơn vị chưa gửi"),
            formats,
            "CÁC ĐƠN VỊ CHƯA GỬI BÁO CÁO",
            ["Mã đơn vị", "Tên đơn vị"],
            missing,
            [12, 60],
        )
        book.close()  # in memory until now: a failure above leaves no file


@gc_pause.paused()  # large acyclic tables: see gc_pause
def write_province_book(result: ConsolidationResult, path: Path) -> Path:
    """Write the province workbook: each form of the set, breakdown and completion chart per
    indicator form, findings, sources, missing units; returns the path written (.xlsx added
    when the name has no extension)."""
    return atomic_save(_Book(result), output_path(path))
