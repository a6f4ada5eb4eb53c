"""Runs that cannot finish, and outputs that cannot be written: a Vietnamese message naming the
file the user chose, exit code 4 (1 stays "errors found"), no traceback, nothing half done."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

import ctmtcntt
import ctmtcntt.common.saving
import hostile
from builders import EXAMPLE
from ctmtcntt.cli import main
from ctmtcntt.errors import EXIT_UNFINISHED, EXIT_USAGE

S05 = EXAMPLE / "S05 - So Tai chinh.xlsx"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three submissions and the roster."""
    folder = tmp_path / "nop"
    folder.mkdir()
    for name in ("S05 - So Tai chinh.xlsx", "TINH - So TTTT.xlsx", "roster.csv"):
        shutil.copy(EXAMPLE / name, folder / name)
    return folder


def _no_temporary_beside(output: Path) -> None:
    hidden = [p.name for p in output.parent.iterdir() if p.name.startswith(".")]
    assert [] == hidden, "a temporary file was left beside the output"


# ---------------------------------------------------------------------------------------------
# Output names


@pytest.mark.parametrize(
    ("command", "given", "written"),
    [
        ("consolidate", "tinh", "tinh.xlsx"),
        ("consolidate", "bao cao v1.2", "bao cao v1.2.xlsx"),
        ("template", "mau", "mau.xlsx"),
        ("fill", "S05 da tinh", "S05 da tinh.xlsx"),
    ],
)
def test_an_output_without_extension_gets_xlsx(
    folder: Path, tmp_path: Path, command: str, given: str, written: str
) -> None:
    """``-o tinh`` writes tinh.xlsx (an Excel workbook Excel opens), and says so."""
    source = {"consolidate": folder, "template": "PL01", "fill": folder / S05.name}[command]
    result = run(command, source, "-o", tmp_path / given)
    assert result.exit_code in (0, 1), result.output
    assert not (tmp_path / given).exists()
    openpyxl.load_workbook(tmp_path / written).close()
    assert str(tmp_path / written) in result.output


@pytest.mark.parametrize(
    ("command", "given"),
    [("consolidate", "tinh.xls"), ("template", "mau.ods"), ("fill", "S05.csv")],
)
def test_an_output_named_as_another_format_is_refused(
    folder: Path, tmp_path: Path, command: str, given: str
) -> None:
    """xlsx content under .xls/.ods would be "corrupt" in Excel: refused before any work."""
    source = {"consolidate": folder, "template": "PL01", "fill": folder / S05.name}[command]
    result = run(command, source, "-o", tmp_path / given)
    assert EXIT_USAGE == result.exit_code, result.output
    assert f"{Path(given).stem}.xlsx" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / given).exists()


def test_a_macro_workbook_is_filled_into_a_macro_workbook(tmp_path: Path) -> None:
    """An .xlsm filled to ``-o copy`` becomes copy.xlsm; to copy.xlsx it is refused."""
    book = openpyxl.load_workbook(S05)
    source = tmp_path / "S05.xlsm"
    book.save(source)
    assert 0 == run("fill", source, "-o", tmp_path / "copy").exit_code
    assert (tmp_path / "copy.xlsm").is_file()
    assert EXIT_USAGE == run("fill", source, "-o", tmp_path / "copy.xlsx").exit_code


# ---------------------------------------------------------------------------------------------
# Outputs that cannot be written


def test_a_read_only_output_is_not_replaced(folder: Path, tmp_path: Path) -> None:
    """A read-only output (Windows refuses to replace one): exit 4, its name, what to do."""
    output = tmp_path / "tinh.xlsx"
    output.write_bytes(b"old")
    output.chmod(0o444)
    result = run("consolidate", folder, "-o", output)
    assert EXIT_UNFINISHED == result.exit_code, result.output
    assert str(output) in result.output
    assert "chỉ đọc" in result.output
    assert b"old" == output.read_bytes()
    _no_temporary_beside(output)


