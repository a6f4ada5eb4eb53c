"""``ctmt consolidate`` on a province it has never seen, and the same operation one level up.

The province (tests/_province.py) is built from the example's files: another province's units
under new names, every number changed and typed as Vietnamese text, one unit's workbook saved by
LibreOffice, one file per form for some units, a unit missing, a workbook sent twice (an
identical copy "X (1).xlsx") and another sent in two different versions, an Excel lock file, a
department filling a (*) row, a value that is not a number, a numerator above its denominator,
a unit not in the roster, and project names that look like formulas. The JSON, the workbook
(also after LibreOffice recalculates it), the exit codes and --strict are checked against the
truth computed independently in _province.py. Two provinces then add up to a national total.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import _province
import builders
import ctmtcntt
from _province import PL02_GROUPS, Province
from _support import EXAMPLE, recalculate, sheet_values
from ctmtcntt.cli import main

PL01_FIELDS = ("plan", "actual", "ratio", "assessment")
FINDING_KEYS = {"code", "severity", "file", "sheet", "cell", "row", "message", "value"}
A1 = re.compile(r"^[A-Z]{1,3}[1-9][0-9]*$")


def run(*arguments: str) -> tuple[int, dict[str, Any] | None, str]:
    """``ctmt consolidate …`` in-process: exit code, JSON document (when asked), output."""
    result = CliRunner().invoke(main, ["consolidate", *arguments])
    document = json.loads(result.stdout) if "--format" in arguments and result.stdout else None
    return result.exit_code, document, result.output


class World:
    """The province built, its consolidation, and the national total over two provinces."""

    province: Province
    output: Path
    code: int
    document: dict[str, Any]
    text: str
    binh_dinh: dict[str, Any]
    binh_dinh_output: Path
    national: dict[str, Any]
    national_code: int
    national_output: Path
    recalculated: dict[Path, Path]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """Build Phú Yên, consolidate it and Bình Định, then both into a national total; finally
    one LibreOffice run recalculates every workbook written."""
    if builders.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    root = tmp_path_factory.mktemp("consolidate")
    made = World()
    made.province = _province.make_province(root / "phu-yen", builders.libreoffice_resave)
    made.output = root / "out" / "phu-yen.xlsx"
    # No --roster: the folder's own roster.csv is used.
    made.code, document, made.text = run(
        str(made.province.folder),
        "-o",
        str(made.output),
        "--format",
        "json",
        "--name",
        "Tỉnh Phú Yên",
    )
    assert document is not None, made.text
    made.document = document
    made.binh_dinh_output = root / "out" / "binh-dinh.xlsx"
    code, document, text = run(
        str(EXAMPLE),
        "-o",
        str(made.binh_dinh_output),
        "--format",
        "json",
        "--name",
        "Tỉnh Bình Định",
    )
    assert 0 == code, text
    assert document is not None
    made.binh_dinh = document
    national = root / "national"
    national.mkdir()
    for path in (made.binh_dinh_output, made.output):
        shutil.copy(path, national / path.name)
    made.national_output = root / "out" / "ca-nuoc.xlsx"
    made.national_code, document, text = run(
        str(national), "-o", str(made.national_output), "--format", "json", "--name", "Cả nước"
    )
    assert document is not None, text
    made.national = document
    written = [made.output, made.national_output]
    made.recalculated = dict(zip(written, recalculate(written, root / "lo"), strict=True))
    return made


# ---------------------------------------------------------------------------------------------
# Units: every one accounted for


def _names(accounts: list[dict[str, Any]]) -> list[str]:
    return sorted(Path(f).name for a in accounts for f in a["files"])


def test_exit_code_and_output(world: World) -> None:
    """Errors (a differing copy, a value that is not a number, …) make exit 1; the workbook is
    still written without --strict, and the JSON names it."""
    assert 1 == world.code, world.text
    assert str(world.output) == world.document["output"]
    assert world.output.is_file()


def test_units_expected_received_missing(world: World) -> None:
    """The roster's size is expected; every unit with a file is received, by its roster code,
    whatever spelling it used; the unit without a file is missing."""
    units = world.document["units"]
    assert len(world.province.roster) == units["expected"]
    expected_codes = {u["code"] for u in world.province.roster} - {"PYH9"}
    assert expected_codes == {a["code"] for a in units["received"]}
    assert len(expected_codes) == len(units["received"])
    for account in units["received"]:
        assert set(account) == {"code", "name", "files"}
        assert account["files"], account
    by_code = {a["code"]: a for a in units["received"]}
    assert ["H01 - UBND TP Quy Nhon.xlsx"] == _names([by_code["PYH1"]])
    assert ["H03 - PL01.xlsx", "H03 - PL02.xlsx"] == _names([by_code["PYH3"]])
    assert "UBND thành phố Tuy Hòa" == by_code["PYH1"]["name"]
    assert [{"code": "PYH9", "name": "UBND huyện Phú Hòa", "files": []}] == units["missing"]


def test_duplicates_named_and_counted_once(world: World) -> None:
    """The identical copy and the differing version are both listed under duplicate, with
    every file; each unit once."""
    duplicate = {a["code"]: a for a in world.document["units"]["duplicate"]}
    assert {"PY05", "PY06"} == set(duplicate)
    assert ["S05 - So Tai chinh (1).xlsx", "S05 - So Tai chinh.xlsx"] == _names([duplicate["PY05"]])
    assert [
        "S06 - So Cong Thuong - ban sua.xlsx",
        "S06 - So Cong Thuong.xlsx",
    ] == _names([duplicate["PY06"]])
    assert "Sở Tài chính" == duplicate["PY05"]["name"]


def test_unknown_and_rejected(world: World) -> None:
    """A unit that is not in the roster is listed as unknown (code null), not added."""
    units = world.document["units"]
    [unknown] = units["unknown"]
    assert unknown["code"] is None
    assert _province.UNKNOWN_NAME == unknown["name"]
    assert ["BQL KKT.xlsx"] == _names([unknown])
    assert [] == units["rejected"]


def test_lock_file_skipped(world: World) -> None:
    """Excel's ~$ lock file is neither read, nor rejected, nor listed anywhere."""
    text = json.dumps(world.document, ensure_ascii=False)
    assert "~$" not in text
    sources = openpyxl.load_workbook(world.output)["Nguồn số liệu"]
    assert not any("~$" in str(c.value) for row in sources.iter_rows() for c in row)


