"""Form sets are data: the 2024 digital-transformation report, a form added as YAML alone, and
the guard against files of another set.

The 2024 example (``examples/binh-dinh-2024``) carries ``expected.json``, the province's figures
worked out by its generator from the forms' README, without ctmtcntt: consolidating the folder
with ``--forms cds-2024`` must give them, in JSON and in the province workbook.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from _support import ROOT
from ctmtcntt.cli import main
from ctmtcntt.forms.spec import form_sets, load_catalogue

EXAMPLE_2024 = ROOT / "examples" / "binh-dinh-2024"
BLANKS_2024 = ROOT / "tests" / "fixtures" / "forms" / "cds-2024"
# The oracle's ratios are exact; ours are shown with two decimals, as printed.
TOLERANCE = 0.006


def close(expected: object, actual: object) -> bool:
    """Equal; numbers within the rounding of two decimals."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return abs(expected - actual) <= TOLERANCE
    return expected == actual


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLE_2024 / "expected.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def consolidated_2024(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """The README's command for the 2024 example (``ctmt consolidate examples/binh-dinh-2024
    --forms cds-2024 -o …``), with ``--format json``: the JSON and the workbook."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- example-2024 -->\s*```\s*\n(.+?)\n```", readme)
    assert match
    words = shlex.split(match.group(1))
    assert ["ctmt", "consolidate", "examples/binh-dinh-2024", "--forms", "cds-2024"] == words[:5]
    out = tmp_path_factory.mktemp("tinh") / "tinh-2024.xlsx"
    args = [str(out) if w.endswith(".xlsx") else w for w in words[1:]]
    args = [str(ROOT / w) if w.startswith("examples/") else w for w in args]
    code, text = run(*args, "--format", "json")
    assert 0 == code, text
    assert out.is_file()
    return json.loads(text), out


def test_bieu01_of_the_2024_example_is_the_oracle(
    consolidated_2024: tuple[dict[str, Any], Path], expected: dict[str, Any]
) -> None:
    """Every row of Biểu 01: plan, actual, ratio (6) and assessment by the README's rules."""
    document, _ = consolidated_2024
    wrong = {
        (row, field): (want[field], document["BIEU01"].get(row, {}).get(field))
        for row, want in expected["BIEU01"].items()
        for field in ("plan", "actual", "ratio", "assessment", "operator")
        if not close(want[field], document["BIEU01"].get(row, {}).get(field))
    }
    assert {} == wrong
    assert set(expected["BIEU01"]) == set(document["BIEU01"])


def test_bieu02_of_the_2024_example_is_the_oracle(
    consolidated_2024: tuple[dict[str, Any], Path], expected: dict[str, Any]
) -> None:
    """Biểu 02: the total and each group are the sums of the tasks, the task two units list is
    added once, every task with its texts and money."""
    document, _ = consolidated_2024
    got, want = document["BIEU02"], expected["BIEU02"]
    for key in want["total"]:
        assert close(want["total"][key], got["total"][key]), key
    for group, values in want["groups"].items():
        for key, value in values.items():
            assert close(value, got["groups"][group][key]), (group, key)

    def task(entry: dict[str, Any]) -> tuple[object, ...]:
        texts = tuple(entry[k] for k in ("group", "name", "lead", "decision", "status", "product"))
        texts += (sorted(entry["units"]),)
        return texts + tuple(round(entry[k], 2) for k in ("5", "6", "7", "8", "9", "10", "11"))

    assert sorted(map(task, want["tasks"])) == sorted(map(task, got["tasks"]))
    # The shared task is said once, as a warning naming both files; nothing else is wrong.
    codes = [(f["code"], f["severity"]) for f in document["findings"]]
    assert [("duplicate-project", "warning")] == codes


def test_every_unit_of_the_2024_example_is_received(
    consolidated_2024: tuple[dict[str, Any], Path], expected: dict[str, Any]
) -> None:
    """All 32 units of the roster, those sending one file per form too."""
    document, _ = consolidated_2024
    units = document["units"]
    assert expected["units"]["expected"] == units["expected"]
    received = {u["code"]: sorted(u["files"]) for u in units["received"]}
    wanted = {
        u["code"]: sorted(str(EXAMPLE_2024 / f) for f in u["files"])
        for u in expected["units"]["received"]
    }
    assert wanted == received
    assert [] == units["missing"] == units["unknown"] == units["rejected"]


