"""The province workbook of the Bình Định example, compared with the stored expected one
(``tests/golden/binh-dinh-2020.xlsx``) cell by cell and style by style, as XlsxWriter's own
comparison tests do: values, number formats, bold, fills, alignment, merged ranges, column
widths, frozen panes and print setup. The file's dates (document properties) are not compared.

When the workbook is meant to change, regenerate the expected one on purpose:
``python tools/regen_golden.py``, look at it in Excel, and commit it with the change.
"""

from __future__ import annotations

import shutil
from copy import copy
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from _support import ROOT, load_tool
from ctmtcntt.cli import main

GOLDEN = ROOT / "tests" / "golden" / "binh-dinh-2020.xlsx"


def _tool_args() -> tuple[str, ...]:
    args: tuple[str, ...] = load_tool("regen_golden").ARGS
    return args


def _cell(cell: Cell) -> tuple[Any, ...]:
    fill = cell.fill
    return (
        cell.value,
        cell.number_format,
        bool(cell.font.b),
        bool(cell.font.i),
        fill.fill_type,
        fill.fgColor.rgb if fill.fill_type else None,
        cell.alignment.horizontal,
        bool(cell.alignment.wrap_text),
    )


def _sheet(sheet: Worksheet) -> dict[str, Any]:
    setup = sheet.page_setup
    return {
        "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
        "widths": {k: d.width for k, d in sorted(sheet.column_dimensions.items()) if d.width},
        "freeze": sheet.freeze_panes,
        "print": (
            setup.orientation,
            setup.paperSize,
            setup.fitToWidth,
            setup.fitToHeight,
            sheet.sheet_properties.pageSetUpPr.fitToPage
            if sheet.sheet_properties.pageSetUpPr
            else None,
            sheet.print_title_rows,
            sheet.print_area,
            sheet.print_options.horizontalCentered,
        ),
        "size": (sheet.max_row, sheet.max_column),
    }


def differences(expected: Path, actual: Path) -> list[str]:
    """Where ``actual`` differs from ``expected``: one line per sheet property or cell."""
    want = openpyxl.load_workbook(expected)
    got = openpyxl.load_workbook(actual)
    if want.sheetnames != got.sheetnames:
        return [f"sheets: {want.sheetnames} != {got.sheetnames}"]
    found: list[str] = []
    for name in want.sheetnames:
        a, b = want[name], got[name]
        for key, value in _sheet(a).items():
            if value != _sheet(b)[key]:
                found.append(f"{name} {key}: {value!r} != {_sheet(b)[key]!r}")
        rows = max(a.max_row, b.max_row)
        columns = max(a.max_column, b.max_column)
        for row in range(1, rows + 1):
            for column in range(1, columns + 1):
                x, y = a.cell(row, column), b.cell(row, column)
                if _cell(x) != _cell(y):
                    found.append(f"{name}!{x.coordinate}: {_cell(x)!r} != {_cell(y)!r}")
    return found


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("golden") / "tinh.xlsx"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)  # the sources sheet names files by the paths given, relative here
        result = CliRunner().invoke(main, [*_tool_args(), "--output", str(output)])
    assert 0 == result.exit_code, result.output
    return output


def test_the_example_consolidates_to_the_stored_workbook(consolidated: Path) -> None:
    found = differences(GOLDEN, consolidated)
    assert not found, "\n".join(found[:30]) + "\n(python tools/regen_golden.py if intended)"


def test_a_changed_figure_or_a_lost_bold_header_is_caught(
    consolidated: Path, tmp_path: Path
) -> None:
    """The comparison fails on what a regression looks like: one figure, one header's bold."""
    changed = tmp_path / "sai.xlsx"
    shutil.copy(consolidated, changed)
    book = openpyxl.load_workbook(changed)
    sheet = book["Phụ lục 01"]
    figure = next(
        c
        for row in sheet.iter_rows(min_row=5)
        for c in row
        if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
    )
    header = next(c for row in sheet.iter_rows() for c in row if c.value and c.font.b)
    figure.value = figure.value + 1
    unbold = copy(header.font)
    unbold.b = False
    header.font = unbold
    book.save(changed)
    found = differences(consolidated, changed)
    assert any(line.startswith(f"Phụ lục 01!{figure.coordinate}:") for line in found), found
    assert any(line.startswith(f"Phụ lục 01!{header.coordinate}:") for line in found), found
