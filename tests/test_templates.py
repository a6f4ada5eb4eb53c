"""``ctmt template`` draws the Ministry's forms, and the committed copies are what it makes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from _support import FORMS as MINISTRY_FORMS
from _support import recalculate, sheet_values
from ctmtcntt.cli import main
from ctmtcntt.forms.spec import resource_folder

FORMS = ["PL01", "PL02"]


def _texts(path: Path) -> list[str]:
    """Every text of the first sheet, row by row, left to right (formulas left out)."""
    sheet = load_workbook(path).worksheets[0]
    return [
        str(cell.value).strip()
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and not cell.value.startswith("=")
    ]


def _is_subsequence(needles: list[str], haystack: list[str]) -> bool:
    remaining = iter(haystack)
    return all(any(item == candidate for candidate in remaining) for item in needles)


@pytest.fixture(params=FORMS)
def made(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """A template written by the CLI into tmp_path."""
    output = tmp_path / f"{request.param}.xlsx"
    result = CliRunner().invoke(main, ["template", request.param, "-o", str(output)])
    assert 0 == result.exit_code, result.output
    return request.param, output


def test_every_text_of_the_form_in_order(made: tuple[str, Path]) -> None:
    """Each text of the Ministry's blank form appears in the template, in the same order."""
    form, output = made
    ministry = _texts(MINISTRY_FORMS / f"{form}.xlsx")
    ours = _texts(output)
    missing = [text for text in ministry if text not in ours]
    assert [] == missing
    assert _is_subsequence(ministry, ours)


def test_committed_copy_matches(made: tuple[str, Path]) -> None:
    """workbooks/ holds exactly what ``ctmt template`` makes (document dates aside)."""
    form, output = made
    committed = resource_folder("workbooks") / f"{form}.xlsx"
    with zipfile.ZipFile(committed) as old, zipfile.ZipFile(output) as new:
        assert sorted(old.namelist()) == sorted(new.namelist())
        for name in new.namelist():
            if name != "docProps/core.xml":
                assert old.read(name) == new.read(name), name


def test_input_and_computed_cells(made: tuple[str, Path]) -> None:
    """Input cells are unlocked with data validation; computed cells are locked formulas."""
    form, output = made
    sheet = load_workbook(output).worksheets[0]
    assert sheet.protection.sheet
    validated = {
        str(ref) for dv in sheet.data_validations.dataValidation for ref in dv.sqref.ranges
    }
    formulas = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=")]
    assert formulas
    assert all(c.protection.locked for c in formulas)
    kinds = {dv.type for dv in sheet.data_validations.dataValidation}
    if form == "PL01":
        assert {"whole", "list"} <= kinds
        assert "E12" in validated  # 2.a, actual
        assert not sheet["E12"].protection.locked
        assert sheet["E11"].value.startswith("=")  # row 2 (%) is computed
    else:
        assert "decimal" in kinds
        assert not sheet["G11"].protection.locked  # first project of group I, NSTW


def test_the_project_form_lets_units_insert_rows(made: tuple[str, Path]) -> None:
    """PL02's note says "thêm dòng nếu cần": its protection allows inserting rows; PL01's
    fixed rows stay as they are."""
    form, output = made
    protection = load_workbook(output).worksheets[0].protection
    assert protection.sheet
    assert (form == "PL01") == bool(protection.insertRows)


def test_a_money_cell_names_its_own_unit(made: tuple[str, Path]) -> None:
    """The input and error messages of a money cell say its unit: tỷ đồng on PL01's revenue row,
    triệu đồng on PL02's capital."""
    form, output = made
    sheet = load_workbook(output).worksheets[0]
    by_cell = {
        str(ref): dv for dv in sheet.data_validations.dataValidation for ref in dv.sqref.ranges
    }
    cell = "E40" if form == "PL01" else "G11"
    if form == "PL01":
        assert str(sheet["B40"].value).startswith("Tổng doanh thu")
    words = "tỷ đồng" if form == "PL01" else "triệu đồng"
    rule = by_cell[cell]
    assert f"({words})" in str(rule.error)
    assert words in str(rule.prompt)
    assert rule.showInputMessage


def test_formulas_agree_with_python_after_libreoffice(tmp_path: Path) -> None:
    """Filled in, the template's formulas give LibreOffice the numbers ctmtcntt computes."""
    from ctmtcntt.read.workbook import read_workbook
    from ctmtcntt.write.filling import fill_cells

    source = tmp_path / "unit.xlsx"
    CliRunner().invoke(main, ["template", "PL01", "-o", str(source)])
    book = load_workbook(source)
    sheet = book.worksheets[0]
    sheet["A4"] = "Đơn vị báo cáo: Sở Tài chính"
    for ref, value in {
        "E12": 7,
        "E13": 5,
        "E15": 2000,
        "E16": 450,
        "E21": 1000,
        "E22": 905,
        "D29": 1,
        "E29": 1,
    }.items():
        sheet[ref] = value
    book.save(source)
    [recalculated] = recalculate([source], tmp_path / "lo")
    shown = sheet_values(recalculated, "Phụ lục 01")
    for write in fill_cells(read_workbook(source)):
        row, column = _rowcol(write.cell)
        assert write.value == shown[row][column], write.cell


def _rowcol(ref: str) -> tuple[int, int]:
    from ctmtcntt.common.cells import parse_a1

    row, column = parse_a1(ref)
    return row - 1, column - 1
