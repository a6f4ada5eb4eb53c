"""The Excel front: what the buttons "Kiểm tra", "Tính tổng, tỷ lệ", "Tổng hợp thư mục" and
"Soạn báo cáo" run.

Each entry point is called by xlwings' ``RunPython`` from the VBA in ``workbooks/`` and works on
``xw.Book.caller()``; outside Excel, ``book.set_mock_caller()`` stands in for the button. Like
the CLI it is glue only: read the open workbook's values, make one library call, show the result
in the workbook. Nothing here ever lets a traceback reach the user: every failure becomes a
Vietnamese message box saying what went wrong and what to do.

This is the only module that imports xlwings, and only inside functions, so the rest of the
package works where xlwings is not installed (``pip install "ctmtcntt[excel]"``).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from .common.numbers import looks_like_formula
from .errors import CtmtError

INSTALL_HINT = 'pip install "ctmtcntt[excel]"'
RESULTS_SHEET = "Kết quả kiểm tra"
# Where the cells coloured by the last check are remembered, with the fill each had before,
# so the next check can give every cell its own colour back (input cells are shaded FFF2CC).
MARKS_SHEET = "ctmt_danh_dau"
ERROR_FILL = "#FFC7CE"
WARNING_FILL = "#FFEB9C"
FOLDER_NAME = "ThuMuc"
ROSTER_NAME = "DanhSach"
# The name written on "Đơn vị báo cáo:" of the province workbook, so that the level above can
# tell provinces apart when it consolidates their workbooks in turn.
UNIT_NAME = "DonViBaoCao"
TEMPLATE_NAME = "MauBaoCao"  # the province's own Word template of the report, if any
#: The named cell of the control workbook naming the form set (empty: the 2016–2020 set).
FORMS_NAME = "BoBieuMau"
LOG_FILE = Path(tempfile.gettempdir()) / "ctmtcntt-excel.log"
# A sheet whose used range reaches far (formatting dragged to the last row) must not make us
# read millions of empty cells; the forms fit well inside this.
MAX_ROWS = 10_000
MAX_COLUMNS = 200

_NOT_READ = "?"

Book = Any  # an xlwings Book: xlwings' own types stay out of this module's signatures


def validate(book: str | None = None) -> None:
    """Check the calling workbook from its current values, mark the cells, list the findings.

    Cells with an error are filled red, with a warning yellow; the sheet "Kết quả kiểm tra"
    lists every finding under a one-line summary; the marks of an earlier check are removed
    first, each cell getting back the fill it had. ``book`` names another open workbook to
    check instead of the caller (the macro workbook passes the one the user chose).
    """
    _entry("Kiểm tra", lambda caller: _validate(caller, _target(caller, book)))


def fill(book: str | None = None) -> None:
    """Write the computed cells (totals, ratios, assessments) into the calling workbook."""
    _entry("Tính tổng, tỷ lệ", lambda caller: _fill(caller, _target(caller, book)))


def consolidate(folder: str | None = None, name: str | None = None) -> None:
    """Consolidate a folder of unit workbooks into a province workbook beside it, and open it.

    The folder is the one passed (the VBA folder dialog) or, when none is, the value of the
    calling workbook's named cell ``ThuMuc``. ``name`` goes on the "Đơn vị báo cáo:" line of the
    province workbook (the VBA reads it from the cell ``DonViBaoCao`` or asks); when it is not
    given, the calling workbook's cell ``DonViBaoCao``; when that is empty too, the workbook
    carries the province-wide unit's name, as ``ctmt consolidate`` without ``--name``, and the
    message says how to name it.
    """
    _entry("Tổng hợp thư mục", lambda caller: _consolidate(caller, folder, name))


def report(folder: str | None = None) -> None:
    """Draft the Báo cáo (Word) from a folder of unit workbooks, beside the folder, and open it.

    The folder is chosen as for ``consolidate``; the named cells ``MauBaoCao`` (the province's
    template) and ``DonViBaoCao`` (its name, heading the report) of the calling workbook are
    used when filled.
    """
    _entry("Soạn báo cáo", lambda caller: _report(caller, folder))


# -- the jobs ---------------------------------------------------------------------------------


def _validate(caller: Book, book: Book) -> str:
    from .workflows import check_reports, read_grids

    report = read_grids(_grids(book), source=book.name, catalogue=_forms(caller))
    result = check_reports([report], roster=None)[0]
    findings = list(result.findings)
    sheet = _results_sheet(book)  # before the marks sheet, which stays last and hidden
    problems = _mark(book, findings)
    _write_results(sheet, book.name, findings, result.unit, result.forms, problems)
    errors, warnings = _totals(findings)
    lines = [f"{errors} lỗi, {warnings} cảnh báo."]
    if findings:
        lines.append(
            "Ô có lỗi được tô đỏ, ô có cảnh báo tô vàng; danh sách ở trang tính "
            f"«{RESULTS_SHEET}». Sửa xong, bấm «Kiểm tra» lần nữa."
        )
    else:
        lines.append("Không phát hiện sai sót nào.")
    lines.extend(problems)
    return "\n\n".join(lines)


def _fill(caller: Book, book: Book) -> str:
    from .workflows import fill_cells, read_grids

    report = read_grids(_grids(book), source=book.name, catalogue=_forms(caller))
    writes = fill_cells(report)
    refused: set[str] = set()
    written = 0
    for write in writes:
        if write.sheet in refused:
            continue
        try:
            book.sheets[write.sheet].range(write.cell).value = _cell_value(write.value)
        except Exception:  # a protected sheet refuses every write; say so once per sheet
            refused.add(write.sheet)
        else:
            written += 1
    if not writes:
        return (
            f"Không có ô tính toán nào để ghi: không tìm thấy {_sheets(caller)} trong "
            "sổ này, hoặc chưa có số liệu chi tiết."
        )
    lines = [f"Đã ghi {written} ô tính toán (tổng, tỷ lệ, đánh giá)."]
    lines.extend(_protected(sheet) for sheet in sorted(refused))
    lines.append("Bấm «Kiểm tra» để xem còn lỗi nào không, rồi lưu tệp.")
    return "\n\n".join(lines)


def _consolidate(caller: Book, folder: str | None, name: str | None = None) -> str:
    from .workflows import consolidate as consolidate_folder
    from .workflows import province_output

    path = _folder(caller, folder)
    # Beside the folder, never in it: the next consolidation must not read its own output.
    out = province_output(path.parent / f"Tổng hợp - {path.name}.xlsx", [path])
    unit = _text(name).strip() if name else None
    unit = unit or _named_value(caller, UNIT_NAME)
    result = consolidate_folder(path, roster=_roster(caller), name=unit, forms=_forms(caller))
    # A failed write (the file open in Excel, a full disk) is an OutputError naming the file
    # and saying what to do: shown as it is.
    result.write(out)
    errors, warnings = _totals(result.findings)
    lines = [f"Đã tổng hợp thư mục «{path.name}» vào tệp:\n{out}", _units_line(result)]
    lines.append(f"{errors} lỗi, {warnings} cảnh báo (xem trang «Kết quả kiểm tra» trong tệp).")
    lines.append(_unit_line(result, unit))
    if not _open(caller, out):
        lines.append("Hãy mở tệp trên để xem kết quả.")
    return "\n\n".join(line for line in lines if line)


def _report(caller: Book, folder: str | None) -> str:
    from .workflows import consolidate as consolidate_folder

    path = _folder(caller, folder)
    template = _named_value(caller, TEMPLATE_NAME)
    if template and not Path(template).expanduser().is_file():
        raise CtmtError(f"Không tìm thấy mẫu báo cáo: {template} (ô {TEMPLATE_NAME}).")
    out = path.parent / f"Báo cáo - {path.name}.docx"
    result = consolidate_folder(
        path, roster=_roster(caller), name=_named_value(caller, UNIT_NAME), forms=_forms(caller)
    )
    try:
        draft = result.write_report(out, Path(template).expanduser() if template else None)
    except OSError as exc:
        raise _not_written(out, exc) from exc
    errors, _ = _totals(result.findings)
    lines = [f"Đã soạn dự thảo báo cáo từ thư mục «{path.name}»:\n{out}", _units_line(result)]
    lines.append(
        f"{len(draft.statements)} câu được viết tự động từ số liệu. Cán bộ cần viết "
        f"{len(draft.for_staff)} phần tô vàng trong tệp, rồi bỏ tô vàng trước khi trình ký."
    )
    if errors:
        lines.append(
            f"Số liệu còn {errors} lỗi (các số có lỗi không được cộng): bấm «Tổng hợp thư mục» "
            "để xem trang «Kết quả kiểm tra»."
        )
    if not _open_document(out):
        lines.append("Hãy mở tệp trên bằng Word.")
    return "\n\n".join(line for line in lines if line)


def _not_written(out: Path, exc: OSError) -> CtmtError:
    return CtmtError(
        f"Không ghi được tệp {out} ({exc.strerror or exc}). Nếu tệp này đang mở, hãy đóng "
        "nó rồi bấm lại."
    )


def _folder(caller: Book, folder: str | None) -> Path:
    """The folder to add up: the one the VBA dialog passed, else the named cell ``ThuMuc``."""
    chosen = _text(folder) if folder else _named_value(caller, FOLDER_NAME)
    if not chosen:
        raise CtmtError(
            "Chưa chọn thư mục cần tổng hợp. Hãy ghi đường dẫn thư mục vào ô «Thư mục» "
            f"(tên {FOLDER_NAME}) hoặc bấm nút và chọn thư mục."
        )
    path = Path(chosen.strip().strip('"')).expanduser()
    if not path.is_dir():
        raise CtmtError(f"Không tìm thấy thư mục: {path}. Hãy kiểm tra lại đường dẫn.")
    if path.parent == path:
        raise CtmtError(
            f"Không tổng hợp cả ổ đĩa {path}: hãy chép các tệp báo cáo vào một thư mục riêng."
        )
    return path


def _unit_line(result: Any, unit: str | None) -> str:
    """What the province workbook says on "Đơn vị báo cáo:", and how to change it if unnamed."""
    written = getattr(result, "province", None) or unit
    line = f"Đơn vị báo cáo ghi trên tệp tổng hợp: {written}." if written else ""
    if not unit:
        line += (
            " Để cấp trên tổng hợp tiếp các tệp tổng hợp, hãy ghi tên đơn vị (ví dụ «UBND tỉnh"
            f" Bình Định») vào ô «Đơn vị báo cáo» của sổ điều khiển (tên {UNIT_NAME}) rồi bấm lại."
        )
    return line.strip()


def _units_line(result: Any) -> str:
    """Units received, expected and missing, from the JSON contract's ``units``."""
    try:
        units = result.to_dict()["units"]
        received = len(units["received"])
        expected = units["expected"]
        missing = [unit["name"] or unit["code"] for unit in units["missing"]]
    except Exception:  # a summary line is a nicety; the workbook has the full account
        return ""
    line = f"Đã nhận báo cáo của {received}" + (f"/{expected}" if expected else "") + " đơn vị."
    if missing:
        line += f" Chưa gửi ({len(missing)}): " + ", ".join(str(m) for m in missing[:12])
        line += ", …" if len(missing) > 12 else "."
    return line


