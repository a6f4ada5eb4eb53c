"""``ctmt report`` drafts the Báo cáo (Word) from the figures, in the decree's layout."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Length, Pt
from openpyxl import load_workbook

import _province
import builders
import ctmtcntt
from _support import EXAMPLE, ROOT, load_tool
from ctmtcntt.cli import main
from ctmtcntt.common.numbers import vn_number
from ctmtcntt.write.drafting import default_template, place, province_of
from ctmtcntt.write.narrative import money, statements

PROVINCE = "UBND tỉnh Bình Định"


def _paragraphs(path: Path) -> list[str]:
    """The text of every paragraph of the body (tables' cells after)."""
    document = Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return texts


@pytest.fixture(scope="module")
def result() -> ctmtcntt.ConsolidationResult:
    return ctmtcntt.consolidate(EXAMPLE, name=PROVINCE)


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """The example's report written by the CLI, with its JSON."""
    output = tmp_path_factory.mktemp("report") / "bao-cao.docx"
    run = CliRunner().invoke(
        main,
        ["report", str(EXAMPLE), "-o", str(output), "--name", PROVINCE, "--format", "json"],
    )
    assert 0 == run.exit_code, run.output
    return output, json.loads(run.output)


# Every quantitative fact of the seed report, as the draft states it.
SEED_FACTS = [
    "thủ tục hành chính cấp tỉnh: 1.519 TTHC",
    "thủ tục hành chính cấp huyện: 383 TTHC",
    "thủ tục hành chính cấp xã: 179 TTHC",
    "Cổng dịch vụ công của tỉnh: 2.081 TTHC",
    "Số dịch vụ công trực tuyến mức độ 3: 52 dịch vụ",
    "Số dịch vụ công trực tuyến mức độ 4: 1.144 dịch vụ",
    "phần mềm Một cửa điện tử: 11/11 đơn vị (100 %); đánh giá: Đạt",
    "cấp xã đưa vào sử dụng phần mềm Một cửa điện tử: 159/159 đơn vị",
    "dưới dạng điện tử: 90,4 % (175.958/194.652 văn bản; chỉ tiêu: ≥ 90 %); đánh giá: Đạt",
    "chuyên dùng cấp II: 48 cơ quan",
    "trên địa bàn: 96 doanh nghiệp, trong đó doanh nghiệp sản xuất sản phẩm phần mềm: 12",
    "Tổng doanh thu lĩnh vực công nghệ thông tin trên địa bàn: 400 tỷ đồng",
    "với tổng mức đầu tư: 45 tỷ đồng",
    "tổng mức đầu tư 45 tỷ đồng, trong đó: ngân sách trung ương 30 tỷ đồng; ngân sách địa"
    " phương 15 tỷ đồng",
    "Vốn ngân sách trung ương (30 tỷ đồng theo tổng mức đầu tư) không được bố trí; chỉ được"
    " bố trí từ ngân sách địa phương: 15 tỷ đồng",
]


@pytest.mark.parametrize("fact", SEED_FACTS)
def test_the_example_draft_states_every_figure_of_the_seed_report(
    drafted: tuple[Path, dict[str, object]], fact: str
) -> None:
    """Read back from the .docx, the draft states each figure of Bình Định's report."""
    text = "\n".join(_paragraphs(drafted[0]))
    assert fact in text


def test_the_indicator_not_attained_is_listed_under_shortcomings(
    drafted: tuple[Path, dict[str, object]],
) -> None:
    """Level-4 online processing (12 % against ≥ 30 %) is listed under III.2, and only it."""
    texts = [p.text for p in Document(str(drafted[0])).paragraphs]
    start = texts.index("2. Tồn tại, hạn chế và nguyên nhân:")
    end = texts.index("IV. Kiến nghị")
    listed = [t for t in texts[start:end] if "chưa đạt chỉ tiêu" in t]
    assert [
        "- Tỷ lệ hồ sơ thủ tục hành chính được tiếp nhận, xử lý trực tuyến mức độ 4 chưa đạt"
        " chỉ tiêu: đạt 12 % (45.263/377.040 hồ sơ) so với chỉ tiêu ≥ 30 %."
    ] == listed


def test_json_lists_the_generated_statements_and_the_parts_for_staff(
    drafted: tuple[Path, dict[str, object]],
) -> None:
    """--format json says which statements were generated, by section and row."""
    document = drafted[1]
    generated = document["statements"]
    assert isinstance(generated, list)
    assert all(s["generated"] is True for s in generated)
    sections = {s["section"] for s in generated}
    assert {"II.1", "II.2", "II.3", "II.4", "III.2"} == sections
    by_row = {(s["section"], s["row"]) for s in generated}
    assert ("II.1", "5") in by_row
    assert ("III.2", "3") in by_row
    assert ("II.2", "I.1") in by_row
    texts = "\n".join(_paragraphs(drafted[0]))
    assert all(s["text"] in texts for s in generated)
    staff = document["for_staff"]
    assert isinstance(staff, list)
    assert any("Kiến nghị" in s or "kiến nghị" in s for s in staff)
    assert all(s in texts for s in staff)


def _mm(length: Length | None) -> int:
    assert length is not None
    return round(length.mm)


def test_the_draft_has_the_layout_of_decree_30(drafted: tuple[Path, dict[str, object]]) -> None:
    """A4, margins 20/20/30/15 mm, Times New Roman 14, numbers from page 2, landscape annexes."""
    document = Document(str(drafted[0]))
    first, *annexes = document.sections
    assert (210, 297) == (_mm(first.page_width), _mm(first.page_height))
    for section in document.sections:
        margins = (section.top_margin, section.bottom_margin, section.left_margin)
        assert (20, 20, 30, 15) == (*map(_mm, margins), _mm(section.right_margin))
    assert first.different_first_page_header_footer
    assert 'instr="PAGE"' in first.header._element.xml
    assert not first.first_page_header.paragraphs[0].text.strip()
    assert 2 == len(annexes)
    assert all(WD_ORIENT.LANDSCAPE == s.orientation for s in annexes)
    assert all(s.page_width > s.page_height for s in annexes)
    normal = document.styles["Normal"].font
    assert ("Times New Roman", Pt(14)) == (normal.name, normal.size)
    heading = document.tables[0]
    left, right = (cell.paragraphs for cell in heading.rows[0].cells)
    assert ["UBND TỈNH BÌNH ĐỊNH", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"] == [p.text for p in left[:2]]
    assert left[1].runs[0].bold
    assert left[1].runs[0].underline
    assert left[2].text.startswith("Số:")
    assert left[2].text.endswith("/BC-STTTT")
    assert ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"] == [
        p.text for p in right[:2]
    ]
    assert right[2].text.startswith("Bình Định, ngày")
    assert all(run.italic for run in right[2].runs)
    texts = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in texts
    signature = "\n".join(c.text for c in document.tables[1].rows[0].cells)
    assert "Nơi nhận:" in signature
    assert "GIÁM ĐỐC" in signature
    everything = "\n".join(_paragraphs(drafted[0]))
    assert "{{" not in everything
    assert "{%" not in everything


def test_the_annexes_show_the_figures_of_the_province_workbook(
    result: ctmtcntt.ConsolidationResult, tmp_path: Path
) -> None:
    """Phụ lục 01 and 02 in the draft hold the same numbers as the workbook's sheets, also a
    revenue in tỷ đồng with three decimals."""
    result = _changed(result, {("15", "actual"): 400.125})
    book_path = result.write(tmp_path / "tinh.xlsx")
    draft = result.write_report(tmp_path / "bao-cao.docx")
    book = load_workbook(book_path, read_only=True)
    document = Document(str(draft.output))
    for sheet_name, table in zip(("Phụ lục 01", "Phụ lục 02"), document.tables[2:], strict=True):
        sheet = [list(row) for row in book[sheet_name].iter_rows(values_only=True) if any(row)]
        by_name = {str(row[1]).strip(): row for row in sheet if isinstance(row[1], str)}
        compared = 0
        for row in table.rows:
            cells = [c.text for c in row.cells]
            found = by_name.get(cells[1].strip())
            if found is None or found[0] in ("STT", "(1)"):
                continue  # not a row of the table, or the header
            for ours, theirs in zip(cells[2:], found[2:], strict=False):
                if isinstance(theirs, (int, float)) and not isinstance(theirs, bool):
                    assert vn_number(theirs) == ours, (sheet_name, cells[1])
                    compared += 1
                else:
                    assert ("" if theirs is None else str(theirs)) == ours, (sheet_name, cells[1])
        assert compared >= 10, sheet_name


def test_a_province_workbook_drafts_the_same_report_as_its_folder(
    result: ctmtcntt.ConsolidationResult, tmp_path: Path
) -> None:
    """`ctmt report tinh.xlsx` states what `ctmt report FOLDER` states."""
    book = result.write(tmp_path / "tinh.xlsx")
    again = ctmtcntt.consolidate(book)
    assert [s.text for s in statements(result)] == [s.text for s in statements(again)]


def test_the_provinces_own_template_is_used(tmp_path: Path) -> None:
    """--template: the province's wording and names, filled from the same figures."""
    copy = tmp_path / "mau-tinh.docx"
    document = Document(str(default_template()))
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        if run.text == "GIÁM ĐỐC":
                            run.text = "KT. GIÁM ĐỐC – {{ don_vi }}"
    document.save(str(copy))
    output = tmp_path / "bc.docx"
    run = CliRunner().invoke(
        main,
        ["report", str(EXAMPLE), "-o", str(output), "--template", str(copy), "--name", PROVINCE],
    )
    assert 0 == run.exit_code, run.output
    assert "KT. GIÁM ĐỐC – UBND tỉnh Bình Định" in "\n".join(_paragraphs(output))


@pytest.mark.parametrize(
    ("mangle", "words"),
    [
        (lambda xml: xml.replace("{{ giai_doan }}", "{{ giai_doan ", 1), "viết sai"),
        (None, "không phải tệp Word"),
    ],
)
def test_a_broken_template_is_refused_with_a_message(
    tmp_path: Path, mangle: object, words: str
) -> None:
    """A template with a broken tag, or no Word file at all: a message naming it, exit 3."""
    broken = tmp_path / "mau.docx"
    if mangle is None:
        broken.write_bytes(b"not a zip")
    else:
        with (
            zipfile.ZipFile(default_template()) as source,
            zipfile.ZipFile(broken, "w") as target,
        ):
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "word/document.xml":
                    data = mangle(data.decode("utf-8")).encode("utf-8")  # type: ignore[operator]
                target.writestr(item, data)
    output = tmp_path / "bc.docx"
    run = CliRunner().invoke(
        main, ["report", str(EXAMPLE), "-o", str(output), "--template", str(broken)]
    )
    assert 3 == run.exit_code
    assert str(broken) in run.output
    assert words in run.output
    assert not output.exists()


def test_an_output_that_is_not_a_word_file_is_a_usage_error(tmp_path: Path) -> None:
    """-o bao-cao.xlsx is refused before anything is read."""
    run = CliRunner().invoke(main, ["report", str(EXAMPLE), "-o", str(tmp_path / "bc.xlsx")])
    assert 2 == run.exit_code
    assert ".docx" in run.output


def _data(data: Any, **changes: Any) -> Any:
    """The consolidation with its first indicator form's table (``pl01``) or first project
    list's rows (``pl02_fixed``, ``pl02_projects``) replaced."""
    indicators, lists = dict(data.indicators), dict(data.lists)
    if "pl01" in changes:
        code = next(iter(indicators))
        indicators[code] = dataclasses.replace(indicators[code], table=changes["pl01"])
    listed = {"pl02_fixed": "fixed", "pl02_projects": "projects"}
    if any(key in changes for key in listed):
        code = next(iter(lists))
        new = {field: changes[key] for key, field in listed.items() if key in changes}
        lists[code] = dataclasses.replace(lists[code], **new)
    return dataclasses.replace(data, indicators=indicators, lists=lists)


def _changed(
    result: ctmtcntt.ConsolidationResult, pl01: dict[tuple[str, str], object]
) -> ctmtcntt.ConsolidationResult:
    data = _data(result.data, pl01={**result.data.pl01, **pl01})
    return dataclasses.replace(result, data=data)


def test_an_amount_keeps_its_decimals_to_the_million(
    result: ctmtcntt.ConsolidationResult,
) -> None:
    """Revenue of 400,125 tỷ đồng is stated as such, not rounded to 400,13."""
    other = _changed(result, {("15", "actual"): 400.125})
    [revenue] = [s.text for s in statements(other) if s.row == "15"]
    assert revenue.endswith(": 400,125 tỷ đồng.")


def test_every_indicator_not_attained_is_listed(result: ctmtcntt.ConsolidationResult) -> None:
    """Another province: documents below target and no figure for row 12 are both listed."""
    other = _changed(
        result,
        {("5", "actual"): 85.0, ("5", "assessment"): "Không đạt", ("12", "actual"): None},
    )
    listed = {s.row: s.text for s in statements(other) if s.section == "III.2"}
    assert ["3", "5", "12"] == list(listed)
    assert "đạt 85 % (175.958/194.652 văn bản) so với chỉ tiêu ≥ 90 %" in listed["5"]
    assert "chưa có số liệu" in listed["12"]


def test_capital_never_allocated_from_any_source_is_said_so(
    result: ctmtcntt.ConsolidationResult,
) -> None:
    """Two projects, one never allocated: the programme's totals first, each source told."""
    first = result.data.pl02_projects[0]
    second = dataclasses.replace(
        first,
        texts={**first.texts, "name": "Hệ thống giám sát an toàn thông tin"},
        values={"6": 8500.0, "7": 0.0, "8": 2500.0, "9": 6000.0, "10": 0.0, "14": 0.0},
    )
    fixed = dict(result.data.pl02_fixed)
    fixed["TOTAL"] = {**fixed["TOTAL"], "6": 53500.0, "9": 6000.0, "8": 17500.0}
    data = _data(result.data, pl02_projects=[first, second], pl02_fixed=fixed)
    other = dataclasses.replace(result, data=data)
    capital = [s for s in statements(other) if s.section == "II.3"]
    assert "TOTAL" == capital[0].row
    assert "Toàn Chương trình: tổng mức đầu tư 53,5 tỷ đồng" in capital[0].text
    about_second = [s.text for s in capital if s.row == "I.2"]
    assert (
        "Dự án “Hệ thống giám sát an toàn thông tin”: tổng mức đầu tư 8,5 tỷ đồng, trong đó:"
        " ngân sách địa phương 2,5 tỷ đồng; nguồn khác 6 tỷ đồng." == about_second[0]
    )
    assert "Lũy kế vốn đã bố trí đến 31/12/2020: chưa được bố trí vốn." in about_second
    assert any("Vốn nguồn khác (6 tỷ đồng" in t for t in about_second)


@pytest.mark.parametrize(
    ("million", "words"),
    [
        (45000, "45 tỷ đồng"),
        (15500, "15,5 tỷ đồng"),
        (1875, "1,875 tỷ đồng"),
        (800, "800 triệu đồng"),
        (400.25, "400,25 triệu đồng"),
        (2000.5, "2.000,5 triệu đồng"),
        (33175.25, "33.175,25 triệu đồng"),
        (0, "0 triệu đồng"),
    ],
)
def test_money_is_said_in_billions_from_a_thousand_million(million: float, words: str) -> None:
    """45.000 triệu đồng is "45 tỷ đồng", as the seed report writes it; an amount with a part of
    a million stays in triệu đồng, never rounded."""
    assert words == money(million)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("UBND tỉnh Bình Định", ("tỉnh", "Bình Định")),
        ("Ủy ban nhân dân tỉnh Quảng Ngãi", ("tỉnh", "Quảng Ngãi")),
        ("Uỷ ban nhân dân tỉnh Quảng Ngãi", ("tỉnh", "Quảng Ngãi")),
        ("Tỉnh Phú Yên", ("tỉnh", "Phú Yên")),
        ("UBND thành phố Đà Nẵng", ("thành phố", "Đà Nẵng")),
        ("UBND TP. Đà Nẵng", ("thành phố", "Đà Nẵng")),
        (unicodedata.normalize("NFD", "UBND tỉnh Bình Định"), ("tỉnh", "Bình Định")),
        ("Sở Thông tin và Truyền thông", None),
        ("UBND huyện Tuy Phước", None),
    ],
)
def test_the_place_is_the_provinces_name(name: str, expected: tuple[str, str] | None) -> None:
    """The place and the issuing body come from "UBND tỉnh …" ("thành phố" for a city under
    the centre); anything else is left to staff."""
    assert expected == province_of(name)
    assert (expected[1] if expected else None) == place(name)


