"""The blank template a unit fills, drawn from the form's spec in the Ministry's layout.

Input cells are unlocked and shaded, with data validation; computed cells are locked and carry
formulas, so a unit working in Excel sees totals and ratios as it types. (``ctmt fill`` later
replaces them with values computed in Python, the single source of truth.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..common.cells import a1, column_letter
from ..common.saving import atomic_save, output_path
from ..errors import UsageError
from .layout import Drawn, Grid, TableRow, fixed_rows, plan
from .spec import Catalogue, FormSpec, RowSpec, as_catalogue, computed_columns

# Fixed document dates keep the committed templates byte-for-byte reproducible.
_EPOCH = dt.datetime(2021, 9, 16)
_UNIT_HINT = "Ghi tên đơn vị sau dấu hai chấm, ví dụ: Đơn vị báo cáo: Sở Tài chính"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
COMPUTED_FILL = PatternFill("solid", fgColor="EDEDED")


def _render(ws: Worksheet, grid: Grid) -> None:
    """Put a laid-out grid on an openpyxl sheet."""
    fonts: dict[Any, Font] = {}
    aligns: dict[Any, Alignment] = {}
    for top, left, bottom, right in grid.merges:
        ws.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
    for (row, column), style in grid.styles.items():
        cell = ws.cell(row=row, column=column)
        value = grid.values.get((row, column))
        if value is not None:
            cell.value = value
        font, align, box, _, _, _ = style
        if font is not None:
            if font not in fonts:
                name, size, bold, italic = font
                fonts[font] = Font(name=name, size=size, bold=bold, italic=italic)
            cell.font = fonts[font]
        if align is not None:
            if align not in aligns:
                horizontal, _, wrap = align
                aligns[align] = Alignment(horizontal=horizontal, vertical="center", wrap_text=wrap)
            cell.alignment = aligns[align]
        if box:
            cell.border = BOX
    for row, height in grid.heights.items():
        ws.row_dimensions[row].height = height
    for column, width in grid.widths.items():
        ws.column_dimensions[column_letter(column)].width = width


def draw(ws: Worksheet, spec: FormSpec, rows: Sequence[TableRow], unit: str | None = None) -> Drawn:
    """Draw the whole form on an empty openpyxl sheet and say where each row and column is."""
    grid = Grid()
    drawn = plan(grid, spec, rows, unit)
    _render(ws, grid)
    ws.freeze_panes = a1(drawn.numbering_row + 1, 3)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{drawn.header_top}:{drawn.numbering_row}"
    return drawn


def _input(ws: Worksheet, ref: str, validation: DataValidation | None) -> None:
    cell = ws[ref]
    cell.fill = INPUT_FILL
    cell.protection = Protection(locked=False)
    if validation is not None:
        validation.add(ref)


def _computed(ws: Worksheet, ref: str, formula: str) -> None:
    cell = ws[ref]
    cell.value = formula
    cell.fill = COMPUTED_FILL
    cell.protection = Protection(locked=True)


#: The unit of the project list's money columns ("Đơn vị tính: triệu đồng" on the form).
MONEY_UNIT = "triệu đồng"


def _validations(ws: Worksheet, decimal: bool = False) -> dict[str, DataValidation]:
    rules = {
        "number": DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            error="Chỉ nhập số nguyên không âm.",
            errorTitle="Số liệu",
        ),
        "money": _money(MONEY_UNIT),
        "yesno": DataValidation(
            type="list",
            formula1='"Có,Không"',
            allow_blank=True,
            error="Chọn Có hoặc Không.",
            errorTitle="Có/Không",
        ),
    }
    if decimal:
        rules["decimal"] = DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            error="Chỉ nhập số không âm.",
            errorTitle="Số liệu",
        )
    for rule in rules.values():
        rule.showErrorMessage = True
        ws.add_data_validation(rule)
    return rules


def _money_rule(ws: Worksheet, rules: dict[str, DataValidation], unit: str) -> DataValidation:
    """The money rule of a row counted in its own unit ("Tỷ đồng"), not the form's triệu đồng:
    its messages name the unit the cell is in."""
    words = unit.strip().lower() or MONEY_UNIT
    key = f"money:{words}"
    if key not in rules:
        rule = rules[key] = _money(words)
        ws.add_data_validation(rule)
    return rules[key]


def _money(words: str) -> DataValidation:
    rule = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        error=f"Chỉ nhập số không âm ({words}).",
        errorTitle="Số liệu",
        prompt=f"Số tiền tính bằng {words}.",
        promptTitle="Đơn vị tính",
    )
    rule.showErrorMessage = True
    rule.showInputMessage = True
    return rule


def _indicator_formulas(
    spec: FormSpec, row: RowSpec, refs: dict[tuple[str, str], str]
) -> dict[str, str]:
    key = row.key
    actual, plan = refs[key, "actual"], refs[key, "plan"]
    formulas: dict[str, str] = {}
    if row.kind == "percent" and row.target is not None:
        bound = row.target.value
        op = {">": ">", "≤": "<="}.get(row.target.op, ">=")
        if row.ratio_of:
            top, bottom = (refs[k, "actual"] for k in row.ratio_of)
            formulas["actual"] = (
                f"=IF(AND(ISNUMBER({bottom}),{bottom}>0,ISNUMBER({top})),"
                f'ROUND({top}/{bottom}*100,2),"")'
            )
        formulas["ratio"] = f'=IF(ISNUMBER({actual}),ROUND({actual}/{bound:g}*100,2),"")'
        formulas["assessment"] = (
            f'=IF(ISNUMBER({actual}),IF({actual}{op}{bound:g},"Đạt","Không đạt"),"")'
        )
    elif row.kind == "yesno":
        if spec.yesno_rate:
            formulas["ratio"] = f'=IF({actual}="Có",100,IF({actual}="Không",0,""))'
        formulas["assessment"] = f'=IF({actual}="Có","Đạt",IF({actual}="Không","Không đạt",""))'
    elif row.parts:
        cells = ",".join(refs[k, "actual"] for k in row.parts)
        formulas["actual"] = f'=IF(COUNT({cells})=0,"",SUM({cells}))'
    if row.target is not None and row.target.op == "plan":
        formulas["ratio"] = (
            f"=IF(AND(ISNUMBER({plan}),{plan}>0,ISNUMBER({actual})),"
            f'ROUND({actual}/{plan}*100,2),"")'
        )
        formulas["assessment"] = (
            f"=IF(AND(ISNUMBER({plan}),ISNUMBER({actual})),"
            f'IF({actual}>={plan},"Đạt","Không đạt"),"")'
        )
    return {c: formulas[c] for c in computed_columns(row) if c in formulas}


def _indicators(ws: Worksheet, spec: FormSpec) -> str:
    drawn = draw(ws, spec, fixed_rows(spec))
    rules = _validations(ws, any(r.kind in ("score", "percent") and r.inputs for r in spec.rows))
    refs = {
        (row.key, c.key): a1(drawn.rows[row.key], c.number)
        for row in spec.rows
        for c in spec.columns
    }
    for row in spec.rows:
        if row.kind == "section":
            continue
        line = drawn.rows[row.key]
        ws.cell(row=line, column=spec.column_by_key["unit"].number, value=row.unit or None)
        if row.kind == "heading":
            continue  # a numbered heading (3 of 3.1, 3.2): its unit printed, nothing to type
        if row.target is not None and row.target.op != "plan":
            ws.cell(row=line, column=spec.column_by_key["plan"].number, value=row.target.text)
        kinds = {"yesno": "yesno", "money": "money", "score": "decimal", "percent": "decimal"}
        kind = kinds.get(row.kind, "number")
        for column in row.inputs:
            rule = _money_rule(ws, rules, row.unit) if kind == "money" else rules[kind]
            _input(ws, refs[row.key, column], rule)
        for column, formula in _indicator_formulas(spec, row, refs).items():
            _computed(ws, refs[row.key, column], formula)
        _input(ws, refs[row.key, "note"], None)
    return drawn.unit_cell


def _projects(ws: Worksheet, spec: FormSpec) -> str:
    blanks = [
        TableRow(
            key=f"{row.key}.{n}", label=str(n), name="", bold=False, kind="project", group=row.key
        )
        for row in spec.rows
        if row.kind == "group"
        for n in range(1, spec.template_projects + 1)
    ]
    drawn = draw(ws, spec, fixed_rows(spec, blanks))
    rules = _validations(ws)
    money = [c for c in spec.columns if c.type == "money"]
    rates = [c for c in spec.columns if c.ratio_of]
    choices = {c.key: _choice(ws, c.choices) for c in spec.columns if c.choices}
    letter = {c.key: column_letter(c.number) for c in spec.columns}
    groups = [r for r in spec.rows if r.kind == "group"]
    for project in blanks:
        line = drawn.rows[project.key]
        for column in spec.columns:
            ref = a1(line, column.number)
            if column.sum_of:
                cells = ",".join(f"{letter[k]}{line}" for k in column.sum_of)
                _computed(ws, ref, f'=IF(COUNT({cells})=0,"",SUM({cells}))')
            elif column.type == "money":
                _input(ws, ref, rules["money"])
            elif column.key in choices:
                _input(ws, ref, choices[column.key])
            elif not column.computed and column.key != "stt":
                _input(ws, ref, None)
    for group in groups:
        line = drawn.rows[group.key]
        members = [drawn.rows[p.key] for p in blanks if p.group == group.key]
        for column in money:
            span = f"{letter[column.key]}{members[0]}:{letter[column.key]}{members[-1]}"
            _computed(ws, a1(line, column.number), f"=SUM({span})")
    for row in spec.rows:
        if row.kind == "total":
            line = drawn.rows[row.key]
            for column in money:
                parts = "+".join(f"{letter[column.key]}{drawn.rows[p]}" for p in row.parts)
                _computed(ws, a1(line, column.number), f"={parts}")
    for line in drawn.rows.values():
        for rate in rates:
            top, bottom = (f"{letter[k]}{line}" for k in rate.ratio_of)
            _computed(
                ws,
                a1(line, rate.number),
                f'=IF(AND(ISNUMBER({bottom}),{bottom}>0),ROUND({top}/{bottom}*100,2),"")',
            )
    return drawn.unit_cell


def _choice(ws: Worksheet, choices: Sequence[str]) -> DataValidation:
    """A drop-down of a choice column's allowed texts."""
    rule = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        error="Chọn một trong: " + "; ".join(choices) + ".",
        errorTitle="Giá trị",
    )
    rule.showErrorMessage = True
    ws.add_data_validation(rule)
    return rule