# -- reading the open workbook ----------------------------------------------------------------


def _grids(book: Book) -> dict[str, list[list[object]]]:
    """Every sheet's values from A1 (our own sheets left out), as the readers give them."""
    grids: dict[str, list[list[object]]] = {}
    for sheet in book.sheets:
        if sheet.name in (RESULTS_SHEET, MARKS_SHEET):
            continue
        last = sheet.used_range.last_cell
        rows, columns = min(last.row, MAX_ROWS), min(last.column, MAX_COLUMNS)
        # From A1, not from the used range's corner: the reader counts rows as Excel does.
        values = sheet.range((1, 1), (rows, columns)).options(ndim=2, err_to_str=True).value
        grids[sheet.name] = [list(row) for row in values or [[]]]
    return grids


def _target(caller: Book, name: str | None) -> Book:
    """The workbook to work on: the caller, or the open workbook the macro workbook chose."""
    if not name:
        return caller
    name = _text(name)
    if caller.name == name:
        return caller
    try:
        return caller.app.books[name]
    except Exception as exc:
        raise CtmtError(
            f"Không tìm thấy sổ «{name}» đang mở trong Excel. Hãy mở tệp đó rồi bấm lại."
        ) from exc


def _named_value(book: Book, name: str) -> str | None:
    """The text in a named cell (``ThuMuc``), None when the name or the text is absent."""
    try:
        value = book.names[name].refers_to_range.value
    except Exception:  # no such name, or a name that is not a cell
        return None
    return str(value).strip() if value not in (None, "") else None


