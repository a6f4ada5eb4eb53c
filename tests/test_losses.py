"""Nothing is lost silently from a readable file: each case is the example with one file changed.

A figure that a unit's mistake (or an odd writer) takes out of the province's sums always comes
with an error on that unit's file, naming the sheet and the cell; a file with a form we could
not read is never called valid.
"""

from __future__ import annotations

import math
import random
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import ctmtcntt
from builders import EXAMPLE, libreoffice_resave
from ctmtcntt.errors import WorkbookError
from ctmtcntt.forms.spec import load_catalogue
from hostile import VIETNAMESE, in_member, rewrite_zip

S05 = "S05 - So Tai chinh.xlsx"  # a department: 2.a = 2 (E12), 2.b = 2 (E13), 3.a = 2693 (E15)
TINH = "TINH - So TTTT.xlsx"  # the province-wide unit, with the example's only project
SHEET1 = "xl/worksheets/sheet1.xml"  # Phụ lục 01
SHEET2 = "xl/worksheets/sheet2.xml"  # Phụ lục 02
E12 = b'<c r="E12" s="8" t="n"><v>2</v></c>'
E13 = b'<c r="E13" s="8" t="n"><v>2</v></c>'
E15 = b'<c r="E15" s="8" t="n"><v>2693</v></c>'
H11 = b'<c r="H11" s="19" t="n"><v>15000</v></c>'  # TINH's project, local budget (8)

Change = Callable[[str, bytes], bytes | None]


def replacing(member: str, *pairs: tuple[bytes, bytes]) -> Change:
    """Replace each ``old`` by ``new`` in one member (each must be there)."""

    def change(data: bytes) -> bytes:
        for old, new in pairs:
            assert old in data, old
            data = data.replace(old, new)
        return data

    return in_member(member, change)


def folder_with(tmp_path: Path, unit: str, change: Change) -> tuple[Path, Path]:
    """A copy of the example whose ``unit`` file went through ``change``: (folder, file)."""
    folder = tmp_path / "units"
    shutil.copytree(EXAMPLE, folder)
    rewrite_zip(EXAMPLE / unit, folder / unit, change)
    return folder, folder / unit


def checked(path: Path) -> dict[str, Any]:
    """``validate`` of one file, as its JSON document."""
    [item] = ctmtcntt.validate([path]).to_dict()["files"]
    return dict(item)


def errors(item: dict[str, Any], code: str) -> list[dict[str, Any]]:
    found = [f for f in item["findings"] if f["code"] == code]
    for finding in found:
        assert finding["severity"] == "error"
        assert VIETNAMESE.search(finding["message"]), finding["message"]
    return found


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    """The example as it is, consolidated: the figures every case is measured against."""
    return dict(ctmtcntt.consolidate(EXAMPLE).to_dict())


def actual(document: dict[str, Any], row: str) -> Any:
    return document["PL01"][row]["actual"]


def s05(row: str) -> float:
    """What S05 typed in (5) of a row of its Phụ lục 01."""
    value = ctmtcntt.read_workbook(EXAMPLE / S05).forms["PL01"].row(row).raw("actual")  # type: ignore[union-attr]
    assert isinstance(value, float)
    return value


# --- Excel error values -------------------------------------------------------------------------

ERROR_CASES = {
    # cached by Excel: every reader returns these cells as blank
    "cached #REF! in 2.a and 2.b": (
        (E12, b'<c r="E12" s="8" t="e"><v>#REF!</v></c>'),
        (E13, b'<c r="E13" s="8" t="e"><v>#REF!</v></c>'),
    ),
    "a formula's cached #DIV/0! in 3.a": (
        (E15, b'<c r="E15" s="8" t="e"><f>1/0</f><v>#DIV/0!</v></c>'),
    ),
    "a lone #N/A in 2.a": ((E12, b'<c r="E12" s="8" t="e"><v>#N/A</v></c>'),),
    # values the reader does not know: it refused the whole sheet in English
    "#SPILL! in 2.a": ((E12, b'<c r="E12" s="8" t="e"><f>A1:A2</f><v>#SPILL!</v></c>'),),
    "#CALC! in 3.a, single quotes": ((E15, b"<c r='E15' s='8' t='e'><v>#CALC!</v></c>"),),
    # typed or pasted as text
    "#VALUE! typed in 2.b": ((E13, b'<c r="E13" s="8" t="inlineStr"><is><t>#VALUE!</t></is></c>'),),
    "#NAME? pasted in 3.a": ((E15, b'<c r="E15" s="8" t="str"><v> #NAME? </v></c>'),),
    "#REF! in 3.a, a cell without address": ((E15, b'<c s="8" t="e"><v>#REF!</v></c>'),),
    "#SPILL! in 3.a, a cell without address": ((E15, b'<c s="8" t="e"><v>#SPILL!</v></c>'),),
}