def build_template(code: str, forms: Catalogue | str | Path | None = None) -> Workbook:
    """The blank template of form ``code`` of a form set (its name, folder, or None for the
    default set) as an openpyxl workbook."""
    catalogue = as_catalogue(forms)
    found = {c.upper(): spec for c, spec in catalogue.forms.items()}
    if code.upper() not in found:
        raise UsageError(
            f"Bộ biểu mẫu {catalogue.name} không có biểu mẫu {code}; có: {', '.join(found)}"
        )
    spec = found[code.upper()]
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = spec.sheet
    unit_cell = (_projects if spec.has_projects else _indicators)(ws, spec)
    unit = ws[unit_cell]
    unit.fill = INPUT_FILL
    unit.protection = Protection(locked=False)
    unit.comment = Comment(_UNIT_HINT, "ctmtcntt")
    # Locked computed cells only bite when the sheet is protected; no password, so staff can
    # still insert rows (Review > Unprotect) when the Ministry's form asks them to.
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    if spec.has_projects:
        # The form's note says "thêm dòng nếu cần": a unit with more projects inserts rows.
        ws.protection.insertRows = False
    book.properties.creator = "ctmtcntt"
    book.properties.created = _EPOCH
    book.properties.modified = _EPOCH
    book.properties.lastModifiedBy = "ctmtcntt"
    return book


def write_template(
    code: str, output: str | Path, forms: Catalogue | str | Path | None = None
) -> Path:
    """Write the blank template of a form of a form set to ``output`` (atomically); returns
    the path written."""
    return atomic_save(build_template(code, forms), output_path(output))
