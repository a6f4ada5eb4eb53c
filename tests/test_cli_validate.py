"""``ctmt validate``: text and JSON output, exit codes 0/1/2/3, and one real subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from builders import REPO, Book, Project, fill_pl01, fill_pl02
from ctmtcntt.cli import main

GOOD = {("3.a", 5): "2.693", ("3.b", 5): 319, ("5.a", 5): 1453, ("5.b", 5): 1311, ("11", 5): 1}
FILE_KEYS = {"path", "unit", "forms", "valid", "findings"}
FINDING_KEYS = {"code", "severity", "file", "sheet", "cell", "row", "message", "value"}


def run(*args: str) -> Result:
    """Run ``ctmt`` in-process, as a user types it."""
    return CliRunner().invoke(main, list(args))


def as_json(result: Result) -> Any:
    """The one JSON document ``--format json`` prints on stdout."""
    return json.loads(result.stdout)


@pytest.fixture
def good(save: Callable[[Book, str], Path]) -> Path:
    """A clean department workbook."""
    return save(fill_pl01(GOOD), "S05 - So Tai chinh.xlsx")


@pytest.fixture
def bad(save: Callable[[Book, str], Path]) -> tuple[Path, Book]:
    """A workbook with one error: text in a number cell."""
    book = fill_pl01({**GOOD, ("11", 5): "hai cơ quan"}, unit="Sở Công Thương")
    return save(book, "S06 - So Cong Thuong.xlsx"), book


def test_text_output_of_a_valid_file(good: Path) -> None:
    """A valid file is listed with its unit and forms, then a summary; exit 0."""
    result = run("validate", str(good))
    assert 0 == result.exit_code, result.output
    lines = result.stdout.splitlines()
    assert str(good) == lines[0]
    assert "Đơn vị: Sở Tài chính | Biểu: PL01 | hợp lệ" in lines[1]
    assert "Tổng cộng: 1 tệp, 0 tệp có lỗi; 0 lỗi, 0 cảnh báo." == lines[-1]


def test_text_output_names_sheet_cell_and_code(bad: tuple[Path, Book]) -> None:
    """An error line shows LỖI, sheet!cell, the code and the Vietnamese message; exit 1."""
    path, book = bad
    sheet, cell = book.where("PL01", "11", 5)
    result = run("validate", str(path))
    assert 1 == result.exit_code, result.output
    (line,) = [line for line in result.stdout.splitlines() if "[text-not-number]" in line]
    assert "LỖI" == line.split()[0]
    assert f"{sheet}!{cell}" in line
    assert '"hai cơ quan"' in line
    assert "Tổng cộng: 1 tệp, 1 tệp có lỗi; 1 lỗi, 0 cảnh báo." == result.stdout.splitlines()[-1]


def test_json_shape(good: Path, bad: tuple[Path, Book]) -> None:
    """--format json prints {"files": [...]} with the contract's keys, in the order given."""
    path, book = bad
    result = run("validate", str(good), str(path), "--format", "json")
    assert 1 == result.exit_code, result.output
    document = as_json(result)
    assert ["files"] == list(document)
    assert [FILE_KEYS, FILE_KEYS] == [set(item) for item in document["files"]]
    first, second = document["files"]
    assert {
        "path": str(good),
        "unit": "Sở Tài chính",
        "forms": ["PL01"],
        "valid": True,
        "findings": [],
    } == first
    assert (str(path), "Sở Công Thương", ["PL01"], False) == (
        second["path"],
        second["unit"],
        second["forms"],
        second["valid"],
    )
    (finding,) = second["findings"]
    assert FINDING_KEYS == set(finding)
    sheet, cell = book.where("PL01", "11", 5)
    expected = {
        "code": "text-not-number",
        "severity": "error",
        "file": str(path),
        "sheet": sheet,
        "cell": cell,
        "row": "11",
        "value": "hai cơ quan",
    }
    assert expected == {k: v for k, v in finding.items() if k != "message"}
    assert "Ô (5) của dòng 11" in finding["message"]


def test_json_numbers_stay_numbers(save: Callable[[Book, str], Path]) -> None:
    """A finding's value is a JSON number when the cell held a number."""
    book = fill_pl02([Project("I", "Dự án A", {7: 200, 11: 100, 15: 150})])
    result = run("validate", str(save(book, "pl02.xlsx")), "--format", "json")
    (finding,) = as_json(result)["files"][0]["findings"]
    assert ("disbursed-above-allocated", "N11", "I.1", 150) == (
        finding["code"],
        finding["cell"],
        finding["row"],
        finding["value"],
    )


def test_warnings_only_exit_0(save: Callable[[Book, str], Path]) -> None:
    """A workbook with warnings only is valid: CẢNH BÁO is shown and the exit code is 0."""
    book = fill_pl01({**GOOD, ("7", 5): 10})
    result = run("validate", str(save(book, "unit.xlsx")))
    assert 0 == result.exit_code, result.output
    assert f"CẢNH BÁO {book.where('PL01', '7', 5)[0]}!E27" in " ".join(result.stdout.split())
    assert "[province-only-row]" in result.stdout


def test_roster_option(save: Callable[[Book, str], Path], roster: Path) -> None:
    """--roster reports a unit missing from the list; a listed unit passes."""
    listed = save(fill_pl01(GOOD, unit="UBND huyện An Lão"), "listed.xlsx")
    unknown = save(fill_pl01(GOOD, unit="Sở Du hành Vũ trụ"), "unknown.xlsx")
    result = run("validate", str(listed), str(unknown), "--roster", str(roster), "--format", "json")
    assert 1 == result.exit_code
    files = as_json(result)["files"]
    assert [[], ["unit-not-in-roster"]] == [[f["code"] for f in item["findings"]] for item in files]
    assert ("Phụ lục 01", "A4", "Sở Du hành Vũ trụ") == tuple(
        files[1]["findings"][0][k] for k in ("sheet", "cell", "value")
    )