def _forms(caller: Book) -> Any:
    """The form set named in the control workbook (``BoBieuMau``): a shipped set's name or a
    folder; the 2016–2020 set when the cell is absent or empty."""
    from .errors import SpecError
    from .forms.spec import load_catalogue

    named = _named_value(caller, FORMS_NAME)
    try:
        return load_catalogue(named)
    except SpecError as exc:
        raise CtmtError(f"{exc} (ô {FORMS_NAME}).") from exc


def _sheets(caller: Book) -> str:
    return " hay ".join(spec.sheet for spec in _forms(caller).forms.values())


def _roster(caller: Book) -> str | None:
    """The roster CSV named in the control workbook (``DanhSach``); else the folder's own."""
    named = _named_value(caller, ROSTER_NAME)
    if named and not Path(named).expanduser().is_file():
        raise CtmtError(f"Không tìm thấy tệp danh sách đơn vị: {named} (ô {ROSTER_NAME}).")
    return str(Path(named).expanduser()) if named else None


# -- marking cells ----------------------------------------------------------------------------


def _mark(book: Book, findings: Iterable[Any]) -> list[str]:
    """Colour the cells of this check after giving the last check's cells their fill back.

    Returns a sentence per sheet that refused the colours (a protected sheet).
    """
    from .common.cells import parse_a1

    sheets = {sheet.name for sheet in book.sheets} - {RESULTS_SHEET, MARKS_SHEET}
    wanted: dict[tuple[str, str], str] = {}
    for finding in findings:
        if finding.sheet not in sheets or not finding.cell:
            continue
        try:
            parse_a1(finding.cell)
        except ValueError:
            continue
        key = (finding.sheet, finding.cell.replace("$", "").upper())
        if wanted.get(key) != ERROR_FILL:
            wanted[key] = ERROR_FILL if finding.severity == "error" else WARNING_FILL
    old = _read_marks(book)
    refused: set[str] = set()

    def paint(key: tuple[str, str], colour: str | None) -> bool:
        if key[0] in refused:
            return False
        try:
            book.sheets[key[0]].range(key[1]).color = colour
        except Exception:  # a protected sheet refuses formatting
            refused.add(key[0])
            return False
        return True

    record: dict[tuple[str, str], tuple[str, str]] = {}
    for key, (previous, applied) in old.items():
        if key in wanted or key[0] not in sheets:
            continue
        current = _fill_of(book.sheets[key[0]].range(key[1]))
        if current not in (_NOT_READ, applied):
            continue  # recoloured by hand since the last check: leave it as it is
        if not paint(key, previous or None):
            record[key] = (previous, applied)  # still marked: try again next time
    for key, colour in wanted.items():
        current = _fill_of(book.sheets[key[0]].range(key[1]))
        if key in old and current in (_NOT_READ, old[key][1]):
            previous = old[key][0]
        else:
            # Where the fill cannot be read (not Excel) "no fill" is all we can give back.
            previous = "" if current == _NOT_READ else current
        if paint(key, colour):
            record[key] = (previous, colour)
    _write_marks(book, record)
    return [_protected(sheet) for sheet in sorted(refused)]