def test_the_2024_province_workbook_has_one_sheet_per_form(
    consolidated_2024: tuple[dict[str, Any], Path], expected: dict[str, Any]
) -> None:
    """The workbook follows the set: "Biểu 01", "Biểu 02" with the oracle's figures, then the
    breakdown and completion sheets of Biểu 01."""
    _, path = consolidated_2024
    book = CalamineWorkbook.from_path(str(path))
    assert ["Biểu 01", "Biểu 02", "Chi tiết theo đơn vị", "Tỷ lệ theo đơn vị"] == (
        book.sheet_names[:4]
    )
    grid = book.get_sheet_by_name("Biểu 01").to_python(skip_empty_area=False)
    parent = ""
    shown: dict[str, list[object]] = {}
    for line in grid[8:]:
        stt = str(line[0]).removesuffix(".0")
        if stt in ("a", "b"):
            shown[f"{parent}.{stt}"] = line
        elif stt and stt[0].isdigit():
            parent = stt
            shown[stt] = line
    for row, want in expected["BIEU01"].items():
        actual = shown[row][4]
        assert close(want["actual"], None if actual == "" else actual) or (
            want["actual"] is True and actual == "Có"
        ), row
        assert (want["assessment"] or "") == shown[row][6], row
    tasks = book.get_sheet_by_name("Biểu 02").to_python(skip_empty_area=False)
    total = next(line for line in tasks if str(line[1]).startswith("TỔNG CỘNG"))
    assert [76030, 24700, 51330, 46977, 16700, 30277] == total[4:10]


def test_the_2016_2020_json_keeps_its_keys(tmp_path: Path) -> None:
    """The default set's JSON has exactly the keys it always had."""
    code, text = run("consolidate", str(ROOT / "examples" / "binh-dinh-2020"), "--format", "json")
    assert 0 == code
    document = json.loads(text)
    assert ["output", "units", "PL01", "PL02", "findings", "notes", "counts"] == list(document)
    assert ["total", "groups", "projects"] == list(document["PL02"])


def test_a_2024_folder_read_with_the_2016_2020_set_is_said_not_dropped() -> None:
    """Every file of a 2024 folder consolidated with the default set gets an error naming the
    set it belongs to and the option that chooses it; no unit is counted as received, and
    nothing having been read, the exit code says so (3)."""
    code, text = run("consolidate", str(EXAMPLE_2024), "--format", "json")
    assert 3 == code
    document = json.loads(text)
    by_file = {f["file"]: f for f in document["findings"] if f["code"] == "form-of-another-set"}
    workbooks = sorted(str(p) for p in EXAMPLE_2024.rglob("*.xlsx"))
    assert workbooks == sorted(by_file)
    message = by_file[str(EXAMPLE_2024 / "S02 - So Noi vu.xlsx")]["message"]
    assert "cds-2024" in message
    assert "--forms cds-2024" in message
    assert "error" == by_file[workbooks[0]]["severity"]
    assert [] == document["units"]["received"]
    assert 32 == len(document["units"]["missing"])


def test_a_status_outside_its_choices_is_an_error(tmp_path: Path) -> None:
    """Biểu 02's status column takes three texts; any other is an error naming the cell."""
    source = EXAMPLE_2024 / "S11 - So Thong tin va Truyen thong.xlsx"
    path = tmp_path / source.name
    shutil.copy(source, path)
    book = openpyxl.load_workbook(path)
    sheet = book["Biểu 02"]
    cell = next(c for row in sheet.iter_rows(min_row=9) for c in row if c.value == "Đang thực hiện")
    cell.value = "Đã xong"
    book.save(path)
    code, text = run("validate", str(path), "--forms", "cds-2024", "--format", "json")
    assert 1 == code
    findings = json.loads(text)["files"][0]["findings"]
    found = [f for f in findings if f["code"] == "value-not-in-choices"]
    assert [(cell.coordinate, "error")] == [(f["cell"], f["severity"]) for f in found]
    assert "Hoàn thành" in found[0]["message"]
    assert "Đã xong" in found[0]["message"]


