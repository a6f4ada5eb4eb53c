"""Hostile and broken files, built from bytes in a test's folder, with what ctmt must say of each.

Each builder writes one file that a unit, a web system or an attacker might send under an Excel
name: bombs (zip and XML), encrypted workbooks, truncated and corrupt zips, empty files, random
bytes, HTML and CSV, a workbook holding neither form, broken .xls and .ods, and forged files
that make the native reader abort. :func:`build_folder` puts them all beside one good
submission and returns, for each, the finding code and words its message must carry.
"""

from __future__ import annotations

import random
import re
import shutil
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from _support import CORPUS
from builders import EXAMPLE, ROSTER

GOOD_NAME = "S05 - So Tai chinh.xlsx"
GOOD = EXAMPLE / GOOD_NAME
# Letters only Vietnamese uses: a message holding one is Vietnamese.
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)

# Corpus files that crash or defeat readers, copied into the folder when the corpus is present.
# python-calamine 0.9.1 aborts (SIGABRT after gigabytes) on oleloop.xls alone of the ~1,250
# corpus files (every file was read in an isolated worker to find out); the others fail in it
# with cryptic errors (OOM tests, a 17-billion-cell .ods, a zip lying about sizes, encryption).
# far_cell() below forges one more file that aborts it.
CORPUS_CRASHERS = {
    "phpspreadsheet/tests/data/Reader/XLS/oleloop.xls": "corrupt-file",
    "calamine/tests/OOM_alloc3.xls": "corrupt-file",
    "calamine/tests/issue_594_dos.ods": "sheet-too-large",
    "calamine/tests/issue252.xlsx": "corrupt-file",
    "calamine/tests/pass_protected.xlsx": "encrypted-file",
    "npoi/testcases/test-data/spreadsheet/97_password.xls": "encrypted-file",
    "closedxml/ClosedXML.Tests/Resource/TryToLoad/LO/xlsm/pass/CVE-2016-0122-1.xlsm": (
        "unreadable-file"
    ),
    "phpspreadsheet/tests/data/Reader/Ods/RepeatedDataCells.ods": "unreadable-file",
    "phpspreadsheet/tests/data/Reader/XLS/maccentraleurope.biff5.xls": "unreadable-file",
}


#: The finding codes of a refused file, one per kind of refusal ("unreadable-file" the rest).
REFUSAL_CODES = frozenset(
    {
        "unreadable-file",
        "encrypted-file",
        "zip-bomb",
        "xml-bomb",
        "not-a-spreadsheet",
        "html-not-workbook",
        "text-not-workbook",
        "xml-spreadsheet-2003",
        "old-excel-format",
        "empty-file",
        "lock-file",
        "corrupt-file",
        "sheet-too-large",
        "read-timed-out",
        "reader-crashed",
        "out-of-memory",
    }
)


@dataclass(frozen=True)
class Expect:
    """What ctmt must report of a bad file: the finding code and words of its message."""

    code: str = "unreadable-file"
    words: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# Byte-level builders


def rewrite_zip(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy a zip member by member through ``change`` (None drops the member)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info))
            if data is not None:
                dst.writestr(info.filename, data)
    return target


def in_member(member: str, change: Callable[[bytes], bytes]) -> Callable[[str, bytes], bytes]:
    return lambda name, data: change(data) if name == member else data


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3) holding ``streams`` at its root.

    Streams are padded to 4,096 bytes, so none lives in the mini stream.
    """
    sector = 512
    blobs = [(name, data.ljust(4096, b"\0")) for name, data in streams.items()]
    starts, next_free = [], 2  # sector 0 holds the FAT, sector 1 the directory
    for _, data in blobs:
        starts.append(next_free)
        next_free += -(-len(data) // sector)
    fat = [0xFFFFFFFD, 0xFFFFFFFE]
    for (_, data), start in zip(blobs, starts, strict=True):
        count = -(-len(data) // sector)
        fat += [start + i + 1 for i in range(count - 1)] + [0xFFFFFFFE]
    assert len(fat) <= sector // 4, "too many sectors for one FAT sector"
    fat += [0xFFFFFFFF] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        raw = encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded) if name else 0, kind, 1)
        raw += struct.pack("<III", 0xFFFFFFFF, right, child) + b"\0" * 36
        return raw + struct.pack("<IQ", start, size)

    directory = entry("Root Entry", 5, 0xFFFFFFFF, 1 if blobs else 0xFFFFFFFF, 0xFFFFFFFE, 0)
    for index, ((name, data), start) in enumerate(zip(blobs, starts, strict=True), start=1):
        right = index + 1 if index < len(blobs) else 0xFFFFFFFF
        directory += entry(name, 2, right, 0xFFFFFFFF, start, len(data))
    assert len(directory) <= sector, "too many streams for one directory sector"
    directory = directory.ljust(sector, b"\0")
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    header += struct.pack("<109I", 0, *[0xFFFFFFFF] * 108)
    body = b"".join(data.ljust(-(-len(data) // sector) * sector, b"\0") for _, data in blobs)
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + body


def encrypted_workbook(source: Path, target: Path) -> Path:
    """A password-protected copy (what Excel writes): msoffcrypto-tool when installed, else an
    OLE2 file with the EncryptionInfo and EncryptedPackage streams Excel puts there."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return encrypted_package(target)
    with source.open("rb") as plain, target.open("wb") as locked:
        OOXMLFile(plain).encrypt("matkhau123", locked)
    return target


