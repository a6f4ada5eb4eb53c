"""sniff: what a submitted file really is, judged from its bytes, never raising."""

from __future__ import annotations

import dataclasses
import io
import random
import struct
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hostile
from _support import CORPUS
from ctmtcntt.sniff import (
    MAX_MEMBERS,
    XML_PROLOG_LIMIT,
    Sniffed,
    check_xml_safety,
    holds_formula,
    sniff,
)

BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
)


def corpus_file(relative: str) -> Path:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"corpus file missing: {relative}")
    return path


def write_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "PL01"
    sheet["A1"] = "Tỉnh/Thành phố"
    sheet["B1"] = "Kinh phí (triệu đồng)"
    sheet["A2"] = "Hà Nội"
    sheet["B2"] = 1250.5
    workbook.save(path)
    return path


def rewrite_member(source: Path, target: Path, member: str, data: bytes) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, data if info.filename == member else zin.read(info))
    return target


def assert_refused(result: Sniffed, kind: str, *words: str) -> None:
    assert result.kind == kind, result
    assert result.readable is False
    assert result.message
    for word in words:
        assert word in result.message, result.message


# --- the files staff really send ---------------------------------------------------------------


def test_openpyxl_workbook_is_readable_xlsx(tmp_path: Path) -> None:
    result = sniff(write_xlsx(tmp_path / "bao_cao.xlsx"))
    assert result == Sniffed(kind="xlsx", readable=True, message=None)