@pytest.mark.parametrize("form", ["BIEU01", "BIEU02"])
def test_a_2024_template_carries_every_text_of_the_blank_form(form: str, tmp_path: Path) -> None:
    """``ctmt template BIEU0x --forms cds-2024``: every text of the blank form, in order."""
    out = tmp_path / f"{form}.xlsx"
    code, text = run("template", form, "--forms", "cds-2024", "-o", str(out))
    assert 0 == code, text

    def texts(path: Path) -> list[str]:
        grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        return [
            str(v).removesuffix(".0")
            for line in grid
            for v in line
            if (isinstance(v, str) and v.strip()) or isinstance(v, float)
        ]

    made = texts(out)
    blank = texts(BLANKS_2024 / f"{form}.xlsx")
    # Each text of the blank form appears, in the same order (the template adds its formulas'
    # empty results and nothing else that is text).
    position = 0
    for wanted in blank:
        assert wanted in made[position:], (wanted, made[position : position + 5])
        position = made.index(wanted, position) + 1


def test_the_shipped_sets() -> None:
    """Two sets ship: the default 2016–2020 one and the 2024 one, each with its kinds."""
    sets = form_sets()
    assert {"ctmt-2016-2020", "cds-2024"} <= set(sets)
    forms = load_catalogue("cds-2024")
    assert ["BIEU01", "BIEU02"] == list(forms.forms)
    assert ["indicators", "projects"] == [f.kind for f in forms.forms.values()]
    assert ["PL01", "PL02"] == list(load_catalogue().forms)


# -- a third form, as YAML alone --------------------------------------------------------------