# ---------------------------------------------------------------------------------------------
# Figures: the truth, field by field


def _close(expected: object, actual: object) -> bool:
    if isinstance(expected, float) and isinstance(actual, (int, float)):
        return not isinstance(actual, bool) and abs(expected - actual) <= 1e-9
    return expected == actual


def test_pl01_equals_the_truth(world: World) -> None:
    """Every PL01 figure equals the independent computation: sums over the units received,
    Σb/Σa×100, (*) rows from TINH only, values with an error left out, the differing versions
    left out, the identical copy counted once."""
    truth = world.province.expected_pl01()
    pl01 = world.document["PL01"]
    for row, fields in truth.items():
        assert set(PL01_FIELDS) == set(pl01[row]), row
        for name, value in fields.items():
            assert _close(value, pl01[row][name]), (row, name, value, pl01[row][name])


def test_pl01_json_types(world: World) -> None:
    """Numbers are JSON numbers, yes/no are booleans, empty is null; every row of the form."""
    pl01 = world.document["PL01"]
    assert pl01["1"]["actual"] is True
    assert pl01["1"]["plan"] is True
    assert pl01["2.a"]["ratio"] is None
    assert pl01["2.a"]["assessment"] is None
    assert isinstance(pl01["3.a"]["actual"], float)
    assert pl01["3"]["assessment"] in ("Đạt", "Không đạt")
    assert {"1", "2", "2.a", "6", "6.c", "9", "10", "11", "14.a", "15"} <= set(pl01)
    assert not {"I", "II", "III"} & set(pl01)


def test_pl02_equals_the_truth(world: World) -> None:
    """TỔNG SỐ and each group: sums of every unit's projects; (18) from the sums."""
    truth = world.province.expected_pl02()
    pl02 = world.document["PL02"]
    columns = [str(n) for n in range(6, 19)]
    assert columns == sorted(pl02["total"], key=int)
    for column in columns:
        assert _close(truth["TOTAL"][column], pl02["total"][column]), column
        for group in PL02_GROUPS:
            assert _close(truth[group][column], pl02["groups"][group][column]), (group, column)


