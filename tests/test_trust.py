"""Every figure the province signs is right, or flagged: the mistakes units really make.

Each test edits a copy of ``examples/binh-dinh-2020`` as a unit would, consolidates it, and
checks both the finding (file, sheet, cell, severity) and the province's figures, against the
untouched example's figures minus what the rules leave out.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import ctmtcntt
from _support import EXAMPLE, sheet_values
from ctmtcntt.cli import main

S05 = "S05 - So Tai chinh.xlsx"
S11 = "S11 - So Thong tin va Truyen thong.xlsx"
H01 = "H01 - UBND TP Quy Nhon.xlsx"
TINH = "TINH - So TTTT.xlsx"
PL01, PL02 = "Phụ lục 01", "Phụ lục 02"
# S05's figures in the example, by row (its PL01 column (5)).
S05_FIGURES = {"2.a": 2, "2.b": 2, "3.a": 2693, "3.b": 319, "5.a": 1453, "5.b": 1311}
# The example's cells of PL01 (the same in S05, H01 and TINH), by (row, column number).
CELLS = {
    ("2.a", 5): "E12",
    ("2.b", 5): "E13",
    ("3.a", 5): "E15",
    ("3.b", 5): "E16",
    ("5", 5): "E20",
    ("5.a", 5): "E21",
    ("5.b", 5): "E22",
    ("9", 4): "D29",
    ("9", 5): "E29",
    ("10", 4): "D30",
    ("10", 5): "E30",
    ("3.a", 8): "H15",
}
PROJECT_NAME = (
    "Đầu tư nâng cấp hạ tầng kỹ thuật và ứng dụng của mô hình Chính quyền điện tử "
    "tỉnh Bình Định giai đoạn 2016 – 2020"
)


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    """The untouched example, consolidated: the figures every edit is measured against."""
    return ctmtcntt.consolidate(EXAMPLE).to_dict()


def edit(folder: Path, name: str, sheet: str, cells: dict[str, object], fmt: str = "") -> None:
    """Type values into a unit's workbook as a clerk would (``fmt``: their number format)."""
    path = folder / name
    book = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        book[sheet][ref] = value
        if fmt:
            book[sheet][ref].number_format = fmt
    book.save(path)


def consolidate(folder: Path) -> tuple[ctmtcntt.ConsolidationResult, dict[str, Any]]:
    """The folder consolidated with its roster, and its JSON document."""
    result = ctmtcntt.consolidate(folder)
    return result, result.to_dict()


def found(document: dict[str, Any], code: str) -> list[tuple[str, str | None, str | None, str]]:
    """(file name, sheet, cell, severity) of every finding with this code."""
    return [
        (Path(f["file"]).name, f["sheet"], f["cell"], f["severity"])
        for f in document["findings"]
        if f["code"] == code
    ]


def actual(document: dict[str, Any], row: str) -> object:
    return document["PL01"][row]["actual"]


def less(base: dict[str, Any], rows: dict[str, float]) -> dict[str, object]:
    """The example's PL01 (5) of these rows, minus the given amounts."""
    return {row: actual(base, row) - amount for row, amount in rows.items()}  # type: ignore[operator]


# ---------------------------------------------------------------------------------------------
# "-" is 0 (statistics tables), "..." is blank


@pytest.mark.parametrize("dash", ["-", "–", "—", "－", " - "])
def test_a_dash_is_zero_with_a_warning_and_the_pair_rules_follow(
    dash: str, example: Path, base: dict[str, Any]
) -> None:
    """S05 types a dash for 3.a: read as 0 with a warning at E15; 319 of 0 is then b > a, an
    error that takes both 3.a and 3.b of S05 out of the sums (row 3 no longer moves silently)."""
    edit(example, S05, PL01, {CELLS["3.a", 5]: dash})
    result, document = consolidate(example)
    assert [(S05, PL01, "E15", "warning")] == found(document, "dash-read-as-zero")
    assert [(S05, PL01, "E16", "error")] == found(document, "numerator-above-denominator")
    expected = less(base, {"3.a": 2693, "3.b": 319})
    assert expected == {row: actual(document, row) for row in expected}
    assert 1 == result.exit_code