def third_form_set(folder: Path) -> Path:
    """The 2024 set copied, with BIEU03: Biểu 01 with a new row (11) and a new column (9)."""
    shutil.copytree(ROOT / "schemas" / "cds-2024", folder)
    meta = yaml.safe_load((folder / "set.yaml").read_text("utf-8"))
    meta.update(name="thu-nghiem", forms=["BIEU01", "BIEU02", "BIEU03"])
    (folder / "set.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), "utf-8")
    form = yaml.safe_load((folder / "BIEU01.yaml").read_text("utf-8"))
    form.update(form="BIEU03", sheet="Biểu 03")
    form["recognise"] = ["Chỉ tiêu bổ sung", "Nguồn số liệu", "Kế hoạch năm 2024"]
    layout = form["layout"]
    layout["last_column"] = 9
    layout["widths"][9] = 24
    layout["title"][0] = [{"column": 1, "text": "Biểu 03", "bold": True, "merge": 9}]
    layout["title"][1] = [
        {"column": 1, "text": "CHỈ TIÊU BỔ SUNG NĂM 2024", "bold": True, "merge": 9}
    ]
    layout["title"][3][0]["merge"] = 9
    layout["header"][0][1]["text"] = "Chỉ tiêu bổ sung"
    layout["header"][0].append({"column": 9, "text": "Nguồn số liệu", "down": True})
    form["columns"][1]["header"] = "Chỉ tiêu bổ sung"
    form["columns"].append(
        {
            "number": 9,
            "key": "source",
            "header": "Nguồn số liệu",
            "numbering": "(9)",
            "type": "text",
        }
    )
    form["rows"].extend(
        [
            {
                "key": "11",
                "label": "11",
                "kind": "percent",
                "who": "all",
                "aggregate": "ratio",
                "target": "≥ 70",
                "ratio_of": ["11.b", "11.a"],
                "unit": "%",
                "name": "Tỷ lệ cán bộ được tập huấn kỹ năng số",
            },
            {
                "key": "11.a",
                "label": "a",
                "kind": "count",
                "who": "all",
                "aggregate": "sum",
                "inputs": ["actual"],
                "unit": "Người",
                "name": "Tổng số cán bộ, công chức",
            },
            {
                "key": "11.b",
                "label": "b",
                "kind": "count",
                "who": "all",
                "aggregate": "sum",
                "inputs": ["actual"],
                "unit": "Người",
                "name": "Số cán bộ, công chức được tập huấn kỹ năng số",
            },
        ]
    )
    (folder / "BIEU03.yaml").write_text(yaml.safe_dump(form, allow_unicode=True), "utf-8")
    return folder


def fill_in(template: Path, out: Path, unit: str, total: int, trained: int) -> None:
    """A unit's copy of the BIEU03 template: its name, row 11's parts, a source text."""
    book = openpyxl.load_workbook(template)
    sheet = book.active
    assert sheet is not None
    rows: dict[str, int] = {}
    parent = ""
    for (stt,) in sheet.iter_rows(min_col=1, max_col=1):
        label = str(stt.value or "")
        if label in ("a", "b"):
            rows[f"{parent}.{label}"] = stt.row
        elif label[:1].isdigit():
            parent = label
            rows[label] = stt.row
    sheet["A4"] = f"Đơn vị báo cáo: {unit}"
    sheet.cell(rows["11.a"], 5, total)
    sheet.cell(rows["11.b"], 5, trained)
    sheet.cell(rows["11"], 9, "Sở Nội vụ")
    book.save(out)


def test_a_third_form_added_as_yaml_works_through_every_command(tmp_path: Path) -> None:
    """A copy of Biểu 01 with a new row and a new column, written as YAML in a folder of its
    own: template, validate, fill and consolidate take it with no change to the code."""
    forms = str(third_form_set(tmp_path / "bo-bieu"))
    blank = tmp_path / "BIEU03.xlsx"
    assert 0 == run("template", "BIEU03", "--forms", forms, "-o", str(blank))[0]
    texts = [c.value for row in openpyxl.load_workbook(blank).active.iter_rows() for c in row]
    assert "Nguồn số liệu" in texts
    assert "Tỷ lệ cán bộ được tập huấn kỹ năng số" in texts
    units = tmp_path / "don-vi"
    units.mkdir()
    fill_in(blank, units / "S02.xlsx", "Sở Nội vụ", 200, 150)
    fill_in(blank, units / "S05.xlsx", "Sở Tài chính", 100, 90)
    code, text = run("validate", str(units), "--forms", forms, "--format", "json")
    assert 0 == code, text
    assert [["BIEU03"], ["BIEU03"]] == [f["forms"] for f in json.loads(text)["files"]]
    filled = tmp_path / "S02-filled.xlsx"
    assert 0 == run("fill", str(units / "S02.xlsx"), "--forms", forms, "-o", str(filled))[0]
    grid = CalamineWorkbook.from_path(str(filled)).get_sheet_by_index(0).to_python()
    row_11 = next(line for line in grid if str(line[0]).removesuffix(".0") == "11")
    assert [75.0, 107.14, "Đạt"] == row_11[4:7]
    code, text = run("consolidate", str(units), "--forms", forms, "--format", "json")
    assert 0 == code, text
    document = json.loads(text)
    row_11 = {"actual": 80.0, "ratio": 114.29, "assessment": "Đạt", "plan": 70.0, "operator": "≥"}
    assert row_11 == document["BIEU03"]["11"]
    assert 300 == document["BIEU03"]["11.a"]["actual"]
    assert {"BIEU01", "BIEU02", "BIEU03"} <= set(document)


def test_the_guide_shows_rows_and_columns_as_shipped() -> None:
    """docs/them-bieu-mau.md explains rows and columns of each kind with YAML that is the
    shipped 2024 forms' own, and the set it describes exists."""
    guide = (ROOT / "docs" / "them-bieu-mau.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.+?)```", guide, re.S)]
    shipped: dict[str, Any] = {}
    for form in ("BIEU01", "BIEU02"):
        document = yaml.safe_load(
            (ROOT / "schemas" / "cds-2024" / f"{form}.yaml").read_text("utf-8")
        )
        shipped.update({("row", r["key"]): r for r in document["rows"]})
        shipped.update({("column", form, c["number"]): c for c in document["columns"]})
    shown = 0
    for block in blocks:
        items = block.get("rows", []) if isinstance(block, dict) else block
        for item in items if isinstance(items, list) else ():
            if "key" in item and "number" not in item:
                assert shipped[("row", item["key"])] == item
            else:
                assert shipped[("column", "BIEU02", item["number"])] == item
            shown += 1
    assert shown >= 6
    assert "ctmt consolidate examples/binh-dinh-2024 --forms cds-2024" in guide