def test_an_output_open_in_excel(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel holds the output open (the rename is denied): the message names the output, not
    the hidden temporary file, and says to close it in Excel; exit 4, not "usage"."""
    output = tmp_path / "tinh.xlsx"
    output.write_bytes(b"old")

    def denied(source: str, target: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", source)

    monkeypatch.setattr(ctmtcntt.common.saving.os, "replace", denied)
    result = run("consolidate", folder, "-o", output)
    assert EXIT_UNFINISHED == result.exit_code, result.output
    assert f"{output}:" in result.output
    assert "đóng tệp trong Excel" in result.output
    assert "/." not in result.output  # no hidden temporary name
    assert "Traceback" not in result.output
    assert b"old" == output.read_bytes()
    _no_temporary_beside(output)


def test_a_folder_that_cannot_be_written(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No right to create a file in the output's folder: exit 4, the output named."""

    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    monkeypatch.setattr(ctmtcntt.common.saving.tempfile, "mkstemp", denied)
    output = tmp_path / "mau.xlsx"
    result = run("template", "PL02", "-o", output)
    assert EXIT_UNFINISHED == result.exit_code, result.output
    assert f"{output}:" in result.output
    assert "chọn đường dẫn khác" in result.output


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_while_the_province_workbook_is_written(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills while the workbook is written (the writer's own writes get ENOSPC from
    the kernel: its temporary file is /dev/full): "ổ đĩa đã đầy", exit 4, the earlier output
    intact, no temporary file left, no traceback."""
    output = tmp_path / "ket qua" / "tinh.xlsx"
    assert 0 == run("consolidate", folder, "-o", output).exit_code
    before = digest(output)
    real = ctmtcntt.common.saving._temporary

    def full_disk(target: Path) -> str:
        name = real(target)
        os.unlink(name)
        os.symlink("/dev/full", name)
        return name

    monkeypatch.setattr(ctmtcntt.common.saving, "_temporary", full_disk)
    result = run("consolidate", folder, "-o", output)
    assert EXIT_UNFINISHED == result.exit_code, result.output
    assert f"{output}: ổ đĩa đã đầy" in result.output
    assert "Traceback" not in result.output
    assert before == digest(output)
    _no_temporary_beside(output)


# ---------------------------------------------------------------------------------------------
# Exit codes


def test_an_interrupted_run_is_not_errors_found(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C during a run: "Đã dừng.", exit 4, no traceback."""

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("ctmtcntt.workflows.consolidate", interrupted)
    result = run("consolidate", folder)
    assert EXIT_UNFINISHED == result.exit_code, result.output
    assert "Đã dừng." in result.output
    assert "Traceback" not in result.output


def test_an_unexpected_failure_is_not_errors_found(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug of ours ends in a Vietnamese message and exit 4, never in exit 1 ("errors")."""

    def broken(*args: object, **kwargs: object) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr("ctmtcntt.workflows.validate", broken)
    result = run("validate", folder)
    assert EXIT_UNFINISHED == result.exit_code, result.output
    assert "không làm xong" in result.output
    assert "IndexError" in result.output
    assert "Traceback" not in result.output


def test_validate_given_one_path_as_a_string(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``ctmtcntt.validate("file.xlsx")`` checks that file, not each character as a path."""
    monkeypatch.chdir(folder)
    checked = ctmtcntt.validate(S05.name)
    assert [S05.name] == [Path(f.path).name for f in checked.files]
    assert 2 == len(ctmtcntt.validate(str(folder)).files)  # a folder: its workbooks


# ---------------------------------------------------------------------------------------------
# What a reader says, kept apart from what staff read


def _garbage_workbook_part(target: Path) -> Path:
    return hostile.rewrite_zip(
        S05, target, hostile.in_member("xl/workbook.xml", lambda data: data[:200] + b"<<rac")
    )


def test_a_readers_english_stays_in_the_detail(tmp_path: Path) -> None:
    """The reader's own words ("Cannot detect file format") are the finding's value; its
    message says in Vietnamese what the file is and what to do."""
    path = _garbage_workbook_part(tmp_path / "hong.xlsx")
    result = run("validate", path, "--format", "json")
    assert 3 == result.exit_code, result.output
    [finding] = json.loads(result.stdout)["files"][0]["findings"]
    assert "unreadable-file" == finding["code"]
    assert "Cannot detect file format" in finding["value"]
    assert "Cannot" not in finding["message"]
    assert "Tệp Excel (.xlsx) bị hỏng" in finding["message"]
    assert "Lưu thành" in finding["message"]


def test_fill_says_the_refusal_in_vietnamese_and_the_detail_apart(tmp_path: Path) -> None:
    """``ctmt fill`` on the same file: the Vietnamese reason names the file; the reader's
    words follow on their own line, marked as technical; exit 3 (file unreadable)."""
    path = _garbage_workbook_part(tmp_path / "hong.xlsx")
    result = run("fill", path, "-o", tmp_path / "ra.xlsx")
    assert 3 == result.exit_code, result.output
    first, second = result.stderr.strip().splitlines()
    assert first.startswith(f"Lỗi: {path}: Tệp Excel (.xlsx) bị hỏng")
    assert "Cannot" not in first
    assert "(chi tiết kỹ thuật: Cannot detect file format)" == second.strip()
    assert not (tmp_path / "ra.xlsx").exists()


# ---------------------------------------------------------------------------------------------
# The command line's own words


def test_a_file_that_may_not_be_read(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file named directly that the system refuses to open is said in Vietnamese (never
    click's "Path … is not readable."), the other files are still checked, exit 3."""
    secret = folder / "bi mat.xlsx"
    shutil.copy(S05, secret)
    real_access, real_open = os.access, Path.open

    def access(path: object, mode: int, **kwargs: object) -> bool:
        return Path(str(path)) != secret and real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self == secret:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(Path, "open", refuse)
    result = run("validate", secret, folder / S05.name)
    assert 3 == result.exit_code, result.output
    assert "Không có quyền đọc tệp" in result.output
    assert "is not readable" not in result.output
    assert "hợp lệ" in result.output  # the other file was checked


@pytest.mark.parametrize("command", ["validate", "fill", "consolidate", "template", "report"])
def test_help_has_no_english_left(command: str) -> None:
    """No "[default: …]", "[required]", FILE, TEXT, PATH or {a|b} in the help screens."""
    result = run(command, "--help")
    assert 0 == result.exit_code
    for english in ("default", "required", "FILE", "TEXT", "PATH", "FOLDER", "SOURCE", "{"):
        assert english not in result.output.replace("[TÙY CHỌN]", ""), english


def test_bare_ctmt_shows_the_help_once() -> None:
    """``ctmt`` alone: the help, once, without "Lỗi:" in front of it."""
    result = run()
    assert 1 == result.output.count("Cách dùng:"), result.output
    assert "Lỗi:" not in result.output
    assert "Lệnh:" in result.output


# ---------------------------------------------------------------------------------------------
# fill and read_workbook on files that used to abort the process or print a traceback

_SHEET = "xl/worksheets/sheet1.xml"


def _edit(change: Callable[[bytes], bytes]) -> Callable[[Path], Path]:
    return lambda target: hostile.rewrite_zip(S05, target, hostile.in_member(_SHEET, change))


BROKEN: dict[str, tuple[Callable[[Path], Path], bool]] = {
    # name: (builder, always refused)
    "cell-at-XFD1048576": (hostile.far_cell, True),
    "row-numbered-lt": (_edit(lambda x: x.replace(b'<row r="5"', b'<row r="<"', 1)), False),
    "cell-named-lt": (_edit(lambda x: x.replace(b'<c r="A5"', b'<c r="&lt;"', 1)), False),
    "control-characters": (_edit(lambda x: x.replace(b"<t>", b"<t>\x01\x02\x1b", 5)), False),
    "garbage-workbook-part": (_garbage_workbook_part, True),
    "no-styles-part": (
        lambda t: hostile.rewrite_zip(S05, t, lambda n, x: None if n == "xl/styles.xml" else x),
        True,
    ),
    "zip-bomb-lying-sizes": (hostile.lying_zip, True),
    "zip-bomb": (hostile.zip_bomb, True),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_fill_on_a_broken_file(tmp_path: Path, case: str) -> None:
    """The library's fill, in this very process: filled, or a WorkbookError naming the file in
    Vietnamese; never an abort of the caller's Python nor another exception."""
    build, refused = BROKEN[case]
    path = build(tmp_path / f"{case}.xlsx")
    output = tmp_path / "ra.xlsx"
    outcome: ctmtcntt.FillResult | ctmtcntt.WorkbookError
    try:
        outcome = ctmtcntt.fill(path, output)
    except ctmtcntt.WorkbookError as exc:
        outcome = exc
    if isinstance(outcome, ctmtcntt.WorkbookError):
        assert str(path) == outcome.path
        assert hostile.VIETNAMESE.search(outcome.reason), outcome.reason
        assert not output.exists()
    else:
        assert not refused, f"{case} was filled"
        assert str(output) == outcome.output
        with zipfile.ZipFile(output) as written:
            assert written.testzip() is None


@pytest.mark.parametrize("case", ["cell-at-XFD1048576", "no-styles-part", "garbage-workbook-part"])
def test_fill_on_a_broken_file_from_the_command_line(tmp_path: Path, case: str) -> None:
    """``ctmt fill``: "Lỗi: FILE: …" in Vietnamese, exit 3, no traceback."""
    path = BROKEN[case][0](tmp_path / f"{case}.xlsx")
    result = run("fill", path, "-o", tmp_path / "ra.xlsx")
    assert 3 == result.exit_code, result.output
    assert result.stderr.startswith(f"Lỗi: {path}: ")
    assert "Traceback" not in result.output


def test_read_workbook_of_the_library_survives_a_far_cell(tmp_path: Path) -> None:
    """``ctmtcntt.read_workbook()`` reads in a bounded worker: a cell at XFD1048576 is a
    WorkbookError, not the end of the caller's interpreter; a good file reads as before."""
    path = hostile.far_cell(tmp_path / "xa.xlsx")
    with pytest.raises(ctmtcntt.WorkbookError) as raised:
        ctmtcntt.read_workbook(path)
    assert str(path) == raised.value.path
    report = ctmtcntt.read_workbook(S05)
    assert {"PL01", "PL02"} == set(report.forms)


def test_fill_refuses_a_far_cell_however_workers_start(
    tmp_path: Path, worker_platform: str
) -> None:
    """The same refusal with workers forked, spawned, and as on Windows (memory watched)."""
    path = hostile.far_cell(tmp_path / "xa.xlsx")
    with pytest.raises(ctmtcntt.WorkbookError) as raised:
        ctmtcntt.fill(path, tmp_path / "ra.xlsx")
    assert str(path) == raised.value.path
    good = ctmtcntt.fill(S05, tmp_path / "tot")
    assert str(tmp_path / "tot.xlsx") == good.output
    assert good.changed


def test_the_report_gets_docx_or_is_refused(folder: Path, tmp_path: Path) -> None:
    """``ctmt report -o bao-cao`` writes bao-cao.docx; ``-o bao-cao.xlsx`` is refused at once."""
    refused = run("report", folder, "-o", tmp_path / "bao-cao.xlsx")
    assert EXIT_USAGE == refused.exit_code, refused.output
    assert "bao-cao.docx" in refused.output
    assert not (tmp_path / "bao-cao.xlsx").exists()
    written = run("report", folder, "-o", tmp_path / "bao-cao")
    assert written.exit_code in (0, 1), written.output
    assert zipfile.is_zipfile(tmp_path / "bao-cao.docx")
    assert [] == [p.name for p in Path.cwd().iterdir() if p.name.startswith("<_io")]