def test_projects_listed_with_their_unit(world: World) -> None:
    """Each project row with its unit and group, every column present; text stays text."""
    projects = world.document["PL02"]["projects"]
    assert len(world.province.projects) == len(projects)
    by_name = {p["name"]: p for p in projects}
    formula = by_name[_province.FORMULA_NAME]
    assert ("UBND huyện Tuy An", "PYH5", "II") == (
        formula["unit"],
        formula["code"],
        formula["group"],
    )
    assert 2000.5 == formula["6"]
    assert 86.68 == formula["18"]
    assert formula["9"] is None
    assert formula["decision"] is None
    assert "UBND thành phố Tuy Hòa" == by_name[_province.DASH_NAME]["unit"]
    for project in projects:
        assert {"unit", "code", "group", "name", "investor", "period", "decision", "note"} <= set(
            project
        )
        assert {str(n) for n in range(6, 19)} <= set(project)


def test_findings_name_file_sheet_and_cell(world: World) -> None:
    """Findings in the contract's shape; each problem found where it is, saying what happens
    to the value."""
    findings = world.document["findings"]
    for finding in findings:
        assert FINDING_KEYS == set(finding)
        assert finding["severity"] in ("error", "warning")
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", finding["code"])
        assert finding["cell"] is None or A1.match(finding["cell"])
        assert finding["message"]

    def found(code: str) -> list[dict[str, Any]]:
        return [f for f in findings if f["code"] == code]

    [province_row] = found("province-only-row")
    assert ("warning", "S02 - So Noi vu.xlsx", "6.a") == (
        province_row["severity"],
        Path(province_row["file"]).name,
        province_row["row"],
    )
    assert "không được dùng" in province_row["message"]
    [text] = found("text-not-number")
    assert ("error", "H07 - UBND huyen Tay Son.xlsx", "11") == (
        text["severity"],
        Path(text["file"]).name,
        text["row"],
    )
    assert "khoảng 5" == text["value"]
    assert "không được cộng" in text["message"]
    assert A1.match(text["cell"])
    assert "Phụ lục 01" == text["sheet"]
    [above] = found("numerator-above-denominator")
    assert "không được cộng" in above["message"]
    [copy] = found("duplicate-copy")
    assert ("warning", "S05 - So Tai chinh (1).xlsx") == (copy["severity"], Path(copy["file"]).name)
    assert "S05 - So Tai chinh.xlsx" in copy["message"]
    differing = found("duplicate-unit")
    assert {"S06 - So Cong Thuong.xlsx", "S06 - So Cong Thuong - ban sua.xlsx"} == {
        Path(f["file"]).name for f in differing
    }
    assert all(f["severity"] == "error" for f in differing)
    [missing] = found("missing-submission")
    assert "PYH9" in missing["message"]
    [unknown] = found("unit-not-in-roster")
    assert "BQL KKT.xlsx" == Path(unknown["file"]).name


# ---------------------------------------------------------------------------------------------
# The province workbook


def _pl01_by_stt(grid: list[list[object]]) -> dict[str, list[object]]:
    start = next(i for i, row in enumerate(grid) if row and row[0] == "(1)")
    rows: dict[str, list[object]] = {}
    parent = ""
    for line in grid[start + 1 :]:
        label = str(line[0]).removesuffix(".0")
        if label.isdigit():
            parent = label
            rows[label] = line
        elif len(label) == 1 and label.isalpha() and label.islower():
            rows[f"{parent}.{label}"] = line
    return rows


def _shown(value: object) -> object:
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return "" if value is None else value


@pytest.mark.parametrize("recalculated", [False, True], ids=["as-written", "libreoffice"])
def test_workbook_pl01_shows_the_json(world: World, recalculated: bool) -> None:
    """ "Phụ lục 01" shows the JSON's figures in the Ministry's columns, with the province's
    name, as written and after LibreOffice recalculates it."""
    path = world.recalculated[world.output] if recalculated else world.output
    grid = sheet_values(path, "Phụ lục 01")
    assert any(row[0] == "Đơn vị báo cáo: Tỉnh Phú Yên" for row in grid[:6])
    rows = _pl01_by_stt(grid)
    pl01 = world.document["PL01"]
    targets = {"2": "> 50", "3": "≥ 30", "4": "> 50", "5": "≥ 90", "12": "> 80"}
    for row, fields in pl01.items():
        line = rows[row]
        for column, name in zip((3, 4, 5, 6), PL01_FIELDS, strict=True):
            expected = _shown(fields[name])
            if name == "plan" and row in targets:
                expected = targets[row]  # the Ministry's target as printed
            assert _close(expected, line[column]) or expected == line[column], (row, name)