def _fill_of(cell: Any) -> str:
    """A cell's fill as ``#RRGGBB``, "" for none, ``_NOT_READ`` where the engine cannot say."""
    try:
        colour = cell.color
    except Exception:  # the JSON engine cannot read formats
        return _NOT_READ
    if colour is None:
        return ""
    if isinstance(colour, str):
        return colour.upper() if colour.startswith("#") else "#" + colour.upper()
    red, green, blue = colour
    return f"#{red:02X}{green:02X}{blue:02X}"


def _read_marks(book: Book) -> dict[tuple[str, str], tuple[str, str]]:
    """The cells the last check coloured: (sheet, cell) -> (fill before, fill applied)."""
    sheet = _sheet(book, MARKS_SHEET)
    if sheet is None:
        return {}
    last = sheet.used_range.last_cell
    rows = sheet.range((1, 1), (min(last.row, MAX_ROWS), 4)).options(ndim=2).value or []
    marks: dict[tuple[str, str], tuple[str, str]] = {}
    for row in rows[2:]:
        name, cell, previous, applied = (_as_text(value) for value in row[:4])
        if name and cell:
            marks[(name, cell.upper())] = (previous.upper(), applied.upper())
    return marks


def _write_marks(book: Book, record: Mapping[tuple[str, str], tuple[str, str]]) -> None:
    sheet = _sheet(book, MARKS_SHEET)
    if sheet is None and not record:
        return
    if sheet is None:
        sheet = _add_sheet(book, MARKS_SHEET)
        sheet.visible = False
    else:
        sheet.clear_contents()
    rows: list[list[object]] = [
        [
            "Các ô nút «Kiểm tra» (ctmtcntt) đã tô màu, với màu nền trước đó. Đừng sửa trang "
            "này: lần kiểm tra sau dùng nó để trả lại màu cũ.",
            None,
            None,
            None,
        ],
        ["Trang tính", "Ô", "Màu cũ", "Màu đã tô"],
    ]
    rows.extend(
        [_quoted(name), cell, previous, applied]
        for (name, cell), (previous, applied) in record.items()
    )
    sheet.range((1, 1)).value = rows


