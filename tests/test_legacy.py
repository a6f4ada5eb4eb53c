"""Text typed in the old Vietnamese encodings (TCVN3/ABC with the .VnTime fonts, VNI Windows):
found in unit names, project names, investors, decisions and notes, converted to Unicode with a
``legacy-encoding`` warning naming the exact cell, and consolidated under the Unicode names (a
unit is matched against the roster by its converted name).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from builders import EXAMPLE, Book, Project, both, fill_pl01, fill_pl02
from ctmtcntt.cli import main
from ctmtcntt.common.numbers import to_tcvn3, to_vni

PL01_VALUES = {("3.a", 5): 25, ("3.b", 5): 25, ("5.a", 5): 120, ("5.b", 5): 118, ("11", 5): 1}
Where = tuple[str, str]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def legacy_unit(
    encode: Callable[[str], str], unit: str, projects: list[tuple[str, str, str]]
) -> tuple[Book, dict[Where, str]]:
    """A unit's PL01 and PL02 with its name and project texts typed through ``encode``.

    ``projects`` holds (name, investor, note). Returns the workbook and, for every cell typed in
    the old encoding, the Unicode text it must be read as.
    """
    pl01 = fill_pl01(PL01_VALUES, unit=encode(unit))
    pl02 = fill_pl02(
        [
            Project("I", encode(name), {3: encode(investor), 7: 150.0, 19: encode(note)})
            for name, investor, note in projects
        ],
        unit=encode(unit),
    )
    book = both(pl01, pl02)
    expected = {book.unit_where("PL01"): unit, book.unit_where("PL02"): unit}
    for number, (name, investor, note) in enumerate(projects, start=1):
        for column, text in ((2, name), (3, investor), (19, note)):
            if encode(text) != text:
                expected[book.where("PL02", f"I.{number}", column)] = text
    return book, expected


def retype(book: Book, form: str, find: str, text: str) -> Where:
    """Type ``text`` over the cell of ``form``'s sheet that holds ``find``; return its place."""
    ws = book.sheet(form).ws
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == find:
                cell.value = text
                return ws.title, cell.coordinate
    raise AssertionError(f"{find!r} not in {form}")


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, dict[str, dict[Where, str]]]:
    """Three units typed in old fonts, and one in Unicode, with the example roster."""
    root = tmp_path / "nop bao cao"
    root.mkdir()
    shutil.copy(EXAMPLE / "roster.csv", root / "roster.csv")
    expected: dict[str, dict[Where, str]] = {}

    # Sở Tài chính, in TCVN3 (.VnTime): unit after the printed label, projects, investors, notes.
    book, cells = legacy_unit(
        to_tcvn3,
        "Sở Tài chính",
        [
            ("Hệ thống thông tin quản lý tài chính công", "Sở Tài chính", "Đã đưa vào sử dụng"),
            ("Nâng cấp Cổng thông tin điện tử", "Trung tâm Công nghệ thông tin", "Đang triển khai"),
        ],
    )
    # The unit typed its own note and signature under the table in the same font: the table
    # still ends there (else "Người lập biểu" would be read as one more project).
    retype(book, "PL02", "Ghi chú:", to_tcvn3("Ghi chú: số liệu tạm tính đến tháng 12"))
    retype(book, "PL02", "NGƯỜI LẬP BIỂU", to_tcvn3("Người lập biểu"))
    expected["S05 - So Tai chinh.xlsx"] = cells
    book.save(root / "S05 - So Tai chinh.xlsx")

    # Sở Công Thương, in VNI Windows: the whole "Đơn vị báo cáo: …" line retyped in VNI.
    book, cells = legacy_unit(
        to_vni,
        "Sở Công Thương",
        [("Phần mềm quản lý doanh nghiệp", "Sở Công Thương", "Hoàn thành năm 2019")],
    )
    for form in ("PL01", "PL02"):
        title, ref = book.unit_where(form)
        book.wb[title][ref].value = to_vni("Đơn vị báo cáo: Sở Công Thương")
        cells[title, ref] = "Đơn vị báo cáo: Sở Công Thương"
    retype(book, "PL02", "NGƯỜI LẬP BIỂU", to_vni("NGƯỜI LẬP BIỂU"))
    retype(book, "PL02", "Ghi chú:", to_vni("Ghi chú:"))
    expected["S06 - So Cong Thuong.xlsx"] = cells
    book.save(root / "S06 - So Cong Thuong.xlsx")

    # UBND huyện An Lão, in the TCVN3 capitals font (.VnTimeH), as headings often were.
    book, cells = legacy_unit(
        to_tcvn3,
        "UBND HUYỆN AN LÃO",
        [("XÂY DỰNG HỆ THỐNG MỘT CỬA ĐIỆN TỬ", "UBND HUYỆN AN LÃO", "ĐÃ HOÀN THÀNH")],
    )
    expected["H02 - UBND huyen An Lao.xlsx"] = cells
    book.save(root / "H02 - UBND huyen An Lao.xlsx")

    # Sở Nội vụ, in Unicode, with Latin-1 letters that must not be taken for TCVN3 or VNI.
    book, cells = legacy_unit(
        lambda text: text,
        "Sở Nội vụ",
        [("Phần mềm quản lý cán bộ, công chức", "Sở Nội vụ", "Café Wi-Fi, São Paulo, Zürich")],
    )
    expected["S02 - So Noi vu.xlsx"] = {}
    book.save(root / "S02 - So Noi vu.xlsx")
    return root, expected


