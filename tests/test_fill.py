"""``ctmt fill`` on real workbooks: the example's units, the repo's templates, an .xlsm.

The computed cells are written as values; every other part of the workbook stays as it was
(styles, merged cells, widths, data validation, comments, the VBA project, the cached values of
the unit's own formulas). A second run changes nothing. The numbers written read the same to
python-calamine, to pandas, and after LibreOffice recalculates the workbook; LibreOffice's own
evaluation of the templates' formulas gives the same numbers as Python.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import builders
import ctmtcntt
from _support import CORPUS, EXAMPLE, recalculate, sheet_values
from ctmtcntt.cli import main
from ctmtcntt.common.cells import parse_a1
from ctmtcntt.forms.spec import resource_folder
from ctmtcntt.read.workbook import read_workbook
from ctmtcntt.write.number_formats import shows_exactly

MACRO_SOURCE = CORPUS / "xlsxwriter/xlsxwriter/test/comparison/xlsx_files/macro01.xlsm"
EXAMPLE_UNITS = [
    "H01 - UBND TP Quy Nhon.xlsx",  # two forms, two spellings of the unit
    "TINH - So TTTT.xlsx",  # the province's rows and the one project, a total typed as text
    "S08 - So GTVT.xlsx",  # renamed sheets, numbers typed as text in Text-formatted cells
    "H04 - UBND huyen Hoai An.xlsx",  # a blank row inserted before STT 9
    "S04 - So KHDT.xlsx",  # saved by LibreOffice
    "S15 - So KHCN.xlsx",  # header unmerged
    "UBND TX Hoai Nhon/H03 - PL01.xlsx",  # one file per form
]
# Typed into the repo's templates (row, form column): counts as Excel stores them.
TEMPLATE_PL01 = {
    ("2.a", 5): 61,
    ("2.b", 5): 41,
    ("3.a", 5): 32,
    ("3.b", 5): 1,  # 3.125 %: ROUND gives 3.13, Python's round 3.12
    ("4.a", 5): 3,
    ("4.b", 5): 2,  # 66.67 %, and (6) = 66.67/50 = 133.34
    ("5.a", 5): 0,
    ("5.b", 5): 0,  # a zero denominator: empty, as the formula gives ""
    ("6.a", 5): 1519,
    ("6.b", 5): 383,
    ("6.c", 5): 179,
    ("9", 4): 1,
    ("9", 5): 1,
    ("10", 4): 15,
    ("10", 5): 14,
    ("12.a", 5): 6,
    ("12.b", 5): 5,
    ("1", 5): "Có",
    ("13", 5): "Không",
}
TEMPLATE_PL02 = [
    ("I", "Dự án Chính quyền điện tử", {7: 30000, 8: 15000, 11: 0, 12: 15000, 15: 0, 16: 15000}),
    ("I", "Dự án noise", {7: 0.1, 8: 0.2, 11: 0.1, 12: 0.2, 15: 0.1, 16: 0.1}),
    ("II", "Dự án chưa bố trí vốn", {7: 500, 11: 0, 15: 0}),
    ("III", "Dự án một phần tám", {9: 8, 13: 8, 17: 1}),
]
# Number formats a unit put on computed cells that would not show the value written.
HIDING_FORMATS = {("2", 5): "0.00%", ("3", 6): "0", ("4", 5): "@"}


def _template_rows(form: str) -> dict[str, int]:
    """STT path -> sheet row in the repo's template (found by STT, not fixed addresses)."""
    sheet = openpyxl.load_workbook(resource_folder("workbooks") / f"{form}.xlsx").worksheets[0]
    start = next(r for r in range(1, 30) if sheet.cell(r, 1).value == "(1)")
    rows: dict[str, int] = {}
    parent = group = ""
    for r in range(start + 1, sheet.max_row + 1):
        stt, name = str(sheet.cell(r, 1).value or ""), str(sheet.cell(r, 2).value or "")
        if stt.startswith("Ghi chú"):
            break
        if name.startswith("TỔNG SỐ"):
            rows["TOTAL"] = r
        elif stt in ("I", "II", "III"):
            parent = group = stt
            rows[stt] = r
        elif stt.isdigit() and form == "PL02":
            rows[f"{group}.{stt}"] = r
        elif stt.isdigit():
            parent = stt
            rows[stt] = r
        elif stt:
            rows[f"{parent}.{stt}"] = r
    return rows