# -- the results sheet ------------------------------------------------------------------------


def _results_sheet(book: Book) -> Any:
    sheet = _sheet(book, RESULTS_SHEET)
    if sheet is None:
        return _add_sheet(book, RESULTS_SHEET)
    sheet.clear()
    return sheet


def _add_sheet(book: Book, name: str) -> Any:
    try:
        return book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
    except Exception as exc:  # a workbook whose structure is protected refuses new sheets
        raise CtmtError(
            f"Không thêm được trang tính «{name}» vào sổ (cấu trúc sổ đang được bảo vệ?). Hãy bỏ "
            "bảo vệ (Review > Protect Workbook / Xem lại > Bảo vệ sổ làm việc) rồi bấm lại."
        ) from exc


def _write_results(
    sheet: Any,
    book_name: str,
    findings: Sequence[Any],
    unit: str | None,
    forms: Sequence[str],
    problems: Sequence[str],
) -> None:
    from .findings import SEVERITY_LABEL

    errors, warnings = _totals(findings)
    now = dt.datetime.now()
    summary = (
        f"{book_name}: {errors} lỗi, {warnings} cảnh báo "
        f"(kiểm tra lúc {now:%H:%M} ngày {now:%d/%m/%Y})."
    )
    about = (
        f"Đơn vị báo cáo: {unit or '(chưa ghi)'}; biểu: {', '.join(forms) or 'không có'}. "
        "Ô tô đỏ: lỗi, phải sửa; ô tô vàng: cảnh báo, nên xem lại. Bấm vào ô ở cột B để đến ô đó."
    )
    lead: list[object] = [summary, about, *problems, None]
    rows: list[list[object]] = [[text, None, None, None, None] for text in lead]
    rows.append(["Trang tính", "Ô", "Mức độ", "Mã", "Nội dung"])
    header = len(rows)
    for finding in findings:
        rows.append(
            [
                _quoted(finding.sheet or ""),
                _link(finding.sheet, finding.cell),
                SEVERITY_LABEL.get(finding.severity, finding.severity),
                finding.code,
                _quoted(finding.message),
            ]
        )
    if not findings:
        rows.append(["Không có lỗi hay cảnh báo nào.", None, None, None, None])
    sheet.range((1, 1)).value = rows
    _decorate(sheet, header, findings)
    sheet.activate()


def _decorate(sheet: Any, header: int, findings: Sequence[Any]) -> None:
    """Widths, a bold header and the severity colours: cosmetic, so never fatal."""
    try:
        for column, width in zip(range(1, 6), (16, 8, 10, 28, 90), strict=True):
            sheet.range((1, column)).column_width = width
        sheet.range((header, 1), (header, 5)).font.bold = True
        sheet.range((1, 1)).font.bold = True
        if findings:
            sheet.range((header + 1, 5), (header + len(findings), 5)).wrap_text = True
            sheet.autofit("rows")
        for offset, finding in enumerate(findings, start=1):
            fill = ERROR_FILL if finding.severity == "error" else WARNING_FILL
            sheet.range((header + offset, 3)).color = fill
    except Exception:  # formatting is a nicety; a refusal must not hide the findings
        return


def _link(sheet: str | None, cell: str | None) -> str:
    """A formula that jumps to the cell, showing its address; the address alone without a sheet."""
    if not cell:
        return ""
    if not sheet:
        return cell
    target = "'" + sheet.replace("'", "''") + "'!" + cell
    return f'=HYPERLINK("#{target.replace(chr(34), chr(34) * 2)}","{cell}")'


