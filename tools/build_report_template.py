"""Rebuild ``workbooks/bao-cao.docx``, the Word template of the Báo cáo, with python-docx.

    python tools/build_report_template.py            # writes workbooks/bao-cao.docx
    python tools/build_report_template.py --out DIR  # somewhere else (the tests do this)

The template is what a province edits (its wording, its signer, its list of recipients): it
holds the fixed text of the report, Jinja tags that ``ctmt report`` fills through docxtpl
(``{{ ... }}``, ``{%p for ... %}`` for paragraphs, ``{%tr for ... %}`` for table rows), and
the parts only staff can write as yellow-highlighted text in square brackets. The names it may
use are listed in docs/huong-dan-su-dung.md ("Soạn báo cáo").

Layout of Nghị định 30/2020/NĐ-CP: A4; margins 20 mm top and bottom, 30 mm left, 15 mm right;
Times New Roman 14 pt; the issuing bodies top left and the national motto top right; number,
place and date; the title; page numbers centred at the top from page 2; "Nơi nhận" and the
signature block. The appendices follow in landscape sections.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "workbooks"
NAME = "bao-cao.docx"
FONT = "Times New Roman"
SIZE = 14

# A run is (text, options); options: b bold, i italic, u underline, h highlighted (for staff).
Run = tuple[str, str]


def _font(run_or_style: object, size: float | None = None) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = FONT
    if size is not None:
        font.size = Pt(size)
    element = run_or_style.element  # type: ignore[attr-defined]
    properties = element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)


def _runs(paragraph: Paragraph, runs: list[Run], size: float | None = None) -> Paragraph:
    for text, options in runs:
        run = paragraph.add_run(text)
        run.bold = "b" in options or None
        run.italic = "i" in options or None
        run.underline = "u" in options or None
        if "h" in options:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        if size is not None:
            run.font.size = Pt(size)
    return paragraph


def _para(
    where: DocumentObject | _Cell,
    runs: list[Run] | str,
    *,
    align: str = "justify",
    indent: bool = True,
    size: float | None = None,
    after: float = 6,
    keep: bool = False,
) -> Paragraph:
    if isinstance(runs, str):
        runs = [(runs, "")]
    paragraph = where.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
    }[align]
    fmt.first_line_indent = Cm(1.0) if indent and align == "justify" else None
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(after)
    fmt.keep_with_next = keep or None
    return _runs(paragraph, runs, size)


def _tag(where: DocumentObject | _Cell, tag: str) -> None:
    """A paragraph holding only a docxtpl block tag ({%p ... %}); it vanishes when rendered."""
    _para(where, tag, indent=False, after=0)


def _heading(document: DocumentObject, text: str) -> None:
    _para(document, [(text, "b")], keep=True)


def _staff(document: DocumentObject, text: str) -> None:
    _para(document, [(f"[{text}]", "h")])


def _items(document: DocumentObject, name: str) -> None:
    """One paragraph per generated statement of the list ``name``."""
    _tag(document, f"{{%p for s in {name} %}}")
    _para(document, "- {{ s }}")
    _tag(document, "{%p endfor %}")


# The order Word requires of a table's properties ([ISO/IEC 29500] CT_TblPr): an element out
# of place makes Word call the file damaged, although LibreOffice reads it.
_TABLE_PROPERTIES = (
    "w:tblStyle",
    "w:tblpPr",
    "w:tblOverlap",
    "w:bidiVisual",
    "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize",
    "w:tblW",
    "w:jc",
    "w:tblCellSpacing",
    "w:tblInd",
    "w:tblBorders",
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
    "w:tblCaption",
    "w:tblDescription",
    "w:tblPrChange",
)


def _set_property(table: Table, name: str) -> Any:
    """A new table property ``name`` ("w:tblInd"), in its place among the others."""
    element = OxmlElement(name)
    later = _TABLE_PROPERTIES[_TABLE_PROPERTIES.index(name) + 1 :]
    table._tbl.tblPr.insert_element_before(element, *later)
    return element


def _no_borders(table: Table) -> None:
    borders = _set_property(table, "w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)


def _widths(table: Table, widths_mm: list[float]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)  # the grid, which LibreOffice follows
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _repeat_header(table: Table, rows: int) -> None:
    for row in table.rows[:rows]:
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(flag)


def _page_number(document: DocumentObject) -> None:
    """Page numbers centred at the top, from page 2 (the first page has its own, empty header)."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page(section: object, *, landscape: bool) -> None:
    section.page_width, section.page_height = (  # type: ignore[attr-defined]
        (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    )
    section.orientation = (  # type: ignore[attr-defined]
        WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    )
    section.top_margin = Mm(20)  # type: ignore[attr-defined]
    section.bottom_margin = Mm(20)  # type: ignore[attr-defined]
    section.left_margin = Mm(30)  # type: ignore[attr-defined]
    section.right_margin = Mm(15)  # type: ignore[attr-defined]
    section.header_distance = Mm(10)  # type: ignore[attr-defined]


def _heading_block(document: DocumentObject) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [80, 97])
    # Into the left margin, as offices lay it out: the issuing body fits on one line.
    indent = _set_property(table, "w:tblInd")
    indent.set(qn("w:w"), str(round(-12 / 25.4 * 1440)))
    indent.set(qn("w:type"), "dxa")
    left, right = table.rows[0].cells
    for cell in (left, right):
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    _para(left, "{{ co_quan_cap_tren }}", align="center", size=12, after=0)
    _para(left, [("SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "bu")], align="center", size=12, after=6)
    _para(left, "Số:        /BC-STTTT", align="center", size=13, after=0)
    _para(right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "b")], align="center", size=12, after=0)
    _para(right, [("Độc lập - Tự do - Hạnh phúc", "bu")], align="center", size=13, after=6)
    _para(
        right,
        [("{{ dia_danh }}, ngày      tháng {{ thang }} năm {{ nam }}", "i")],
        align="center",
        after=0,
    )


def _body(document: DocumentObject) -> None:
    _para(document, "", after=0)
    _para(document, [("BÁO CÁO", "b")], align="center", after=0)
    _para(
        document,
        [
            (
                "Đánh giá kết thúc Chương trình mục tiêu công nghệ thông tin"
                " giai đoạn {{ giai_doan }}",
                "b",
            )
        ],
        align="center",
        after=12,
    )
    _para(
        document,
        [
            ("Thực hiện ", ""),
            ("[số, ngày văn bản của Bộ Thông tin và Truyền thông]", "h"),
            (" của Bộ Thông tin và Truyền thông và ", ""),
            ("[số, ngày văn bản của UBND tỉnh]", "h"),
            (
                " của UBND tỉnh về việc báo cáo đánh giá kết thúc Chương trình mục tiêu công nghệ"
                " thông tin giai đoạn {{ giai_doan }}, Sở Thông tin và Truyền thông báo cáo"
                " như sau:",
                "",
            ),
        ],
    )
    _heading(
        document,
        "I. Công tác quản lý, điều hành và tổ chức thực hiện Chương trình mục tiêu công nghệ"
        " thông tin giai đoạn {{ giai_doan }}",
    )
    _staff(
        document,
        "Cán bộ viết: công tác chỉ đạo, điều hành; lựa chọn nhà thầu; xây dựng, quản lý dự án;"
        " chuẩn bị đầu tư, đấu thầu, nghiệm thu, thanh lý hợp đồng; các vướng mắc",
    )
    _heading(document, "II. Kết quả thực hiện Chương trình")
    _heading(document, "1. Kết quả thực hiện các mục tiêu, chỉ tiêu cụ thể của Chương trình")
    _para(
        document,
        [
            ("Kết quả thực hiện các chỉ tiêu ", ""),
            ("(chi tiết theo Phụ lục 01 kèm theo)", "i"),
            (":", ""),
        ],
    )
    _items(document, "chi_tieu")
    _heading(document, "2. Kết quả thực hiện các dự án, nhiệm vụ cụ thể của Chương trình")
    _items(document, "du_an")
    _para(document, [("(Báo cáo chi tiết tại Phụ lục 02 kèm theo).", "i")])
    _heading(
        document, "3. Nguồn lực đã huy động, phân bổ và sử dụng nguồn vốn thực hiện Chương trình"
    )
    _items(document, "nguon_von")
    _staff(document, "Cán bộ viết: vướng mắc, bất cập trong việc bố trí nguồn lực")
    _heading(document, "4. Các lợi ích do Chương trình mang lại")
    _items(document, "loi_ich")
    _staff(
        document,
        "Cán bộ viết: các lợi ích khác (Chính quyền điện tử, nền tảng LGSP, cơ sở dữ liệu,"
        " hạ tầng, giao ban trực tuyến, thu hút doanh nghiệp…)",
    )
    _heading(document, "III. Thuận lợi, tồn tại hạn chế, nguyên nhân và bài học kinh nghiệm")
    _heading(document, "1. Thuận lợi:")
    _staff(document, "Cán bộ viết: các thuận lợi")
    _heading(document, "2. Tồn tại, hạn chế và nguyên nhân:")
    _tag(document, "{%p if chua_dat %}")
    _para(document, "Các chỉ tiêu chưa đạt:")
    _items(document, "chua_dat")
    _tag(document, "{%p endif %}")
    _staff(document, "Cán bộ viết: các tồn tại, hạn chế khác và nguyên nhân; bài học kinh nghiệm")
    _heading(document, "IV. Kiến nghị")
    _staff(document, "Cán bộ viết: các kiến nghị với Bộ Thông tin và Truyền thông, các bộ, ngành")
    _para(
        document,
        "Trên đây là nội dung đánh giá kết quả thực hiện Chương trình mục tiêu công nghệ thông"
        " tin giai đoạn {{ giai_doan }}, kính báo cáo Bộ Thông tin và Truyền thông./.",
    )


def _signature(document: DocumentObject) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [80, 85])
    left, right = table.rows[0].cells
    for cell in (left, right):
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    _para(left, [("Nơi nhận:", "bi")], align="left", size=12, after=0)
    for line in ("- Bộ Thông tin và Truyền thông;", "- UBND tỉnh;", "- Lưu: VT."):
        _para(left, line, align="left", size=11, after=0)
    _para(right, [("GIÁM ĐỐC", "b")], align="center", after=0)
    for _ in range(4):
        _para(right, "", align="center", after=0)
    _para(right, [("[Họ và tên người ký]", "bh")], align="center", after=0)