def test_dashes_on_both_rows_are_zero_of_zero(example: Path, base: dict[str, Any]) -> None:
    """Dashes on 2.a and 2.b: 0 of 0, two warnings, no error; S05 adds nothing to row 2."""
    edit(example, S05, PL01, {CELLS["2.a", 5]: "-", CELLS["2.b", 5]: "-"})
    result, document = consolidate(example)
    assert [(S05, PL01, "E12", "warning"), (S05, PL01, "E13", "warning")] == found(
        document, "dash-read-as-zero"
    )
    assert less(base, {"2.a": 2, "2.b": 2}) == {r: actual(document, r) for r in ("2.a", "2.b")}
    assert 0 == result.exit_code


@pytest.mark.parametrize("dots", ["...", "…"])
def test_dots_are_blank(dots: str, example: Path, base: dict[str, Any]) -> None:
    """ "..." means no figure: both cells blank, no finding, S05 out of row 2."""
    edit(example, S05, PL01, {CELLS["2.a", 5]: dots, CELLS["2.b", 5]: dots})
    _, document = consolidate(example)
    assert [] == document["findings"]
    assert less(base, {"2.a": 2, "2.b": 2}) == {r: actual(document, r) for r in ("2.a", "2.b")}


def test_a_dash_in_a_row_not_the_units_is_nothing(example: Path) -> None:
    """A department's dash in a (*) row or in rows 9/10 means "not ours": no finding."""
    edit(example, S05, PL01, {"E23": "-", "E27": "–", CELLS["9", 5]: "-", CELLS["10", 5]: "-"})
    _, document = consolidate(example)
    assert [] == document["findings"]


# ---------------------------------------------------------------------------------------------
# A percentage in a count cell


@pytest.mark.parametrize(
    ("value", "fmt", "row"),
    [("15%", "", "5.b"), (0.9, "0%", "3.a"), (0.15, "0.00%", "5.b")],
    ids=["typed-15%", "0.9-formatted-0%", "0.15-formatted-0.00%"],
)
def test_a_percentage_in_a_count_cell_is_an_error_and_its_pair_leaves(
    value: object, fmt: str, row: str, example: Path, base: dict[str, Any]
) -> None:
    """ "15%" typed, or a number shown as a percentage by its format (calamine reads 0.9), in a
    count cell: an error at that cell; S05's .a and .b of that row both leave the sums."""
    edit(example, S05, PL01, {CELLS[row, 5]: value}, fmt)
    result, document = consolidate(example)
    [(file, sheet, cell, severity)] = found(document, "percent-in-count-cell")
    assert (S05, PL01, CELLS[row, 5], "error") == (file, sheet, cell, severity)
    pair = {k: v for k, v in S05_FIGURES.items() if k.split(".")[0] == row.split(".")[0]}
    assert less(base, pair) == {r: actual(document, r) for r in pair}
    [message] = [f["message"] for f in document["findings"] if f["code"] == "percent-in-count-cell"]
    assert "không được cộng" in message
    assert ("ô đang định dạng phần trăm" in message) == bool(fmt)
    [partner] = [k for k in pair if k != row]
    assert f"Đi cặp với ô này, ô (5) dòng {partner} của đơn vị cũng không được cộng" in message
    assert 1 == result.exit_code


# ---------------------------------------------------------------------------------------------
# A rate typed without its .a and .b


def test_a_rate_without_its_parts_is_an_error_naming_the_cells(
    example: Path, base: dict[str, Any]
) -> None:
    """S05 types 90 in row 5 and leaves 5.a, 5.b blank: an error at E20 naming E21 and E22,
    and S05 is out of Σa and Σb (as before: it had nothing there), exit 1."""
    edit(example, S05, PL01, {CELLS["5", 5]: 90, CELLS["5.a", 5]: None, CELLS["5.b", 5]: None})
    result, document = consolidate(example)
    assert [(S05, PL01, "E20", "error")] == found(document, "ratio-without-parts")
    [message] = [f["message"] for f in document["findings"] if f["code"] == "ratio-without-parts"]
    assert "E21, E22" in message
    assert [] == found(document, "computed-cell-differs")
    assert less(base, {"5.a": 1453, "5.b": 1311}) == {
        r: actual(document, r) for r in ("5.a", "5.b")
    }
    assert 1 == result.exit_code


