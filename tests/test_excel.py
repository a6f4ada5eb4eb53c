"""The Excel front, driven through xlwings' own Book API (its JSON engine) with real workbooks.

A payload shaped like the one xlwings' VBA client sends (values of every sheet from A1) is built
from a real ``.xlsx`` read with python-calamine; ``book.set_mock_caller()`` stands in for the
button; ``book.json()["actions"]`` is what Excel would be told to do. The macro workbook and the
add-in in ``workbooks/`` are read with oletools, as their VBA will be run by Excel.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
import uuid
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
import pytest

from _support import EXAMPLE, ROOT
from ctmtcntt import excel
from ctmtcntt.check.batch import check_reports
from ctmtcntt.common.cells import parse_a1
from ctmtcntt.errors import CtmtError
from ctmtcntt.findings import Finding
from ctmtcntt.read.workbook import read_workbook

S05 = "S05 - So Tai chinh.xlsx"
WORKBOOKS = ROOT / "workbooks"
MACRO_FILES = (WORKBOOKS / "ctmtcntt.xlsm", WORKBOOKS / "ctmtcntt.xlam")
VBA_SOURCE = WORKBOOKS / "vba" / "CtmtNut.bas"
Payload = dict[str, Any]
Action = dict[str, Any]


# -- the engine and the payloads ---------------------------------------------------------------


@pytest.fixture(scope="module")
def xw() -> Iterator[ModuleType]:
    """xlwings with its JSON ("remote") engine, licensed for non-commercial use (PolyForm)."""
    with pytest.MonkeyPatch.context() as patch:
        # Read when xlwings is imported: set before, and re-register if it was imported earlier.
        patch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
        import xlwings

        if "remote" not in [engine.name for engine in xlwings.engines]:
            from xlwings.pro import _xlremote

            xlwings.engines.add(xlwings.Engine(impl=_xlremote.engine))
        yield xlwings


@pytest.fixture
def caller(xw: ModuleType) -> Iterator[Callable[[Payload], Any]]:
    """Open a payload as a workbook and make it the caller of the next entry point."""

    def _open(payload: Payload) -> Any:
        book = xw.Book(json=payload)
        book.set_mock_caller()
        return book

    yield _open
    if hasattr(xw.Book, "_mock_caller"):
        del xw.Book._mock_caller


def grids(path: Path) -> list[tuple[str, list[list[object]]]]:
    """Every sheet's values from A1, as the VBA client sends them (None where empty)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    sheets = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        sheets.append((name, [[None if v == "" else v for v in row] for row in rows] or [[]]))
    return sheets


