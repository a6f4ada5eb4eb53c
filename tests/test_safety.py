"""Safe inputs and outputs: validate and consolidate never change an input (SHA-256 before and
after), never write over one, skip Excel's lock files without a word, write atomically, and
never let a unit's text that starts with ``=``, ``+``, ``-`` or ``@`` become a formula, as
openpyxl, python-calamine and LibreOffice all see the output.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from xlsxwriter import Workbook  # the province workbook's writer

import hostile
from builders import EXAMPLE, Project, fill_pl02, libreoffice_resave, soffice
from ctmtcntt.cli import main
from ctmtcntt.errors import OutputError
from ctmtcntt.workflows import consolidate

GOOD_NAME = hostile.GOOD_NAME
# What a unit may type, meaning words, that spreadsheets take for formulas.
FORMULA_LIKE = ('=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def digests(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path -> SHA-256)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Submissions as they arrive: good workbooks, sub-folders, broken files, lock files."""
    folder = tmp_path / "nop bao cao"
    folder.mkdir()
    for name in (GOOD_NAME, "H01 - UBND TP Quy Nhon.xlsx", "TINH - So TTTT.xlsx"):
        shutil.copy(EXAMPLE / name, folder / name)
    shutil.copytree(EXAMPLE / "Ban Dan toc", folder / "Ban Dan toc")
    shutil.copy(EXAMPLE / "roster.csv", folder / "roster.csv")
    hostile.encrypted_workbook(hostile.GOOD, folder / "co mat khau.xlsx")
    hostile.truncated(folder / "tai ve do dang.xlsx")
    hostile.html_export(folder / "xuat tu web.xls")
    hostile.without_forms(folder / "khong co bieu.xlsx")
    shutil.copy(EXAMPLE / GOOD_NAME, folder / f"~${GOOD_NAME}")
    return folder


# ---------------------------------------------------------------------------------------------
# Inputs are never modified, never overwritten


def test_validate_and_consolidate_never_modify_an_input(inputs: Path, tmp_path: Path) -> None:
    before = digests(inputs)
    for path in inputs.rglob("*"):
        if path.is_file():
            path.chmod(0o444)  # read-only, as on a shared drive: read all the same
    assert 3 == run("validate", str(inputs)).exit_code
    assert 3 == run("validate", str(inputs), "--format", "json").exit_code
    result = run("consolidate", str(inputs), "-o", str(tmp_path / "out" / "tong hop.xlsx"))
    assert 3 == result.exit_code, result.output
    assert 3 == run("consolidate", str(inputs), "--format", "json").exit_code
    consolidate(inputs)
    assert before == digests(inputs), "an input changed, or a file appeared among the inputs"
    assert (tmp_path / "out" / "tong hop.xlsx").is_file()


@pytest.mark.parametrize(
    "target",
    [GOOD_NAME, f"./{GOOD_NAME}", f"Ban Dan toc/../{GOOD_NAME}", "Ban Dan toc/S19 - PL01.xlsx"],
)
def test_consolidate_refuses_to_write_over_an_input(inputs: Path, target: str) -> None:
    before = digests(inputs)
    output = inputs / target
    result = run("consolidate", str(inputs), "-o", str(output))
    assert 2 == result.exit_code, result.output
    assert "đầu vào" in result.stderr
    assert Path(target).name in result.stderr
    assert "Traceback" not in result.stderr
    assert before == digests(inputs)


def test_consolidate_refuses_a_link_to_an_input(inputs: Path, tmp_path: Path) -> None:
    link = tmp_path / "lien ket.xlsx"
    link.symlink_to(inputs / GOOD_NAME)
    before = digests(inputs)
    result = run("consolidate", str(inputs), "-o", str(link))
    assert 2 == result.exit_code, result.output
    assert before == digests(inputs)


# ---------------------------------------------------------------------------------------------
# Lock files


@pytest.fixture
def locked(tmp_path: Path) -> Path:
    """One good submission, open in Excel and in LibreOffice: their lock files beside it."""
    folder = tmp_path / "dang mo"
    folder.mkdir()
    shutil.copy(EXAMPLE / GOOD_NAME, folder / GOOD_NAME)
    shutil.copy(EXAMPLE / "roster.csv", folder / "roster.csv")
    # Excel's owner file: the user's name in 165 bytes; some tools leave a full copy instead.
    owner = bytes([6]) + b"nguyen" + b"\x20" * 47 + "nguyen".encode("utf-16-le")
    (folder / "~$H01 - UBND TP Quy Nhon.xlsx").write_bytes(owner.ljust(165, b"\x20"))
    shutil.copy(EXAMPLE / GOOD_NAME, folder / f"~${GOOD_NAME}")
    (folder / f".~lock.{GOOD_NAME}#").write_text("nguyen,MAY-01,nguyen,26.11.2020 08:00,\n")
    return folder


def test_lock_files_are_skipped_silently_by_validate(locked: Path) -> None:
    result = run("validate", str(locked), "--format", "json")
    assert 0 == result.exit_code, result.output
    assert [str(locked / GOOD_NAME)] == [f["path"] for f in json.loads(result.stdout)["files"]]
    # Named one by one, as a shell's *.xlsx names them while the workbook is open.
    named = sorted(str(p) for p in locked.glob("*.xlsx"))
    result = run("validate", *named, "--format", "json")
    assert 0 == result.exit_code, result.output
    assert [str(locked / GOOD_NAME)] == [f["path"] for f in json.loads(result.stdout)["files"]]
    assert "~$" not in run("validate", str(locked)).stdout