def test_a_city_under_the_centre_issues_as_a_city(
    result: ctmtcntt.ConsolidationResult, tmp_path: Path
) -> None:
    """Đà Nẵng's report is headed "UBND THÀNH PHỐ ĐÀ NẴNG", dated at Đà Nẵng."""
    city = dataclasses.replace(result, name="UBND thành phố Đà Nẵng")
    draft = city.write_report(tmp_path / "bc.docx")
    left, right = Document(str(draft.output)).tables[0].rows[0].cells
    assert "UBND THÀNH PHỐ ĐÀ NẴNG" == left.paragraphs[0].text
    assert right.paragraphs[2].text.startswith("Đà Nẵng, ngày")


def test_the_shipped_template_is_what_its_generator_builds(tmp_path: Path) -> None:
    """workbooks/bao-cao.docx is rebuilt by tools/build_report_template.py, unchanged."""
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_report_template.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    with (
        zipfile.ZipFile(tmp_path / "bao-cao.docx") as built,
        zipfile.ZipFile(default_template()) as shipped,
    ):
        for part in ("word/document.xml", "word/styles.xml", "word/header1.xml"):
            assert shipped.read(part) == built.read(part), part


@pytest.mark.slow
def test_libreoffice_opens_and_converts_the_draft(
    drafted: tuple[Path, dict[str, object]], soffice: str, tmp_path: Path
) -> None:
    """LibreOffice converts the draft to PDF: A4 pages, the body first, then the annexes."""
    source = tmp_path / "bc.docx"
    shutil.copy(drafted[0], source)
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / "bc.pdf").read_bytes()
    boxes = re.findall(rb"/MediaBox\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    pages = [(round(float(w)), round(float(h))) for w, h in boxes if w != h]
    portrait = pages.count((595, 842))
    landscape = pages.count((842, 595))
    assert portrait >= 2  # the body runs past page 1: page numbers start on page 2
    assert landscape >= 2  # Phụ lục 01 and 02
    assert portrait + landscape == len(pages)


@pytest.mark.slow
def test_a_province_never_seen_gets_its_own_figures_in_prose(tmp_path: Path, soffice: str) -> None:
    """Phú Yên (built from the example, every number changed): the draft states its own
    figures in Vietnamese style, lists the indicators it did not attain and every project."""
    province = _province.make_province(tmp_path / "phu-yen", builders.libreoffice_resave)
    output = tmp_path / "bao-cao.docx"
    run = CliRunner().invoke(
        main,
        ["report", str(province.folder), "-o", str(output), "--name", "UBND tỉnh Phú Yên"],
    )
    assert run.exit_code in (1, 3), run.output  # the folder holds planted mistakes
    document = Document(str(output))
    text = "\n".join(_paragraphs(output))
    assert "UBND TỈNH PHÚ YÊN" in text
    assert "Phú Yên, ngày" in text
    truth = province.expected_pl01()
    for row, (top, bottom) in _province.PERCENT_ROWS.items():
        figures = [truth[k]["actual"] for k in (row, top, bottom)]
        done, b, a = (vn_number(float(f), 2) for f in figures)  # type: ignore[arg-type]
        assert f": {done} % ({b}/{a} " in text, row
    for row in _province.PLAN_ROWS:
        plan, actual = (vn_number(float(truth[row][k]), 2) for k in ("plan", "actual"))  # type: ignore[arg-type]
        assert f": {actual}/{plan} đơn vị" in text, row
    for row in ("6", "7", "8", "11", "14"):
        assert f": {vn_number(float(truth[row]['actual']))} " in text, row  # type: ignore[arg-type]
    paragraphs = [p.text for p in document.paragraphs]
    start = paragraphs.index("2. Tồn tại, hạn chế và nguyên nhân:")
    listed = [p for p in paragraphs[start:] if "chưa đạt chỉ tiêu" in p]
    missed = [row for row, v in truth.items() if v.get("assessment") == "Không đạt"]
    assert missed
    assert len(missed) == len(listed)
    names = {row: name for row, name in _indicator_names().items() if row in missed}
    for row in missed:
        assert any(p.startswith(f"- {names[row]} chưa đạt") for p in listed), row
    for project in province.projects:
        assert f"“{project.name}”" in text
        assert money(project.money["6"]) in text


def _indicator_names() -> dict[str, str]:
    from ctmtcntt.write.narrative import indicator_form, plain_name

    return {row.key: plain_name(row) for row in indicator_form().rows}


def test_projects_are_stated_group_by_group(result: ctmtcntt.ConsolidationResult) -> None:
    """Projects received in any order are stated as PL02 lists them: group I first."""
    first = result.data.pl02_projects[0]
    security = dataclasses.replace(
        first, group="II", texts={**first.texts, "name": "Giám sát an toàn thông tin"}
    )
    other = dataclasses.replace(first, texts={**first.texts, "name": "Một cửa điện tử"})
    data = _data(result.data, pl02_projects=[first, security, other])
    stated = statements(dataclasses.replace(result, data=data))
    rows = [s.row for s in stated if s.section == "II.2"]
    assert ["I.1", "I.2", "II.1"] == rows


def test_without_the_provinces_name_the_heading_is_left_to_staff(tmp_path: Path) -> None:
    """No --name: the heading reads "UBND TỈNH …" and the draft says the name is missing."""
    output = tmp_path / "bc.docx"
    run = CliRunner().invoke(main, ["report", str(EXAMPLE), "-o", str(output), "--format", "json"])
    assert 0 == run.exit_code, run.output
    staff = json.loads(run.output)["for_staff"]
    assert staff[0].startswith("[Tên tỉnh và địa danh")
    heading = Document(str(output)).tables[0].rows[0].cells[0].paragraphs[0].text
    assert "UBND TỈNH …" == heading


def test_a_platform_not_deployed_and_no_project_are_said_plainly(
    result: ctmtcntt.ConsolidationResult,
) -> None:
    """A yes/no indicator answered Không is listed as not attained; a province without any
    project says it raised no capital, in one sentence."""
    other = _changed(result, {("1", "actual"): False, ("1", "assessment"): "Không đạt"})
    zero = {key: dict.fromkeys(values, 0.0) for key, values in other.data.pl02_fixed.items()}
    data = _data(other.data, pl02_projects=[], pl02_fixed=zero)
    stated = statements(dataclasses.replace(other, data=data))
    listed = [s.text for s in stated if s.section == "III.2"]
    assert (
        "Nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh (LGSP) được triển khai: chưa đạt (kết quả:"
        " Không; chỉ tiêu: Có)." in listed
    )
    assert ["Không có dự án nào được báo cáo tại Phụ lục 02."] == [
        s.text for s in stated if s.section == "II.2"
    ]
    assert ["Chương trình không huy động, bố trí nguồn vốn nào (Phụ lục 02 không có dự án)."] == [
        s.text for s in stated if s.section == "II.3"
    ]


def test_the_templates_table_properties_are_in_the_order_word_requires() -> None:
    """Word refuses a table whose properties are out of the schema's order (LibreOffice does
    not): every table of the shipped template keeps it."""
    from lxml import etree

    tool = load_tool("build_report_template")
    order = [name.removeprefix("w:") for name in tool._TABLE_PROPERTIES]
    with zipfile.ZipFile(default_template()) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    namespace = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    properties = root.iter(f"{namespace}tblPr")
    seen = 0
    for element in properties:
        names = [child.tag.removeprefix(namespace) for child in element]
        assert sorted(names, key=order.index) == names
        seen += 1
    assert seen >= 4


def test_the_text_output_says_what_was_written_and_what_is_left(tmp_path: Path) -> None:
    """Without --format json: the file, the count of generated sentences, each part for staff."""
    output = tmp_path / "bc.docx"
    run = CliRunner().invoke(main, ["report", str(EXAMPLE), "-o", str(output), "--name", PROVINCE])
    assert 0 == run.exit_code, run.output
    lines = run.output.splitlines()
    assert f"Đã soạn báo cáo: {output}" in lines[0]
    assert re.fullmatch(r"\d+ câu được viết tự động từ số liệu \(mục II, III\)\.", lines[1])
    assert lines[2].startswith("Cán bộ cần viết 9 phần")
    assert "  - [Họ và tên người ký]" == lines[-1]