@pytest.mark.parametrize("pairs", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_an_excel_error_value_is_an_error_at_its_cell_left_out_with_its_pair(
    tmp_path: Path, example: dict[str, Any], pairs: tuple[tuple[bytes, bytes], ...]
) -> None:
    """#REF!, #DIV/0!, #N/A… cached or typed: an error naming the cell and the value, and the
    unit's .a and .b both leave the sums (not a blank, not "chưa ghi", not a refused file)."""
    folder, path = folder_with(tmp_path, S05, replacing(SHEET1, *pairs))
    item = checked(path)
    assert ["PL01", "PL02"] == item["forms"]
    assert not item["valid"]
    found = errors(item, "excel-error-value")
    cells = {re.search(rb"r=.(E\d+)", old).group(1).decode() for old, _ in pairs}  # type: ignore[union-attr]
    assert cells == {f["cell"] for f in found}
    for finding in found:
        assert finding["sheet"] == "Phụ lục 01"
        assert finding["value"] in finding["message"]
        assert "sửa công thức" in finding["message"]
    assert not errors(item, "incomplete-pair"), "an error value is not an empty cell"
    assert not errors(item, "text-not-number")
    document = ctmtcntt.consolidate(folder).to_dict()
    pair = ("2.a", "2.b") if cells & {"E12", "E13"} else ("3.a", "3.b")
    for row in pair:
        assert actual(example, row) - s05(row) == actual(document, row)


def test_an_error_value_in_a_project_is_left_out(tmp_path: Path, example: dict[str, Any]) -> None:
    """A cached #REF! in a project's local budget (8): an error there, and the province's (8)
    goes without it."""
    new = b'<c r="H11" s="19" t="e"><v>#REF!</v></c>'
    folder, path = folder_with(tmp_path, TINH, replacing(SHEET2, (H11, new)))
    [found] = errors(checked(path), "excel-error-value")
    assert ("Phụ lục 02", "H11") == (found["sheet"], found["cell"])
    total = ctmtcntt.consolidate(folder).to_dict()["PL02"]["total"]
    assert example["PL02"]["total"]["8"] - 15000 == (total["8"] or 0)


# --- a table lower on its sheet ------------------------------------------------------------------


def moved_down(rows: int) -> Callable[[bytes], bytes]:
    """The sheet's every row ``rows`` further down, as if titles or notes were added above."""

    def change(data: bytes) -> bytes:
        data = re.sub(rb'<row r="(\d+)"', lambda m: b'<row r="%d"' % (int(m[1]) + rows), data)
        data = re.sub(
            rb' r="([A-Z]+)(\d+)"', lambda m: b' r="%s%d"' % (m[1], int(m[2]) + rows), data
        )
        # Merges and the declared size refer to the old rows: leave them out.
        data = re.sub(rb"<dimension [^>]*/>|<mergeCells.*?</mergeCells>", b"", data)
        return re.sub(rb"<definedNames>.*?</definedNames>", b"", data)

    return change


@pytest.mark.parametrize("rows", [100, 500, 5000])
def test_a_table_far_down_its_sheet_is_found(
    tmp_path: Path, example: dict[str, Any], rows: int
) -> None:
    """Phụ lục 02 starting hundreds of rows down is read: the province keeps its 45.000."""
    folder, path = folder_with(tmp_path, TINH, in_member(SHEET2, moved_down(rows)))
    item = checked(path)
    assert ["PL01", "PL02"] == item["forms"]
    assert item["valid"], item["findings"]
    document = ctmtcntt.consolidate(folder).to_dict()
    assert 45000 == document["PL02"]["total"]["6"]
    assert example["PL02"] == document["PL02"]


@pytest.mark.parametrize("name", ["Phụ lục 02", "PL02", "PL 2 (sửa)", "phu luc 02"])
def test_a_sheet_named_as_a_form_without_its_table_is_an_error(tmp_path: Path, name: str) -> None:
    """A sheet called "Phụ lục 02" whose table cannot be found (numbering row and headers
    retyped) is an error naming the sheet, never a file valid with Phụ lục 01 alone."""

    def broken(data: bytes) -> bytes:
        # Every "(n)" of the numbering row and the header texts become something else.
        data = re.sub(rb"<t>\((\d+)\)[^<]*</t>", rb"<t>c\1</t>", data)
        for header in ("STT", "Danh mục dự án", "Chủ đầu tư", "Tổng mức đầu tư"):
            data = data.replace(f"<t>{header}</t>".encode(), b"<t>x</t>")
        return data

    def change(member: str, data: bytes) -> bytes:
        if member == SHEET2:
            return broken(data)
        if member == "xl/workbook.xml":
            return data.replace("Phụ lục 02".encode(), name.encode())
        return data

    _, path = folder_with(tmp_path, TINH, change)
    item = checked(path)
    assert ["PL01"] == item["forms"]
    assert not item["valid"]
    [found] = errors(item, "form-not-found")
    assert name == found["sheet"]
    assert "Phụ lục 02" in found["message"]


def test_a_sheet_headed_as_a_form_without_its_table_is_an_error(tmp_path: Path) -> None:
    """A sheet renamed "Dự án" whose numbering row and STT header are gone (the table cannot
    be found) still carries the form's headers: an error naming it, not a silent omission."""

    def change(member: str, data: bytes) -> bytes:
        if member == SHEET2:
            data = re.sub(rb"<t>\((\d+)\)[^<]*</t>", rb"<t>c\1</t>", data)
            return data.replace(b"<t>STT</t>", b"<t>x</t>")
        if member == "xl/workbook.xml":
            return data.replace("Phụ lục 02".encode(), "Dự án".encode())
        return data

    _, path = folder_with(tmp_path, TINH, change)
    item = checked(path)
    assert ["PL01"] == item["forms"]
    [found] = errors(item, "form-not-found")
    assert "Dự án" == found["sheet"]


def test_a_sheet_of_other_notes_is_not_taken_for_a_form(tmp_path: Path) -> None:
    """A sheet whose name names no form, without a table, is no finding."""
    path = tmp_path / "S05.xlsx"
    book = openpyxl.load_workbook(EXAMPLE / S05)
    book.create_sheet("Thuyết minh")["A1"] = "Ghi chú của đơn vị"
    book.create_sheet("Sheet1")
    book.save(path)
    item = checked(path)
    assert item["valid"], item["findings"]


# --- encodings --------------------------------------------------------------------------------


def utf16(data: bytes) -> bytes:
    """The same XML in UTF-16 with its byte order mark and declaration (legal XML)."""
    text = data.decode("utf-8")
    text = re.sub(r"^<\?xml[^>]*\?>\s*", "", text)
    return "\ufeff<?xml version='1.0' encoding='UTF-16'?>\n".encode("utf-16-le") + text.encode(
        "utf-16-le"
    )


@pytest.mark.parametrize("member", [SHEET1, SHEET2, "xl/workbook.xml"])
def test_a_part_in_utf16_is_read(tmp_path: Path, example: dict[str, Any], member: str) -> None:
    """A sheet (or the workbook part) in UTF-16 is read as the UTF-8 original is."""
    folder, path = folder_with(tmp_path, TINH, in_member(member, utf16))
    item = checked(path)
    assert ["PL01", "PL02"] == item["forms"]
    assert item["valid"], item["findings"]
    assert ctmtcntt.read_workbook(EXAMPLE / TINH).forms == ctmtcntt.read_workbook(path).forms
    document = ctmtcntt.consolidate(folder).to_dict()
    assert example["PL01"] == document["PL01"]
    assert example["PL02"] == document["PL02"]
    assert zipfile.ZipFile(path).read(member).startswith(b"\xff\xfe"), "the input is untouched"


def declared(codec: str, name: str) -> Callable[[bytes], bytes]:
    """The same XML in ``codec`` (characters it lacks as character references), declared."""

    def change(data: bytes) -> bytes:
        text = f'<?xml version="1.0" encoding="{name}"?>' + data.decode("utf-8")
        return text.encode(codec, "xmlcharrefreplace")

    return change


ENCODINGS = [("cp1258", "windows-1258"), ("latin-1", "ISO-8859-1"), ("utf-16-be", "UTF-16BE")]


@pytest.mark.parametrize(("codec", "name"), ENCODINGS)
def test_a_sheet_in_a_declared_encoding_is_read(tmp_path: Path, codec: str, name: str) -> None:
    """Legal XML in another encoding than UTF-8, declared as such, reads as the original."""
    _, path = folder_with(tmp_path, S05, in_member(SHEET1, declared(codec, name)))
    item = checked(path)
    assert item["valid"], item["findings"]
    assert ctmtcntt.read_workbook(EXAMPLE / S05).forms == ctmtcntt.read_workbook(path).forms


def test_a_sheet_in_utf16_with_an_error_value_and_a_formula(tmp_path: Path) -> None:
    """The error values and formulas without a value of a UTF-16 sheet are found too."""
    pairs = (
        (E12, b'<c r="E12" s="8" t="e"><v>#REF!</v></c>'),
        (E15, b'<c r="E15" s="8"><f>SUM(E16:E17)</f></c>'),
    )

    def change(data: bytes) -> bytes:
        return utf16(replacing(SHEET1, *pairs)(SHEET1, data) or b"")

    _, path = folder_with(tmp_path, S05, in_member(SHEET1, change))
    item = checked(path)
    assert ["E12"] == [f["cell"] for f in errors(item, "excel-error-value")]
    assert ["E15"] == [f["cell"] for f in errors(item, "formula-without-value")]


# --- sheets the reader would pass over -----------------------------------------------------------


def test_two_sheets_of_one_name_are_both_read_and_the_file_is_not_valid(
    tmp_path: Path, example: dict[str, Any]
) -> None:
    """workbook.xml naming both sheets "Phụ lục 01": both forms are read, and an error says
    the file is damaged."""
    same = ("Phụ lục 02".encode(), "Phụ lục 01".encode())
    folder, path = folder_with(tmp_path, TINH, replacing("xl/workbook.xml", same))
    item = checked(path)
    assert ["PL01", "PL02"] == item["forms"]
    assert not item["valid"]
    [found] = errors(item, "duplicate-sheet-name")
    assert "Phụ lục 01" == found["value"]
    document = ctmtcntt.consolidate(folder).to_dict()
    assert example["PL02"] == document["PL02"]
    assert example["PL01"] == document["PL01"]


def test_fill_refuses_two_sheets_of_one_name_by_name(tmp_path: Path) -> None:
    """``fill`` cannot write to a sheet the file does not name: it says what to do instead."""
    same = ("Phụ lục 02".encode(), "Phụ lục 01".encode())
    _, path = folder_with(tmp_path, TINH, replacing("xl/workbook.xml", same))
    with pytest.raises(WorkbookError, match="hai trang tính cùng tên"):
        ctmtcntt.fill(path, tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()


def test_fill_of_a_utf16_sheet_writes_a_valid_workbook(tmp_path: Path) -> None:
    """A workbook with a sheet in UTF-16 is filled, and the result reads as valid."""
    _, path = folder_with(tmp_path, TINH, in_member(SHEET1, utf16))
    output = tmp_path / "out.xlsx"
    result = ctmtcntt.fill(path, output)
    assert result.changed
    item = checked(output)
    assert item["valid"], item["findings"]
    assert ["PL01", "PL02"] == item["forms"]


ORPHANS = {
    # the second sheet refers to the first one's part: Phụ lục 02's part is read by no one
    "two sheets, one part": lambda member, data: (
        data.replace(b'r:id="rId2"', b'r:id="rId1"') if member == "xl/workbook.xml" else data
    ),
    # Phụ lục 02's part is there, but no sheet of the workbook refers to it
    "a part no sheet refers to": lambda member, data: (
        re.sub(rb'<sheet name="Ph[^"]*02"[^>]*/>', b"", data)
        if member == "xl/workbook.xml"
        else data
    ),
}


@pytest.mark.parametrize("change", ORPHANS.values(), ids=ORPHANS.keys())
def test_a_sheet_part_no_sheet_refers_to_is_an_error(tmp_path: Path, change: Change) -> None:
    """A worksheet part in the package that no sheet of the workbook shows (a damaged or
    forged file): an error naming the part, never a valid file without its Phụ lục 02."""
    _, path = folder_with(tmp_path, TINH, change)
    item = checked(path)
    assert "PL02" not in item["forms"]
    assert not item["valid"]
    [found] = errors(item, "sheet-part-not-read")
    assert "xl/worksheets/sheet2.xml" in found["message"]


def test_a_worksheet_filed_as_a_chart_sheet_is_read(
    tmp_path: Path, example: dict[str, Any]
) -> None:
    """A worksheet whose relationship says chart sheet is read all the same."""
    rels = "xl/_rels/workbook.xml.rels"
    filed = (
        b'relationships/worksheet" Target="/xl/worksheets/sheet2.xml"',
        b'relationships/chartsheet" Target="/xl/worksheets/sheet2.xml"',
    )
    folder, path = folder_with(tmp_path, TINH, replacing(rels, filed))
    assert ["PL01", "PL02"] == checked(path)["forms"]
    assert example["PL02"] == ctmtcntt.consolidate(folder).to_dict()["PL02"]


def test_a_real_chart_sheet_is_no_finding(tmp_path: Path) -> None:
    """A chart sheet, even one named after a form, holds no table and is no finding."""
    import xlsxwriter

    path = tmp_path / "chart.xlsx"
    book = xlsxwriter.Workbook(path)
    data = book.add_worksheet("Số liệu")
    data.write_column(0, 0, [1, 2, 3])
    chart = book.add_chart({"type": "bar"})
    chart.add_series({"values": "='Số liệu'!$A$1:$A$3"})
    book.add_chartsheet("Phụ lục 02").set_chart(chart)
    book.close()
    item = checked(path)
    assert ["no-form"] == [f["code"] for f in item["findings"]]


def test_a_form_copied_to_a_second_sheet_with_other_figures_is_an_error(tmp_path: Path) -> None:
    """Two sheets holding Phụ lục 01 with different figures: an error naming the second; an
    identical copy (a sheet kept for printing) is no finding."""
    book = openpyxl.load_workbook(EXAMPLE / S05)
    copy = book.copy_worksheet(book["Phụ lục 01"])
    copy.title = "PL01 (2)"
    same = tmp_path / "same.xlsx"
    book.save(same)
    assert checked(same)["valid"]
    copy["E12"] = 5
    other = tmp_path / "other.xlsx"
    book.save(other)
    item = checked(other)
    [found] = errors(item, "form-repeated")
    assert "PL01 (2)" == found["sheet"]
    assert "Phụ lục 01" in found["message"]


# --- absurd magnitudes ----------------------------------------------------------------------------

MAGNITUDES = {
    "1e308 as a number": b'<c r="E15" s="8"><v>1e308</v></c>',
    "inf as a number": b'<c r="E15" s="8"><v>inf</v></c>',
    "NaN as a number": b'<c r="E15" s="8"><v>NaN</v></c>',
    "NaN as text": b'<c r="E15" s="8" t="inlineStr"><is><t>NaN</t></is></c>',
    "-Infinity as text": b'<c r="E15" s="8" t="inlineStr"><is><t>-Infinity</t></is></c>',
    "past the count's limit": b'<c r="E15" s="8"><v>2000000000</v></c>',
}


@pytest.mark.parametrize("cell", MAGNITUDES.values(), ids=MAGNITUDES.keys())
def test_an_absurd_magnitude_is_an_error_at_its_cell_left_out(
    tmp_path: Path, example: dict[str, Any], cell: bytes
) -> None:
    """1e308, inf, NaN (numbers or text) or a count past the form's plausible range: an
    error on the cell, and the province's 3.a and 3.b go without the unit's."""
    folder, path = folder_with(tmp_path, S05, replacing(SHEET1, (E15, cell)))
    item = checked(path)
    [found] = errors(item, "implausible-value")
    assert ("Phụ lục 01", "E15") == (found["sheet"], found["cell"])
    assert "1.000.000.000" in found["message"], "the limit of PL01.yaml is told"
    document = ctmtcntt.consolidate(folder).to_dict()
    for row in ("3.a", "3.b"):
        assert actual(example, row) - s05(row) == actual(document, row)
        assert math.isfinite(actual(document, row))


def test_a_large_but_plausible_count_is_no_finding(tmp_path: Path) -> None:
    """A count just under the limit (a big province's documents) passes."""
    cell = b'<c r="E15" s="8"><v>999999999</v></c>'
    _, path = folder_with(tmp_path, S05, replacing(SHEET1, (E15, cell)))
    assert not errors(checked(path), "implausible-value")


def test_an_absurd_amount_in_a_project_is_an_error(tmp_path: Path) -> None:
    """1e308 triệu đồng in a project's local budget: an error on that cell."""
    new = b'<c r="H11" s="19"><v>1e308</v></c>'
    folder, path = folder_with(tmp_path, TINH, replacing(SHEET2, (H11, new)))
    [found] = errors(checked(path), "implausible-value")
    assert "H11" == found["cell"]
    total = ctmtcntt.consolidate(folder).to_dict()["PL02"]["total"]
    assert all(v is None or math.isfinite(v) for v in total.values())


def test_the_plausible_ranges_are_read_from_the_forms() -> None:
    """The limits live in the forms' YAML, per cell type."""
    forms = load_catalogue().forms
    assert {"number": 1e9, "money": 1e7} == dict(forms["PL01"].plausible)
    assert {"money": 1e10} == dict(forms["PL02"].plausible)


# --- formulas without a value -----------------------------------------------------------------

UNCACHED = {
    "empty value": b'<c r="E15" s="8"><f>1+1</f><v></v></c>',
    "self-closed value": b'<c r="E15" s="8"><f>1+1</f><v/></c>',
    "shared formula's child": b'<c r="E15" s="8"><f t="shared" si="0"/></c>',
    "array formula": b'<c r="E15" s="8"><f t="array" ref="E15">SUM(1)</f></c>',
    "text formula": b'<c r="E15" s="8" t="str"><f>A1</f><v></v></c>',
    "error-typed formula": b'<c r="E15" s="8" t="e"><f>1/0</f></c>',
    "single quotes": b"<c r='E15' s='8'><f>1+1</f></c>",
    "no address (placed after D15)": b'<c s="8"><f>1+1</f></c>',
}


@pytest.mark.parametrize("cell", UNCACHED.values(), ids=UNCACHED.keys())
def test_a_formula_without_a_value_is_told(tmp_path: Path, cell: bytes) -> None:
    """Every way a sheet can hold a formula never calculated: formula-without-value, which
    says to open and save the file in Excel."""
    _, path = folder_with(tmp_path, S05, replacing(SHEET1, (E15, cell)))
    [found] = errors(checked(path), "formula-without-value")
    assert "E15" == found["cell"]
    assert "Excel" in found["message"]


def test_formulas_written_by_openpyxl_in_input_cells_are_told(tmp_path: Path) -> None:
    """A file written by a program (openpyxl) with formulas in the cells units type."""
    book = openpyxl.load_workbook(EXAMPLE / S05)
    book["Phụ lục 01"]["E12"] = "=1+1"
    book["Phụ lục 01"]["E13"] = "=E12"
    path = tmp_path / "S05.xlsx"
    book.save(path)
    found = errors(checked(path), "formula-without-value")
    assert {"E12", "E13"} == {f["cell"] for f in found}


def test_a_sheet_part_outside_the_usual_folder_is_looked_into(tmp_path: Path) -> None:
    """A writer putting its sheet at xl/ws/a.xml: its formulas without a value are found."""

    def change(member: str, data: bytes) -> bytes | None:
        if member == SHEET1:
            return None
        if member in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
            return data.replace(b"/xl/worksheets/sheet1.xml", b"/xl/ws/a.xml")
        return data

    path = tmp_path / "S05.xlsx"
    rewrite_zip(EXAMPLE / S05, path, change)
    sheet = zipfile.ZipFile(EXAMPLE / S05).read(SHEET1)
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("xl/ws/a.xml", sheet.replace(E15, UNCACHED["empty value"]))
    item = checked(path)
    assert ["PL01", "PL02"] == item["forms"]
    assert ["E15"] == [f["cell"] for f in errors(item, "formula-without-value")]


def test_a_project_of_formulas_never_calculated_is_told(tmp_path: Path) -> None:
    """A project row whose amounts are formulas without a value (its name left empty) is not
    taken for a blank row of the template: each formula is told."""
    blank = b'<c r="H12" s="19" t="n" />'
    formula = b'<c r="H12" s="19"><f>1000+2000</f></c>'
    _, path = folder_with(tmp_path, TINH, replacing(SHEET2, (blank, formula)))
    item = checked(path)
    assert ["H12"] == [f["cell"] for f in errors(item, "formula-without-value")]


def test_an_error_value_as_a_project_name_is_an_error(tmp_path: Path) -> None:
    """A project named by a broken formula (#REF!): an error at the name, and no "#REF!"
    listed among the province's projects."""
    source = zipfile.ZipFile(EXAMPLE / TINH).read(SHEET2)
    old = re.search(rb'<c r="B11" [^>]*><is><t>[^<]*</t></is></c>', source)
    assert old is not None
    new = b'<c r="B11" s="20" t="e"><f>#REF!</f><v>#REF!</v></c>'
    folder, path = folder_with(tmp_path, TINH, replacing(SHEET2, (old.group(0), new)))
    [found] = errors(checked(path), "excel-error-value")
    assert ("Phụ lục 02", "B11", "#REF!") == (found["sheet"], found["cell"], found["value"])
    projects = ctmtcntt.consolidate(folder).to_dict()["PL02"]["projects"]
    assert "#REF!" not in str(projects)


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_error_values_of_xls_and_ods_are_told(tmp_path: Path, soffice: str, fmt: str) -> None:
    """The same cached #DIV/0! and #N/A in a workbook LibreOffice saved as .xls or .ods."""
    pairs = (
        (E12, b'<c r="E12" s="8" t="e"><f>1/0</f><v>#DIV/0!</v></c>'),
        (E15, b'<c r="E15" s="8" t="e"><f>NA()</f><v>#N/A</v></c>'),
    )
    source = tmp_path / "S05.xlsx"
    rewrite_zip(EXAMPLE / S05, source, replacing(SHEET1, *pairs))
    [converted] = libreoffice_resave([source], tmp_path / fmt, fmt).values()
    item = checked(converted)
    assert ["PL01", "PL02"] == item["forms"]
    found = {(f["cell"], f["value"]) for f in errors(item, "excel-error-value")}
    assert {("E12", "#DIV/0!"), ("E15", "#N/A")} == found
    assert not errors(item, "incomplete-pair")


def test_a_formula_without_a_value_in_an_ods_is_told(tmp_path: Path, soffice: str) -> None:
    """An .ods written by a program that does not calculate: a formula with no value."""
    [ods] = libreoffice_resave([EXAMPLE / S05], tmp_path / "ods", "ods").values()
    cell = re.compile(rb'<table:table-cell [^>]*office:value="2693"[^>]*>.*?</table:table-cell>')

    def change(data: bytes) -> bytes:
        assert cell.search(data) is not None
        return cell.sub(b'<table:table-cell table:formula="of:=[.E16]+[.E17]"/>', data, 1)

    path = tmp_path / "S05.ods"
    rewrite_zip(ods, path, in_member("content.xml", change))
    item = checked(path)
    assert ["E15"] == [f["cell"] for f in errors(item, "formula-without-value")]


def test_a_blank_copy_of_a_form_beside_the_filled_one_is_no_matter(tmp_path: Path) -> None:
    """The template's sheet left blank, the unit's figures on a copy after it: the copy is
    read, and the file is valid."""
    book = openpyxl.load_workbook(EXAMPLE / S05)
    filled = book.copy_worksheet(book["Phụ lục 01"])
    filled.title = "PL01 (đã điền)"
    for row in book["Phụ lục 01"].iter_rows():
        for cell in row:
            if isinstance(cell.value, (int, float)):
                cell.value = None
    path = tmp_path / "S05.xlsx"
    book.save(path)
    item = checked(path)
    assert item["valid"], item["findings"]
    report = ctmtcntt.read_workbook(path)
    assert "PL01 (đã điền)" == report.forms["PL01"].sheet
    assert ctmtcntt.read_workbook(EXAMPLE / S05).forms["PL01"].rows == report.forms["PL01"].rows


def test_an_unreadable_chart_sheet_named_as_a_form_is_an_error(tmp_path: Path) -> None:
    """A sheet filed as a chart sheet that the reader cannot read, named "Phụ lục 02": its
    form is not read, and the file says so."""

    def change(member: str, data: bytes) -> bytes:
        if member == "xl/_rels/workbook.xml.rels":
            return data.replace(
                b'relationships/worksheet" Target="/xl/worksheets/sheet2.xml"',
                b'relationships/chartsheet" Target="/xl/worksheets/sheet2.xml"',
            )
        if member == SHEET2:
            return data[: len(data) // 2]  # cut short: not XML the reader can parse
        return data

    _, path = folder_with(tmp_path, TINH, change)
    item = checked(path)
    assert ["PL01"] == item["forms"]
    assert ["Phụ lục 02"] == [f["sheet"] for f in errors(item, "form-not-found")]


def stacked(blank_on_top: bool, change_below: bool) -> Callable[[Path, Path], None]:
    """A Phụ lục 01 sheet holding the form twice, one table under the other."""

    def build(source: Path, target: Path) -> None:
        book = openpyxl.load_workbook(source)
        sheet = book["Phụ lục 01"]
        height = sheet.max_row
        for row in sheet.iter_rows(min_row=1, max_row=height):
            for cell in row:
                copy = sheet.cell(row=cell.row + height + 20, column=cell.column)
                copy.value = cell.value
                if blank_on_top and isinstance(cell.value, (int, float)):
                    cell.value = None
        if change_below:
            sheet.cell(row=12 + height + 20, column=5).value = 7
        book.save(target)

    return build


def test_a_filled_table_under_the_templates_blank_one_is_read(tmp_path: Path) -> None:
    """The template's table left blank, the unit's filled copy pasted under it on the same
    sheet: the filled one is read, and the file is valid."""
    path = tmp_path / "S05.xlsx"
    stacked(blank_on_top=True, change_below=False)(EXAMPLE / S05, path)
    item = checked(path)
    assert item["valid"], item["findings"]
    rows = ctmtcntt.read_workbook(path).forms["PL01"].rows
    original = ctmtcntt.read_workbook(EXAMPLE / S05).forms["PL01"].rows
    assert [(r.key, r.raw("actual")) for r in original] == [(r.key, r.raw("actual")) for r in rows]


def test_two_tables_of_one_form_with_other_figures_are_an_error(tmp_path: Path) -> None:
    """Two filled tables of Phụ lục 01 on one sheet that differ: an error at the other one."""
    path = tmp_path / "S05.xlsx"
    stacked(blank_on_top=False, change_below=True)(EXAMPLE / S05, path)
    item = checked(path)
    [found] = errors(item, "form-repeated")
    assert "Phụ lục 01" == found["sheet"]
    assert int(found["cell"][1:]) > 48, "the table below the first"


def test_both_forms_on_one_sheet_are_read(tmp_path: Path, example: dict[str, Any]) -> None:
    """Phụ lục 02 pasted under Phụ lục 01 on one sheet (its own sheet deleted): both read."""
    book = openpyxl.load_workbook(EXAMPLE / TINH)
    first, second = book["Phụ lục 01"], book["Phụ lục 02"]
    below = first.max_row + 5
    for row in second.iter_rows():
        for cell in row:
            first.cell(row=cell.row + below, column=cell.column).value = cell.value
    book.remove(second)
    folder = tmp_path / "units"
    shutil.copytree(EXAMPLE, folder)
    book.save(folder / TINH)
    item = checked(folder / TINH)
    assert ["PL01", "PL02"] == item["forms"]
    assert item["valid"], item["findings"]
    assert example["PL02"] == ctmtcntt.consolidate(folder).to_dict()["PL02"]


def test_a_project_above_every_group_row_is_an_error(tmp_path: Path) -> None:
    """The group row I deleted, the project left above group II: it belongs to no group, and
    its figures are not added up without a word."""
    book = openpyxl.load_workbook(EXAMPLE / TINH)
    sheet = book["Phụ lục 02"]
    [group] = [r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "I"]
    sheet.delete_rows(group)
    path = tmp_path / "TINH.xlsx"
    book.save(path)
    item = checked(path)
    [found] = errors(item, "project-outside-group")
    assert ("Phụ lục 02", f"B{group}") == (found["sheet"], found["cell"])


def test_a_table_of_no_known_row_is_an_error(tmp_path: Path) -> None:
    """Phụ lục 01 found by its headers, but its STT and names all retyped: nothing of it can
    be read, and the file says so instead of reading as empty."""
    book = openpyxl.load_workbook(EXAMPLE / S05)
    sheet = book["Phụ lục 01"]
    for row in range(9, 41):
        if sheet.cell(row, 1).value not in (None, ""):
            sheet.cell(row, 1).value = f"x{row}"
            sheet.cell(row, 2).value = f"chỉ tiêu {row}"
    path = tmp_path / "S05.xlsx"
    book.save(path)
    item = checked(path)
    [found] = errors(item, "rows-not-recognised")
    assert "Phụ lục 01" == found["sheet"]


# --- seeded mutants --------------------------------------------------------------------------

# What a writer, a unit or a damaged file may leave in a cell units type: each either reads as
# the same figure or must be an error on the file, never a figure changed in silence.
MUTANTS = (
    *(b'<c r="%%s" s="%%s" t="e"><v>%s</v></c>' % e for e in (b"#REF!", b"#N/A", b"#SPILL!")),
    *(b'<c r="%%s" s="%%s"><v>%s</v></c>' % v for v in (b"1e308", b"NaN", b"-inf", b"3e12")),
    *(
        b'<c r="%%s" s="%%s" t="inlineStr"><is><t>%s</t></is></c>' % t.encode()
        for t in ("#DIV/0!", "Err:502", "Infinity", "∞")
    ),
    b'<c r="%s" s="%s"><f>1+1</f></c>',
    b'<c r="%s" s="%s" t="str"><f>A1</f><v></v></c>',
    b'<c r="%s" s="%s" t="e"><f>1/0</f></c>',
    b'<c r="%s" s="%s" t="str"><f>A1</f><v>abc</v></c>',
)


def typed_cells(path: Path) -> list[tuple[str, str]]:
    """(sheet member, A1) of every cell a unit types that holds a number in ``path``."""
    from ctmtcntt.read.values import row_roles

    report = ctmtcntt.read_workbook(path)
    members = {"Phụ lục 01": SHEET1, "Phụ lục 02": SHEET2}
    return [
        (members[form.sheet], value.cell)
        for form in report.forms.values()
        for row in form.rows
        for key, value in row.values.items()
        if row_roles(form.spec, row).get(key) == "input" and isinstance(value.raw, float)
    ]


def figures(path: Path) -> tuple[Any, list[str]]:
    """What a file adds to the province (its readable inputs, less what errors keep out),
    and its errors."""
    from ctmtcntt.check.validation import validate_reports
    from ctmtcntt.read.values import inputs, project_entries

    report = ctmtcntt.read_workbook(path)
    [found] = validate_reports([report])
    drops = {key for f in found if f.is_error for key in f.drops}
    added: dict[str, Any] = {}
    for code, form in report.forms.items():
        if form.spec.has_projects:
            added[code] = [values for _, _, values in project_entries(form, drops)]
        else:
            added[code] = inputs(form, drops)
    return added, [f.code for f in found if f.is_error]


@pytest.mark.parametrize("seed", range(3))
def test_seeded_mutants_of_typed_cells_never_change_a_figure_silently(
    tmp_path: Path, seed: int
) -> None:
    """Forty mutants per seed over the example's typed cells (error values, absurd numbers,
    formulas without a value…): each is refused, or its figures are the original's, or it
    carries an error."""
    rng = random.Random(seed)
    for count in range(40):
        unit = rng.choice((S05, TINH))
        member, cell = rng.choice(typed_cells(EXAMPLE / unit))
        xml = zipfile.ZipFile(EXAMPLE / unit).read(member)
        found = re.search(rb'<c r="%s"( s="(\d+)")?[^>]*?(?:/>|>.*?</c>)' % cell.encode(), xml)
        assert found is not None, cell
        new = rng.choice(MUTANTS) % (cell.encode(), found.group(2) or b"0")
        path = tmp_path / f"{count}.xlsx"
        rewrite_zip(EXAMPLE / unit, path, replacing(member, (found.group(0), new)))
        try:
            added, errors_ = figures(path)
        except WorkbookError:
            continue  # refused by name
        original, _ = figures(EXAMPLE / unit)
        assert added == original or errors_, (unit, cell, new)