def test_lock_files_are_not_listed_by_consolidate(locked: Path, tmp_path: Path) -> None:
    output = tmp_path / "tong hop.xlsx"
    result = run("consolidate", str(locked), "-o", str(output), "--format", "json")
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    assert ["S05"] == [u["code"] for u in document["units"]["received"]]
    assert [] == document["units"]["rejected"]
    assert [] == document["units"]["unknown"]
    assert "~$" not in result.stdout
    assert ".~lock" not in result.stdout
    book = openpyxl.load_workbook(output, read_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any("~$" in str(v) or ".~lock" in str(v) for v in row if v), row
    book.close()


# ---------------------------------------------------------------------------------------------
# Text that looks like a formula stays text


@pytest.fixture
def formula_text(tmp_path: Path) -> tuple[Path, Path]:
    """A unit whose PL02 projects are named like formulas; consolidated into a workbook."""
    folder = tmp_path / "cong thuc"
    folder.mkdir()
    shutil.copy(EXAMPLE / "roster.csv", folder / "roster.csv")
    projects = [
        Project("I", name, {3: name if index == 0 else "Sở Tài chính", 7: 100 + index})
        for index, name in enumerate(FORMULA_LIKE)
    ]
    book = fill_pl02(projects, unit="Sở Tài chính")
    # openpyxl makes any "=..." a formula: the unit typed text (Excel's leading apostrophe).
    for key in ("I.1", "I.2", "I.3", "I.4"):
        for column in (2, 3):
            title, ref = book.where("PL02", key, column)
            cell = book.wb[title][ref]
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.quotePrefix = True
    book.save(folder / GOOD_NAME)
    output = tmp_path / "ket qua" / "tong hop.xlsx"
    result = run("consolidate", str(folder), "-o", str(output), "--format", "json")
    assert result.exit_code in (0, 1), result.output
    names = [p["name"] for p in json.loads(result.stdout)["PL02"]["projects"]]
    assert sorted(FORMULA_LIKE) == sorted(names), "the reader kept the unit's text as typed"
    return folder, output


def _text_cells(path: Path) -> dict[str, list[tuple[str, str, object]]]:
    """Where each formula-like text sits in a workbook: (sheet, cell, data type)."""
    book = openpyxl.load_workbook(path)
    found: dict[str, list[tuple[str, str, object]]] = {text: [] for text in FORMULA_LIKE}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value in found:
                    found[str(cell.value)].append((sheet.title, cell.coordinate, cell.data_type))
                elif isinstance(cell.value, str) and cell.value.startswith(("=", "+", "@")):
                    raise AssertionError(f"{sheet.title}!{cell.coordinate} = {cell.value!r}")
    return found


def _calamine_values(path: Path) -> set[object]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return {
        value
        for name in book.sheet_names
        for row in book.get_sheet_by_name(name).to_python()
        for value in row
    }


def test_formula_like_text_is_text_in_the_output(formula_text: tuple[Path, Path]) -> None:
    _folder, output = formula_text
    found = _text_cells(output)
    for text, places in found.items():
        assert places, f"{text!r} is missing from the output"
        assert {"s"} == {kind for _, _, kind in places}, (text, places)
        assert any(sheet == "Phụ lục 02" for sheet, _, _ in places), (text, places)
    values = _calamine_values(output)
    assert set(FORMULA_LIKE) <= values
    assert "y" not in values  # HYPERLINK's shown text would be "y"


@pytest.mark.slow
def test_libreoffice_shows_the_text_not_a_computed_value(
    formula_text: tuple[Path, Path], tmp_path: Path
) -> None:
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    _folder, output = formula_text
    resaved = libreoffice_resave([output], tmp_path / "lo")[output]
    found = _text_cells(resaved)
    for text, places in found.items():
        assert places, f"LibreOffice lost {text!r}"
        assert {"s"} == {kind for _, _, kind in places}, (text, places)
    values = _calamine_values(resaved)
    assert set(FORMULA_LIKE) <= values
    assert "y" not in values


# ---------------------------------------------------------------------------------------------
# Atomic writes


def test_a_failed_save_leaves_the_previous_output_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "nop"
    folder.mkdir()
    shutil.copy(EXAMPLE / GOOD_NAME, folder / GOOD_NAME)
    shutil.copy(EXAMPLE / "roster.csv", folder / "roster.csv")
    result = consolidate(folder)
    output = tmp_path / "ket qua" / "tong hop.xlsx"
    result.write(output)
    previous = output.read_bytes()
    listing = sorted(os.listdir(output.parent))

    def half_written(self: Workbook) -> None:
        # Half a workbook is made, then the disk is full.
        self.filename.write(previous[: len(previous) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "close", half_written)
    with pytest.raises(OutputError, match="ổ đĩa đã đầy") as raised:
        result.write(output)
    assert str(output) == raised.value.path
    assert previous == output.read_bytes()
    assert listing == sorted(os.listdir(output.parent)), "a temporary file was left behind"
    monkeypatch.undo()
    openpyxl.load_workbook(output).close()  # still a whole workbook