# ---------------------------------------------------------------------------------------------
# Rows 9 and 10 are the districts'


def test_a_unit_of_a_level_the_form_does_not_name_still_counts_in_rows_for_all(
    example: Path, base: dict[str, Any]
) -> None:
    """A roster level the form's ``reporters`` do not list (a commune, "xa", when a district
    consolidates its communes) still reports the rows every unit fills: S05 as "xa" leaves
    every province figure as it was, with no finding."""
    roster = example / "roster.csv"
    lines = roster.read_text(encoding="utf-8").splitlines()
    lines = [line.replace(",so,", ",xa,") if line.startswith("S05,") else line for line in lines]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, document = consolidate(example)
    assert base["PL01"] == document["PL01"]
    assert [] == document["findings"]
    assert 0 == result.exit_code


@pytest.mark.parametrize("unit", [S05, TINH])
def test_rows_9_and_10_by_others_than_districts_are_ignored(
    unit: str, example: Path, base: dict[str, Any]
) -> None:
    """A department or TINH filling rows 9/10: a warning at each cell, the value unused:
    11 of 11 and 159 of 159 stay."""
    cells = {CELLS["9", 4]: 11, CELLS["9", 5]: 11, CELLS["10", 4]: 159, CELLS["10", 5]: 159}
    edit(example, unit, PL01, cells)
    result, document = consolidate(example)
    assert sorted((unit, PL01, c, "warning") for c in cells) == sorted(
        found(document, "district-only-row")
    )
    for row in ("9", "10"):
        assert base["PL01"][row] == document["PL01"][row]
    assert 0 == result.exit_code


# ---------------------------------------------------------------------------------------------
# A district's own target comes from the roster


@pytest.mark.parametrize(
    ("cell", "typed"),
    [(CELLS["10", 4], None), (CELLS["10", 4], 25), (CELLS["9", 4], 0), (CELLS["9", 4], None)],
    ids=["row-10-blank", "row-10-disagrees", "row-9-zero", "row-9-blank"],
)
def test_a_districts_target_comes_from_the_roster(
    cell: str, typed: object, example: Path, base: dict[str, Any]
) -> None:
    """H01 leaves its target blank or types another: a warning at the cell, and the target
    used is the roster's (21 communes; 1 district): 11 of 11 and 159 of 159 stay."""
    edit(example, H01, PL01, {cell: typed})
    result, document = consolidate(example)
    assert [(H01, PL01, cell, "warning")] == found(document, "own-target-from-roster")
    for row in ("9", "10"):
        assert base["PL01"][row] == document["PL01"][row]
    assert 0 == result.exit_code


def test_more_communes_than_the_district_has_is_an_error(
    example: Path, base: dict[str, Any]
) -> None:
    """H01 (21 communes) reports 23 on the software: an error at E30; H01 leaves row 10, both
    its target and its actual (159 - 21 of 159 - 21)."""
    edit(example, H01, PL01, {CELLS["10", 5]: 23})
    result, document = consolidate(example)
    assert [(H01, PL01, "E30", "error")] == found(document, "above-own-target")
    row = document["PL01"]["10"]
    assert (138, 138) == (row["plan"], row["actual"])
    assert 1 == result.exit_code


# ---------------------------------------------------------------------------------------------
# One project, two units


def _list_tinh_project(folder: Path, **changes: object) -> None:
    """S11 (the investor, Sở TTTT) lists TINH's project, spelled its own way."""
    cells: dict[str, object] = {
        "B11": PROJECT_NAME.lower().replace(" – ", "-"),
        "C11": "Sở Thông tin và Truyền thông",
        "E11": "Quyết định số 3871/QD-UBND ngày 30/10/2017",
        "G11": 30000,
        "H11": 15000,
        "K11": 0,
        "L11": 15000,
        "O11": 0,
        "P11": 15000,
    }
    cells.update(changes)
    edit(folder, S11, PL02, cells)