def _appendix_title(document: DocumentObject, name: str, title: str) -> None:
    _para(document, [(name, "b")], align="center", after=0)
    _para(document, [(title, "b")], align="center", after=0)
    _para(
        document,
        [
            (
                "(Kèm theo Báo cáo số        /BC-STTTT ngày      tháng {{ thang }} năm {{ nam }}"
                " của Sở Thông tin và Truyền thông {{ tinh }})",
                "i",
            )
        ],
        align="center",
        after=6,
    )


def _table_text(document: DocumentObject, name: str, size: float) -> Any:
    """The paragraph style of a table's cells: its size applies also to the rows docxtpl
    writes as rich text (which carry only bold, no size)."""
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(size)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.first_line_indent = None
    style.paragraph_format.line_spacing = 1.0
    return style


def _grid(
    document: DocumentObject,
    columns: list[tuple[str, str, str]],
    loop: str,
    widths_mm: list[float],
    size: float,
    groups: tuple[tuple[int, int, str], ...] = (),
) -> None:
    """A boxed table: the header (two rows when columns are grouped under a common heading:
    ``groups`` holds (first, last, heading)), the numbering row, all repeated on every page,
    and one row per item of ``loop`` between docxtpl's row tags. ``columns`` holds each
    column's (heading, numbering, cell)."""
    style = _table_text(document, f"Bảng {loop}", size)
    heads = 2 if groups else 1
    table = document.add_table(rows=heads + 4, cols=len(columns))
    table.style = "Table Grid"
    for row in table.rows:
        for cell in row.cells:
            cell.paragraphs[0].style = style
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths_mm)
    rows = table.rows
    grouped = {i for first, last, _ in groups for i in range(first, last + 1)}
    for index, (head, number, cell) in enumerate(columns):
        head_row = heads - 1 if index in grouped else 0
        for row, text, options in ((head_row, head, "b"), (heads, number, "i")):
            _centred(rows[row].cells[index], text, options)
        if heads == 2 and index not in grouped:
            rows[0].cells[index].merge(rows[1].cells[index])
        paragraph = rows[heads + 2].cells[index].paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if index == 1 else WD_ALIGN_PARAGRAPH.CENTER
        if index >= 5 or (index >= 3 and not groups):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _runs(paragraph, [(cell, "")])
    for first, last, heading in groups:
        merged = rows[0].cells[first].merge(rows[0].cells[last])
        _centred(merged, heading, "b")
    _runs(rows[heads + 1].cells[0].paragraphs[0], [(f"{{%tr for r in {loop} %}}", "")])
    _runs(rows[heads + 3].cells[0].paragraphs[0], [("{%tr endfor %}", "")])
    _repeat_header(table, heads + 1)
    _narrow_margins(table)