def template_unit(folder: Path, form: str) -> Path:
    """The repo's template filled with openpyxl as a unit does (formulas left uncalculated)."""
    book = openpyxl.load_workbook(resource_folder("workbooks") / f"{form}.xlsx")
    sheet = book.worksheets[0]
    rows = _template_rows(form)
    unit = next(
        c
        for row in sheet.iter_rows(max_row=6)
        for c in row
        if str(c.value or "").startswith("Đơn vị báo cáo")
    )
    unit.value = "Đơn vị báo cáo: Sở Tài chính"
    if form == "PL01":
        for (key, column), value in TEMPLATE_PL01.items():
            sheet.cell(rows[key], column).value = value
        for (key, column), number_format in HIDING_FORMATS.items():
            sheet.cell(rows[key], column).number_format = number_format
    else:
        counters: dict[str, int] = {}
        for group, name, values in TEMPLATE_PL02:
            counters[group] = counters.get(group, 0) + 1
            line = rows[f"{group}.{counters[group]}"]
            sheet.cell(line, 2).value = name
            for column, value in values.items():
                sheet.cell(line, column).value = value
    path = folder / f"tpl-{form.lower()}.xlsx"
    book.save(path)
    return path


def macro_unit(folder: Path) -> Path:
    """A unit's PL01 as an .xlsm written by XlsxWriter from the Ministry's blank form, with the
    VBA project of an .xlsm from the corpus, a button, data validation, a comment, merged
    cells, widths, formats, and a formula the unit typed (with its cached value)."""
    import xlsxwriter

    blank = builders.blank("PL01")
    source = openpyxl.load_workbook(blank.path).worksheets[0]
    vba = folder / "vbaProject.bin"
    with zipfile.ZipFile(MACRO_SOURCE) as zf:
        vba.write_bytes(zf.read("xl/vbaProject.bin"))
    path = folder / "unit-macro.xlsm"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Phụ lục 01")
    formats: dict[tuple[bool, bool], Any] = {}

    def fmt(cell: Any) -> Any:
        key = (bool(cell.font and cell.font.b), bool(cell.border and cell.border.left.style))
        if key not in formats:
            formats[key] = book.add_format(
                {
                    "bold": key[0],
                    "border": 1 if key[1] else 0,
                    "font_name": "Times New Roman",
                    "text_wrap": True,
                    "valign": "vcenter",
                }
            )
        return formats[key]

    values: dict[tuple[int, int], Any] = {
        (blank.rows[k], blank.columns[c]): v for (k, c), v in TEMPLATE_PL01.items()
    }
    values[blank.unit_cell] = "Đơn vị báo cáo: Sở Kế hoạch và Đầu tư"
    covered: set[tuple[int, int]] = set()
    for rng in source.merged_cells.ranges:
        top = (rng.min_row, rng.min_col)
        value = values.get(top, source.cell(*top).value)
        sheet.merge_range(
            rng.min_row - 1,
            rng.min_col - 1,
            rng.max_row - 1,
            rng.max_col - 1,
            value,
            fmt(source.cell(*top)),
        )
        covered.update(rng.cells)
    for row in source.iter_rows():
        for cell in row:
            if (cell.row, cell.column) in covered:
                continue
            value = values.get((cell.row, cell.column), cell.value)
            if value is not None or cell.has_style:
                sheet.write(cell.row - 1, cell.column - 1, value, fmt(cell))
    # The unit typed 2.a as a formula; Excel saved its value.
    row_2a, actual = blank.rows["2.a"], blank.columns[5]
    sheet.write_formula(row_2a - 1, actual - 1, "=30+31", fmt(source.cell(row_2a, actual)), 61)
    for letter, dim in source.column_dimensions.items():
        index = openpyxl.utils.column_index_from_string(letter) - 1
        sheet.set_column(index, index, dim.width or 9)
    first, last = blank.rows["2.a"], blank.rows["12.b"]
    sheet.data_validation(
        first - 1,
        actual - 1,
        last - 1,
        actual - 1,
        {"validate": "integer", "criteria": ">=", "value": 0},
    )
    sheet.write_comment(blank.unit_cell[0] - 1, blank.unit_cell[1] - 1, "Ghi tên đơn vị")
    book.add_vba_project(str(vba))
    book.set_vba_name()
    sheet.insert_button("J2", {"macro": "KiemTra", "caption": "Kiểm tra"})
    book.close()
    return path