def test_the_same_project_from_two_units_is_counted_once(
    example: Path, base: dict[str, Any]
) -> None:
    """Same project, same figures, from TINH and S11: a warning naming both files and rows;
    group I stays 45.000, not 90.000; the project listed once."""
    _list_tinh_project(example)
    result, document = consolidate(example)
    [finding] = [f for f in document["findings"] if f["code"] == "duplicate-project"]
    assert "warning" == finding["severity"]
    assert (TINH, PL02, "B11") == (Path(finding["file"]).name, finding["sheet"], finding["cell"])
    assert S11 in finding["message"]
    assert "B11" in finding["message"]
    assert base["PL02"]["groups"]["I"] == document["PL02"]["groups"]["I"]
    assert 1 == len(document["PL02"]["projects"])
    assert 0 == result.exit_code


def test_the_same_project_with_other_figures_is_an_error_saying_which_were_used(
    example: Path,
) -> None:
    """S11 lists it by its decision number under another name, with 14.000 disbursed: an
    error; S11's figures are used (it is the investor), and the finding says so."""
    _list_tinh_project(example, B11="Nâng cấp Chính quyền điện tử", P11=14000)
    result, document = consolidate(example)
    [finding] = [f for f in document["findings"] if f["code"] == "duplicate-project"]
    assert "error" == finding["severity"]
    assert "quyết định" in finding["message"]
    assert S11 in finding["message"]
    assert "(14) = 14.000" in finding["message"]
    group = document["PL02"]["groups"]["I"]
    assert (45000, 15000, 14000) == (group["6"], group["10"], group["14"])
    assert 1 == len(document["PL02"]["projects"])
    assert 1 == result.exit_code


# ---------------------------------------------------------------------------------------------
# A project's totals without their sources


def test_totals_without_sources_are_errors_and_totals_stay_sums(
    example: Path, base: dict[str, Any]
) -> None:
    """S05 lists a project with only (6), (10), (14): an error at each; group I and TỔNG SỐ
    are unchanged, and every total is still the sum of its sources."""
    edit(example, S05, PL02, {"B11": "Phần mềm kế toán", "F11": 1000, "J11": 500, "N11": 400})
    result, document = consolidate(example)
    assert [(S05, PL02, c, "error") for c in ("F11", "J11", "N11")] == found(
        document, "total-without-sources"
    )
    pl02 = document["PL02"]
    assert base["PL02"]["groups"]["I"] == pl02["groups"]["I"]
    for values in (pl02["total"], *pl02["groups"].values()):
        for whole, parts in (("6", "789"), ("10", ("11", "12", "13")), ("14", ("15", "16", "17"))):
            assert values[whole] == sum(values[p] for p in parts)
    assert 1 == result.exit_code


def test_a_total_whose_sources_are_all_unreadable_leaves_with_them(
    example: Path, base: dict[str, Any]
) -> None:
    """S05 lists a project with (6) = 1.000 and words in (7), (8), (9): an error at each source,
    and its (6) is not added alone, so every province total stays the sum of its sources."""
    edit(
        example,
        S05,
        PL02,
        {"B11": "Phần mềm kế toán", "F11": 1000, "G11": "một nghìn", "H11": "x", "I11": "không"},
    )
    result, document = consolidate(example)
    assert [(S05, PL02, c, "error") for c in ("G11", "H11", "I11")] == found(
        document, "text-not-number"
    )
    pl02 = document["PL02"]
    assert base["PL02"]["groups"]["I"] == pl02["groups"]["I"]
    [project] = [p for p in pl02["projects"] if p.get("name") == "Phần mềm kế toán"]
    assert project["6"] is None
    for values in (pl02["total"], *pl02["groups"].values()):
        assert values["6"] == sum(values[p] for p in "789")
    assert 1 == result.exit_code


# ---------------------------------------------------------------------------------------------
# An earlier consolidated report left in the folder


