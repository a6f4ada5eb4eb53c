"""Make the screenshots of docs/huong-dan-su-dung.md from real outputs (needs LibreOffice, poppler).

    python docs/images/make_images.py

1. ``bang-dieu-khien.png``: the control sheet of ``workbooks/ctmtcntt.xlsm``.
2. ``kiem-tra-to-mau.png`` and ``ket-qua-kiem-tra.png``: a copy of the Bình Định example
   ``S05`` with four planted mistakes, after the "Kiểm tra" button: ``ctmtcntt.excel.validate``
   runs on it through xlwings' JSON engine, and the actions it returns (fills, the results
   sheet) are applied with openpyxl, as Excel would apply them.
3. ``tinh-tong.png``: the same example after "Tính tổng, tỷ lệ" (``ctmtcntt.excel.fill``).
4. ``tong-hop.png``: the province workbook that "Tổng hợp thư mục" writes for the example.
5. ``bao-cao.png``: the first page of the Báo cáo that "Soạn báo cáo" drafts for the example.

Each workbook is printed to PDF by LibreOffice and its first page turned into a PNG.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXAMPLE = ROOT / "examples" / "binh-dinh-2020"
S05 = EXAMPLE / "S05 - So Tai chinh.xlsx"
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # PolyForm Noncommercial


def payload(xw: Any, path: Path) -> dict[str, Any]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    sheets = [
        {
            "name": name,
            "values": [
                [None if v == "" else v for v in row]
                for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            ],
            "pictures": [],
            "tables": [],
        }
        for name in book.sheet_names
    ]
    document = {
        "client": "VBA",
        "version": xw.__version__,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }
    return json.loads(json.dumps(document, default=str))


def run_button(path: Path, button: str) -> list[dict[str, Any]]:
    """What Excel would be asked to do when the button is clicked on this workbook."""
    import xlwings as xw

    from ctmtcntt import excel

    book = xw.Book(json=payload(xw, path))
    book.set_mock_caller()
    getattr(excel, button)()
    actions: list[dict[str, Any]] = book.json()["actions"]
    return actions


def apply(path: Path, actions: list[dict[str, Any]], out: Path) -> None:
    """Apply the actions to a copy of the workbook with openpyxl, as Excel would."""
    book = openpyxl.load_workbook(path)
    for action in actions:
        func = action["func"]
        if func == "addSheet":
            index, name = action["args"]
            book.create_sheet(name, index)
            continue
        if action["sheet_position"] is None:
            continue
        sheet = book.worksheets[action["sheet_position"]]
        if func == "setSheetVisibility":
            sheet.sheet_state = "hidden"
            continue
        if action["start_row"] is None:
            continue  # whole-sheet actions (clear) have nothing to undo on a fresh copy
        row, column = action["start_row"] + 1, action["start_column"] + 1
        if func == "setValues":
            for r, values in enumerate(action["values"]):
                for c, value in enumerate(values):
                    if isinstance(value, str) and value.startswith("=HYPERLINK("):
                        value = value.rsplit('"', 2)[-2]
                    elif isinstance(value, str) and value.startswith("'"):
                        value = value[1:]
                    sheet.cell(row + r, column + c).value = None if value == "" else value
        elif func == "setRangeColor":
            colour = action["args"][0]
            fill = PatternFill("solid", fgColor=colour[1:]) if colour else PatternFill()
            sheet.cell(row, column).fill = fill
        elif func == "setColumnWidth":
            letter = openpyxl.utils.get_column_letter(column)
            sheet.column_dimensions[letter].width = action["args"][0]
        elif func == "setWrapText":
            for r in range(action["row_count"]):
                cell = sheet.cell(row + r, column)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                # Excel fits the row to wrapped text by itself; LibreOffice needs a height.
                lines = -(-len(str(cell.value or "")) // 100)
                sheet.row_dimensions[row + r].height = 13 * max(lines, 1)
        elif func == "setFontProperty" or func.startswith("setFont"):
            for c in range(action["column_count"]):
                sheet.cell(row, column + c).font = Font(bold=True)
    book.save(out)


def only(
    path: Path, keep: str, out: Path, *, rows: int | None = None, portrait: bool = False
) -> Path:
    """A copy holding one sheet, fitted to one page, to print it."""
    book = openpyxl.load_workbook(path)
    for sheet in list(book.worksheets):
        if sheet.title != keep:
            book.remove(sheet)
    sheet = book[keep]
    sheet.sheet_state = "visible"
    sheet.page_setup.orientation = "portrait" if portrait else "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    if rows:
        sheet.print_area = f"A1:{openpyxl.utils.get_column_letter(sheet.max_column)}{rows}"
    book.save(out)
    return out


def png(xlsx: Path, name: str, work: Path, resolution: int = 60, height: int = 0) -> None:
    profile = work / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
    )
    pdf = work / (xlsx.stem + ".pdf")
    target = HERE / name
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(resolution),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            *(["-x", "0", "-y", "0", "-W", "4000", "-H", str(height)] if height else []),
            str(pdf),
            str(target.with_suffix("")),
        ],
        check=True,
    )
    print(f"{target} {target.stat().st_size // 1024} KB")


def control_sheet(work: Path) -> Path:
    """The macro workbook's control sheet, its buttons drawn as cells: LibreOffice does not
    print form buttons."""
    book = openpyxl.load_workbook(ROOT / "workbooks" / "ctmtcntt.xlsm")
    sheet = book["Bảng điều khiển"]
    grey = PatternFill("solid", fgColor="D9D9D9")
    edge = Side(style="medium", color="808080")
    for cell, caption in (
        ("A6", "Kiểm tra"),
        ("B6", "Tính tổng, tỷ lệ"),
        ("C6", "Tổng hợp thư mục"),
        ("D6", "Soạn báo cáo"),
    ):
        sheet[cell] = caption
        sheet[cell].fill = grey
        sheet[cell].font = Font(bold=True)
        sheet[cell].alignment = Alignment(horizontal="center", vertical="center")
        sheet[cell].border = Border(left=edge, right=edge, top=edge, bottom=edge)
    sheet.column_dimensions["C"].width = 22
    sheet.column_dimensions["D"].width = 22
    for row in range(10, 16):
        sheet.cell(row, 1).alignment = Alignment(vertical="top")
    out = work / "dk.xlsx"
    book.save(out)
    return only(out, "Bảng điều khiển", work / "dk-only.xlsx", rows=15)


def planted(work: Path) -> Path:
    from ctmtcntt.read.workbook import read_workbook

    form = read_workbook(S05).forms["PL01"]
    book = openpyxl.load_workbook(S05)
    sheet = book[form.sheet]
    for key, value in (("3.a", "abc"), ("2.b", 5), ("7", 52), ("12.a", 1.5), ("12.b", 1)):
        row = form.row(key)
        assert row is not None
        cell = form.cell_of(row, "actual")
        assert cell is not None
        sheet[cell] = value
    out = work / "S05 - co loi.xlsx"
    book.save(out)
    return out


def main() -> None:
    work = Path(tempfile.mkdtemp())
    try:
        png(control_sheet(work), "bang-dieu-khien.png", work, 90, 420)
        unit = planted(work)
        checked = work / "checked.xlsx"
        apply(unit, run_button(unit, "validate"), checked)
        png(
            only(checked, "Phụ lục 01", work / "to-mau.xlsx", rows=35),
            "kiem-tra-to-mau.png",
            work,
            100,
            720,
        )
        png(
            only(checked, "Kết quả kiểm tra", work / "ket-qua.xlsx", rows=10),
            "ket-qua-kiem-tra.png",
            work,
            130,
            360,
        )
        filled = work / "filled.xlsx"
        apply(S05, run_button(S05, "fill"), filled)
        png(
            only(filled, "Phụ lục 01", work / "tinh-tong.xlsx", rows=22),
            "tinh-tong.png",
            work,
            100,
            560,
        )
        from ctmtcntt.workflows import consolidate

        province = work / "tong-hop.xlsx"
        consolidate(EXAMPLE).write(province)
        png(
            only(province, "Phụ lục 01", work / "tong-hop-pl01.xlsx", rows=41),
            "tong-hop.png",
            work,
            90,
            680,
        )
        draft = work / "bao-cao.docx"
        consolidate(EXAMPLE, name="UBND tỉnh Bình Định").write_report(draft)
        png(draft, "bao-cao.png", work, 70)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