class Filled:
    """Each workbook, its filled copy, the writes made, and LibreOffice's recalculations."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sources: dict[str, Path] = {}
        self.outputs: dict[str, Path] = {}
        self.results: dict[str, ctmtcntt.FillResult] = {}
        self.recalculated: dict[Path, Path] = {}


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    """Every workbook filled with ``-o``, then all recalculated by one LibreOffice run."""
    root = tmp_path_factory.mktemp("fill")
    done = Filled(root)
    inputs = root / "in"
    inputs.mkdir()
    for name in EXAMPLE_UNITS:
        done.sources[name] = Path(shutil.copy(EXAMPLE / name, inputs / Path(name).name))
    for form in ("PL01", "PL02"):
        done.sources[f"tpl-{form}"] = template_unit(inputs, form)
    done.sources["macro"] = macro_unit(inputs)
    outputs = root / "out"
    for key, source in done.sources.items():
        target = outputs / f"{source.stem}-filled{source.suffix}"
        done.results[key] = ctmtcntt.fill(source, target)
        done.outputs[key] = target
    unfilled = [done.sources["tpl-PL01"], done.sources["tpl-PL02"]]
    every = [*unfilled, *done.outputs.values()]
    converted = recalculate(every, root / "lo")
    done.recalculated = dict(zip(every, converted, strict=True))
    return done


ALL = [*EXAMPLE_UNITS, "tpl-PL01", "tpl-PL02", "macro"]


def _cell(grid: list[list[object]], ref: str) -> object:
    row, column = parse_a1(ref)
    if row - 1 >= len(grid) or column - 1 >= len(grid[row - 1]):
        return ""
    return grid[row - 1][column - 1]


def _same(expected: object, shown: object) -> bool:
    if expected is None:
        return shown in ("", None) or (isinstance(shown, float) and pd.isna(shown))
    if isinstance(expected, float):
        return isinstance(shown, (int, float)) and abs(float(shown) - expected) <= 1e-9
    return expected == shown


@pytest.mark.parametrize("key", ALL)
def test_computed_cells_written(filled: Filled, key: str) -> None:
    """Every computed cell of the report is in the output, as calamine and pandas read it."""
    output = filled.outputs[key]
    writes = ctmtcntt.fill_cells(read_workbook(filled.sources[key]))
    assert writes, "nothing computed"
    for sheet in {w.sheet for w in writes}:
        grid = sheet_values(output, sheet)
        frame = pd.read_excel(output, sheet_name=sheet, header=None, engine="openpyxl")
        for write in (w for w in writes if w.sheet == sheet):
            row, column = parse_a1(write.cell)
            assert _same(write.value, _cell(grid, write.cell)), ("calamine", sheet, write)
            via_pandas = frame.iat[row - 1, column - 1] if column <= frame.shape[1] else None
            assert _same(write.value, via_pandas), ("pandas", sheet, write)


def test_known_figures_written(filled: Filled) -> None:
    """Spot checks against the forms' own arithmetic."""
    tinh = {(w.sheet, w.cell): w.value for w in filled.results["TINH - So TTTT.xlsx"].writes}
    assert 2081.0 == tinh["Phụ lục 01", "E23"]  # 1519 + 383 + 179
    assert 45000.0 == tinh["Phụ lục 02", "F11"]  # the project's total typed as "45.000"
    assert 100.0 == tinh["Phụ lục 02", "R11"]
    assert 100.0 == tinh["Phụ lục 02", "R9"]  # TỔNG SỐ
    assert tinh["Phụ lục 02", "R14"] is None  # group II: nothing allocated, no rate
    rows = _template_rows("PL01")
    tpl = {w.cell: w.value for w in filled.results["tpl-PL01"].writes}
    assert 3.13 == tpl[f"E{rows['3']}"]
    assert 133.34 == tpl[f"F{rows['4']}"]
    assert tpl[f"E{rows['5']}"] is None
    assert "Không đạt" == tpl[f"G{rows['13']}"]