def test_the_library_takes_the_form_set_by_name(tmp_path: Path) -> None:
    """``forms=`` in the library, as on the command line: template, fill and consolidate."""
    import ctmtcntt

    blank = ctmtcntt.template("BIEU02", tmp_path / "BIEU02.xlsx", forms="cds-2024")
    assert ["Biểu 02"] == openpyxl.load_workbook(blank).sheetnames
    source = EXAMPLE_2024 / "S11 - So Thong tin va Truyen thong.xlsx"
    filled = ctmtcntt.fill(source, tmp_path / "S11.xlsx", forms="cds-2024")
    assert filled.writes
    result = ctmtcntt.consolidate(EXAMPLE_2024, forms="cds-2024")
    assert "Đạt" == result.indicators("BIEU01").loc["4", "assessment"]
    assert 76030 == result.projects("BIEU02").loc["TOTAL", "5"]
    with pytest.raises(ctmtcntt.SpecError, match="cds-2099"):
        ctmtcntt.consolidate(EXAMPLE_2024, forms="cds-2099")


def test_a_percentage_typed_as_excel_shows_it(tmp_path: Path) -> None:
    """Row 8 of Biểu 01 is a percentage typed directly: 0.1235 in a cell formatted "%" (Excel
    shows 12.35 %) is 12.35, as "12,35" is."""
    folder = tmp_path / "don-vi"
    folder.mkdir()
    path = folder / "TINH.xlsx"
    shutil.copy(EXAMPLE_2024 / "TINH - So TTTT.xlsx", path)
    book = openpyxl.load_workbook(path)
    sheet = book["Biểu 01"]
    line = next(r[0].row for r in sheet.iter_rows(min_row=9) if str(r[0].value) == "8")
    assert "12,35" == sheet.cell(line, 5).value
    sheet.cell(line, 5).value = 0.1235
    sheet.cell(line, 5).number_format = "0.00%"
    book.save(path)
    code, text = run("consolidate", str(folder), "--forms", "cds-2024", "--format", "json")
    assert 0 == code, text
    row = json.loads(text)["BIEU01"]["8"]
    figures = {"plan": 15.0, "actual": 12.35, "ratio": 82.33, "assessment": "Không đạt"}
    assert {**figures, "operator": "≥"} == row


def test_the_report_of_another_set_asks_for_its_own_word_template(tmp_path: Path) -> None:
    """``ctmt report --forms cds-2024`` without a template: the shipped Báo cáo is the
    2016–2020 programme's, so it says to choose the report's own template, and writes nothing."""
    out = tmp_path / "bao-cao.docx"
    result = CliRunner().invoke(
        main, ["report", str(EXAMPLE_2024), "--forms", "cds-2024", "-o", str(out)]
    )
    assert 0 != result.exit_code
    assert "--template" in result.stderr
    assert "cds-2024" in result.stderr
    assert not out.exists()


def test_the_breakdown_of_a_form_is_titled_by_the_form(
    consolidated_2024: tuple[dict[str, Any], Path],
) -> None:
    """The breakdown sheet of Biểu 01 says so, and a province workbook of the 2024 set read
    back is still known as a consolidation's output (it is titled by its form)."""
    from ctmtcntt.read.workbook import read_workbook

    _, path = consolidated_2024
    book = CalamineWorkbook.from_path(str(path))
    grid = book.get_sheet_by_name("Chi tiết theo đơn vị").to_python()
    assert "CHI TIẾT SỐ LIỆU BIỂU 01 THEO ĐƠN VỊ" == grid[0][0]
    report = read_workbook(path, load_catalogue("cds-2024"))
    assert report.consolidated
    assert {"BIEU01", "BIEU02"} == set(report.forms)
