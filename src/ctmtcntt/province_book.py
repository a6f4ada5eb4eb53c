"""The province workbook: PL01 and PL02 in the Ministry's layout, and the sheets behind them.

Values only, no formulas: every number shows the same in Excel, LibreOffice and any reader of
cached values. Text that came from units is written as text, never as a formula.
"""

from __future__ import annotations

import weakref
from copy import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from . import _collector
from .cells import column_letter
from .computation import compute_pl01
from .layout import BOX, FONT, TableRow, draw, fixed_rows
from .spec import FormSpec, load_catalogue
from .writing import atomic_save, put_text

if TYPE_CHECKING:
    from .outcome import ConsolidationResult

RATIO_FORMAT = "0.00"
MONEY_FORMAT = "#,##0.######"
COUNT_FORMAT = "#,##0"
HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")


def _put(
    ws: Worksheet, row: int, column: int, value: Any, number_format: str | None = None
) -> None:
    cell = ws.cell(row=row, column=column)
    assert isinstance(cell, Cell)  # table cells are never inside a merge
    if isinstance(value, bool):
        value = "Có" if value else "Không"
    if isinstance(value, str) or value is None:
        put_text(cell, value)
    else:
        cell.value = value
        if number_format:
            cell.number_format = _shown_as(value, number_format)
    _box(cell, ("right" if not isinstance(value, str) else "center") if column > 2 else None)


# Per workbook: a cell's style ids before and after _box, for each alignment. openpyxl hashes
# every Font, Border and Alignment it is given, which made a 1,000-unit breakdown take seconds;
# each combination is now worked out once and copied after.
_BOXED: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()


def _box(cell: Cell, horizontal: str | None) -> None:
    """Our font (keeping the cell's bold), a thin box and, when given, the alignment."""
    styled: Any = cell  # StyleArray ``_style`` (None until styled): openpyxl's own copy idiom
    known = _BOXED.setdefault(cell.parent.parent, {})
    key = (*(styled._style or ()), horizontal)
    boxed = known.get(key)
    if boxed is not None:
        styled._style = copy(boxed)
        return
    cell.font = Font(name=FONT, size=11, bold=cell.font.b)
    cell.border = BOX
    if horizontal is not None:
        cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
    known[key] = copy(styled._style)


def _shown_as(value: float, number_format: str) -> str:
    """The format that shows ``value`` as it is: a whole number without a trailing decimal
    point ("400", not Excel's "400." for "#,##0.##"), a fraction with its decimals."""
    if number_format == RATIO_FORMAT:
        return number_format
    return COUNT_FORMAT if float(value).is_integer() else MONEY_FORMAT


def _pl01_sheet(ws: Worksheet, spec: FormSpec, result: ConsolidationResult) -> None:
    drawn = draw(ws, spec, fixed_rows(spec), unit=result.province)
    for row in spec.rows:
        if row.kind == "section":
            continue
        line = drawn.rows[row.key]
        ws.cell(row=line, column=drawn.columns["unit"], value=row.unit or None)
        plan = row.target.text if row.target and row.target.op != "plan" else result.plan(row.key)
        _put(ws, line, drawn.columns["plan"], plan, COUNT_FORMAT)
        actual = result.data.pl01.get((row.key, "actual"))
        fmt = (
            RATIO_FORMAT
            if row.kind == "percent"
            else (MONEY_FORMAT if row.kind == "money" else COUNT_FORMAT)
        )
        _put(ws, line, drawn.columns["actual"], actual, fmt)
        _put(
            ws, line, drawn.columns["ratio"], result.data.pl01.get((row.key, "ratio")), RATIO_FORMAT
        )
        _put(ws, line, drawn.columns["assessment"], result.data.pl01.get((row.key, "assessment")))


def _pl02_sheet(ws: Worksheet, spec: FormSpec, result: ConsolidationResult) -> None:
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
    drawn = draw(ws, spec, fixed_rows(spec, extra), unit=result.province)
    money = [c for c in spec.columns if c.type in ("money", "percent")]
    for row in spec.rows:
        line = drawn.rows[row.key]
        for column in money:
            value = result.data.pl02_fixed[row.key].get(column.key)
            _put(
                ws,
                line,
                column.number,
                value,
                RATIO_FORMAT if column.type == "percent" else MONEY_FORMAT,
            )
            ws.cell(row=line, column=column.number).font = Font(name=FONT, size=11, bold=True)
    for index, project in enumerate(result.data.pl02_projects):
        line = drawn.rows[f"p{index}"]
        texts = dict(project.texts)
        texts.setdefault("investor", project.unit)
        for key in ("name", "investor", "period", "decision", "note"):
            _put(ws, line, spec.column_by_key[key].number, texts.get(key))
        for column in money:
            _put(
                ws,
                line,
                column.number,
                project.values.get(column.key),
                RATIO_FORMAT if column.type == "percent" else MONEY_FORMAT,
            )


