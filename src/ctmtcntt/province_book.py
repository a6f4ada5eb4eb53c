"""The province workbook: PL01 and PL02 in the Ministry's layout, and the sheets behind them.

Values only, no formulas: every number shows the same in Excel, LibreOffice and any reader of
cached values. Text that came from units is written as text, never as a formula.

Written with XlsxWriter, which serialises a thousand units' breakdown in a fraction of
openpyxl's time. The two forms are laid out by ``layout.plan``, as the templates are.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.format import Format  # type: ignore[import-untyped]

from . import _collector
from .cells import column_letter
from .computation import compute_pl01, ratio
from .layout import CENTER, FONT, PLAIN, Drawn, Grid, Style, TableRow, fixed_rows, plan
from .numbers import looks_like_formula
from .spec import FormSpec, load_catalogue
from .writing import atomic_save, xml_safe

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

    from .outcome import ConsolidationResult

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


def _pl01_sheet(
    ws: Worksheet, formats: _Formats, spec: FormSpec, result: ConsolidationResult
) -> None:
    grid = Grid()
    drawn = _draw(grid, ws, spec, fixed_rows(spec), unit=result.province)
    for row in spec.rows:
        if row.kind == "section":
            continue
        line = drawn.rows[row.key]
        grid.set(line, drawn.columns["unit"], xml_safe(row.unit) if row.unit else None)
        plan = row.target.text if row.target and row.target.op != "plan" else result.plan(row.key)
        _put(grid, line, drawn.columns["plan"], plan, COUNT_FORMAT)
        actual = result.data.pl01.get((row.key, "actual"))
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
            result.data.pl01.get((row.key, "ratio")),
            RATIO_FORMAT,
        )
        _put(grid, line, drawn.columns["assessment"], result.data.pl01.get((row.key, "assessment")))
    _flush(grid, ws, formats)


def _pl02_sheet(
    ws: Worksheet, formats: _Formats, spec: FormSpec, result: ConsolidationResult
) -> None:
    counters: dict[str, int] = {}
    extra: list[TableRow] = []
    for index, project in enumerate(result.data.pl02_projects):
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
            value = result.data.pl02_fixed[row.key].get(column.key)
            _put(
                grid,
                line,
                column.number,
                value,
                RATIO_FORMAT if column.type == "percent" else MONEY_FORMAT,
            )
            grid.style(line, column.number)[0] = (FONT, 11, True, False)
    for index, project in enumerate(result.data.pl02_projects):
        line = drawn.rows[f"p{index}"]
        texts = dict(project.texts)
        texts.setdefault("investor", project.unit)
        for key in ("name", "investor", "period", "decision", "note"):
            _put(grid, line, spec.column_by_key[key].number, texts.get(key))
        for column in money:
            _put(
                grid,
                line,
                column.number,
                project.values.get(column.key),
                RATIO_FORMAT if column.type == "percent" else MONEY_FORMAT,
            )
    _flush(grid, ws, formats)


def _table(
    ws: Worksheet,
    formats: _Formats,
    title: str,
    header: list[str],
    rows: list[list[Any]],
    widths: list[int],
    ratios: bool = False,
) -> None:
    """A titled table: a header row (3) and the rows under it, boxed, numbers formatted
    (``ratios``: every cell after the first column, also an empty one, as a ratio)."""
    ws.write_string(0, 0, title, formats(((FONT, 12, True, False), None, False, None, None, False)))
    head = formats(((FONT, 11, True, False), CENTER, True, HEAD_FILL, None, False))
    for column, heading in enumerate(header):
        ws.write_string(2, column, xml_safe(heading), head)
    font = (FONT, 11, False, False)
    blank = formats((None, None, False, None, RATIO_FORMAT, False))
    # Each (first two columns, number format, text, formula-like) style is looked up once.
    styles: dict[tuple[bool, str | None, bool, bool], Format | None] = {}
    for line, values in enumerate(rows, start=3):
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
            key = (column < 2, shown, text, text and looks_like_formula(value))
            fmt = styles.get(key, False)
            if fmt is False:
                align = None if column < 2 else ("center" if text else "right", "vcenter", True)
                fmt = styles[key] = formats((font, align, True, None, shown, key[3]))
            if text:
                ws.write_string(line, column, value, fmt)
            else:
                ws.write_number(line, column, value, fmt)
    for column, width in enumerate(widths):
        _set_width(ws, column, width)
    ws.freeze_panes(3, 0)
    if not rows:
        ws.write_string(
            3, 0, "(không có)", formats(((FONT, 11, False, True), None, False, None, None, False))
        )
    _print_setup(ws, 3, 3)


def _breakdown_sheet(
    ws: Worksheet, formats: _Formats, spec: FormSpec, result: ConsolidationResult
) -> None:
    names = result.data.unit_names
    units = list(result.data.per_unit)
    rows = []
    for row in spec.rows:
        for column in row.inputs:
            label = f"{row.key} {spec.column_by_key[column].numbering}"
            values = [result.data.per_unit[u].get((row.key, column)) for u in units]
            province = result.data.pl01.get((row.key, column))
            rows.append([label, row.name, province, *values])
    header = ["STT (cột)", "Chỉ tiêu", "Toàn tỉnh", *(names.get(u, u) for u in units)]
    _table(
        ws,
        formats,
        "CHI TIẾT SỐ LIỆU PHỤ LỤC 01 THEO ĐƠN VỊ",
        header,
        rows,
        [12, 50, 14, *([16] * len(units))],
    )


#: Units up to which the completion sheet draws its bar chart (one bar per unit and rate, the
#: chart 0.6 cm tall per unit): a ministry's thousand units would make it six metres tall.
CHART_MAX_UNITS: Final = 100


def _completion_sheet(
    ws: Worksheet, formats: _Formats, spec: FormSpec, result: ConsolidationResult
) -> xlsxwriter.chart.Chart | None:
    percent_rows = [r for r in spec.rows if r.kind == "percent"]
    names = result.data.unit_names
    header = ["Đơn vị", *(f"Chỉ tiêu {r.key} (%)" for r in percent_rows)]
    rows = []
    by_key = {r.key: r for r in spec.rows}
    typed = all(
        by_key[part].kind != "percent" and not by_key[part].parts
        for r in percent_rows
        for part in r.ratio_of
    )
    for unit, table in result.data.per_unit.items():
        if typed:
            # Each percent is of two typed rows, which compute_pl01 leaves as they are: the
            # same figures as computing the whole form, without computing it for every unit.
            percents: list[Any] = [
                ratio(*(table.get((part, "actual")) for part in r.ratio_of)) for r in percent_rows
            ]
        else:
            computed = compute_pl01(spec, table)
            percents = [computed.get((r.key, "actual")) for r in percent_rows]
        rows.append([names.get(unit, unit), *percents])
    rows.append(["Toàn tỉnh", *(result.data.pl01.get((r.key, "actual")) for r in percent_rows)])
    _table(
        ws,
        formats,
        "TỶ LỆ HOÀN THÀNH CÁC CHỈ TIÊU TỶ LỆ THEO ĐƠN VỊ",
        header,
        rows,
        [40, *([14] * len(percent_rows))],
        ratios=True,
    )
    if not rows:
        return None
    units = len(rows) - 1  # the last row is the province's
    if units > CHART_MAX_UNITS:
        note = (
            f"Biểu đồ chỉ vẽ khi có tới {CHART_MAX_UNITS} đơn vị (với {units} đơn vị, mỗi thanh"
            " mảnh hơn một nét kẻ); bảng bên trái có đủ mọi đơn vị."
        )
        _write(ws, formats, 3, len(percent_rows) + 3, note, PLAIN)
        return None
    chart = formats.book.add_chart({"type": "bar"})
    assert chart is not None
    for column in range(1, 1 + len(percent_rows)):
        chart.add_series(
            {
                "name": [ws.name, 2, column],
                "categories": [ws.name, 3, 0, 2 + len(rows), 0],
                "values": [ws.name, 3, column, 2 + len(rows), column],
            }
        )
    chart.set_title({"name": "Tỷ lệ hoàn thành theo đơn vị (%)"})
    chart.set_y_axis({"name": "%"})
    chart.set_size({"width": round(24 * CM), "height": round(max(8, round(0.6 * len(rows))) * CM)})
    ws.insert_chart(f"{column_letter(len(percent_rows) + 3)}3", chart)
    return chart


class _Book:
    """The province workbook, written when saved (``atomic_save`` saves to a temporary file)."""

    def __init__(self, result: ConsolidationResult) -> None:
        self.result = result

    def save(self, path: str | Path) -> None:
        result = self.result
        forms = load_catalogue().forms
        book = xlsxwriter.Workbook(
            str(path),
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        formats = _Formats(book)
        _pl01_sheet(book.add_worksheet(forms["PL01"].sheet), formats, forms["PL01"], result)
        _pl02_sheet(book.add_worksheet(forms["PL02"].sheet), formats, forms["PL02"], result)
        _breakdown_sheet(book.add_worksheet("Chi tiết theo đơn vị"), formats, forms["PL01"], result)
        _completion_sheet(book.add_worksheet("Tỷ lệ theo đơn vị"), formats, forms["PL01"], result)
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
            [40, 14, 8, 10, 26, 100],
        )
        sources = [
            [s.path, s.unit_code, s.unit_name, s.sha256, s.status] for s in result.data.sources
        ]
        _table(
            book.add_worksheet("Nguồn số liệu"),
            formats,
            "CÁC TỆP ĐÃ TỔNG HỢP",
            ["Tệp", "Mã đơn vị", "Tên đơn vị", "SHA-256", "Tình trạng"],
            sources,
            [50, 10, 40, 66, 34],
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


@_collector.paused()  # large acyclic tables: see _collector
def write_province_book(result: ConsolidationResult, path: Path) -> None:
    """Write the province workbook: PL01, PL02, breakdown, completion chart, findings, sources,
    missing units."""
    atomic_save(_Book(result), path)