@pytest.mark.parametrize("key", ALL)
def test_second_run_changes_nothing(filled: Filled, key: str, tmp_path: Path) -> None:
    """Filling the filled workbook computes the same cells and changes none of them."""
    output = filled.outputs[key]
    again = ctmtcntt.fill(output, tmp_path / f"again{output.suffix}")
    assert () == again.changed
    assert filled.results[key].writes == again.writes
    book = openpyxl.load_workbook(output)
    for sheet in book.sheetnames:
        assert sheet_values(output, sheet) == sheet_values(
            tmp_path / f"again{output.suffix}", sheet
        )


def _styles(cell: Any) -> tuple[str, ...]:
    return tuple(
        repr(s) for s in (cell.font, cell.fill, cell.border, cell.alignment, cell.protection)
    )


@pytest.mark.parametrize("key", ALL)
def test_everything_else_kept(filled: Filled, key: str) -> None:
    """Only the computed cells change: other values, styles, merges, widths, validation,
    comments and protection are those of the unit's workbook; other parts byte for byte."""
    source, output = filled.sources[key], filled.outputs[key]
    vba = source.suffix == ".xlsm"
    before = openpyxl.load_workbook(source, keep_vba=vba)
    after = openpyxl.load_workbook(output, keep_vba=vba)
    written = {(w.sheet, w.cell) for w in filled.results[key].changed}
    assert before.sheetnames == after.sheetnames
    for name in before.sheetnames:
        old, new = before[name], after[name]
        assert sorted(map(str, old.merged_cells.ranges)) == sorted(
            map(str, new.merged_cells.ranges)
        )
        assert {k: d.width for k, d in old.column_dimensions.items()} == {
            k: d.width for k, d in new.column_dimensions.items()
        }
        assert {k: d.hidden for k, d in old.column_dimensions.items()} == {
            k: d.hidden for k, d in new.column_dimensions.items()
        }
        assert [
            (str(v.sqref), v.formula1, v.type) for v in old.data_validations.dataValidation
        ] == [(str(v.sqref), v.formula1, v.type) for v in new.data_validations.dataValidation]
        assert old.protection.sheet == new.protection.sheet
        assert old.freeze_panes == new.freeze_panes
        for row in old.iter_rows():
            for cell in row:
                other = new[cell.coordinate]
                if (name, cell.coordinate) in written:
                    assert _styles(cell) == _styles(other), cell.coordinate
                    continue
                assert cell.value == other.value, (name, cell.coordinate)
                assert cell.number_format == other.number_format, (name, cell.coordinate)
                assert _styles(cell) == _styles(other), (name, cell.coordinate)
                comment, kept = cell.comment, other.comment
                assert (comment.text if comment else None) == (kept.text if kept else None)
    for part in _changed_parts(source, output):
        assert part == "xl/styles.xml" or part.startswith("xl/worksheets/sheet"), part


def _changed_parts(first: Path, second: Path) -> set[str]:
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        return {n for n in a.namelist() if a.read(n) != b.read(n)}