@pytest.mark.parametrize("roster", [True, False], ids=["roster", "no-roster"])
@pytest.mark.parametrize("name", [None, "UBND tỉnh Bình Định"], ids=["default-name", "named"])
def test_an_earlier_province_report_in_the_folder_is_never_added(
    roster: bool, name: str | None, example: Path, tmp_path: Path, base: dict[str, Any]
) -> None:
    """Last run's output copied into the units' folder: a warning naming it and saying to move
    it out; the figures are those of the units alone (6 = 2.081, not 4.162)."""
    earlier = tmp_path / "Tổng hợp - binh-dinh-2020.xlsx"
    ctmtcntt.consolidate(EXAMPLE, name=name).write(earlier)
    shutil.copy(earlier, example / earlier.name)
    if not roster:
        (example / "roster.csv").unlink()
    result, document = consolidate(example)
    [finding] = [f for f in document["findings"] if f["code"] == "earlier-consolidation"]
    assert earlier.name == Path(finding["file"]).name
    assert "chuyển tệp này ra khỏi thư mục" in finding["message"]
    assert base["PL01"] == document["PL01"]
    assert base["PL02"]["total"] == document["PL02"]["total"]
    assert not any(earlier.name in f for a in document["units"]["received"] for f in a["files"])
    assert 0 == result.exit_code


# ---------------------------------------------------------------------------------------------
# Nothing readable


def test_nothing_readable_writes_no_report_and_exits_3(tmp_path: Path) -> None:
    """A folder whose files are all unreadable or hold no form: no report, exit 3, and the
    message says nothing could be read."""
    folder = tmp_path / "don-vi"
    folder.mkdir()
    (folder / "S01.xlsx").write_bytes(b"not a workbook")
    book = openpyxl.Workbook()
    book.active["A1"] = "Danh sách cán bộ"  # type: ignore[index]
    book.save(folder / "S02.xlsx")
    output = tmp_path / "tinh.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(output)])
    assert 3 == result.exit_code, result.output
    assert not output.exists()
    assert "Không đọc được tệp báo cáo nào" in result.output
    assert "Đã ghi báo cáo tổng hợp" not in result.output
    with pytest.raises(ctmtcntt.CtmtError, match="Không đọc được tệp báo cáo nào"):
        ctmtcntt.consolidate(folder).write(output)


# ---------------------------------------------------------------------------------------------
# Notes (column (8))


def test_notes_are_kept(example: Path, tmp_path: Path) -> None:
    """TINH's notes stay on the province's own rows; S05's note is in the JSON and on the
    breakdown sheet, in S05's column."""
    edit(example, S05, PL01, {CELLS["3.a", 8]: "Số liệu ước tính"})
    result, document = consolidate(example)
    assert {"1": "Hoàn thành giai đoạn 1", "14": "Số liệu ước tính"} == document["notes"][
        "province"
    ]
    s05 = [n for n in document["notes"]["units"] if n["code"] == "S05"]
    assert [("3.a", "Số liệu ước tính", PL01, "H15")] == [
        (n["row"], n["note"], n["sheet"], n["cell"]) for n in s05
    ]
    path = result.write(tmp_path / "tinh.xlsx")
    pl01 = sheet_values(path, PL01)
    assert any(row[7] == "Hoàn thành giai đoạn 1" and row[0] in (1, 1.0, "1") for row in pl01)
    breakdown = sheet_values(path, "Chi tiết theo đơn vị")
    header = breakdown[2]
    column = header.index("Sở Tài chính")
    [line] = [row for row in breakdown if row[0] == "3.a" and str(row[1]).endswith("ghi chú")]
    assert "Số liệu ước tính" == line[column]


# ---------------------------------------------------------------------------------------------
# The Ministry level


