"""The province workbook prints right: rows fit their text, wide sheets split into readable
pages, the completion sheet shows ratios and one chart per percentage indicator."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

import ctmtcntt
from _support import EXAMPLE
from ctmtcntt.findings import Finding


@pytest.fixture(scope="module")
def book_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example's province workbook, with a long finding added to its results sheet."""
    result = ctmtcntt.consolidate(EXAMPLE, name="UBND tỉnh Bình Định")
    long = Finding(
        code="not-a-number",
        severity="error",
        file="S05 - So Tai chinh.xlsx",
        sheet="Phụ lục 01",
        cell="E12",
        message="Ô (5) của dòng 2.a phải là số nhưng đang ghi chữ. " * 6,
    )
    data = dataclasses.replace(result.data, findings=[long])
    path = tmp_path_factory.mktemp("book") / "tinh.xlsx"
    dataclasses.replace(result, data=data).write(path)
    return path


@pytest.fixture(scope="module")
def book(book_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(book_path)


def _row_of(sheet: object, column: int, text: str) -> int:
    for row in sheet.iter_rows(min_col=column, max_col=column):  # type: ignore[attr-defined]
        if isinstance(row[0].value, str) and row[0].value.startswith(text):
            return int(row[0].row)
    raise AssertionError(text)


def test_a_project_row_is_as_tall_as_its_name(book: openpyxl.Workbook) -> None:
    """The 111-character project name wraps in its 40-wide column: its row holds 3 lines, not
    one fixed 15.75-point line."""
    sheet = book["Phụ lục 02"]
    line = _row_of(sheet, 2, "Đầu tư nâng cấp hạ tầng")
    assert sheet.row_dimensions[line].height >= 3 * 15.75


def test_the_numbering_row_shows_whole_formulas(book: openpyxl.Workbook) -> None:
    """ "(10)=(11)+(12)+(13)" in an 11-wide column takes two lines: the row is that tall."""
    sheet = book["Phụ lục 02"]
    line = _row_of(sheet, 10, "(10)=(11)+(12)+(13)")
    assert sheet.row_dimensions[line].height >= 2 * 15.75


def test_the_breakdown_prints_in_readable_blocks_of_units(book: openpyxl.Workbook) -> None:
    """Landscape; the header row and the indicator columns on every page; a page break after
    every few units; labels a reader understands."""
    sheet = book["Chi tiết theo đơn vị"]
    assert "landscape" == sheet.page_setup.orientation
    assert "$3:$3" == sheet.print_title_rows
    assert "$A:$C" == sheet.print_title_cols
    assert (
        not sheet.sheet_properties.pageSetUpPr or not sheet.sheet_properties.pageSetUpPr.fitToPage
    )
    breaks = [b.id for b in sheet.col_breaks.brk]
    units = sheet.max_column - 3
    assert breaks
    widths = {b - a for a, b in zip([3, *breaks], [*breaks, 3 + units], strict=True)}
    assert max(widths) <= 8
    header = [c.value for c in sheet[3]][:3]
    assert ["STT", "Chỉ tiêu", "Toàn tỉnh"] == header
    labels = [(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=4) if r[0].value]
    assert ("2.a", "Số hệ thống thông tin có nhu cầu kết nối") in labels
    assert not any(re.search(r"\(\d+\)$", str(stt)) for stt, _ in labels)
    nine = [name for stt, name in labels if stt == "9"]
    assert 2 == len(nine)
    assert "kế hoạch" in nine[0]
    assert "thực hiện" in nine[1]


def test_the_completion_sheet_shows_results_and_completion_ratios(
    book: openpyxl.Workbook,
) -> None:
    """Toàn tỉnh, indicator 3: 12 % done, 40 % of its target (not 12 under a ratio's title)."""
    sheet = book["Tỷ lệ theo đơn vị"]
    header = [c.value for c in sheet[3]]
    province = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == "Toàn tỉnh")
    done = header.index("Chỉ tiêu 3: thực hiện (%)")
    ratio = header.index("Chỉ tiêu 3: tỷ lệ hoàn thành (%)")
    assert (12, 40) == (province[done], province[ratio])


def test_one_chart_per_percentage_indicator_units_sorted_target_as_a_line(
    book_path: Path, book: openpyxl.Workbook
) -> None:
    """Five charts, each of bars (units, highest first) and a line (the target), titled with
    the indicator's name."""
    with zipfile.ZipFile(book_path) as package:
        charts = [
            package.read(n).decode("utf-8")
            for n in sorted(package.namelist())
            if n.startswith("xl/charts/chart")
        ]
    assert 5 == len(charts)
    for xml in charts:
        assert "<c:barChart>" in xml
        assert "<c:lineChart>" in xml
    assert any("3. Tỷ lệ hồ sơ thủ tục hành chính" in xml for xml in charts)
    sheet = book["Biểu đồ tỷ lệ"]
    header = [c.value for c in sheet[3]]
    start = header.index("Chỉ tiêu 3")
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[start] is not None]
    values = [r[start + 1] for r in rows]
    table = book["Tỷ lệ theo đơn vị"]
    done = [c.value for c in table[3]].index("Chỉ tiêu 3: thực hiện (%)")
    reported = [
        r[done]
        for r in table.iter_rows(min_row=4, values_only=True)
        if r[0] not in (None, "Toàn tỉnh") and isinstance(r[done], (int, float))
    ]
    assert sorted(reported, reverse=True) == values
    assert sorted(values, reverse=True) == values
    assert {30} == {r[start + 2] for r in rows}


def test_long_findings_wrap_and_their_rows_fit(book: openpyxl.Workbook) -> None:
    """A long message wraps in its column and its row is tall enough for it."""
    sheet = book["Kết quả kiểm tra"]
    line = _row_of(sheet, 6, "Ô (5) của dòng 2.a")
    cell = sheet.cell(line, 6)
    assert cell.alignment.wrap_text
    assert sheet.row_dimensions[line].height >= 4 * 15.75


def test_long_file_paths_of_the_sources_wrap(book: openpyxl.Workbook) -> None:
    """The sources sheet wraps file paths and unit names instead of cutting them."""
    sheet = book["Nguồn số liệu"]
    cells = [sheet.cell(line, column) for line in range(4, sheet.max_row + 1) for column in (1, 3)]
    assert all(c.alignment.wrap_text for c in cells if c.value)