def _table(
    ws: Worksheet, title: str, header: list[str], rows: list[list[Any]], widths: list[int]
) -> None:
    ws.cell(row=1, column=1, value=title).font = Font(name=FONT, bold=True, size=12)
    for column, text in enumerate(header, start=1):
        cell = ws.cell(row=3, column=column, value=text)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEAD_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for line, values in enumerate(rows, start=4):
        for column, value in enumerate(values, start=1):
            # A province-only row is empty for every unit but one: with a thousand units,
            # leaving empty cells unwritten halves the breakdown's size and its writing time.
            if value is not None:
                _put(ws, line, column, value, COUNT_FORMAT)
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[column_letter(column)].width = width
    ws.freeze_panes = "A4"
    if not rows:
        ws.cell(row=4, column=1, value="(không có)").font = Font(name=FONT, italic=True)
    # Printed: landscape, as wide as the page, the header row repeated on every page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"


def _breakdown_sheet(ws: Worksheet, spec: FormSpec, result: ConsolidationResult) -> None:
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
        "CHI TIẾT SỐ LIỆU PHỤ LỤC 01 THEO ĐƠN VỊ",
        header,
        rows,
        [12, 50, 14, *([16] * len(units))],
    )


def _completion_sheet(ws: Worksheet, spec: FormSpec, result: ConsolidationResult) -> None:
    percent_rows = [r for r in spec.rows if r.kind == "percent"]
    names = result.data.unit_names
    header = ["Đơn vị", *(f"Chỉ tiêu {r.key} (%)" for r in percent_rows)]
    rows = []
    for unit, table in result.data.per_unit.items():
        computed = compute_pl01(spec, table)
        rows.append(
            [names.get(unit, unit), *(computed.get((r.key, "actual")) for r in percent_rows)]
        )
    rows.append(["Toàn tỉnh", *(result.data.pl01.get((r.key, "actual")) for r in percent_rows)])
    _table(
        ws,
        "TỶ LỆ HOÀN THÀNH CÁC CHỈ TIÊU TỶ LỆ THEO ĐƠN VỊ",
        header,
        rows,
        [40, *([14] * len(percent_rows))],
    )
    for line in range(4, 4 + len(rows)):
        for column in range(2, 2 + len(percent_rows)):
            ws.cell(row=line, column=column).number_format = RATIO_FORMAT
    if rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Tỷ lệ hoàn thành theo đơn vị (%)"
        chart.y_axis.title = "%"
        data = Reference(
            ws, min_col=2, max_col=1 + len(percent_rows), min_row=3, max_row=3 + len(rows)
        )
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=4, max_row=3 + len(rows)))
        chart.height = max(8, round(0.6 * len(rows)))
        chart.width = 24
        ws.add_chart(chart, f"{column_letter(len(percent_rows) + 3)}3")


@_collector.paused()  # large acyclic tables: see _collector
def write_province_book(result: ConsolidationResult, path: Path) -> None:
    """Write the province workbook: PL01, PL02, breakdown, completion chart, findings, sources,
    missing units."""
    forms = load_catalogue().forms
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = forms["PL01"].sheet
    _pl01_sheet(first, forms["PL01"], result)
    _pl02_sheet(book.create_sheet(forms["PL02"].sheet), forms["PL02"], result)
    _breakdown_sheet(book.create_sheet("Chi tiết theo đơn vị"), forms["PL01"], result)
    _completion_sheet(book.create_sheet("Tỷ lệ theo đơn vị"), forms["PL01"], result)
    findings = [
        [f.file, f.sheet, f.cell, "Lỗi" if f.is_error else "Cảnh báo", f.code, f.message]
        for f in result.data.findings
    ]
    _table(
        book.create_sheet("Kết quả kiểm tra"),
        "KẾT QUẢ KIỂM TRA CÁC TỆP BÁO CÁO",
        ["Tệp", "Trang tính", "Ô", "Mức độ", "Mã", "Nội dung"],
        findings,
        [40, 14, 8, 10, 26, 100],
    )
    sources = [[s.path, s.unit_code, s.unit_name, s.sha256, s.status] for s in result.data.sources]
    _table(
        book.create_sheet("Nguồn số liệu"),
        "CÁC TỆP ĐÃ TỔNG HỢP",
        ["Tệp", "Mã đơn vị", "Tên đơn vị", "SHA-256", "Tình trạng"],
        sources,
        [50, 10, 40, 66, 34],
    )
    missing = [[a.code, a.name] for a in result.data.units["missing"]]
    _table(
        book.create_sheet("Đơn vị chưa gửi"),
        "CÁC ĐƠN VỊ CHƯA GỬI BÁO CÁO",
        ["Mã đơn vị", "Tên đơn vị"],
        missing,
        [12, 60],
    )
    atomic_save(book, path)