@pytest.mark.parametrize("roster", [False, True], ids=["no-roster", "roster-of-provinces"])
def test_province_reports_add_up_at_the_ministry(roster: bool, tmp_path: Path) -> None:
    """Two provinces' reports made without --name: told apart by the province each covers, not
    duplicates (with a roster of provinces, each matched to its own); yes/no (*) rows become
    counts, number rows sums."""
    second = shutil.copytree(EXAMPLE, tmp_path / "phu-yen")
    for name in (S05, "S07 - So NN va PTNT.xlsx"):
        book = openpyxl.load_workbook(second / name)
        for ws in book.worksheets:
            cell = ws["A4"]
            cell.value = str(cell.value).replace("Bình Định", "Phú Yên")
        book.save(second / name)
    edit(second, TINH, PL01, {"E36": "Không"})
    national = tmp_path / "ca-nuoc"
    national.mkdir()
    for folder in (EXAMPLE, second):
        ctmtcntt.consolidate(folder).write(national / f"Tổng hợp - {folder.name}.xlsx")
    if roster:
        (national / "roster.csv").write_text(
            "code,name,level\nBDI,UBND tỉnh Bình Định,tinh\nPYE,UBND tỉnh Phú Yên,tinh\n",
            encoding="utf-8",
        )
    result, document = consolidate(national)
    received = sorted(a["name"] for a in document["units"]["received"])
    assert 2 == len(received), received
    assert received[0].endswith("tỉnh Bình Định")
    assert received[1].endswith("tỉnh Phú Yên")
    if roster:
        assert ["BDI", "PYE"] == sorted(a["code"] for a in document["units"]["received"])
    assert [] == document["units"]["duplicate"]
    assert {"1": "Có: 2/2 tỉnh", "13": "Có: 1/2 tỉnh"} == document["counts"]
    assert (2, 1) == (actual(document, "1"), actual(document, "13"))
    assert 2 * 2081 == actual(document, "6")
    assert (22, 22) == (document["PL01"]["9"]["plan"], actual(document, "9"))
    assert 0 == result.exit_code
    path = result.write(tmp_path / "ca-nuoc.xlsx")
    rows = sheet_values(path, PL01)
    assert any(row[4] == "Có: 2/2 tỉnh" for row in rows)
    from ctmtcntt.render import consolidation_text

    assert "Có: 1/2 tỉnh" in consolidation_text(result)


def test_an_earlier_report_is_known_with_its_sources_sheet_renamed(
    example: Path, tmp_path: Path, base: dict[str, Any]
) -> None:
    """A clerk renamed the sources sheet of last run's output: its breakdown sheet still tells
    it is a consolidation, and it is not added (TINH's figures are not held back either)."""
    earlier = tmp_path / "tong-hop.xlsx"
    ctmtcntt.consolidate(EXAMPLE).write(earlier)
    book = openpyxl.load_workbook(earlier)
    book["Nguồn số liệu"].title = "Sheet7"
    book.save(example / "tong-hop cu.xlsx")
    _, document = consolidate(example)
    assert [("tong-hop cu.xlsx", "warning")] == [
        (Path(f["file"]).name, f["severity"])
        for f in document["findings"]
        if f["code"] == "earlier-consolidation"
    ]
    assert base["PL01"] == document["PL01"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("QĐ số 3871/QĐ-UBND ngày 30/10/2017", "Quyết định 3871 / QD - UBND, 30/10/2017"),
        ("12/2018/QĐ-UBND", "Số 12/2018/QĐ-UBND ngày 1/2/2018"),
    ],
)
def test_decision_numbers_match_however_written(first: str, second: str) -> None:
    """One decision written two ways is one key; a date alone is none."""
    from ctmtcntt.consolidation.projects import keys

    assert keys({"decision": first})[1] == keys({"decision": second})[1] is not None
    assert keys({"decision": "ngày 30/10/2017"})[1] is None


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("UBND TP Quy Nhơn", "huyen"),
        ("Ủy ban nhân dân huyện Phù Mỹ", "huyen"),
        ("Thị xã An Nhơn", "huyen"),
        ("Sở Tài chính thành phố Hồ Chí Minh", "so"),
        ("Văn phòng UBND tỉnh", "so"),
        ("Sở Thông tin và Truyền thông (số liệu chung toàn tỉnh)", "tinh"),
    ],
)
def test_a_units_level_without_a_roster(name: str, level: str) -> None:
    """Without a roster the level comes from how the name starts (or says "toàn tỉnh")."""
    from ctmtcntt.forms.roster import level_of

    assert level == level_of(name)