def payload(xw: ModuleType, path: Path, *, name: str | None = None, names: Any = ()) -> Payload:
    """The JSON the VBA client would post for this workbook, round-tripped through JSON."""
    document = {
        "client": "VBA",
        "version": xw.__version__,
        "book": {"name": name or path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": list(names),
        "sheets": [
            {"name": sheet, "values": values, "pictures": [], "tables": []}
            for sheet, values in grids(path)
        ],
    }
    return json.loads(json.dumps(document, default=str))


def planted(tmp_path: Path) -> Path:
    """S05 with mistakes a unit makes: text in a count, 2.b > 2.a, a (*) row, a fraction."""
    source = EXAMPLE / S05
    form = read_workbook(source).forms["PL01"]

    def cell(key: str) -> str:
        row = form.row(key)
        assert row is not None
        address = form.cell_of(row, "actual")
        assert address is not None
        return address

    book = openpyxl.load_workbook(source)
    sheet = book[form.sheet]
    sheet[cell("3.a")] = "abc"
    sheet[cell("2.b")] = 5
    sheet[cell("7")] = 52
    sheet[cell("12.a")] = 1.5
    sheet[cell("12.b")] = 1  # both rows of the percentage, so only the fraction is wrong
    target = tmp_path / "S05 - planted.xlsx"
    book.save(target)
    return target


def file_findings(path: Path) -> list[Finding]:
    """What the library finds in the file itself, read by the file reader (the oracle)."""
    return list(check_reports([read_workbook(path)])[0].findings)


def actions(book: Any, func: str | None = None) -> list[Action]:
    found: list[Action] = book.json()["actions"]
    return [a for a in found if func is None or a["func"] == func]


def alert_text(book: Any) -> str:
    alerts = actions(book, "alert")
    assert 1 == len(alerts), alerts
    text: str = alerts[0]["args"][0]
    return text


def position(payload_: Payload, sheet: str) -> int:
    return [s["name"] for s in payload_["sheets"]].index(sheet)


def colour_at(book: Any, sheet_position: int, row: int, column: int) -> object:
    """The last colour set on a 0-based cell, ``...`` when none was."""
    colour: object = ...
    for action in actions(book, "setRangeColor"):
        if (
            action["sheet_position"] == sheet_position
            and action["start_row"] <= row < action["start_row"] + action["row_count"]
            and action["start_column"] <= column < action["start_column"] + action["column_count"]
        ):
            colour = action["args"][0]
    return colour


def written(book: Any, sheet_position: int) -> dict[tuple[int, int], object]:
    """Every value written on a sheet, by 0-based (row, column), the last write winning."""
    cells: dict[tuple[int, int], object] = {}
    for action in actions(book, "setValues"):
        if action["sheet_position"] != sheet_position:
            continue
        for r, row in enumerate(action["values"]):
            for c, value in enumerate(row):
                cells[(action["start_row"] + r, action["start_column"] + c)] = value
    return cells


def added_sheet(book: Any, name: str) -> int:
    """The position of a sheet the run added, from its addSheet action."""
    adds = [a for a in actions(book, "addSheet") if a["args"][1] == name]
    assert 1 == len(adds), actions(book, "addSheet")
    position_: int = adds[0]["args"][0]
    return position_


def replay(before: Payload, book: Any) -> Payload:
    """The payload of the next click: the values of the actions applied as Excel applies them."""
    after = json.loads(json.dumps(before))
    sheets = after["sheets"]
    for action in actions(book):
        if action["func"] == "addSheet":
            index, name = action["args"]
            sheets.insert(index, {"name": name, "values": [[]], "pictures": [], "tables": []})
        elif action["func"] in ("sheetClear", "sheetClearContents"):
            sheets[action["sheet_position"]]["values"] = [[]]
        elif action["func"] == "setValues":
            grid = sheets[action["sheet_position"]]["values"]
            for r, row in enumerate(action["values"]):
                for c, value in enumerate(row):
                    _put(grid, action["start_row"] + r, action["start_column"] + c, value)
    return after


def _put(grid: list[list[object]], row: int, column: int, value: object) -> None:
    if isinstance(value, str) and value.startswith("'"):
        value = value[1:]  # Excel keeps the apostrophe as a prefix, not as text
    elif isinstance(value, str) and value.startswith("=HYPERLINK("):
        value = value.rsplit('"', 2)[-2]  # what the cell shows
    width = max(len(grid[0]) if grid else 0, column + 1)
    while len(grid) <= row:
        grid.append([None] * width)
    for line in grid:
        line.extend([None] * (width - len(line)))
    grid[row][column] = None if value == "" else value


# -- validate ----------------------------------------------------------------------------------


def test_validate_colours_every_finding_cell_by_severity(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """Each cell with a finding is filled red (error) or yellow (warning), and no other cell."""
    path = planted(tmp_path)
    data = payload(xw, path)
    form_sheets = range(len(data["sheets"]))  # the engine adds the new sheets to the payload
    book = caller(data)
    excel.validate()
    expected: dict[tuple[int, int, int], str] = {}
    for finding in file_findings(path):
        assert finding.sheet
        assert finding.cell
        row, column = parse_a1(finding.cell)
        key = (position(data, finding.sheet), row - 1, column - 1)
        if expected.get(key) != excel.ERROR_FILL:
            expected[key] = excel.ERROR_FILL if finding.is_error else excel.WARNING_FILL
    assert {"error", "warning"} == {f.severity for f in file_findings(path)}
    for (sheet, row, column), colour in expected.items():
        assert colour == colour_at(book, sheet, row, column), (sheet, row, column)
    coloured = {
        (a["sheet_position"], a["start_row"], a["start_column"])
        for a in actions(book, "setRangeColor")
        if a["sheet_position"] in form_sheets
    }
    assert set(expected) == coloured


def test_validate_writes_the_results_sheet(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """ "Kết quả kiểm tra" is added with a summary line, then one row per finding."""
    path = planted(tmp_path)
    book = caller(payload(xw, path))
    excel.validate()
    sheet = added_sheet(book, excel.RESULTS_SHEET)
    cells = written(book, sheet)
    assert str(cells[(0, 0)]).startswith(f"{path.name}: 2 lỗi, 2 cảnh báo")
    rows = {tuple(cells.get((r, c)) for c in range(5)) for r in range(60)}
    for finding in file_findings(path):
        severity = "Lỗi" if finding.is_error else "Cảnh báo"
        link = f'=HYPERLINK("#\'{finding.sheet}\'!{finding.cell}","{finding.cell}")'
        assert (finding.sheet, link, severity, finding.code, finding.message) in rows


def test_validate_alerts_the_counts(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """The message box starts with "N lỗi, M cảnh báo"."""
    book = caller(payload(xw, planted(tmp_path)))
    excel.validate()
    assert alert_text(book).startswith("2 lỗi, 2 cảnh báo.")


def test_validate_a_clean_workbook_marks_nothing(
    xw: ModuleType, caller: Callable[[Payload], Any]
) -> None:
    """The example as sent: no colour on the forms, "0 lỗi, 0 cảnh báo", no marks sheet."""
    data = payload(xw, EXAMPLE / S05)
    book = caller(data)
    excel.validate()
    assert alert_text(book).startswith("0 lỗi, 0 cảnh báo.")
    assert [] == [a for a in actions(book, "setRangeColor") if a["sheet_position"] < 2]
    assert excel.MARKS_SHEET not in [a["args"][1] for a in actions(book, "addSheet")]


def test_validate_reads_the_workbook_as_the_file_reader_does(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """Checking the open workbook finds exactly what checking the saved file finds."""
    path = planted(tmp_path)
    caller(payload(xw, path))
    book = xw.Book.caller()
    from ctmtcntt.read.submission import read_grids

    report = read_grids(excel._grids(book), source=path.name)
    in_excel = [(f.sheet, f.cell, f.code) for f in check_reports([report])[0].findings]
    assert [(f.sheet, f.cell, f.code) for f in file_findings(path)] == in_excel


def test_second_check_gives_fixed_cells_their_fill_back(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """After a fix, the next check clears the fixed cell and keeps marking the others."""
    path = planted(tmp_path)
    first = payload(xw, path)
    book = caller(first)
    excel.validate()
    marks = added_sheet(book, excel.MARKS_SHEET)
    assert any(a["sheet_position"] == marks for a in actions(book, "setSheetVisibility"))
    second = replay(first, book)
    sheet = position(second, "Phụ lục 01")
    second["sheets"][sheet]["values"][14][4] = 2693.0  # E15: "abc" corrected
    book = caller(second)
    excel.validate()
    assert colour_at(book, sheet, 14, 4) is None
    assert excel.ERROR_FILL == colour_at(book, sheet, 12, 4)  # E13: 2.b > 2.a still wrong
    assert alert_text(book).startswith("1 lỗi, 2 cảnh báo.")
    assert [] == actions(book, "addSheet")  # both sheets reused
    remembered = written(book, position(second, excel.MARKS_SHEET))
    cells = {remembered.get((r, 1)) for r in range(2, 10)}
    assert "E15" not in cells
    assert "E13" in cells


def test_second_check_restores_the_units_own_fill(
    xw: ModuleType,
    caller: Callable[[Payload], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An input cell shaded FFF2CC before it was marked gets FFF2CC back, not "no fill"."""
    # The JSON engine cannot read fills; Excel can. Stand in for Excel's answer.
    monkeypatch.setattr(
        excel, "_fill_of", lambda cell: "#FFF2CC" if cell.address == "$E$15" else ""
    )
    path = planted(tmp_path)
    first = payload(xw, path)
    book = caller(first)
    excel.validate()
    second = replay(first, book)
    sheet = position(second, "Phụ lục 01")
    second["sheets"][sheet]["values"][14][4] = 2693.0
    monkeypatch.setattr(
        excel, "_fill_of", lambda cell: excel.ERROR_FILL if cell.address == "$E$15" else ""
    )
    book = caller(second)
    excel.validate()
    assert "#FFF2CC" == colour_at(book, sheet, 14, 4)


def test_a_cell_recoloured_by_hand_is_left_alone(
    xw: ModuleType,
    caller: Callable[[Payload], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If staff gave a marked cell another fill since, the next check does not undo it."""
    path = planted(tmp_path)
    first = payload(xw, path)
    book = caller(first)
    excel.validate()
    second = replay(first, book)
    sheet = position(second, "Phụ lục 01")
    second["sheets"][sheet]["values"][14][4] = 2693.0
    monkeypatch.setattr(
        excel, "_fill_of", lambda cell: "#00B050" if cell.address == "$E$15" else ""
    )
    book = caller(second)
    excel.validate()
    assert ... is colour_at(book, sheet, 14, 4)


def test_validate_the_workbook_the_macro_workbook_chose(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """validate(book=NAME) from the macro workbook works on that open workbook, not on itself."""
    control = payload(xw, EXAMPLE / S05, name=f"ctmtcntt-{uuid.uuid4().hex}.xlsm")
    unit_name = f"unit-{uuid.uuid4().hex}.xlsx"
    unit = xw.Book(json=payload(xw, planted(tmp_path), name=unit_name))
    book = caller(control)
    excel.validate(book=unit_name)
    assert ["alert"] == [a["func"] for a in actions(book)]
    assert alert_text(book).startswith("2 lỗi")
    assert unit_name in str(written(unit, added_sheet(unit, excel.RESULTS_SHEET))[(0, 0)])
    assert actions(unit, "setRangeColor")


def test_validate_a_workbook_not_open_says_so(
    xw: ModuleType, caller: Callable[[Payload], Any]
) -> None:
    """A name that is not open ends in a Vietnamese message, not a traceback."""
    book = caller(payload(xw, EXAMPLE / S05, name=f"c-{uuid.uuid4().hex}.xlsm"))
    excel.validate(book="Không có.xlsx")
    assert "Không tìm thấy sổ «Không có.xlsx» đang mở" in alert_text(book)


def test_validate_a_workbook_without_forms(
    xw: ModuleType, caller: Callable[[Payload], Any]
) -> None:
    """A workbook with no form gets one error, listed and explained, and no colours."""
    data = {
        "client": "VBA",
        "version": xw.__version__,
        "book": {"name": "Book1.xlsx", "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": [{"name": "Sheet1", "values": [["Xin chào", 1.0]], "pictures": [], "tables": []}],
    }
    book = caller(data)
    excel.validate()
    assert alert_text(book).startswith("1 lỗi, 0 cảnh báo.")
    rows = written(book, added_sheet(book, excel.RESULTS_SHEET))
    assert "no-form" in rows.values()
    assert [] == [a for a in actions(book, "setRangeColor") if a["sheet_position"] == 0]


def test_failures_become_messages_not_tracebacks(
    xw: ModuleType, caller: Callable[[Payload], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected exception is caught and told in Vietnamese, with where the details are."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("ctmtcntt.workflows.check_reports", broken)
    monkeypatch.setattr(excel, "LOG_FILE", Path("/nonexistent-dir/ctmt.log"))
    book = caller(payload(xw, EXAMPLE / S05))
    excel.validate()
    text = alert_text(book)
    assert "«Kiểm tra» không thực hiện được" in text
    assert "RuntimeError: boom" in text
    assert "Traceback" not in text


def test_our_errors_are_shown_as_they_are(
    xw: ModuleType, caller: Callable[[Payload], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CtmtError's Vietnamese message is the message box."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise CtmtError("Tệp bị khóa.")

    monkeypatch.setattr("ctmtcntt.workflows.check_reports", refuse)
    book = caller(payload(xw, EXAMPLE / S05))
    excel.validate()
    assert "Tệp bị khóa." == alert_text(book)


def test_without_a_caller_the_message_goes_to_the_log(
    xw: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    """Outside Excel with no mock caller: a Vietnamese line on stderr and exit code 1."""
    if hasattr(xw.Book, "_mock_caller"):
        del xw.Book._mock_caller
    with pytest.raises(SystemExit) as exited:
        excel.validate()
    assert 1 == exited.value.code
    err = capsys.readouterr().err
    assert "Không xác định được sổ Excel đã bấm nút" in err
    assert "Traceback" not in err


def test_missing_xlwings_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without xlwings the error says how to install it."""
    monkeypatch.setitem(sys.modules, "xlwings", None)
    with pytest.raises(CtmtError, match=re.escape('pip install "ctmtcntt[excel]"')):
        excel._xlwings()


def test_importing_the_module_does_not_import_xlwings() -> None:
    """xlwings is imported lazily, only when a button runs."""
    code = "import sys, ctmtcntt.excel; print('xlwings' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""},
    )
    assert "False" == out.stdout.strip()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+84", "'+84"),
        ("-", "'-"),
        ("@x", "'@x"),
        ("Đạt", "Đạt"),
        # As the other writers: after spaces or invisible characters, in full width, after a tab.
        (" =SUM(A1)", "' =SUM(A1)"),
        ("\u200b=1+1", "'\u200b=1+1"),
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),
        ("\t=1", "'\t=1"),
        ("x=1", "x=1"),
    ],
)
def test_text_is_never_written_as_a_formula(value: str, expected: str) -> None:
    """Text that Excel would take for a formula is written with its text prefix."""
    assert expected == excel._cell_value(value)


def test_text_from_vba_escapes_is_whole() -> None:
    """VBA's \\uXXXX escapes give surrogate halves for characters beyond U+FFFF; they join."""
    assert "Thư mục 😀" == excel._text("Thư mục \ud83d\ude00")


# -- fill --------------------------------------------------------------------------------------


def test_fill_writes_every_computed_cell(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """Each CellWrite of fill_cells becomes a value written at its sheet and cell."""
    from ctmtcntt.workflows import fill_cells

    data = payload(xw, EXAMPLE / S05)
    book = caller(data)
    excel.fill()
    expected = fill_cells(read_workbook(EXAMPLE / S05))
    assert expected
    for write in expected:
        row, column = parse_a1(write.cell)
        cells = written(book, position(data, write.sheet))
        value = "" if write.value is None else write.value
        assert value == cells[(row - 1, column - 1)], write
    assert alert_text(book).startswith(f"Đã ghi {len(expected)} ô tính toán")


def test_fill_never_writes_text_as_a_formula(
    xw: ModuleType, caller: Callable[[Payload], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A computed text that looks like a formula is written as text."""

    @dataclasses.dataclass(frozen=True)
    class Write:
        sheet: str
        cell: str
        value: float | str | None

    monkeypatch.setattr(
        "ctmtcntt.workflows.fill_cells", lambda report: [Write("Phụ lục 01", "H10", "=1+1")]
    )
    data = payload(xw, EXAMPLE / S05)
    book = caller(data)
    excel.fill()
    assert "'=1+1" == written(book, 0)[(9, 7)]


# -- consolidate -------------------------------------------------------------------------------


def _folder_name(folder: Path) -> dict[str, Any]:
    return {
        "name": excel.FOLDER_NAME,
        "sheet_index": 0,
        "address": "B3",
        "book_scope": True,
        "scope_sheet_name": None,
        "scope_sheet_index": None,
    }


def _unit_name() -> dict[str, Any]:
    return {**_folder_name(Path()), "name": excel.UNIT_NAME, "address": "B5"}


def _control(xw: ModuleType, folder: Path | None, unit: str | None = None) -> Payload:
    """The macro workbook's control sheet: ThuMuc in B3, DonViBaoCao in B5 (when given)."""
    values: list[list[object]] = [
        ["Bảng điều khiển ctmtcntt", None],
        [None, None],
        ["Thư mục", str(folder) if folder else None],
        ["Danh sách", None],
        ["Đơn vị báo cáo", unit],
    ]
    return {
        "client": "VBA",
        "version": xw.__version__,
        "book": {"name": f"ctmtcntt-{uuid.uuid4().hex}.xlsm", "active_sheet_index": 0},
        "names": [_folder_name(folder or Path()), *([_unit_name()] if unit else [])],
        "sheets": [{"name": "Bảng điều khiển", "values": values, "pictures": [], "tables": []}],
    }


def test_consolidate_the_folder_named_in_the_control_workbook(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """ThuMuc names the folder; the province workbook lands beside it; the message says where."""
    folder = tmp_path / "Báo cáo các đơn vị"
    folder.mkdir()
    for name in ("TINH - So TTTT.xlsx", S05, "H01 - UBND TP Quy Nhon.xlsx"):
        shutil.copy(EXAMPLE / name, folder / name)
    book = caller(_control(xw, folder))
    excel.consolidate()
    out = tmp_path / "Tổng hợp - Báo cáo các đơn vị.xlsx"
    assert out.is_file()
    assert [] == list(folder.glob("Tổng hợp*"))
    text = alert_text(book)
    assert str(out) in text
    assert re.search(r"\d+ lỗi, \d+ cảnh báo", text)
    assert "Đã nhận báo cáo của 3 đơn vị" in text
    sheets = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert {"Phụ lục 01", "Phụ lục 02"} <= set(sheets)


def test_consolidate_a_folder_passed_from_the_dialog(
    xw: ModuleType,
    caller: Callable[[Payload], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The folder chosen in the VBA dialog wins over ThuMuc, and the roster beside it is used."""
    seen: dict[str, object] = {}

    class Result:
        findings: tuple[Finding, ...] = ()

        def write(self, path: Path) -> Path:
            Path(path).write_bytes(b"")
            return Path(path)

        def to_dict(self) -> dict[str, Any]:
            missing = [{"code": "S02", "name": "Sở Nội vụ", "files": []}]
            return {"units": {"expected": 32, "received": [{}] * 31, "missing": missing}}

    def run(
        folder: Path, roster: object = None, name: str | None = None, forms: Any = None
    ) -> Result:
        seen.update(folder=folder, roster=roster, name=name, forms=forms.name)
        return Result()

    monkeypatch.setattr("ctmtcntt.workflows.consolidate", run)
    chosen = tmp_path / "Đã chọn"
    chosen.mkdir()
    book = caller(_control(xw, tmp_path / "khác", unit="UBND tỉnh khác"))
    excel.consolidate(str(chosen), "UBND t\u1ec9nh Ph\u00fa Y\u00ean")  # as PyText escapes it
    assert chosen == seen["folder"]
    assert seen["roster"] is None  # the workflow then takes roster.csv from the folder
    assert "UBND tỉnh Phú Yên" == seen["name"]  # the name the VBA passed wins over the cell
    assert "ctmt-2016-2020" == seen["forms"]  # no cell BoBieuMau: the default form set
    text = alert_text(book)
    assert "Đã nhận báo cáo của 31/32 đơn vị. Chưa gửi (1): Sở Nội vụ." in text
    assert (tmp_path / "Tổng hợp - Đã chọn.xlsx").is_file()


def _button_made(
    xw: ModuleType, caller: Callable[[Payload], Any], folder: Path, unit: str | None
) -> Path:
    """Consolidate ``folder`` with the button, the control sheet's DonViBaoCao set to ``unit``."""
    book = caller(_control(xw, folder, unit))
    excel.consolidate()
    out = folder.parent / f"Tổng hợp - {folder.name}.xlsx"
    assert out.is_file(), alert_text(book)
    return out


def test_the_button_writes_the_name_of_the_cell_on_the_province_workbook(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """DonViBaoCao of the control sheet is the "Đơn vị báo cáo" of the province workbook, and
    the message says so; empty, the message says how to name it."""
    from ctmtcntt.workflows import validate as validate_files

    folder = tmp_path / "binh-dinh"
    shutil.copytree(EXAMPLE, folder)
    out = _button_made(xw, caller, folder, "UBND tỉnh Bình Định")
    (checked,) = validate_files([out]).files
    assert "UBND tỉnh Bình Định" == checked.unit
    book = caller(_control(xw, folder, "UBND tỉnh Bình Định"))
    excel.consolidate()
    assert "Đơn vị báo cáo ghi trên tệp tổng hợp: UBND tỉnh Bình Định." in alert_text(book)
    book = caller(_control(xw, folder))
    excel.consolidate()
    assert f"(tên {excel.UNIT_NAME}) rồi bấm lại" in alert_text(book)


def test_a_ministry_consolidates_the_provinces_button_made_workbooks(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """Two provinces consolidate with the button, each naming itself: the level above tells the
    two apart and adds them up. Unnamed, both say the same name, and the place each covers (the
    province its units name, else its folder's name) still tells them apart."""
    from ctmtcntt.workflows import consolidate as consolidate_folder

    provinces = (tmp_path / "tinh-a", tmp_path / "tinh-b")
    units = sorted(p for p in EXAMPLE.rglob("*.xlsx"))
    for index, path in enumerate(units):
        # Each province has its province-wide unit (TINH) and half of the others.
        homes = provinces if path.name.startswith("TINH") else [provinces[index % 2]]
        for home in homes:
            target = home / path.relative_to(EXAMPLE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)

    def ministry(names: tuple[str | None, str | None]) -> dict[str, Any]:
        folder = tmp_path / f"bo-{uuid.uuid4().hex}"
        folder.mkdir()
        for province, name in zip(provinces, names, strict=True):
            made = _button_made(xw, caller, province, name)
            shutil.move(made, folder / made.name)
        units: dict[str, Any] = consolidate_folder(folder, name="Bộ").to_dict()["units"]
        return units

    named = ministry(("UBND tỉnh A", "UBND tỉnh B"))
    assert ["UBND tỉnh A", "UBND tỉnh B"] == sorted(u["name"] for u in named["received"])
    assert [] == named["duplicate"]
    unnamed = ministry((None, None))
    assert [] == unnamed["duplicate"]
    places = {u["name"].rsplit(" – ", 1)[1] for u in unnamed["received"]}
    assert 2 == len(places), places


def test_consolidate_when_the_output_is_open_in_excel(
    xw: ModuleType,
    caller: Callable[[Payload], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The last province workbook is still open in Excel (it refuses the replacement): the
    message names that workbook and says to close it, and nothing else is left beside it."""
    import ctmtcntt.common.saving

    folder = tmp_path / "Đợt 1"
    folder.mkdir()
    shutil.copy(EXAMPLE / S05, folder / S05)
    out = tmp_path / "Tổng hợp - Đợt 1.xlsx"
    out.write_bytes(b"last run")

    def locked(source: str, target: object) -> None:
        raise PermissionError(13, "Permission denied", source)

    monkeypatch.setattr(ctmtcntt.common.saving.os, "replace", locked)
    book = caller(_control(xw, folder))
    excel.consolidate()
    text = alert_text(book)
    assert f"{out}:" in text
    assert "đóng tệp trong Excel" in text
    assert b"last run" == out.read_bytes()
    assert sorted([folder, out]) == sorted(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("folder", "message"),
    [(None, "Chưa chọn thư mục cần tổng hợp"), ("/không/có/thư/mục", "Không tìm thấy thư mục")],
)
def test_consolidate_without_a_usable_folder_says_what_to_do(
    xw: ModuleType, caller: Callable[[Payload], Any], folder: str | None, message: str
) -> None:
    """No folder, or one that does not exist: a message, nothing written."""
    book = caller(_control(xw, Path(folder) if folder else None))
    excel.consolidate()
    assert message in alert_text(book)


# -- report ------------------------------------------------------------------------------------


def test_report_drafts_the_word_document_beside_the_folder(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """«Soạn báo cáo»: the draft lands beside the folder; the message counts what staff write."""
    folder = tmp_path / "Báo cáo các đơn vị"
    shutil.copytree(EXAMPLE, folder)
    book = caller(_control(xw, folder))
    excel.report()
    out = tmp_path / "Báo cáo - Báo cáo các đơn vị.docx"
    assert out.is_file()
    assert [] == list(folder.glob("Báo cáo -*"))
    text = alert_text(book)
    assert str(out) in text
    assert "Đã nhận báo cáo của 32/32 đơn vị." in text
    assert re.search(
        r"\d+ câu được viết tự động từ số liệu. Cán bộ cần viết \d+ phần tô vàng", text
    )
    from docx import Document

    body = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "1.144 dịch vụ" in body


def test_report_is_headed_with_the_name_in_the_control_sheet(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """The control sheet's «Đơn vị báo cáo» (DonViBaoCao) names the province on the report."""
    folder = tmp_path / "don-vi"
    shutil.copytree(EXAMPLE, folder)
    caller(_control(xw, folder, unit="UBND tỉnh Bình Định"))
    excel.report()
    from docx import Document

    out = tmp_path / "Báo cáo - don-vi.docx"
    heading = Document(str(out)).tables[0].rows[0].cells[0].paragraphs[0].text
    assert "UBND TỈNH BÌNH ĐỊNH" == heading


def test_report_with_a_template_that_does_not_exist_says_so(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """MauBaoCao naming a missing file: a message naming the cell, nothing written."""
    payload = _control(xw, EXAMPLE)
    payload["names"].append({**_folder_name(EXAMPLE), "name": excel.TEMPLATE_NAME, "address": "B8"})
    values = payload["sheets"][0]["values"]
    values.extend([None, None] for _ in range(len(values), 7))  # down to row 7
    values.append(["Mẫu", str(tmp_path / "khong.docx")])  # B8
    book = caller(payload)
    excel.report()
    text = alert_text(book)
    assert "Không tìm thấy mẫu báo cáo" in text
    assert excel.TEMPLATE_NAME in text
    assert not (EXAMPLE.parent / f"Báo cáo - {EXAMPLE.name}.docx").exists()


# -- the macro workbook and the add-in ---------------------------------------------------------

BUTTONS = ("Kiểm tra", "Tính tổng, tỷ lệ", "Tổng hợp thư mục", "Soạn báo cáo")


def _vba(path: Path) -> dict[str, str]:
    with warnings.catch_warnings():
        # oletools still calls pyparsing's camelCase names, deprecated in pyparsing 3.3.
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _subs(code: str) -> set[str]:
    return set(re.findall(r"^\s*(?:Public\s+|Private\s+)?Sub\s+(\w+)", code, re.M | re.I))


@pytest.mark.parametrize("path", MACRO_FILES, ids=lambda p: p.name)
def test_every_runpython_call_names_an_existing_function(path: Path) -> None:
    """Each RunPython "import M; M.f(" in the VBA names a function that exists in M and takes
    the arguments the call passes."""
    import importlib
    import inspect

    code = "\n".join(
        line
        for text in _vba(path).values()
        for line in text.splitlines()
        if not line.lstrip().startswith("'")  # xlwings' comments show an example call
    )
    calls = re.findall(r'RunPython\s+"import\s+([\w.]+)\s*;\s*([\w.]+)\.(\w+)\((.*)$', code, re.M)
    called = {function for _, _, function, _ in calls}
    assert {"validate", "fill", "consolidate", "report"} == called
    for module, prefix, function, rest in calls:
        assert module == prefix
        target = getattr(importlib.import_module(module), function)
        assert callable(target)
        # Each argument is a PyText(...) literal: the function takes that many.
        inspect.signature(target).bind(*["x"] * rest.count("PyText("))


@pytest.mark.parametrize("path", MACRO_FILES, ids=lambda p: p.name)
def test_the_vba_xlwings_version_is_the_pinned_one(xw: ModuleType, path: Path) -> None:
    """The xlwings VBA module matches the installed xlwings (RunPython refuses a mismatch)."""
    code = _vba(path)["xlwings.bas"]
    assert f"'Version: {xw.__version__}" in code
    assert f'XLWINGS_VERSION As String = "{xw.__version__}"' in code
    pinned = re.search(r'"xlwings==([\d.]+)"', (ROOT / "pyproject.toml").read_text("utf-8"))
    assert pinned
    assert xw.__version__ == pinned.group(1)


@pytest.mark.parametrize("path", MACRO_FILES, ids=lambda p: p.name)
def test_the_binary_holds_the_vba_source_of_the_repository(path: Path) -> None:
    """workbooks/vba/CtmtNut.bas is what the binary runs: rebuild it after editing the .bas."""
    source = VBA_SOURCE.read_text(encoding="ascii").replace("\r\n", "\n")
    assert source.strip() == _vba(path)["CtmtNut.bas"].replace("\r\n", "\n").strip()


def test_the_buttons_run_macros_that_exist() -> None:
    """The four buttons of the macro workbook are bound to Subs of its VBA."""
    path = WORKBOOKS / "ctmtcntt.xlsm"
    with zipfile.ZipFile(path) as package:
        drawings = [n for n in package.namelist() if n.startswith("xl/drawings/vmlDrawing")]
        vml = "".join(package.read(n).decode("utf-8") for n in drawings)
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert 4 == len(macros)
    assert set(macros) <= _subs(_vba(path)["CtmtNut.bas"])
    for label in BUTTONS:
        assert label in vml


def test_the_ribbon_buttons_call_macros_that_exist() -> None:
    """The add-in's ribbon tab has the four buttons, each bound to a Sub of its VBA."""
    path = WORKBOOKS / "ctmtcntt.xlam"
    with zipfile.ZipFile(path) as package:
        ribbon = package.read("customUI/customUI.xml").decode("utf-8")
        types = package.read("[Content_Types].xml").decode("utf-8")
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
    actions_ = re.findall(r'onAction="CtmtNut\.(\w+)"', ribbon)
    assert 4 == len(actions_)
    assert set(actions_) <= _subs(_vba(path)["CtmtNut.bas"])
    for label in BUTTONS:
        assert f'label="{label}"' in ribbon


def test_the_build_script_rebuilds_the_same_vba(tmp_path: Path) -> None:
    """tools/build_macro_workbook.py, run again, writes binaries with the same VBA modules."""
    if shutil.which("xlwings", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("the xlwings command is not installed beside this Python")
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_macro_workbook.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for path in MACRO_FILES:
        assert _vba(path) == _vba(tmp_path / path.name)


# -- the guide ---------------------------------------------------------------------------------


def test_the_guide_lists_every_finding_code_as_generated() -> None:
    """docs/huong-dan-su-dung.md holds the catalogue tools/gen_docs.py makes from the schemas."""
    import runpy

    gen_docs = runpy.run_path(str(ROOT / "tools" / "gen_docs.py"))
    guide = (ROOT / "docs" / "huong-dan-su-dung.md").read_text(encoding="utf-8")
    assert gen_docs["render"](guide) == guide, "run: python tools/gen_docs.py"
    for code in re.findall(r"^([a-z-]+):$", (ROOT / "schemas" / "findings.yaml").read_text(), re.M):
        assert f"| `{code}` |" in guide


def test_the_guide_images_exist_and_are_small() -> None:
    """Every picture the guide shows is in docs/images and under 150 KB."""
    guide = (ROOT / "docs" / "huong-dan-su-dung.md").read_text(encoding="utf-8")
    images = re.findall(r"\]\((images/[^)]+\.png)\)", guide)
    assert len(images) >= 5
    for image in images:
        path = ROOT / "docs" / image
        assert path.is_file(), image
        assert path.stat().st_size < 150_000, image


def test_a_protected_sheet_is_named_in_the_message(
    xw: ModuleType,
    caller: Callable[[Payload], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sheet that refuses colours (protected in Excel) is named, with how to unprotect it."""
    setter = xw.main.Range.color.fset

    def refuse(self: Any, value: object) -> None:
        if self.sheet.name == "Phụ lục 01":
            raise RuntimeError("The cell or chart is on a protected sheet.")
        setter(self, value)

    monkeypatch.setattr(xw.main.Range, "color", xw.main.Range.color.setter(refuse))
    book = caller(payload(xw, planted(tmp_path)))
    excel.validate()
    text = alert_text(book)
    assert text.startswith("2 lỗi, 2 cảnh báo.")
    assert "Trang tính «Phụ lục 01» không cho sửa (đang được bảo vệ?)" in text
    assert "Unprotect Sheet" in text


def _with_forms(payload: Payload, forms: str) -> Payload:
    """The control sheet with the form set named in B7 (the cell BoBieuMau)."""
    sheet = payload["sheets"][0]
    sheet["values"] = [*sheet["values"], [None, None], ["Bộ biểu mẫu", forms]]
    name = {**_folder_name(Path()), "name": excel.FORMS_NAME, "address": "B7"}
    return {**payload, "names": [*payload["names"], name]}


def test_the_button_consolidates_with_the_form_set_of_its_cell(
    xw: ModuleType, caller: Callable[[Payload], Any], tmp_path: Path
) -> None:
    """BoBieuMau names the 2024 set: the 2024 forms are added up into a workbook of their own
    sheets; a set that does not exist is said, naming the cell."""
    folder = tmp_path / "Báo cáo 2024"
    shutil.copytree(ROOT / "examples" / "binh-dinh-2024", folder)
    book = caller(_with_forms(_control(xw, folder, "UBND tỉnh Bình Định"), "cds-2024"))
    excel.consolidate()
    out = tmp_path / "Tổng hợp - Báo cáo 2024.xlsx"
    assert out.is_file(), alert_text(book)
    assert "Đã nhận báo cáo của 32/32 đơn vị." in alert_text(book)
    sheets = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert ["Biểu 01", "Biểu 02"] == sheets[:2]
    book = caller(_with_forms(_control(xw, folder), "cds-2099"))
    excel.consolidate()
    assert "Không có bộ biểu mẫu 'cds-2099'" in alert_text(book)
    assert f"(ô {excel.FORMS_NAME})" in alert_text(book)


def test_the_macro_workbook_has_the_form_set_cell() -> None:
    """The control sheet of the macro workbook names B7 BoBieuMau, the cell the buttons read."""
    book = openpyxl.load_workbook(WORKBOOKS / "ctmtcntt.xlsm", keep_vba=True)
    defined = book.defined_names[excel.FORMS_NAME]
    assert "'Bảng điều khiển'!$B$7" == defined.attr_text
    assert "Bộ biểu mẫu" in str(book["Bảng điều khiển"]["A7"].value)