def test_vba_project_and_button_survive(filled: Filled) -> None:
    """The .xlsm keeps its VBA project byte for byte, its button and its macro content type."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # oletools on a newer pyparsing
        from oletools.olevba import VBA_Parser

    source, output = filled.sources["macro"], filled.outputs["macro"]
    assert output.suffix == ".xlsm"
    with zipfile.ZipFile(MACRO_SOURCE) as original, zipfile.ZipFile(output) as made:
        assert original.read("xl/vbaProject.bin") == made.read("xl/vbaProject.bin")
        assert b"macroEnabled" in made.read("[Content_Types].xml")
        assert any(n.endswith(".vml") for n in made.namelist())
    assert _changed_parts(source, output) == {"xl/worksheets/sheet1.xml"}
    parser = VBA_Parser(str(output))
    try:
        assert parser.detect_vba_macros()
    finally:
        parser.close()


def test_units_own_formula_keeps_its_value(filled: Filled) -> None:
    """2.a typed as =30+31 (cached 61) is still a formula with its value after fill; a re-save
    through openpyxl would have dropped every cached value of the workbook."""
    blank = builders.blank("PL01")
    ref = builders.a1(blank.rows["2.a"], blank.columns[5])
    output = filled.outputs["macro"]
    assert 61.0 == _cell(sheet_values(output, "Phụ lục 01"), ref)
    assert "=30+31" == openpyxl.load_workbook(output, keep_vba=True)["Phụ lục 01"][ref].value
    writes = {w.cell: w.value for w in filled.results["macro"].writes}
    assert 67.21 == writes[builders.a1(blank.rows["2"], blank.columns[5])]


def test_formats_that_would_hide_the_number_give_way(filled: Filled) -> None:
    """A percent format would show 66.67 as 6667 %, "0" hides decimals, "@" is text: such
    cells get a format that shows the number; the cell keeps its other styles."""
    rows = _template_rows("PL01")
    book = openpyxl.load_workbook(filled.outputs["tpl-PL01"])
    sheet = book.worksheets[0]
    source = openpyxl.load_workbook(filled.sources["tpl-PL01"]).worksheets[0]
    for key, column in HIDING_FORMATS:
        cell = sheet.cell(rows[key], column)
        assert isinstance(cell.value, float)
        assert shows_exactly(cell.number_format, cell.value), (key, cell.number_format)
        assert _styles(source.cell(rows[key], column)) == _styles(cell)
    # Cells whose format already shows the number keep it.
    for cell in (sheet.cell(rows["12"], 5), sheet.cell(rows["9"], 6)):
        assert source.cell(cell.row, cell.column).number_format == cell.number_format


@pytest.mark.parametrize("form", ["PL01", "PL02"])
def test_libreoffice_formulas_agree_with_python(filled: Filled, form: str) -> None:
    """LibreOffice evaluating the template's own formulas (ROUND, SUM, IF) gives, cell for
    cell, the values Python writes: ratios, totals, groups, TỔNG SỐ, assessments, empties."""
    key = f"tpl-{form}"
    recalculated = filled.recalculated[filled.sources[key]]
    for sheet in {w.sheet for w in filled.results[key].writes}:
        grid = sheet_values(recalculated, sheet)
        for write in (w for w in filled.results[key].writes if w.sheet == sheet):
            assert _same(write.value, _cell(grid, write.cell)), write


@pytest.mark.parametrize("key", ALL)
def test_libreoffice_shows_what_was_written(filled: Filled, key: str) -> None:
    """After LibreOffice opens, recalculates and saves the filled workbook, every computed cell
    still holds the value written."""
    recalculated = filled.recalculated[filled.outputs[key]]
    for write in filled.results[key].writes:
        grid = sheet_values(recalculated, write.sheet)
        assert _same(write.value, _cell(grid, write.cell)), write


@pytest.mark.parametrize("key", EXAMPLE_UNITS)
def test_filled_workbook_validates_like_the_original(filled: Filled, key: str) -> None:
    """The filled workbook has the findings of the original and no computed cell that differs."""
    before = ctmtcntt.validate([filled.sources[key]]).files[0]
    after = ctmtcntt.validate([filled.outputs[key]]).files[0]
    assert [] == [f for f in after.findings if f.code == "computed-cell-differs"]
    assert [(f.code, f.cell) for f in before.findings] == [(f.code, f.cell) for f in after.findings]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_in_place_is_atomic_and_idempotent(tmp_path: Path) -> None:
    """--in-place replaces the file in one rename (same permissions, no stray temporary file);
    the second run finds nothing to change and leaves the file's bytes and date alone."""
    target = Path(shutil.copy(EXAMPLE / "H01 - UBND TP Quy Nhon.xlsx", tmp_path / "H01.xlsx"))
    os.chmod(target, 0o640)
    inode = target.stat().st_ino
    runner = CliRunner()
    first = runner.invoke(main, ["fill", str(target), "--in-place"])
    assert 0 == first.exit_code, first.output
    assert "Đã ghi" in first.output
    assert inode != target.stat().st_ino  # a new file renamed over the old one
    assert 0o640 == stat.S_IMODE(target.stat().st_mode)
    assert ["H01.xlsx"] == sorted(p.name for p in tmp_path.iterdir())
    digest, modified = _digest(target), target.stat().st_mtime_ns
    second = runner.invoke(main, ["fill", str(target), "--in-place"])
    assert 0 == second.exit_code, second.output
    assert "không cần thay đổi" in second.output
    assert digest == _digest(target)
    assert modified == target.stat().st_mtime_ns


