"""What staff meet first: templates pass, fill leaves errors alone, folders checked whole."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from _support import EXAMPLE, ROOT
from ctmtcntt.cli import main
from ctmtcntt.read.workbook import read_workbook


def _template(tmp_path: Path, form: str, cells: dict[str, object]) -> Path:
    path = tmp_path / f"{form}.xlsx"
    assert 0 == CliRunner().invoke(main, ["template", form, "-o", str(path)]).exit_code
    book = load_workbook(path)
    sheet = book.worksheets[0]
    sheet["A4"] = "Đơn vị báo cáo: Sở Tài chính"
    for ref, value in cells.items():
        sheet[ref] = value
    book.save(path)
    return path


def test_filled_templates_raise_no_finding(tmp_path: Path) -> None:
    """A template filled by a program (formulas never calculated) gives no error, no warning."""
    pl01 = _template(tmp_path, "PL01", {"E12": 7, "E13": 5, "E21": 100, "E22": 95})
    pl02 = _template(tmp_path, "PL02", {"B11": "Dự án A", "G11": 100, "K11": 50, "O11": 20})
    result = CliRunner().invoke(main, ["validate", str(pl01), str(pl02), "--format", "json"])
    assert 0 == result.exit_code, result.output
    assert '"findings": []' in result.output
    assert 'findings": [\n' not in result.output


def test_fill_leaves_computed_cells_of_wrong_values_alone(tmp_path: Path) -> None:
    """2.b above 2.a: fill computes no ratio from it, says so, and exits 1."""
    source = _template(tmp_path, "PL01", {"E12": 2, "E13": 5, "E21": 100, "E22": 95})
    output = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["fill", str(source), "-o", str(output)])
    assert 1 == result.exit_code
    assert "lỗi" in result.output
    values = {
        v.cell: v.raw
        for f in read_workbook(output).forms.values()
        for r in f.rows
        for v in r.values.values()
    }
    assert values["E11"] in (None, "")  # row 2 (%): not 250
    assert 95 == values["E20"]  # row 5 (%) from sound values is still computed


def test_validate_uses_the_folder_roster(tmp_path: Path) -> None:
    """A roster.csv in the folder is used by validate as by consolidate."""
    folder = tmp_path / "dot1"
    folder.mkdir()
    shutil.copy(EXAMPLE / "roster.csv", folder)
    book = load_workbook(EXAMPLE / "S05 - So Tai chinh.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows(max_row=6):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("Đơn vị báo cáo"):
                    cell.value = "Đơn vị báo cáo: Sở Tài chánh thành phố"
    book.save(folder / "S05.xlsx")
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert 1 == result.exit_code
    assert "unit-not-in-roster" in result.output


def test_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    """A folder with no workbook is said to be empty, exit 2, for validate and consolidate."""
    for command in (["validate", str(tmp_path)], ["consolidate", str(tmp_path)]):
        result = CliRunner().invoke(main, command)
        assert 2 == result.exit_code
        assert "Không có tệp Excel" in result.output


def test_output_inside_the_folder_is_refused(tmp_path: Path) -> None:
    """The province workbook may not be written where the next run would read it back."""
    folder = Path(shutil.copytree(EXAMPLE, tmp_path / "bd"))
    result = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(folder / "t.xlsx")])
    assert 2 == result.exit_code
    assert not (folder / "t.xlsx").exists()


def test_consolidate_without_output_says_nothing_was_written(tmp_path: Path) -> None:
    """Without -o the account is printed and staff are told how to write the workbook."""
    result = CliRunner().invoke(main, ["consolidate", str(EXAMPLE)])
    assert 0 == result.exit_code
    assert "-o" in result.output


def test_a_percentage_needs_both_rows(tmp_path: Path) -> None:
    """4.a without 4.b is an error at the empty cell; 0 of nothing is not."""
    path = _template(tmp_path, "PL01", {"E18": 100, "E15": 0})
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
    assert 1 == result.exit_code
    assert '"code": "incomplete-pair"' in result.output
    assert '"cell": "E19"' in result.output
    assert 1 == result.output.count('"code"')


def _program(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "ctmtcntt", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_the_program_exits_with_the_commands_code_and_all_its_output(tmp_path: Path) -> None:
    """``python -m ctmtcntt`` ends the process itself once done: every line still arrives and
    the exit code is the command's (0 done, 1 errors, 2 usage)."""
    version = _program("--version", cwd=tmp_path)
    assert (0, "") == (version.returncode, version.stderr)
    assert version.stdout.startswith("ctmt, version ")
    usage = _program("validate", "--no-such-option", cwd=tmp_path)
    assert 2 == usage.returncode
    assert "--no-such-option" in usage.stderr
    folder = tmp_path / "don vi"
    shutil.copytree(EXAMPLE, folder)
    done = _program("validate", str(folder), "--format", "json", cwd=tmp_path)
    document = json.loads(done.stdout)  # the whole document, flushed before the exit
    assert len(document["files"]) == len(list(folder.rglob("*.xlsx")))
    assert done.returncode == (1 if any(not f["valid"] for f in document["files"]) else 0)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["consolidat", "x"], "Lỗi: Không có lệnh 'consolidat'. Có phải ý bạn là 'consolidate'?"),
        (["consolidate", "khong-co"], "không có tệp hoặc thư mục 'khong-co'."),
        (["validate"], "Lỗi: Thiếu đối số 'ĐƯỜNG_DẪN...'."),
        (["validate", ".", "--format", "xml"], "'xml' không phải một trong 'text', 'json'."),
        (["validate", ".", "--bogus"], "Lỗi: Không có tùy chọn '--bogus'."),
        (["consolidate", ".", "-o"], "Lỗi: Tùy chọn '-o' cần một giá trị."),
        (["consolidate", ".", "thua"], "Lỗi: Thừa đối số: thua."),
        (["fill", "."], "'.' là một thư mục, cần một tệp."),
        (
            ["template", "PL03", "-o", "x.xlsx"],
            "Bộ biểu mẫu ctmt-2016-2020 không có biểu mẫu PL03; có: PL01, PL02",
        ),
        (["consolidate", ".", "--forms", "cds-2099"], "Không có bộ biểu mẫu 'cds-2099'"),
    ],
)
def test_command_line_mistakes_are_told_in_vietnamese(
    args: list[str], said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What click would say in English ("Error: No such option") staff read in Vietnamese,
    with the usage line and where to find help; exit code 2."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    assert 2 == result.exit_code, result.output
    assert said in result.stderr
    english = ("Error:", "Try '", "Usage:", "Invalid value", "No such", "Missing", "[OPTIONS]")
    assert not [words for words in english if words in result.stderr]
    if "-o" not in args:
        assert "--help' để được hướng dẫn." in result.stderr
