"""The province workbook: each form of the set in its printed layout, and the sheets behind them.

Values only, no formulas: every number shows the same in Excel, LibreOffice and any reader of
cached values. Text that came from units is written as text, never as a formula.

Written with XlsxWriter, which serialises a thousand units' breakdown in a fraction of
openpyxl's time. The forms are laid out by ``layout.plan``, as the templates are; the breakdown
by unit is here, the completion rates and their charts in ``completion_charts``, the writing of
formats, grids and tables in ``xlsx_sheets``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

import xlsxwriter  # type: ignore[import-untyped]

from ..common import gc_pause
from ..common.numbers import looks_like_formula
from ..common.saving import atomic_save, output_path, xml_safe
from ..findings import SEVERITY_LABEL
from ..forms.layout import FONT, Drawn, Grid, TableRow, fit_row, fixed_rows, plan
from ..forms.spec import FormSpec
from ..read.submission import (
    AREA_LABEL,
    BREAKDOWN_SHEET,
    SOURCES_SHEET,
    SOURCES_TITLE,
    breakdown_title,
)
from ..read.values import texts_of
from .completion_charts import COMPLETION_SHEET, completion_sheet
from .xlsx_sheets import (
    A4,
    COUNT_FORMAT,
    MONEY_FORMAT,
    RATIO_FORMAT,
    Formats,
    cell_value,
    flush,
    print_setup,
    table,
)

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

    from ..result import ConsolidationResult


def _draw(
    grid: Grid, ws: Worksheet, spec: FormSpec, rows: Sequence[TableRow], unit: str | None
) -> Drawn:
    """The form laid out by ``layout.plan``, with XlsxWriter's frozen panes and print setup."""
    drawn = plan(grid, spec, rows, unit=xml_safe(unit) if unit else None)
    ws.freeze_panes(drawn.numbering_row, 2)
    print_setup(ws, drawn.header_top, drawn.numbering_row)
    return drawn


def _shown_as(value: float, number_format: str) -> str:
    """The format that shows ``value`` as it is: a whole number without a trailing decimal
    point ("400", not Excel's "400." for "#,##0.##"), a fraction with its decimals."""
    if number_format == RATIO_FORMAT:
        return number_format
    return COUNT_FORMAT if float(value).is_integer() else MONEY_FORMAT


def _put(grid: Grid, row: int, column: int, value: Any, number_format: str | None = None) -> None:
    """A table value with our font (keeping the cell's bold), a thin box and its alignment."""
    value = cell_value(value)
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
    ws: Worksheet, formats: Formats, spec: FormSpec, result: ConsolidationResult
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
    flush(grid, ws, formats)


def _fit(grid: Grid, drawn: Drawn, spec: FormSpec) -> None:
    """Every table row as tall as its longest text, wrapped in its column."""
    for line in drawn.rows.values():
        fit_row(grid, line, spec.layout.widths, spec.layout.last_column)


def _project_sheet(
    ws: Worksheet, formats: Formats, spec: FormSpec, result: ConsolidationResult
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
    flush(grid, ws, formats)


#: The breakdown printed: its scale, and the page's printable width (landscape A4 less the
#: default margins) in the pixels ``_set_width`` gives a column, as LibreOffice prints them
#: (measured: labels of 63 and four units of 12 fill a page at 90 %); Excel fits a little more.
BREAKDOWN_SCALE: Final = 80
PRINTABLE_PX: Final = 720
BREAKDOWN_WIDTHS: Final = (6, 36, 11)
UNIT_WIDTH: Final = 10


def _breakdown_sheet(
    ws: Worksheet, formats: Formats, spec: FormSpec, result: ConsolidationResult
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
    table(
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


class _Book:
    """The province workbook, written when saved (``atomic_save`` saves to a temporary file)."""

    def __init__(self, result: ConsolidationResult) -> None:
        self.result = result

    def save(self, stream: IO[bytes]) -> None:
        book = xlsxwriter.Workbook(
            stream,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        formats = Formats(book)
        _form_sheets(book, formats, self.result)
        _record_sheets(book, formats, self.result)
        book.close()  # in memory until now: a failure above leaves no file


def _form_sheets(book: xlsxwriter.Workbook, formats: Formats, result: ConsolidationResult) -> None:
    """One sheet per form of the set, named by the form, in the set's order; then, per
    indicator form, its breakdown by unit and its completion by unit, with charts."""
    forms = result.forms
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
        completion_sheet(
            book.add_worksheet(f"{COMPLETION_SHEET}{suffix}"[:31]), formats, spec, result
        )


def _record_sheets(
    book: xlsxwriter.Workbook, formats: Formats, result: ConsolidationResult
) -> None:
    """What the figures rest on: the findings, the files read, the units that sent nothing."""
    findings = [
        [f.file, f.sheet, f.cell, SEVERITY_LABEL[f.severity], f.code, f.message]
        for f in result.data.findings
    ]
    table(
        book.add_worksheet("Kết quả kiểm tra"),
        formats,
        "KẾT QUẢ KIỂM TRA CÁC TỆP BÁO CÁO",
        ["Tệp", "Trang tính", "Ô", "Mức độ", "Mã", "Nội dung"],
        findings,
        [32, 14, 8, 10, 24, 72],
        wrap=(0, 4, 5),
    )
    sources = [[s.path, s.unit_code, s.unit_name, s.sha256, s.status] for s in result.data.sources]
    table(
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
    table(
        book.add_worksheet("Đơn vị chưa gửi"),
        formats,
        "CÁC ĐƠN VỊ CHƯA GỬI BÁO CÁO",
        ["Mã đơn vị", "Tên đơn vị"],
        missing,
        [12, 60],
    )


@gc_pause.paused()  # large acyclic tables: see gc_pause
def write_province_book(result: ConsolidationResult, path: Path) -> Path:
    """Write the province workbook: each form of the set, breakdown and completion chart per
    indicator form, findings, sources, missing units; returns the path written (.xlsx added
    when the name has no extension)."""
    return atomic_save(_Book(result), output_path(path))