def test_in_place_failure_leaves_the_workbook_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while writing (full disk, killed process) leaves the unit's file as it was."""
    import ctmtcntt.common.saving

    target = Path(shutil.copy(EXAMPLE / "TINH - So TTTT.xlsx", tmp_path / "TINH.xlsx"))
    digest = _digest(target)

    def broken(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ctmtcntt.common.saving.os, "replace", broken)
    with pytest.raises(ctmtcntt.OutputError, match="ổ đĩa đã đầy"):
        ctmtcntt.fill(target, in_place=True)
    assert digest == _digest(target)
    assert ["TINH.xlsx"] == sorted(p.name for p in tmp_path.iterdir())


def test_output_never_touches_the_input(tmp_path: Path) -> None:
    """-o writes a new file; the unit's workbook is not modified."""
    source = Path(shutil.copy(EXAMPLE / "S05 - So Tai chinh.xlsx", tmp_path / "S05.xlsx"))
    digest = _digest(source)
    result = CliRunner().invoke(main, ["fill", str(source), "-o", str(tmp_path / "out.xlsx")])
    assert 0 == result.exit_code, result.output
    assert digest == _digest(source)
    assert (tmp_path / "out.xlsx").is_file()


@pytest.mark.parametrize(
    "arguments",
    [
        [],  # neither -o nor --in-place
        ["--in-place", "-o", "OUT"],  # both
        ["-o", "SELF"],  # the output is the input
    ],
)
def test_usage_errors(tmp_path: Path, arguments: list[str]) -> None:
    """Asking for the impossible is a usage error (exit 2) with a message, never a traceback."""
    source = Path(shutil.copy(EXAMPLE / "S05 - So Tai chinh.xlsx", tmp_path / "S05.xlsx"))
    swap = {"OUT": str(tmp_path / "out.xlsx"), "SELF": str(source)}
    result = CliRunner().invoke(main, ["fill", str(source), *[swap.get(a, a) for a in arguments]])
    assert 2 == result.exit_code, result.output
    assert "Lỗi" in result.output