def test_the_rules_are_read_from_the_forms_yaml() -> None:
    """Who may report each row, a unit's own target and the dash are the forms' data."""
    from ctmtcntt.forms.spec import load_catalogue

    pl01 = load_catalogue().forms["PL01"]
    assert {"huyen"} == pl01.reporters["district"]
    assert {"tinh"} == pl01.reporters["province"]
    assert ("district", "communes") == (pl01.row("10").who, pl01.row("10").unit_target)
    assert 1 == pl01.row("9").unit_target
    assert {"-", "–", "—"} <= pl01.marks.zero
    assert {"...", "…"} <= pl01.marks.blank
    assert (("3.b", "actual"), ("3.a", "actual")) == pl01.pairs["3.a", "actual"]
    assert not pl01.may_report(pl01.row("9"), "so")
    assert pl01.may_report(pl01.row("9"), None)  # a consolidated report speaks for all


@pytest.mark.slow
def test_a_percentage_format_is_seen_in_a_workbook_saved_by_libreoffice(
    example: Path, tmp_path: Path, soffice: str
) -> None:
    """LibreOffice writes its own styles part: 0.9 shown as 90 % in 3.a is still found."""
    from builders import libreoffice_resave
    from ctmtcntt.read.workbook import read_workbook

    edit(example, S05, PL01, {CELLS["3.a", 5]: 0.9, CELLS["3.b", 5]: 0.1}, "0%")
    [saved] = libreoffice_resave([example / S05], tmp_path / "lo").values()
    form = read_workbook(saved).forms["PL01"]
    assert {"E15", "E16"} <= form.percent_cells
    [checked] = ctmtcntt.validate([saved]).files
    assert [("E15", "error"), ("E16", "error")] == [
        (f.cell, f.severity) for f in checked.findings if f.code == "percent-in-count-cell"
    ]