def _centred(cell: _Cell, text: str, options: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in paragraph.runs:
        run.text = ""
    _runs(paragraph, [(text, options)])
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _narrow_margins(table: Table) -> None:
    """Cells padded 1 mm left and right (Word's default 1.9 mm wraps "45.000" in a narrow
    money column)."""
    margins = _set_property(table, "w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "57")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)


PL01_COLUMNS = [
    ("STT", "(1)", "{{r r.stt }}"),
    ("Mục tiêu, chỉ tiêu", "(2)", "{{r r.ten }}"),
    ("Đơn vị tính", "(3)", "{{ r.dvt }}"),
    ("Chỉ tiêu kế hoạch đến năm 2020", "(4)", "{{ r.ke_hoach }}"),
    ("Thực hiện đến 31/12/2020", "(5)", "{{ r.thuc_hien }}"),
    ("Tỷ lệ hoàn thành (%)", "(6)=(5)/(4)x100", "{{ r.ty_le }}"),
    ("Đánh giá (Đạt/Không đạt)", "(7)", "{{ r.danh_gia }}"),
    ("Ghi chú", "(8)", "{{ r.ghi_chu }}"),
]
_SOURCES = ("Tổng số", "NSTW", "NSĐP", "Khác")
PL02_COLUMNS = [
    ("STT", "(1)", "{{r r.stt }}"),
    ("Danh mục dự án", "(2)", "{{r r.ten }}"),
    ("Chủ đầu tư", "(3)", "{{ r.chu_dau_tu }}"),
    ("Thời gian KC-HT", "(4)", "{{ r.thoi_gian }}"),
    ("Quyết định đầu tư", "(5)", "{{ r.quyet_dinh }}"),
    *((_SOURCES[(n - 6) % 4], f"({n})", f"{{{{ r.c{n} }}}}") for n in range(6, 18)),
    ("Tỷ lệ giải ngân (%)", "(18)", "{{ r.c18 }}"),
    ("Ghi chú", "(19)", "{{ r.ghi_chu }}"),
]
PL02_GROUPS = (
    (5, 8, "Tổng mức đầu tư"),
    (9, 12, "Lũy kế vốn đã bố trí đến 31/12/2020"),
    (13, 16, "Lũy kế giải ngân đến 31/01/2021"),
)


def _appendices(document: DocumentObject) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = False
    _page(section, landscape=True)
    _appendix_title(document, "Phụ lục 01", "{{ tieu_de_pl01 }}")
    _grid(document, PL01_COLUMNS, "phu_luc_01", [12, 90, 20, 24, 24, 22, 24, 36], 11)
    section = document.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=True)
    _appendix_title(document, "Phụ lục 02", "{{ tieu_de_pl02 }}")
    _para(document, [("Đơn vị tính: triệu đồng", "i")], align="left", size=11, after=3)
    widths = [8, 27, 16, 11, 16, *([13] * 12), 9, 9]
    _grid(document, PL02_COLUMNS, "phu_luc_02", widths, 7.5, PL02_GROUPS)


def build(out: Path) -> Path:
    document = Document()
    normal = document.styles["Normal"]
    _font(normal, SIZE)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    table_style = document.styles["Table Grid"]
    _font(table_style)
    _page(document.sections[0], landscape=False)
    _page_number(document)
    _heading_block(document)
    _body(document)
    _signature(document)
    _appendices(document)
    document.core_properties.title = "Báo cáo đánh giá kết thúc Chương trình mục tiêu CNTT"
    document.core_properties.author = "ctmtcntt"
    path = out / NAME
    document.save(str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write into")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"Wrote {build(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