def test_not_an_ooxml_workbook(tmp_path: Path) -> None:
    """An .xls or .ods cannot be filled in place of Excel: a clear message, exit 2."""
    source = tmp_path / "old.xls"
    source.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    result = CliRunner().invoke(main, ["fill", str(source), "-o", str(tmp_path / "out.xlsx")])
    assert 2 == result.exit_code, result.output
    assert ".xlsx" in result.output


# ---------------------------------------------------------------------------------------------
# The sheet XML patch, case by case


GENERAL_STYLES = (
    b'<styleSheet><cellXfs count="3"><xf/><xf/><xf numFmtId="0"/></cellXfs></styleSheet>'
)


def _patched(xml: str, writes: dict[str, float | str | None]) -> str:
    from ctmtcntt.write.xlsx_patch import Styles, patch_sheet

    cells = {parse_a1(ref): value for ref, value in writes.items()}
    return patch_sheet(xml.encode(), cells, Styles(GENERAL_STYLES)).xml.decode()


SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="A1:C3"/><sheetData>'
    '<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="C1" s="2"><v>5</v></c></row>'
    '<row r="3"><c r="B3" s="1"><f>SUM(B1:B2)</f><v>7</v></c></row>'
    "</sheetData></worksheet>"
)


def test_patch_replaces_inserts_and_keeps_order() -> None:
    """An existing cell is replaced keeping its style; a missing cell is inserted in column
    order (the row's spans dropped); a missing row is inserted in row order."""
    xml = _patched(SHEET, {"C1": 66.67, "B1": "Đạt", "B2": 3.0, "B3": None})
    assert (
        '<row r="1"><c r="A1" t="s"><v>0</v></c>'
        '<c r="B1" t="inlineStr"><is><t>Đạt</t></is></c><c r="C1" s="2"><v>66.67</v></c></row>'
        '<row r="2"><c r="B2"><v>3</v></c></row>'
        '<row r="3"><c r="B3" s="1"/></row>'
    ) in xml
    assert '<dimension ref="A1:C3"/>' in xml


def test_patch_grows_the_dimension_and_fills_an_empty_sheet() -> None:
    """Cells beyond the declared dimension widen it; an empty <sheetData/> gets rows."""
    empty = SHEET.split("<sheetData>")[0] + "<sheetData/></worksheet>"
    xml = _patched(empty, {"E9": 1.5})
    assert '<sheetData><row r="9"><c r="E9"><v>1.5</v></c></row></sheetData>' in xml
    assert '<dimension ref="A1:E9"/>' in xml


def test_patch_keeps_a_namespace_prefix() -> None:
    """Sheets written with a prefix (x:row, x:c) get prefixed cells."""
    prefixed = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:sheetData><x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c></x:row></x:sheetData>'
        "</x:worksheet>"
    )
    xml = _patched(prefixed, {"B2": "Không đạt"})
    assert '<x:c r="B2" t="inlineStr"><x:is><x:t>Không đạt</x:t></x:is></x:c></x:row>' in xml


def test_patch_clones_a_style_that_would_hide_the_number() -> None:
    """A percent-formatted cell gets a copy of its style showing numbers as General."""
    from ctmtcntt.write.xlsx_patch import Styles, patch_sheet

    styles = Styles(
        b'<styleSheet><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="0" fontId="1"/>'
        b'<xf numFmtId="10" fontId="2" applyNumberFormat="1"/></cellXfs></styleSheet>'
    )
    patch = patch_sheet(SHEET.encode(), {(1, 3): 66.67}, styles)
    assert b'<c r="C1" s="3"><v>66.67</v></c>' in patch.xml
    new = styles.patched()
    assert new is not None
    assert b'<cellXfs count="4">' in new
    assert b'<xf fontId="2" numFmtId="0" applyNumberFormat="1"/></cellXfs>' in new