def test_a_districts_consolidation_of_its_communes_is_an_input(
    example: Path, tmp_path: Path, base: dict[str, Any]
) -> None:
    """Quy Nhơn sends the report it consolidated from its communes instead of its own form: it
    is its unit's report (not an earlier province output), and the figures are the same."""
    commune = tmp_path / "xa" / H01
    commune.parent.mkdir()
    shutil.move(example / H01, commune)
    made = ctmtcntt.consolidate([commune], name="UBND thành phố Quy Nhơn")
    made.write(example / "Tổng hợp - Quy Nhơn.xlsx")
    result, document = consolidate(example)
    assert [] == document["findings"]
    assert base["PL01"] == document["PL01"]
    assert "H01" in {a["code"] for a in document["units"]["received"]}
    assert 0 == result.exit_code


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            "who: district, aggregate: sum, target: plan",
            "who: commune, aggregate: sum, target: plan",
            "reporters",
        ),
        ("unit_target: communes", "unit_target: villages", "villages"),
    ],
    ids=["unknown-who", "unknown-roster-column"],
)
def test_a_form_naming_an_unknown_reporter_or_roster_column_is_refused(
    old: str, new: str, words: str, tmp_path: Path
) -> None:
    """The rules are data: a row reported by a level the form does not list, or a target from a
    roster column that does not exist, is a broken form description, said as such."""
    from ctmtcntt.errors import SpecError
    from ctmtcntt.forms.spec import forms_folder, load_catalogue

    folder = Path(shutil.copytree(forms_folder(), tmp_path / "forms"))
    text = (folder / "PL01.yaml").read_text(encoding="utf-8")
    assert old in text
    (folder / "PL01.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SpecError, match=words):
        load_catalogue(folder)


@pytest.mark.parametrize(
    ("s05", "s07"),
    [
        ({"C11": "Sở Tài chính"}, {"C11": "Sở Nông nghiệp và Phát triển nông thôn"}),
        ({"E11": "125/QĐ-UBND ngày 1/2/2019"}, {"E11": "Quyết định 987/QĐ-UBND"}),
    ],
    ids=["two-investors", "two-decisions"],
)
def test_two_projects_of_one_name_told_apart_are_both_counted(
    s05: dict[str, object], s07: dict[str, object], example: Path, base: dict[str, Any]
) -> None:
    """Two departments each buy computers under the same plain name; their investors or their
    decision numbers differ: two projects, no finding, both added."""
    for name, own in (("S05 - So Tai chinh.xlsx", s05), ("S07 - So NN va PTNT.xlsx", s07)):
        edit(example, name, PL02, {"B11": "Mua sắm máy tính", "H11": 100, "L11": 100, **own})
    _, document = consolidate(example)
    assert [] == document["findings"]
    assert base["PL02"]["groups"]["I"]["8"] + 200 == document["PL02"]["groups"]["I"]["8"]
    assert 3 == len(document["PL02"]["projects"])


def test_a_rate_with_dots_for_its_parts_is_an_error_too(example: Path) -> None:
    """ "..." in 5.a and 5.b is no figure: the rate typed in row 5 cannot enter the province's."""
    edit(example, S05, PL01, {CELLS["5", 5]: "90%", CELLS["5.a", 5]: "...", CELLS["5.b", 5]: "…"})
    _, document = consolidate(example)
    assert [(S05, PL01, "E20", "error")] == found(document, "ratio-without-parts")


def test_any_error_on_one_of_a_pair_takes_the_other_out_and_says_so(
    example: Path, base: dict[str, Any]
) -> None:
    """A negative 3.a (an error about 3.a alone): S05's 3.b leaves with it, and the message
    says so; the province's row 3 has neither."""
    edit(example, S05, PL01, {CELLS["3.a", 5]: -2693})
    _, document = consolidate(example)
    [finding] = [f for f in document["findings"] if f["code"] == "negative-value"]
    assert "ô (5) dòng 3.b của đơn vị cũng không được cộng" in finding["message"]
    assert less(base, {"3.a": 2693, "3.b": 319}) == {r: actual(document, r) for r in ("3.a", "3.b")}


def test_a_districts_target_is_the_rosters_also_without_its_actual(example: Path) -> None:
    """H01 types 25 as its target and leaves the actual blank: a warning, and the target that
    counts is still its 21 communes (159 in all, of which 138 reported in use)."""
    edit(example, H01, PL01, {CELLS["10", 4]: 25, CELLS["10", 5]: None})
    _, document = consolidate(example)
    assert [(H01, PL01, "D30", "warning")] == found(document, "own-target-from-roster")
    assert (159, 138) == (document["PL01"]["10"]["plan"], actual(document, "10"))


def test_dots_in_a_yes_no_row_are_no_answer(example: Path, base: dict[str, Any]) -> None:
    """TINH types "..." for row 13 (Có/Không): no answer, not an unreadable one; row 13 has
    no figure and no error is raised."""
    edit(example, TINH, PL01, {"E36": "..."})
    _, document = consolidate(example)
    assert [] == document["findings"]
    assert document["PL01"]["13"]["actual"] is None


def test_a_percentage_format_is_seen_when_the_styles_part_has_another_name(
    example: Path, tmp_path: Path
) -> None:
    """The workbook's relationships, not a fixed name, say where its styles are: a package
    whose styles part is ``xl/mystyles.xml`` still has its 0.9 shown as 90 % found."""
    import zipfile

    from ctmtcntt.read.workbook import read_workbook

    edit(example, S05, PL01, {CELLS["3.a", 5]: 0.9, CELLS["3.b", 5]: 0.1}, "0%")
    moved = tmp_path / S05
    with zipfile.ZipFile(example / S05) as src, zipfile.ZipFile(moved, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            name = info.filename
            if name == "xl/styles.xml":
                name = "xl/mystyles.xml"
            elif name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(b"styles.xml", b"mystyles.xml")
            dst.writestr(name, data, zipfile.ZIP_DEFLATED)
    form = read_workbook(moved).forms["PL01"]
    assert {"E15", "E16"} <= form.percent_cells