@pytest.mark.usefixtures("worker_start")
def test_a_folder_means_its_workbooks(tmp_path: Path, good: Path) -> None:
    """A folder argument checks the workbooks inside it and skips Excel's lock files."""
    (tmp_path / "~$S05 - So Tai chinh.xlsx").write_bytes(b"\x00" * 165)
    (tmp_path / "ghi chu.txt").write_text("không phải bảng tính", encoding="utf-8")
    result = run("validate", str(tmp_path), "--format", "json")
    assert 0 == result.exit_code, result.output
    assert [str(good)] == [item["path"] for item in as_json(result)["files"]]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([], id="no-path"),
        pytest.param(["khong-co-tep-nay.xlsx"], id="missing-path"),
        pytest.param(["{good}", "--format", "xml"], id="bad-format"),
        pytest.param(["{good}", "--roster", "khong-co.csv"], id="missing-roster"),
        pytest.param(["{good}", "--khong-co"], id="unknown-option"),
    ],
)
def test_usage_errors_exit_2(args: list[str], good: Path) -> None:
    """A wrong command line exits 2 and checks nothing."""
    result = run("validate", *(a.format(good=good) for a in args))
    assert 2 == result.exit_code, result.output
    assert "" == result.stdout


@pytest.mark.parametrize(
    ("content", "code"),
    [
        pytest.param(b"", "empty-file", id="empty"),
        pytest.param(os.urandom(4096), "unreadable-file", id="random-bytes"),
    ],
)
def test_unreadable_file_exits_3_and_the_good_one_is_still_checked(
    content: bytes, code: str, tmp_path: Path, good: Path
) -> None:
    """A file that is no workbook gives exit 3; the file beside it is still checked."""
    broken = tmp_path / "H05 - UBND huyen Phu My.xlsx"
    broken.write_bytes(content)
    result = run("validate", str(broken), str(good), "--format", "json")
    assert 3 == result.exit_code, result.output
    files = as_json(result)["files"]
    assert [(str(broken), False), (str(good), True)] == [(f["path"], f["valid"]) for f in files]
    (finding,) = files[0]["findings"]
    assert (code, "error", str(broken)) == (
        finding["code"],
        finding["severity"],
        finding["file"],
    )
    assert [] == files[1]["findings"]


def test_unreadable_file_in_text_output(tmp_path: Path, good: Path) -> None:
    """The text output marks the unreadable file and still lists the good one."""
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    result = run("validate", str(tmp_path))
    assert 3 == result.exit_code, result.output
    assert "KHÔNG ĐỌC ĐƯỢC" in result.stdout
    assert "Đơn vị: Sở Tài chính | Biểu: PL01 | hợp lệ" in result.stdout


@pytest.mark.usefixtures("worker_start")
def test_example_folder_is_valid(example: Path) -> None:
    """The 38 workbooks of the Bình Định example pass against their roster, without a finding."""
    result = run(
        "validate", str(example), "--roster", str(example / "roster.csv"), "--format", "json"
    )
    assert 0 == result.exit_code, result.output
    files = as_json(result)["files"]
    assert 38 == len(files)
    assert [] == [(item["path"], f["code"]) for item in files for f in item["findings"]]


def test_validate_never_modifies_the_files(good: Path, bad: tuple[Path, Book]) -> None:
    """Checking leaves every input byte for byte as it was."""
    paths = [good, bad[0]]
    before = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    run("validate", *map(str, paths))
    assert before == [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def test_real_subprocess(bad: tuple[Path, Book], good: Path) -> None:
    """``python -m ctmtcntt validate --format json`` in a real process: exit 1 and UTF-8 JSON."""
    path, book = bad
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PYTHONIOENCODING": "utf-8"}
    completed = subprocess.run(
        [sys.executable, "-m", "ctmtcntt", "validate", str(good), str(path), "--format", "json"],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert 1 == completed.returncode, completed.stderr.decode()
    files = json.loads(completed.stdout.decode("utf-8"))["files"]
    assert [True, False] == [item["valid"] for item in files]
    assert [("text-not-number", *book.where("PL01", "11", 5))] == [
        (f["code"], f["sheet"], f["cell"]) for f in files[1]["findings"]
    ]


def test_the_program_ends_as_python_programs_do(bad: tuple[Path, Book], good: Path) -> None:
    """The ``ctmt`` program's exit runs the handlers registered to run at exit (coverage saves
    its data in one) and flushes stdout, with the exit code of what it found."""
    path, _ = bad
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PYTHONIOENCODING": "utf-8"}
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('handler ran', file=sys.stderr))\n"
        "from ctmtcntt._entry import run\n"
        "sys.argv[0] = 'ctmt'\n"
        "run()\n"
    )
    for paths, code in (([good], 0), ([good, path], 1)):
        completed = subprocess.run(
            [sys.executable, "-c", script, "validate", *map(str, paths), "--format", "json"],
            capture_output=True,
            env=env,
            timeout=120,
            check=False,
        )
        stderr = completed.stderr.decode()
        assert code == completed.returncode, stderr
        assert "handler ran" in stderr
        assert len(paths) == len(json.loads(completed.stdout.decode("utf-8"))["files"])