# -- helpers ----------------------------------------------------------------------------------


def _entry(title: str, work: Callable[[Book], str]) -> None:
    """Run one button's job on the calling workbook; every outcome ends in a message box."""
    try:
        caller = _xlwings().Book.caller()
    except Exception as exc:
        # No workbook to show a message in: xlwings shows what we print when the exit code is
        # not 0 (RunPython), a console shows it otherwise.
        print(_no_caller(exc), file=sys.stderr)
        raise SystemExit(1) from None
    try:
        message = work(caller)
    except CtmtError as exc:
        message = f"{exc}"
    except Exception as exc:
        message = _unexpected(title, exc)
    _alert(caller, message, title)


def _xlwings() -> ModuleType:
    try:
        import xlwings
    except ImportError as exc:
        raise CtmtError(
            f"Chưa cài xlwings, cần cho các nút trong Excel. Hãy chạy: {INSTALL_HINT}"
        ) from exc
    return xlwings


def _no_caller(exc: Exception) -> str:
    if isinstance(exc, CtmtError):
        return str(exc)
    return (
        "Không xác định được sổ Excel đã bấm nút. Các hàm này chạy từ nút trong Excel "
        "(RunPython); khi chạy thử ngoài Excel, hãy gọi book.set_mock_caller() trước. "
        f"Chi tiết: {type(exc).__name__}: {exc}"
    )


def _unexpected(title: str, exc: Exception) -> str:
    logged = _log(exc)
    where = f" Chi tiết đã ghi vào tệp {LOG_FILE}." if logged else ""
    return (
        f"«{title}» không thực hiện được do một lỗi không lường trước "
        f"({type(exc).__name__}: {exc}).\n\nHãy lưu tệp, đóng rồi mở lại Excel và thử lại; "
        f"nếu vẫn lỗi, gửi thông báo này cho cán bộ phụ trách CNTT.{where}"
    )


def _log(exc: Exception) -> bool:
    try:
        with LOG_FILE.open("a", encoding="utf-8") as log:
            log.write(f"--- {dt.datetime.now():%Y-%m-%d %H:%M:%S}\n")
            log.write("".join(traceback.format_exception(exc)))
    except OSError:
        return False
    return True


def _alert(book: Book, message: str, title: str) -> None:
    try:
        book.app.alert(message, title=f"{title} – ctmtcntt")
    except Exception:  # no window to speak through: fall back to what RunPython logs
        print(message, file=sys.stderr)


def _open(caller: Book, path: Path) -> bool:
    """Open a workbook in the caller's Excel; False where that cannot be done."""
    try:
        caller.app.books.open(str(path))
    except Exception:  # opened by hand instead; the message says where the file is
        return False
    return True


def _open_document(path: Path) -> bool:
    """Open a document with the program Windows associates with it (Word); False elsewhere."""
    start = getattr(os, "startfile", None)
    if start is None:
        return False
    try:
        start(str(path))
    except OSError:
        return False
    return True


def _sheet(book: Book, name: str) -> Any:
    for sheet in book.sheets:
        if sheet.name == name:
            return sheet
    return None


def _protected(sheet: str) -> str:
    return (
        f"Trang tính «{sheet}» không cho sửa (đang được bảo vệ?). Hãy bỏ bảo vệ "
        "(Review > Unprotect Sheet / Xem lại > Bỏ bảo vệ trang tính) rồi bấm lại."
    )


def _text(value: str) -> str:
    """Text from VBA, whose ``\\uXXXX`` escapes split characters beyond U+FFFF in two halves."""
    return value.encode("utf-16", "surrogatepass").decode("utf-16")


def _totals(findings: Any) -> tuple[int, int]:
    """Errors and warnings among findings: Finding objects, or a frame with a severity column."""
    if hasattr(findings, "columns"):
        severities = [str(s) for s in findings["severity"]] if len(findings) else []
    else:
        severities = [f.severity for f in findings]
    return severities.count("error"), severities.count("warning")


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _quoted(value: str) -> str:
    """Text that Excel must not take for a formula (a unit's "=SUM(...)" stays text), by the
    rule every writer of the package uses."""
    return "'" + value if looks_like_formula(value) else value


def _cell_value(value: object) -> object:
    return _quoted(value) if isinstance(value, str) else value