@pytest.mark.parametrize("recalculated", [False, True], ids=["as-written", "libreoffice"])
def test_workbook_pl02_and_formula_text(world: World, recalculated: bool) -> None:
    """ "Phụ lục 02": TỔNG SỐ as in the JSON, projects under their group; a project name that
    looks like a formula is text, in the file and after LibreOffice."""
    path = world.recalculated[world.output] if recalculated else world.output
    grid = sheet_values(path, "Phụ lục 02")
    [total] = [row for row in grid if row[1] == "TỔNG SỐ (I+II+III)"]
    for number in range(6, 19):
        expected = world.document["PL02"]["total"][str(number)]
        assert _close(_shown(expected), total[number - 1]) or _shown(expected) == total[number - 1]
    names = [row[1] for row in grid]
    assert _province.FORMULA_NAME in names
    assert _province.DASH_NAME in names
    assert names.index("Nhóm dự án bảo đảm an toàn thông tin") < names.index(_province.FORMULA_NAME)
    if not recalculated:
        sheet = openpyxl.load_workbook(path)["Phụ lục 02"]
        cells = [c for row in sheet.iter_rows() for c in row if c.value == _province.FORMULA_NAME]
        assert [("s", True)] == [(c.data_type, c.quotePrefix) for c in cells]


def test_workbook_sheets(world: World) -> None:
    """The province workbook: both forms, the per-unit breakdown, the completion sheet with its
    chart, the findings, the sources, the missing units."""
    book = openpyxl.load_workbook(world.output)
    assert ["Phụ lục 01", "Phụ lục 02"] == book.sheetnames[:2]
    assert {
        "Chi tiết theo đơn vị",
        "Tỷ lệ theo đơn vị",
        "Kết quả kiểm tra",
        "Nguồn số liệu",
        "Đơn vị chưa gửi",
    } <= set(book.sheetnames)
    with zipfile.ZipFile(world.output) as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())
    missing = sheet_values(world.output, "Đơn vị chưa gửi")
    assert ["PYH9", "UBND huyện Phú Hòa"] in [row[:2] for row in missing]
    findings = sheet_values(world.output, "Kết quả kiểm tra")
    assert len(world.document["findings"]) == sum(1 for row in findings[3:] if row[4])
    breakdown = sheet_values(world.output, "Chi tiết theo đơn vị")
    header = breakdown[2]
    assert "UBND huyện Tuy An" in header
    assert "Ban Quản lý" not in " ".join(map(str, header))


def test_workbook_sources(world: World) -> None:
    """Every file read, with its unit, its SHA-256 and what became of it."""
    rows = sheet_values(world.output, "Nguồn số liệu")[3:]
    by_name = {Path(str(row[0])).name: row for row in rows if row[0]}
    files = [p for p in world.province.folder.rglob("*.xlsx") if not p.name.startswith("~$")]
    assert sorted(p.name for p in files) == sorted(by_name)
    for path in files:
        row = by_name[path.name]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row[3]
    assert "PY05" == by_name["S05 - So Tai chinh.xlsx"][1]
    assert "đã nhận" == by_name["S05 - So Tai chinh.xlsx"][4]
    assert "bản sao" in str(by_name["S05 - So Tai chinh (1).xlsx"][4])
    assert "chưa cộng" in str(by_name["S06 - So Cong Thuong - ban sua.xlsx"][4])
    assert "chưa cộng" in str(by_name["BQL KKT.xlsx"][4])


# ---------------------------------------------------------------------------------------------
# Strict, unreadable files, the library


def test_strict_writes_nothing_when_there_is_an_error(world: World, tmp_path: Path) -> None:
    """--strict: an error anywhere means no workbook at all, exit 1, output null."""
    output = tmp_path / "strict.xlsx"
    code, document, text = run(
        str(world.province.folder), "-o", str(output), "--strict", "--format", "json"
    )
    assert 1 == code, text
    assert not output.exists()
    assert document is not None
    assert document["output"] is None
    assert document["PL01"] == world.document["PL01"]