def encrypted_package(target: Path) -> Path:
    """How Excel stores a password-protected .xlsx: an OLE2 file with two streams."""
    streams = {"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"x"}
    target.write_bytes(cfb(streams))
    return target


def encrypted_xls(target: Path) -> Path:
    """An Excel 97-2003 workbook whose globals start with a FILEPASS (RC4) record."""
    bof = b"\x09\x08\x10\x00" + b"\x00\x06\x05\x00" + b"\x00" * 12
    filepass = b"\x2f\x00\x06\x00" + b"\x01\x00\x01\x00\x01\x00"
    target.write_bytes(cfb({"Workbook": bof + filepass + random.Random(3).randbytes(2000)}))
    return target


def zip_bomb(target: Path, inflated: int = 256 * 1024 * 1024) -> Path:
    """The good workbook plus a sheet part inflating to ``inflated`` bytes of zeros (~1,000:1)."""
    rewrite_zip(GOOD, target, lambda name, data: data)
    chunk = b"\0" * (1 << 20)
    with (
        zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as zf,
        zf.open("xl/worksheets/sheet9.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(inflated // len(chunk)):
            member.write(chunk)
    return target


def lying_zip(target: Path) -> Path:
    """A workbook whose central directory claims 4 GB per member (a bomb that lies about it)."""
    data = bytearray(rewrite_zip(GOOD, target, lambda name, data: data).read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        struct.pack_into("<I", data, at + 24, 0xFFFFFFF0)  # uncompressed size
        at = data.find(b"PK\x01\x02", at + 4)
    target.write_bytes(bytes(data))
    return target


def _laughs(root: str) -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{entities}]>'.encode()


def xml_bomb(target: Path) -> Path:
    """The "billion laughs": nine levels of entities in the workbook part (3 GB once expanded)."""

    def change(data: bytes) -> bytes:
        return _laughs("workbook") + data[data.index(b"<workbook") :].replace(
            b"</workbook>", b"<!-- &lol9; --></workbook>"
        )

    return rewrite_zip(GOOD, target, in_member("xl/workbook.xml", change))


def external_entity(target: Path) -> Path:
    """XXE: a sheet whose cell text is an external entity pointing at a local file."""

    def change(data: bytes) -> bytes:
        start = data.index(b"<worksheet")
        doctype = (
            b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        )
        return doctype + data[start:].replace(b"<t>(1)</t>", b"<t>&x;</t>", 1)

    return rewrite_zip(GOOD, target, in_member("xl/worksheets/sheet1.xml", change))


def truncated(target: Path) -> Path:
    data = GOOD.read_bytes()
    target.write_bytes(data[: len(data) * 3 // 5])
    return target


def corrupt(target: Path) -> Path:
    """Bytes flipped inside the first sheet's compressed data: the directory is intact."""
    data = bytearray(GOOD.read_bytes())
    with zipfile.ZipFile(GOOD) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    for at in range(start + info.compress_size // 3, start + info.compress_size * 2 // 3):
        data[at] ^= 0x5A
    target.write_bytes(bytes(data))
    return target


def html_export(target: Path) -> Path:
    target.write_text(
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8">'
        "<title>Báo cáo</title></head><body><table><tr><td>STT</td><td>Chỉ tiêu</td></tr>"
        "<tr><td>1</td><td>Tỷ lệ cơ quan có mạng LAN</td></tr></table></body></html>",
        encoding="utf-8",
    )
    return target


def csv_text(target: Path) -> Path:
    target.write_text(
        "STT;Chỉ tiêu;Đơn vị tính;Kế hoạch;Thực hiện\n1;Số cơ quan;Cơ quan;25;25\n"
        "2;Số máy tính;Máy;1.519;1.519\n3;Tỷ lệ;%;100;98,5\n",
        encoding="utf-8",
    )
    return target


def without_forms(target: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "Danh sách cán bộ tham gia tập huấn"
    sheet["A2"], sheet["B2"] = "Nguyễn Văn A", 35
    book.save(target)
    return target


def far_cell(target: Path, cell: str = "XFD1048576") -> Path:
    """A value typed at ``cell``: read from A1, the sheet spans billions of cells."""
    row = re.sub(r"^[A-Z]+", "", cell)

    def change(data: bytes) -> bytes:
        far = f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>'
        return data.replace(b"</sheetData>", far.encode() + b"</sheetData>")

    return rewrite_zip(GOOD, target, in_member("xl/worksheets/sheet1.xml", change))


def forged_string_count(target: Path) -> Path:
    """A shared-strings part declaring two billion strings (the reader reserves them all)."""
    import xlsxwriter

    plain = target.with_name("_plain.xlsx")
    book = xlsxwriter.Workbook(str(plain))
    sheet = book.add_worksheet()
    sheet.write("A1", "một")
    sheet.write("A2", "hai")
    book.close()

    def change(data: bytes) -> bytes:
        return re.sub(rb'uniqueCount="\d+"', b'uniqueCount="2000000000"', data)

    rewrite_zip(plain, target, in_member("xl/sharedStrings.xml", change))
    plain.unlink()
    return target


def ods(target: Path, content: bytes) -> Path:
    """An OpenDocument spreadsheet from the raw text of its content.xml."""
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        b'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        b'<manifest:file-entry manifest:full-path="/" manifest:media-type='
        b'"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        b'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return target


ODS_CONTENT = (
    b'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
    b'"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table='
    b'"urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text='
    b'"urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
    b'<office:spreadsheet><table:table table:name="Trang1"><table:table-row><table:table-cell'
    b' office:value-type="string"><text:p>Xin ch&#224;o</text:p></table:table-cell>'
    b"</table:table-row>"
    b"</table:table></office:spreadsheet></office:body></office:document-content>"
)


def broken_xls(target: Path) -> Path:
    """An OLE2 file with a Workbook stream of garbage instead of BIFF records."""
    noise = random.Random(7).randbytes(6000)
    target.write_bytes(cfb({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00" + noise}))
    return target


# ---------------------------------------------------------------------------------------------
# The folder


def build_folder(folder: Path, *, with_corpus: bool = True) -> dict[Path, Expect]:
    """The good submission, the roster, a lock file and every hostile file, in ``folder``.

    Returns each bad file with what its finding must be. The lock file (a real copy of the
    good workbook, as Excel leaves it while the file is open) must not be listed at all.
    """
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(GOOD, folder / GOOD_NAME)
    shutil.copy(ROSTER, folder / "roster.csv")
    shutil.copy(GOOD, folder / f"~${GOOD_NAME}")
    bomb = ("độc hại",)
    made: dict[Path, Expect] = {
        zip_bomb(folder / "bom nen.xlsx"): Expect("zip-bomb", ("bom nén",)),
        lying_zip(folder / "bom khai man.xlsx"): Expect("zip-bomb", bomb),
        xml_bomb(folder / "bom XML.xlsx"): Expect("xml-bomb", ("DOCTYPE",)),
        external_entity(folder / "thuc the ngoai.xlsx"): Expect("xml-bomb", ("DOCTYPE",)),
        encrypted_workbook(GOOD, folder / "co mat khau.xlsx"): Expect(
            "encrypted-file", ("mật khẩu",)
        ),
        encrypted_package(folder / "co mat khau 2.xlsx"): Expect("encrypted-file", ("mật khẩu",)),
        encrypted_xls(folder / "co mat khau.xls"): Expect("encrypted-file", ("mã hóa",)),
        truncated(folder / "tai ve do dang.xlsx"): Expect("corrupt-file", ("hỏng",)),
        corrupt(folder / "hong.xlsx"): Expect("corrupt-file", ("hỏng",)),
        folder / "rong.xlsx": Expect("empty-file", ("rỗng",)),
        folder / "ngau nhien.xlsx": Expect(words=("định dạng",)),
        html_export(folder / "xuat tu web.xls"): Expect("html-not-workbook", ("HTML", ".xlsx")),
        csv_text(folder / "bang CSV.xlsx"): Expect("text-not-workbook", ("CSV", ".xlsx")),
        without_forms(folder / "khong co bieu.xlsx"): Expect(code="no-form"),
        far_cell(folder / "o o rat xa.xlsx"): Expect("out-of-memory", ("dòng, cột thừa",)),
        far_cell(folder / "vung qua lon.xlsx", "Z400000"): Expect("sheet-too-large", ("quá lớn",)),
        forged_string_count(folder / "chuoi gia.xlsx"): Expect("xml-bomb", ("độc hại",)),
        ods(folder / "khong co bieu.ods", ODS_CONTENT): Expect(code="no-form"),
        ods(folder / "hong.ods", ODS_CONTENT[:300]): Expect(words=("LibreOffice", ".xlsx")),
        broken_xls(folder / "hong.xls"): Expect(words=(".xlsx",)),
    }
    (folder / "rong.xlsx").write_bytes(b"")
    (folder / "ngau nhien.xlsx").write_bytes(random.Random(1).randbytes(20_000))
    if with_corpus:
        for relative, code in CORPUS_CRASHERS.items():
            source = CORPUS / relative
            if source.is_file():
                target = folder / "kho" / source.name
                target.parent.mkdir(exist_ok=True)
                shutil.copy(source, target)
                target.chmod(0o644)
                made[target] = Expect(code)
    return made