def legacy_findings(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for item in document["files"]:
        found[Path(item["path"]).name] = [
            f for f in item["findings"] if f["code"] == "legacy-encoding"
        ]
    return found


def test_validate_warns_at_each_cell_typed_in_an_old_encoding(
    folder: tuple[Path, dict[str, dict[Where, str]]],
) -> None:
    root, expected = folder
    result = run("validate", str(root), "--roster", str(root / "roster.csv"), "--format", "json")
    document = json.loads(result.stdout)
    found = legacy_findings(document)
    assert set(expected) == set(found)
    for name, cells in expected.items():
        places = {(f["sheet"], f["cell"]): f for f in found[name]}
        assert set(cells) == set(places), name
        for where, text in cells.items():
            finding = places[where]
            assert "warning" == finding["severity"]
            assert f'"{text}"' in finding["message"], finding["message"]
            encoding = "VNI" if name.startswith("S06") else "TCVN3"
            assert encoding in finding["message"]
            assert finding["value"] != text  # the text as typed, before conversion
    # Legacy text is a warning, not an error: nothing else is wrong with these workbooks.
    for item in document["files"]:
        errors = [f for f in item["findings"] if f["severity"] == "error"]
        assert [] == errors, (item["path"], errors)
    assert 0 == result.exit_code, result.output


def test_consolidate_shows_the_unicode_names(
    folder: tuple[Path, dict[str, dict[Where, str]]],
) -> None:
    root, _expected = folder
    result = run("consolidate", str(root), "--format", "json")
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    received = {u["code"]: u["name"] for u in document["units"]["received"]}
    assert {"S02", "S05", "S06", "H02"} == set(received)
    assert [] == document["units"]["unknown"]
    assert "UBND huyện An Lão" == received["H02"]
    projects = {
        (p["code"], p["name"], p["investor"], p["note"]) for p in document["PL02"]["projects"]
    }
    assert projects == {
        (
            "S05",
            "Hệ thống thông tin quản lý tài chính công",
            "Sở Tài chính",
            "Đã đưa vào sử dụng",
        ),
        (
            "S05",
            "Nâng cấp Cổng thông tin điện tử",
            "Trung tâm Công nghệ thông tin",
            "Đang triển khai",
        ),
        ("S06", "Phần mềm quản lý doanh nghiệp", "Sở Công Thương", "Hoàn thành năm 2019"),
        ("H02", "XÂY DỰNG HỆ THỐNG MỘT CỬA ĐIỆN TỬ", "UBND HUYỆN AN LÃO", "ĐÃ HOÀN THÀNH"),
        (
            "S02",
            "Phần mềm quản lý cán bộ, công chức",
            "Sở Nội vụ",
            "Café Wi-Fi, São Paulo, Zürich",
        ),
    }
    # The signature and notes typed in old fonts closed the table: they are not projects.
    assert 150.0 * 5 == document["PL02"]["groups"]["I"]["7"]


def test_the_province_workbook_holds_the_unicode_names(
    folder: tuple[Path, dict[str, dict[Where, str]]], tmp_path: Path
) -> None:
    from python_calamine import CalamineWorkbook

    root, _expected = folder
    output = tmp_path / "tong hop.xlsx"
    result = run("consolidate", str(root), "-o", str(output))
    assert result.exit_code in (0, 1), result.output
    book = CalamineWorkbook.from_path(str(output))
    values = {
        value
        for row in book.get_sheet_by_name("Phụ lục 02").to_python()
        for value in row
        if isinstance(value, str)
    }
    assert "Phần mềm quản lý doanh nghiệp" in values
    assert "Hệ thống thông tin quản lý tài chính công" in values
    assert to_vni("Phần mềm quản lý doanh nghiệp") not in values