def test_unreadable_file_exit_3(tmp_path: Path) -> None:
    """A file that cannot be read is rejected (listed, with its hash) and the exit code is 3;
    the other files are still added up."""
    folder = tmp_path / "units"
    folder.mkdir()
    shutil.copy(EXAMPLE / "TINH - So TTTT.xlsx", folder / "TINH.xlsx")
    (folder / "hong.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    output = tmp_path / "out.xlsx"
    code, document, text = run(str(folder), "-o", str(output), "--format", "json")
    assert 3 == code, text
    assert document is not None
    [rejected] = document["units"]["rejected"]
    assert ["hong.xlsx"] == _names([rejected])
    assert 2081 == document["PL01"]["6"]["actual"]
    assert output.is_file()
    sources = {Path(str(r[0])).name: r for r in sheet_values(output, "Nguồn số liệu")[3:] if r[0]}
    assert "không đọc được" == sources["hong.xlsx"][4]
    code, _, _ = run(str(folder), "-o", str(tmp_path / "strict.xlsx"), "--strict")
    assert 3 == code
    assert not (tmp_path / "strict.xlsx").exists()


def test_clean_folder_exit_0_text_output(tmp_path: Path) -> None:
    """No error: exit 0; the text report names the output."""
    folder = tmp_path / "units"
    shutil.copytree(EXAMPLE / "So Du lich", folder)
    output = tmp_path / "out.xlsx"
    code, _, text = run(str(folder), "-o", str(output))
    assert 0 == code, text
    assert str(output) in text


def test_library_dataframes_and_file_order(world: World, tmp_path: Path) -> None:
    """``ctmtcntt.consolidate`` on a list of the files (lock file and roster given explicitly,
    in reverse order) returns DataFrames equal to the CLI's JSON and writes in one call."""
    folder = world.province.folder
    files = sorted((p for p in folder.rglob("*.xlsx") if not p.name.startswith("~$")), reverse=True)
    result = ctmtcntt.consolidate(files, roster=folder / "roster.csv", name="Tỉnh Phú Yên")
    document = result.to_dict()
    assert world.document["PL01"] == document["PL01"]
    assert world.document["PL02"] == document["PL02"]
    assert world.document["units"] == document["units"]
    assert world.document["findings"] == document["findings"]
    pl01 = result.pl01
    assert world.document["PL01"]["5"]["actual"] == pl01.loc["5", "actual"]
    assert world.document["PL02"]["total"]["6"] == result.pl02.loc["TOTAL", "6"]
    assert len(world.document["findings"]) == len(result.findings)
    assert {"code", "severity", "file", "sheet", "cell", "row", "message", "value"} <= set(
        result.findings.columns
    )
    assert "UBND huyện Tuy An" in result.breakdown.columns
    written = result.write(tmp_path / "lib.xlsx")
    assert written.is_file()
    assert str(written) == result.to_dict()["output"]


# ---------------------------------------------------------------------------------------------
# One level up: the national total


def test_national_total_is_the_sum_of_the_provinces(world: World) -> None:
    """Two province workbooks consolidated (no roster) equal the sum of both: every summed PL01
    input, every PL02 total and group; percentages from the summed parts."""
    national, a, b = world.national, world.binh_dinh, world.document
    assert 0 == world.national_code, [f["message"] for f in national["findings"]]
    assert 2 == len(national["units"]["received"])
    assert {"Tỉnh Bình Định", "Tỉnh Phú Yên"} == {u["name"] for u in national["units"]["received"]}
    assert 0 == national["units"]["expected"]
    for row, fields in national["PL01"].items():
        for name in ("plan", "actual"):
            left, right = a["PL01"][row][name], b["PL01"][row][name]
            if isinstance(left, float) and isinstance(right, float) and row not in _PERCENT:
                assert _close(left + right, fields[name]), (row, name)
    for row, (top, bottom) in _PERCENT.items():
        parts = national["PL01"][top]["actual"], national["PL01"][bottom]["actual"]
        expected = _province.round_half_up(Decimal(repr(parts[0])) / Decimal(repr(parts[1])) * 100)
        assert expected == national["PL01"][row]["actual"], row
    # A yes/no (*) row one level up counts the provinces saying Có.
    assert 2 == national["PL01"]["1"]["actual"]
    assert "Có: 2/2 tỉnh" == national["counts"]["1"]
    for key in ("total", *(("groups", g) for g in PL02_GROUPS)):
        if isinstance(key, tuple):
            left, right, both = (d["PL02"][key[0]][key[1]] for d in (a, b, national))
        else:
            left, right, both = (d["PL02"][key] for d in (a, b, national))
        for column in [str(n) for n in range(6, 18)]:
            assert _close(left[column] + right[column], both[column]), (key, column)
        spent, allocated = both["14"], both["10"]
        if allocated:
            rate = _province.round_half_up(Decimal(repr(spent)) / Decimal(repr(allocated)) * 100)
            assert rate == both["18"], key
        else:
            assert both["18"] is None, key
    assert len(a["PL02"]["projects"]) + len(b["PL02"]["projects"]) == len(
        national["PL02"]["projects"]
    )


def test_national_workbook_reads_back(world: World) -> None:
    """The national workbook, after LibreOffice, shows the national figures too."""
    grid = sheet_values(world.recalculated[world.national_output], "Phụ lục 01")
    rows = _pl01_by_stt(grid)
    assert _close(world.national["PL01"]["6"]["actual"], rows["6"][4])
    assert _close(world.national["PL01"]["5"]["actual"], rows["5"][4])


_PERCENT = _province.PERCENT_ROWS


def test_province_workbook_is_a_valid_report(world: World, tmp_path: Path) -> None:
    """The province workbook validates without a finding and ``fill`` finds nothing to change:
    it is a unit's report one level up."""
    [checked] = ctmtcntt.validate([world.output]).files
    assert "Tỉnh Phú Yên" == checked.unit
    assert ("PL01", "PL02") == checked.forms
    assert [] == [(f.code, f.cell) for f in checked.findings]
    assert () == ctmtcntt.fill(world.output, tmp_path / "again.xlsx").changed


def test_without_a_roster_units_are_told_apart_by_name(world: World) -> None:
    """No roster: each unit is its name (spellings of one name meet), TINH is told from Sở TTTT
    by its "toàn tỉnh", and the figures are those with the roster."""
    files = [p for p in EXAMPLE.rglob("*.xlsx") if not p.name.startswith("~$")]
    document = ctmtcntt.consolidate(files).to_dict()
    assert 0 == document["units"]["expected"]
    assert 32 == len(document["units"]["received"])
    assert [] == document["units"]["duplicate"]
    assert world.binh_dinh["PL01"] == document["PL01"]
    assert world.binh_dinh["PL02"]["total"] == document["PL02"]["total"]


def test_the_province_is_as_awkward_as_promised(world: World) -> None:
    """The fixture itself: numbers typed as text, a LibreOffice-saved unit, the lock file, the
    copies, and a formula-looking name stored as text in the unit's own file."""
    folder = world.province.folder
    [lo_saved] = world.province.files[_province.LIBREOFFICE_SAVED]
    with zipfile.ZipFile(lo_saved) as zf:
        assert b"LibreOffice" in zf.read("docProps/app.xml")
    grid = sheet_values(folder / "S05 - So Tai chinh.xlsx", "Phụ lục 01")
    typed = [v for row in grid for v in row[4:5] if isinstance(v, str) and v.strip()[:1].isdigit()]
    assert any("." in v for v in typed), typed
    assert not any(isinstance(v, float) for row in grid[10:40] for v in row[4:5])
    assert world.province.lock is not None
    assert world.province.lock.is_file()
    assert (folder / "S05 - So Tai chinh (1).xlsx").read_bytes() == (
        folder / "S05 - So Tai chinh.xlsx"
    ).read_bytes()
    names = [row[1] for row in sheet_values(folder / "H05 - UBND huyen Phu My.xlsx", "Phụ lục 02")]
    assert _province.FORMULA_NAME in names
    assert (folder / "UBND TX Hoai Nhon" / "H03 - PL02.xlsx").is_file()
    assert not any(p.name.startswith("H09") for p in folder.rglob("*"))


def test_chart_is_left_out_beyond_its_unit_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past CHART_MAX_UNITS units the completion sheet says why it has no chart; its table
    still lists every unit."""
    from ctmtcntt.write import completion_charts

    result = ctmtcntt.consolidate(EXAMPLE)
    units = len(result.data.per_unit)
    monkeypatch.setattr(completion_charts, "CHART_MAX_UNITS", units - 1)
    path = tmp_path / "tinh.xlsx"
    result.write(path)
    with zipfile.ZipFile(path) as zf:
        assert not any(n.startswith("xl/charts/") for n in zf.namelist())
    sheet = sheet_values(path, "Tỷ lệ theo đơn vị")
    notes = [v for row in sheet for v in row if isinstance(v, str) and v.startswith("Biểu đồ")]
    assert notes == [
        f"Biểu đồ chỉ vẽ khi có tới {units - 1} đơn vị (với {units} đơn vị, mỗi thanh mảnh hơn"
        " một nét kẻ); bảng bên trái có đủ mọi đơn vị."
    ]
    assert units + 1 == sum(1 for row in sheet[3:] if row[0])  # every unit, and the province