def test_kind_follows_bytes_not_extension(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bao_cao.xls")
    assert sniff(path).kind == "xlsx"


def test_sniffed_is_frozen_and_keyword_only() -> None:
    result = Sniffed(kind="empty", readable=False, message="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.kind = "xlsx"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Sniffed("empty", False, "x")  # type: ignore[call-arg]


# Files that are not workbooks, as staff send them: name, bytes, the kind sniffed and words of
# the message (the words checked only when the file is refused).
REFUSED_BYTES = [
    pytest.param("rong.xlsx", b"", "empty", ("rỗng",), id="empty"),
    pytest.param("hong.xlsx", bytes(5000), "corrupt", ("byte 0",), id="all-zero-bytes"),
    pytest.param(
        "ngau_nhien.xlsx",
        b"\x93\x11" + random.Random(2024).randbytes(8192),
        "unknown",
        ("Không nhận ra định dạng",),
        id="random-bytes",
    ),
    pytest.param(
        "xuat_tu_web.xlsx",
        (
            "\ufeff\r\n  <html><head><meta charset='utf-8'></head><body>"
            "<table><tr><td>Tỉnh</td><td>Kinh phí</td></tr></table></body></html>"
        ).encode(),
        "html",
        ("trang HTML", "đặt tên .xlsx", "Lưu thành Sổ làm việc Excel"),
        id="html-table-as-xlsx",
    ),
    pytest.param(
        "bang.xls",
        b"<table border=1><tr><th>STT</th></tr></table>",
        "html",
        ("đặt tên .xls",),
        id="bare-table-html-as-xls",
    ),
    pytest.param(
        "luu_web.xls",
        b"MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\n"
        b'Content-Type: multipart/related; boundary="----=_NextPart_01D"\r\n\r\n'
        b"This document is a Single File Web Page, also known as a Web Archive file.\r\n",
        "html",
        ("MHTML",),
        id="excel-mhtml-web-archive",
    ),
    pytest.param(
        "so_lieu.xlsx",
        "STT;Tỉnh;Kinh phí\n1;Hà Nội;1250,5\n2;Đà Nẵng;830\n3;Cần Thơ;410\n".encode(),
        "csv",
        ("CSV", "đặt tên .xlsx"),
        id="csv-as-xlsx",
    ),
    pytest.param(
        "unicode.xlsx",
        "STT\tTỉnh\tKinh phí\r\n1\tHà Nội\t1250\r\n".encode("utf-16"),
        "csv",
        (),
        id="excel-unicode-text-export",
    ),
    pytest.param(
        "ghi_chu.xlsx",
        "Kính gửi Sở Thông tin và Truyền thông\nBáo cáo gửi kèm\n".encode(),
        "text",
        ("văn bản thuần",),
        id="plain-text",
    ),
    pytest.param(
        "cu.xls",
        b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
        "xml2003",
        ("XML 2003",),
        id="excel-2003-xml-spreadsheet",
    ),
    pytest.param(
        "bao_cao.xlsx",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        "pdf",
        ("PDF",),
        id="pdf",
    ),
    pytest.param(
        "anh_chup.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(100), "image", ("hình ảnh",), id="image"
    ),
    pytest.param(
        "~$bao_cao.xlsx",
        b"\x0cNguyen Van A" + b" " * 40 + b"\x0c\x00N\x00g\x00u\x00",
        "lock",
        ("tệp khóa tạm",),
        id="excel-lock-file",
    ),
    pytest.param(
        ".~lock.bao_cao.xlsx#",
        b"Nguyen Van A,may01,may01,26.11.2025 09:00,file:///C:/x;",
        "lock",
        (),
        id="libreoffice-lock-file",
    ),
]


@pytest.mark.parametrize(("name", "content", "kind", "words"), REFUSED_BYTES)
def test_bytes_that_are_no_workbook_are_refused(
    name: str, content: bytes, kind: str, words: tuple[str, ...], tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = sniff(path)
    if words:
        assert_refused(result, kind, *words)
    else:
        assert result.kind == kind


def test_plain_csv_named_csv_does_not_claim_a_disguise(tmp_path: Path) -> None:
    path = tmp_path / "so_lieu.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    result = sniff(path)
    assert result.kind == "csv"
    assert "đặt tên" not in (result.message or "")


def test_docx_sent_instead_of_workbook(tmp_path: Path) -> None:
    path = tmp_path / "cong_van.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr("word/document.xml", "<w:document/>")
    assert_refused(sniff(path), "document", "Word")


def test_plain_zip_of_reports(tmp_path: Path) -> None:
    path = tmp_path / "cac_bao_cao.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Ha Noi.xlsx", b"PK...")
        zf.writestr("Da Nang.xlsx", b"PK...")
    assert_refused(sniff(path), "archive", "giải nén")


def test_missing_file_and_folder_are_reported_not_raised(tmp_path: Path) -> None:
    assert_refused(sniff(tmp_path / "khong_co.xlsx"), "unreadable", "Không tìm thấy")
    assert_refused(sniff(tmp_path), "unreadable", "thư mục")


# --- broken and hostile zips --------------------------------------------------------------------


def test_truncated_xlsx(tmp_path: Path) -> None:
    whole = write_xlsx(tmp_path / "du.xlsx").read_bytes()
    path = tmp_path / "thieu.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    assert_refused(sniff(path), "corrupt", "tệp bị hỏng hoặc tải về chưa hết".capitalize())


def test_zip_bomb_is_refused_from_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "bom.xlsx"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        zeros = bytes(1 << 20)
        for _ in range(1024):  # 1 GB inflated, about 4.5 MB on disk
            member.write(zeros)
    assert path.stat().st_size < 8 * 1024 * 1024
    assert_refused(sniff(path), "unsafe", "bom nén")


def _declaring(path: Path, inflated_mb: int, stored_mb: int) -> Path:
    """A package whose one member declares ``inflated_mb`` once inflated from ``stored_mb``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    # Forge the declared sizes in the central directory: no inflation is needed to judge them.
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (inflated_mb * 1024 * 1024).to_bytes(4, "little")
    data[central + 20 : central + 24] = (stored_mb * 1024 * 1024).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("inflated_mb", "stored_mb", "limit_mb"),
    [
        (300, 2, 200),  # 150 times: no XML a writer produces compresses so well
        (600, 60, 512),  # 10 times, as XML compresses, but more than the reader streams in time
    ],
)
def test_declared_total_over_limit_is_refused(
    tmp_path: Path, inflated_mb: int, stored_mb: int, limit_mb: int
) -> None:
    """A package declaring more than 200 MB in all is a bomb unless it compresses as XML does,
    and then still beyond 512 MB."""
    path = _declaring(tmp_path / "lon.xlsx", inflated_mb, stored_mb)
    result = sniff(path)
    assert_refused(result, "unsafe", f"{inflated_mb} MB", f"giới hạn {limit_mb} MB")
    assert "zip-bomb" == result.refusal


def test_large_package_compressed_as_xml_is_not_a_bomb(tmp_path: Path) -> None:
    """300 MB declared, stored ten times smaller (a sheet formatted down to its last row): the
    reader streams it, so sniffing lets it through."""
    assert sniff(_declaring(tmp_path / "dinh dang.xlsx", 300, 30)).kind == "xlsx"


def test_too_many_members_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nhieu.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for index in range(MAX_MEMBERS + 1):
            zf.writestr(f"{index}", b"")
    path.write_bytes(buffer.getvalue())
    assert_refused(sniff(path), "unsafe", "quá nhiều thành phần", "10.000")


def test_billion_laughs_in_sheet_xml(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "goc.xlsx")
    with zipfile.ZipFile(source) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    body = sheet.split(b"?>", 1)[-1]  # openpyxl may omit the declaration
    path = rewrite_member(
        source, tmp_path / "cuoi.xlsx", "xl/worksheets/sheet1.xml", BILLION_LAUGHS + body
    )
    assert_refused(sniff(path), "unsafe", "DOCTYPE")


def test_check_xml_safety_on_members(tmp_path: Path) -> None:
    path = tmp_path / "parts.zip"
    comment_first = b"<?xml version='1.0'?><!-- hi --><!-- there -->\n<!DOCTYPE x>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("clean.xml", b'<?xml version="1.0"?>\n<root a="1"/>')
        zf.writestr("no_decl.xml", b"<root/>")
        zf.writestr("dtd.xml", BILLION_LAUGHS + b"<root/>")
        zf.writestr("after_comments.xml", comment_first)
        zf.writestr(
            "utf16.xml", ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x>').encode("utf-16")
        )
        zf.writestr(
            "entity_text_after_root.xml", b"<root><![CDATA[<!DOCTYPE is fine here]]></root>"
        )
        zf.writestr("long_prolog.xml", b"<?xml version='1.0'?>" + b" " * (XML_PROLOG_LIMIT + 10))
        zf.writestr("big_clean.xml", b"<root>" + b"x" * (4 * 1024 * 1024) + b"</root>")
    with zipfile.ZipFile(path) as zf:
        assert check_xml_safety(zf, "clean.xml") is None
        assert check_xml_safety(zf, "no_decl.xml") is None
        assert check_xml_safety(zf, "entity_text_after_root.xml") is None
        assert check_xml_safety(zf, "big_clean.xml") is None
        assert "DOCTYPE" in (check_xml_safety(zf, "dtd.xml") or "")
        assert "DOCTYPE" in (check_xml_safety(zf, "after_comments.xml") or "")
        assert "DOCTYPE" in (check_xml_safety(zf, zf.getinfo("utf16.xml")) or "")
        assert "dài bất thường" in (check_xml_safety(zf, "long_prolog.xml") or "")


def test_forged_shared_string_count_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "goc.xlsx"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml'
            '/2006/main" count="2" uniqueCount="2000000000"><si><t>x</t></si></sst>',
        )
    assert_refused(sniff(source), "unsafe", "số chuỗi")


def test_zip_encrypted_members(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "zip_pw.xlsx")
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    data[at + 8] |= 0x01  # the "encrypted" flag in the first central directory entry
    path.write_bytes(bytes(data))
    assert sniff(path).kind == "encrypted"


# --- files from the corpus ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "relative",
    [
        "excelize/test/encryptAES.xlsx",
        "python_calamine/tests/data/password.xlsx",
        "calamine/tests/pass_protected.xlsb",
    ],
)
def test_ole_encrypted_workbook(relative: str) -> None:
    result = sniff(corpus_file(relative))
    assert result == Sniffed(
        kind="encrypted",
        readable=False,
        message=(
            "Tệp được bảo vệ bằng mật khẩu (mã hóa): hãy mở bằng Excel, bỏ mật khẩu (Tệp > Thông"
            " tin > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu, xóa trống mật khẩu), lưu lại rồi"
            " gửi lại."
        ),
    )


@pytest.mark.parametrize(
    "relative",
    [
        "python_calamine/tests/data/password.xls",
        "npoi/testcases/test-data/spreadsheet/97_rc4cryptoapi_password.xls",
        "phpspreadsheet/tests/data/Reader/XLS/pwtest.xls",
    ],
)
def test_xls_with_filepass_is_encrypted(relative: str) -> None:
    assert_refused(sniff(corpus_file(relative)), "encrypted", "mã hóa")


def test_password_ods_is_encrypted() -> None:
    assert_refused(sniff(corpus_file("calamine/tests/pass_protected.ods")), "encrypted", ".ods")


def test_corpus_ods() -> None:
    path = corpus_file("python_calamine/tests/data/base.ods")
    assert sniff(path) == Sniffed(kind="ods", readable=True, message=None)


def test_corpus_xls() -> None:
    path = corpus_file("python_calamine/tests/data/base.xls")
    assert sniff(path) == Sniffed(kind="xls", readable=True, message=None)


def test_corpus_xlsb() -> None:
    path = corpus_file("python_calamine/tests/data/base.xlsb")
    assert sniff(path) == Sniffed(kind="xlsb", readable=True, message=None)


def test_ole_loop_is_corrupt_not_handed_to_a_reader() -> None:
    path = corpus_file("phpspreadsheet/tests/data/Reader/XLS/oleloop.xls")
    assert_refused(sniff(path), "corrupt", "bị hỏng")


_BOF = b"\x09\x08\x10\x00\x00\x06\x05\x00" + bytes(12)


def _patched(data: bytes, at: int, value: int) -> bytes:
    return data[:at] + struct.pack("<I", value) + data[at + 4 :]


def _damaged_ole(damage: str) -> bytes:
    good = hostile.cfb({"Workbook": _BOF + bytes(3000)})
    fat, directory = 512, 2 * 512  # after the header: the FAT's sector, the directory's
    if damage == "looping chain":
        return _patched(good, fat + 4 * 3, 2)  # its second sector leads back to its first
    if damage == "chain out of range":
        return _patched(good, fat + 4 * 3, 100_000)
    if damage == "stream longer than the file":
        return _patched(good, directory + 128 + 120, 2_000_000_000)
    if damage == "directory refers to itself":
        return _patched(good, directory + 128 + 72, 1)  # the Workbook entry is its own sibling
    return good[: len(good) // 3]  # truncated


@pytest.mark.parametrize(
    "damage",
    [
        "looping chain",
        "chain out of range",
        "stream longer than the file",
        "directory refers to itself",
        "truncated",
    ],
)
def test_damaged_compound_file_is_corrupt_and_answered_fast(tmp_path: Path, damage: str) -> None:
    """A compound file whose structure is broken is refused as corrupt, quickly: readers abort
    on such files."""
    path = tmp_path / "hong.xls"
    path.write_bytes(_damaged_ole(damage))
    started = time.perf_counter()
    result = sniff(path)
    assert time.perf_counter() - started < 1.0
    assert_refused(result, "corrupt", "bị hỏng")


def test_sound_compound_file_is_an_xls(tmp_path: Path) -> None:
    """The same file undamaged is an .xls (the damaged ones above differ only by their damage)."""
    path = tmp_path / "tot.xls"
    path.write_bytes(hostile.cfb({"Workbook": _BOF + bytes(3000)}))
    assert sniff(path) == Sniffed(kind="xls", readable=True, message=None)


def test_numbers_file() -> None:
    path = corpus_file("exceljs/spec/integration/data/numbers.numbers")
    assert_refused(sniff(path), "numbers", "Numbers")


def test_bare_biff4() -> None:
    path = corpus_file("xlrd/tests/samples/biff4_no_format_no_window2.xls")
    assert_refused(sniff(path), "biff", "rất cũ")


# --- never raises -------------------------------------------------------------------------------

_PREFIXES = [
    b"",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"<html",
    b"\xff\xfe",
]


@settings(max_examples=200, deadline=None)
@given(prefix=st.sampled_from(_PREFIXES), body=st.binary(max_size=4096))
def test_sniff_never_raises_on_arbitrary_bytes(
    tmp_path_factory: pytest.TempPathFactory, prefix: bytes, body: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "x.xlsx"
    path.write_bytes(prefix + body)
    result = sniff(path)
    assert isinstance(result, Sniffed)
    assert result.readable == (result.message is None)


@settings(max_examples=100, deadline=None)
@given(
    name=st.sampled_from(["base.xls", "base.xlsx", "base.ods", "base.xlsb"]),
    data=st.data(),
)
def test_sniff_never_raises_on_damaged_real_files(
    tmp_path_factory: pytest.TempPathFactory, name: str, data: st.DataObject
) -> None:
    """Flip bytes in and cut real workbooks: the answer is a Sniffed, whatever happens."""
    raw = bytearray(corpus_file(f"python_calamine/tests/data/{name}").read_bytes())
    for _ in range(data.draw(st.integers(0, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    raw = raw[: data.draw(st.integers(1, len(raw)))]
    path = tmp_path_factory.mktemp("damaged") / name
    path.write_bytes(bytes(raw))
    result = sniff(path)
    assert isinstance(result, Sniffed)
    assert result.readable == (result.message is None)


def test_xlsx_says_which_sheets_hold_formulas(tmp_path: Path) -> None:
    """The reader opens the package again only for sheets with formulas (most reports have
    none); a sheet with one, from openpyxl, is named by its zip member."""
    plain = sniff(write_xlsx(tmp_path / "so lieu.xlsx"))
    assert plain.formulas == frozenset()
    book = openpyxl.Workbook()
    book.active["A1"] = 2  # type: ignore[index]
    book.active["A2"] = "=A1*2"  # type: ignore[index]
    second = book.create_sheet("Tong")
    second["B2"] = 5
    book.save(tmp_path / "cong thuc.xlsx")
    assert sniff(tmp_path / "cong thuc.xlsx").formulas == frozenset({"xl/worksheets/sheet1.xml"})


def test_formulas_are_not_known_for_other_kinds(tmp_path: Path) -> None:
    path = tmp_path / "bao cao.ods"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("content.xml", "<office:document-content/>")
    result = sniff(path)
    assert result.kind == "ods"
    assert result.formulas is None


@settings(max_examples=300, deadline=None)
@given(
    before=st.binary(max_size=200),
    after=st.binary(max_size=200),
    element=st.sampled_from(
        [
            b"<f>SUM(A1:A2)</f>",
            b'<f t="shared" si="0"/>',
            b"<f/>",
            b"<x:f>A1*2</x:f>",
            b"<f\n>1</f>",
        ]
    ),
)
def test_holds_formula_misses_no_formula_element(
    before: bytes, after: bytes, element: bytes
) -> None:
    assert holds_formula(before + b"<c r='A1'>" + element + b"</c>" + after)


def test_holds_formula_is_false_on_a_sheet_of_values(tmp_path: Path) -> None:
    with zipfile.ZipFile(write_xlsx(tmp_path / "so lieu.xlsx")) as package:
        assert not holds_formula(package.read("xl/worksheets/sheet1.xml"))