def test_patch_refuses_what_it_cannot_do_safely() -> None:
    """Cells without addresses or a shared formula other cells use: openpyxl does the write."""
    from ctmtcntt.write.xlsx_patch import Unpatchable

    shared = SHEET.replace("<f>SUM(B1:B2)</f>", '<f t="shared" ref="B3:C3" si="0">SUM(B1:B2)</f>')
    with pytest.raises(Unpatchable):
        _patched(shared, {"B3": 1.0})
    anonymous = SHEET.replace('<c r="A1" t="s">', '<c t="s">')
    with pytest.raises(Unpatchable):
        _patched(anonymous, {"B1": 1.0})


def test_sheet_parts_are_found_as_the_reader_finds_them(tmp_path: Path) -> None:
    """A package whose relationships name its sheets in other capitals than its members (read
    as any reader reads it) is filled, not refused: the patch finds the parts as ``read`` does."""
    source = EXAMPLE / "H09 - TX An Nhon.xlsx"
    cased = tmp_path / "cased.xlsx"
    with zipfile.ZipFile(source) as zf, zipfile.ZipFile(cased, "w") as out:
        for info in zf.infolist():
            data = zf.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                assert b'Target="/xl/worksheets/sheet' in data
                data = data.replace(
                    b'Target="/xl/worksheets/sheet', b'Target="/xl/Worksheets/Sheet'
                )
            out.writestr(info, data)
    expected = ctmtcntt.fill(source, tmp_path / "plain.xlsx")
    result = ctmtcntt.fill(cased, tmp_path / "out.xlsx")
    assert expected.changed == result.changed
    assert expected.changed
    for name in {write.sheet for write in result.changed}:
        assert sheet_values(tmp_path / "plain.xlsx", name) == sheet_values(
            tmp_path / "out.xlsx", name
        )


def test_a_removed_formula_drops_the_calculation_chain(tmp_path: Path) -> None:
    """When a formula cell becomes a value, Excel's calcChain.xml (which names it) goes too."""
    from ctmtcntt.write.filling import CellWrite, write_cells

    source = tmp_path / "chain.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "=1+1"  # type: ignore[index]
    book.save(source)
    with zipfile.ZipFile(source) as zf, zipfile.ZipFile(tmp_path / "with.xlsx", "w") as out:
        for info in zf.infolist():
            data = zf.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/calcChain.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>',
                )
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/>'
                    b"</Relationships>",
                )
            out.writestr(info, data)
        out.writestr("xl/calcChain.xml", b'<calcChain><c r="A1" i="1"/></calcChain>')
    write_cells(
        tmp_path / "with.xlsx",
        tmp_path / "out.xlsx",
        [CellWrite(sheet="Sheet", cell="A1", value=2.0)],
    )
    with zipfile.ZipFile(tmp_path / "out.xlsx") as zf:
        assert "xl/calcChain.xml" not in zf.namelist()
        assert b"calcChain" not in zf.read("[Content_Types].xml")
        assert b"calcChain" not in zf.read("xl/_rels/workbook.xml.rels")
    assert [[2.0]] == sheet_values(tmp_path / "out.xlsx", "Sheet")


def test_openpyxl_fallback_writes_the_same_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sheet XML the patch refuses is written through openpyxl: the same values, formats that
    show them."""
    import ctmtcntt.write.xlsx_patch as xlsx_patch

    def refuse(source: Path, writes: object) -> bytes:
        raise xlsx_patch.Unpatchable("test")

    source = template_unit(tmp_path, "PL01")
    expected = ctmtcntt.fill(source, tmp_path / "patched.xlsx")
    monkeypatch.setattr(xlsx_patch, "patched_package", refuse)
    fallback = ctmtcntt.fill(source, tmp_path / "fallback.xlsx")
    assert expected.writes == fallback.writes
    grid = sheet_values(tmp_path / "fallback.xlsx", "Phụ lục 01")
    sheet = openpyxl.load_workbook(tmp_path / "fallback.xlsx")["Phụ lục 01"]
    for write in fallback.writes:
        assert _same(write.value, _cell(grid, write.cell)), write
        if isinstance(write.value, float):
            assert shows_exactly(sheet[write.cell].number_format, write.value), write
