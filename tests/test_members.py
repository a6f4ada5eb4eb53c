"""read.members: a package's members inflated once for every scan, large sheets in pieces cut at
row ends."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path
from typing import IO

import openpyxl
import pytest

import ctmtcntt
import ctmtcntt.read.members as members
from builders import EXAMPLE, ROSTER
from ctmtcntt.read import marks as _marks
from ctmtcntt.read.workbook import read_workbook
from ctmtcntt.sniff import MAX_UNCOMPRESSED_BYTES, formulas, xmlcheck

REPORT = EXAMPLE / "S05 - So Tai chinh.xlsx"


def _sheet(rows: int) -> bytes:
    """A sheet whose rows hold a formula never calculated, an error value, a plain number, and
    now and then a row written without numbers or addresses (as a rare writer does)."""
    parts = [b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    parts.append(b"<sheetData>")
    for row in range(1, rows + 1):
        if row % 7 == 0:  # no row number, no cell address: placed after the row before
            parts.append(b'<row><c t="e"><v>#REF!</v></c><c><f>A1+1</f><v></v></c></row>')
            continue
        parts.append(
            b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><f>A%d*2</f></c>'
            b'<c r="C%d" t="e"><v>#DIV/0!</v></c></row>' % (row, row, row, row, row, row)
        )
    parts.append(b"</sheetData></worksheet>")
    return b"".join(parts)


def test_pieces_end_where_rows_end_and_make_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large sheet streams in pieces that each end with a row's end tag, and together are
    the sheet."""
    monkeypatch.setattr(members, "_PIECE", 1000)
    xml = _sheet(500).replace(b"<row", b"<x:row").replace(b"</row>", b"</x:row>")
    pieces = list(members.row_pieces(io.BytesIO(xml)))
    assert len(pieces) > 50
    assert all(piece.endswith(b"</x:row>") for piece in pieces[:-1])
    assert xml == b"".join(pieces)


def test_marks_of_a_sheet_in_pieces_are_those_of_the_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Formulas without a value and error values are found alike, at the same cells, whether
    a sheet is scanned whole or in pieces (cells without an address included)."""
    xml = _sheet(500)
    cells, texts, _ = _marks._sheet_marks(xml)
    assert {"B1", "B7", "A7", "C500"} <= cells | set(texts)
    monkeypatch.setattr(members, "_PIECE", 1000)
    assert (cells, texts) == _marks._streamed_marks(members.row_pieces(io.BytesIO(xml)))


def test_reading_a_report_inflates_each_member_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sniffing hands the members it inflated to the scans that read the report after it:
    no member is inflated whole twice, and the zip's directory is not parsed again."""
    inflated: Counter[str] = Counter()
    real = members.member_head

    def counting(raw: IO[bytes], info: zipfile.ZipInfo, want: int) -> bytes | None:
        data = real(raw, info, want)
        if data is not None and len(data) == info.file_size:
            inflated[info.filename] += 1
        return data

    def no_zipfile(self: members.Package) -> zipfile.ZipFile:
        raise AssertionError("the package's zip directory parsed again")

    for module in (members, xmlcheck, formulas):
        monkeypatch.setattr(module, "member_head", counting)
    monkeypatch.setattr(members.Package, "_zipfile", no_zipfile)
    report = read_workbook(REPORT)
    assert report.forms
    assert inflated["xl/worksheets/sheet1.xml"] == 1
    assert [] == [name for name, count in inflated.items() if count > 1]


def test_cells_formatted_as_percentages_are_found_in_every_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet read in pieces gives the same cells formatted as a percentage as read whole,
    those holding a value; a styled empty cell is none of them."""
    from ctmtcntt.read.workbook import _percent_cells

    source = tmp_path / "phan tram.xlsx"
    book = openpyxl.load_workbook(REPORT)
    sheet = book.worksheets[0]
    for row in range(10, 40):
        sheet[f"F{row}"] = 0.5
        sheet[f"F{row}"].number_format = "0.0%"
    sheet["F45"].number_format = "0.0%"  # styled, empty
    book.save(source)
    with members.Package(source, None) as package:
        whole = _percent_cells(package)
    assert {f"F{row}" for row in range(10, 40)} == whole[sheet.title]
    monkeypatch.setattr(members, "WHOLE_LIMIT", 0)
    monkeypatch.setattr(members, "_PIECE", 512)
    with members.Package(source, None) as package:
        assert whole == _percent_cells(package)


_COLUMNS = "ABCDEFGHIJKL"
# An empty row of columns A:L styled as the table (what dragging a format down to the last row
# leaves behind in every row of the sheet).
_STYLED_ROW = (
    '<row r="%d" spans="1:12">' + "".join(f'<c r="{c}%d" s="3"/>' for c in _COLUMNS) + "</row>"
).encode()


def _styled_to_last_row(source: Path, target: Path) -> None:
    """A copy of ``source`` whose first sheet has columns A:L styled down to row 1,048,576:
    about 300 MB of XML, streamed into the zip (deflated fast: 33 MB; Excel's: 24 MB)."""
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy,
    ):
        for info in original.infolist():
            data = original.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                copy.writestr(info, data)
                continue
            last = max(int(number) for number in re.findall(rb'<row r="(\d+)"', data))
            head, tail = data.split(b"</sheetData>")
            head = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:L1048576"', head)
            with copy.open(info.filename, "w", force_zip64=True) as member:
                member.write(head)
                for start in range(last + 1, 1_048_577, 20_000):
                    rows = range(start, min(start + 20_000, 1_048_577))
                    member.write(b"".join(_STYLED_ROW % ((row,) * 13) for row in rows))
                member.write(b"</sheetData>" + tail)


@pytest.mark.slow
def test_a_sheet_formatted_down_to_the_last_row_is_read(tmp_path: Path) -> None:
    """A report whose Phụ lục 01 has columns A:L formatted down to row 1,048,576 (hundreds of
    megabytes of XML, common in offices) is read within the workers' bounds, not refused as a
    compression bomb: validate finds it valid, and consolidate adds up its figures."""
    plain, styled = tmp_path / "goc", tmp_path / "dinh dang"
    plain.mkdir()
    styled.mkdir()
    shutil.copy(REPORT, plain / REPORT.name)
    _styled_to_last_row(REPORT, styled / REPORT.name)
    with zipfile.ZipFile(styled / REPORT.name) as zf:
        assert sum(info.file_size for info in zf.infolist()) > MAX_UNCOMPRESSED_BYTES

    [checked] = ctmtcntt.validate(styled / REPORT.name, roster=ROSTER).files
    assert checked.readable, checked.findings
    assert checked.valid, checked.findings
    expected = ctmtcntt.consolidate(plain, roster=ROSTER)
    actual = ctmtcntt.consolidate(styled, roster=ROSTER)
    assert expected.pl01["actual"].notna().any()  # the unit's figures, read from the table
    assert expected.pl01.equals(actual.pl01)
    assert expected.pl02.equals(actual.pl02)
    assert list(expected.findings["code"]) == list(actual.findings["code"])
