"""Tell what a submitted file really is, from its bytes, before any spreadsheet reader sees it.

Submissions arrive by e-mail and are often not what their names claim: HTML pages or CSV text
saved as ``.xlsx``, password-protected workbooks, Excel's ``~$`` lock files, truncated downloads,
and now and then something hostile (a zip bomb, an XML entity bomb, a corrupt OLE file that
makes a native reader abort). Readers report all of these with cryptic errors or, worse, crash
the process. :func:`sniff` looks only at headers and directories (never inflating a whole zip
member, never following an unbounded chain), answers in well under a second for any file, and
never raises: every problem comes back as a :class:`Sniffed` whose ``message`` tells staff, in
Vietnamese, what the file is and what to do. The caller prefixes the file name.

This module uses the standard library only, so it can run before anything heavy is imported.
"""

from __future__ import annotations

import errno
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Final, Literal

from .common.numbers import vn_number as _vn

__all__ = [
    "BOMB_MIN_MEMBER_BYTES",
    "MAX_COMPRESSION_RATIO",
    "MAX_MEMBERS",
    "MAX_UNCOMPRESSED_BYTES",
    "SPREADSHEET_KINDS",
    "XML_PROLOG_LIMIT",
    "Kind",
    "Sniffed",
    "check_xml_safety",
    "foreign_encoding",
    "holds_error",
    "holds_formula",
    "is_sheet_part",
    "sniff",
    "sniff_data",
    "xls_workbook_stream",
]

# --- limits -----------------------------------------------------------------------------------

#: Refuse a zip whose members declare more than this many bytes in total once inflated.
#: The largest real workbook in the reference corpus inflates to 23 MB; a report ten times
#: that size is still far below this, while a bomb is far above it.
MAX_UNCOMPRESSED_BYTES: Final = 200 * 1024 * 1024
#: A member inflating more than this many times its stored size is a bomb ...
MAX_COMPRESSION_RATIO: Final = 200
#: ... provided it also inflates to more than this (tiny members legitimately compress well).
BOMB_MIN_MEMBER_BYTES: Final = 10 * 1024 * 1024
#: Refuse a zip with more members than this (the corpus maximum is about 1,000).
MAX_MEMBERS: Final = 10_000
#: How much inflated XML :func:`check_xml_safety` reads at most, looking for the root element.
XML_PROLOG_LIMIT: Final = 64 * 1024

# Inflated bytes all XML checks of one file may read together (real files need a few KB).
_XML_CHECK_BUDGET: Final = 16 * 1024 * 1024
# Worksheets up to this size (inflated) are looked into for formulas while sniffing.
_FORMULA_SCAN_LIMIT: Final = 8 * 1024 * 1024
# Small XML parts read whole (content types, ODF manifest); real ones are a few KB.
_SMALL_PART_LIMIT: Final = 1024 * 1024
# Bytes of a file's start used to recognise text formats.
_HEAD_BYTES: Final = 64 * 1024
# The central directory of MAX_MEMBERS members with long names stays far below this.
_MAX_CENTRAL_DIRECTORY: Final = 16 * 1024 * 1024
# An OLE directory with more entries than this is not a spreadsheet anyone sends by e-mail.
_MAX_OLE_DIRECTORY_BYTES: Final = 4 * 1024 * 1024
# Where the OLE directory cannot be parsed, stream names are searched for in this many bytes.
_OLE_FALLBACK_SCAN: Final = 64 * 1024 * 1024

Kind = Literal[
    "xlsx",  # Office Open XML workbook: .xlsx, .xlsm, .xltx, .xltm, .xlam
    "xls",  # Excel 97-2003 (BIFF5/BIFF8 in an OLE2 container)
    "xlsb",  # Excel binary workbook
    "ods",  # OpenDocument spreadsheet
    "encrypted",  # password-protected (encrypted) workbook of any format
    "html",  # HTML page or MHTML web archive, usually exported by a web system
    "xml2003",  # Excel 2003 "XML Spreadsheet"
    "csv",  # delimited text
    "text",  # other plain text
    "empty",  # zero bytes
    "lock",  # Excel's "~$name.xlsx" owner file or LibreOffice's ".~lock.name#"
    "numbers",  # Apple Numbers
    "pdf",
    "document",  # Word or PowerPoint document (doc, docx, odt, rtf, ppt, pptx)
    "email",  # a saved e-mail (.msg, .eml) instead of its attachment
    "image",
    "archive",  # a zip/rar/7z/gzip that is not itself a workbook
    "biff",  # Excel 2.x-4.0 (or bare BIFF) stream without an OLE2 container
    "corrupt",  # truncated or structurally broken
    "unsafe",  # zip bomb, XML entity bomb or similar: refused for safety
    "unreadable",  # the file system refused (missing, no permission, a folder)
    "unknown",
]

#: Kinds a spreadsheet reader (calamine) can open; ``Sniffed.readable`` is true for exactly these.
SPREADSHEET_KINDS: Final[frozenset[str]] = frozenset({"xlsx", "xls", "xlsb", "ods"})


@dataclass(frozen=True, kw_only=True)
class Sniffed:
    """What a file really is.

    ``readable`` is true when a spreadsheet reader may open it (kind xlsx, xls, xlsb, ods);
    ``message`` is then None. Otherwise ``message`` is a Vietnamese sentence that says what the
    file is and what the sender should do; it does not name the file.
    ``kind`` is decided from the bytes, never from the extension, so an .xls saved under an
    .xlsx name comes back as "xls": open it with a reader chosen by ``kind``.
    """

    kind: Kind
    readable: bool
    message: str | None
    #: For an xlsx: the worksheet parts (member names) holding a formula, which the reader
    #: must then look into for formulas never calculated; None when not looked at (another
    #: kind, a sheet too large to inflate here, a member that would not inflate).
    formulas: frozenset[str] | None = field(default=None, compare=False)
    #: For an xlsx: the worksheet parts holding a cell typed as an Excel error value
    #: (``t="e"``: #REF!, #DIV/0!, …), which every reader returns as blank; None when not
    #: looked at, as for ``formulas``.
    errors: frozenset[str] | None = field(default=None, compare=False)
    #: XML parts (member names) in another encoding than UTF-8 (UTF-16 with its byte order
    #: mark, or a declared legacy encoding): legal XML, but the reader refuses it.
    recode: frozenset[str] = field(default=frozenset(), compare=False)
    #: For an xlsx: how many of its XML parts may be sheets (every part but the workbook,
    #: styles, themes, drawings…); more than the workbook names means some are not read.
    sheet_parts: int | None = field(default=None, compare=False)
    #: For a refused file: the finding code that names the refusal (``schemas/findings.yaml``).
    refusal: str | None = field(default=None, compare=False)


# --- messages -----------------------------------------------------------------------------------

_SAVE_AS_XLSX: Final = "hãy mở bằng Excel và Lưu thành Sổ làm việc Excel (.xlsx) rồi gửi lại."
_SEND_REPORT: Final = "hãy gửi đúng tệp Excel báo cáo (.xlsx)."

_MSG_EMPTY: Final = (
    "Tệp rỗng (0 byte), thường do tải về hoặc sao chép bị lỗi: hãy xin gửi lại tệp báo cáo."
)
_MSG_ZEROS: Final = (
    "Tệp chỉ chứa toàn byte 0 (tải về hoặc sao chép bị lỗi): hãy xin gửi lại tệp báo cáo."
)
_MSG_LOCK: Final = (
    "Đây là tệp khóa tạm do Excel/LibreOffice tạo ra khi tệp gốc đang mở (tên bắt đầu bằng"
    " ~$ hoặc .~lock), không phải báo cáo: bỏ qua tệp này."
)
_MSG_ENCRYPTED: Final = (
    "Tệp được bảo vệ bằng mật khẩu (mã hóa): hãy mở bằng Excel, bỏ mật khẩu (Tệp > Thông tin"
    " > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu, xóa trống mật khẩu), lưu lại rồi gửi lại."
)
_MSG_ENCRYPTED_XLS: Final = (
    "Tệp Excel 97–2003 (.xls) được mã hóa (có mật khẩu mở tệp hoặc bảo vệ sổ làm việc):"
    " hãy mở bằng Excel, bỏ mật khẩu nếu có, rồi Lưu thành Sổ làm việc Excel (.xlsx) và gửi lại."
)
_MSG_ENCRYPTED_ODS: Final = (
    "Tệp OpenDocument (.ods) được bảo vệ bằng mật khẩu: hãy mở bằng LibreOffice hoặc Excel,"
    " bỏ mật khẩu rồi Lưu thành Sổ làm việc Excel (.xlsx) và gửi lại."
)
_MSG_ENCRYPTED_ZIP: Final = (
    "Tệp được nén kèm mật khẩu (ZIP có mật khẩu): hãy mở bằng Excel, Lưu thành Sổ làm việc"
    " Excel (.xlsx) không đặt mật khẩu rồi gửi lại."
)
_MSG_BAD_ZIP: Final = (
    "Tệp bị hỏng hoặc tải về chưa hết (cấu trúc nén ZIP không đọc được): hãy tải lại tệp"
    " hoặc xin đơn vị gửi lại."
)
_MSG_BAD_OOXML: Final = (
    "Tệp bị hỏng: thiếu phần chính của sổ làm việc Excel. Hãy thử mở bằng Excel và Lưu thành"
    " Sổ làm việc Excel (.xlsx), hoặc xin đơn vị gửi lại."
)
_MSG_BAD_ODS: Final = (
    "Tệp OpenDocument (.ods) bị hỏng (thiếu thành phần mimetype): hãy mở bằng LibreOffice hoặc"
    " Excel và Lưu thành Sổ làm việc Excel (.xlsx) rồi gửi lại."
)
_MSG_BAD_OLE: Final = (
    "Tệp bị hỏng (cấu trúc tệp Excel 97–2003 không hợp lệ) hoặc tải về chưa hết: hãy thử mở"
    " bằng Excel và Lưu thành Sổ làm việc Excel (.xlsx), hoặc xin đơn vị gửi lại."
)
_MSG_OLE_OTHER: Final = "Tệp Office 97–2003 nhưng không chứa bảng tính Excel: " + _SEND_REPORT
_MSG_XML_UNSAFE: Final = (
    "Tệp chứa khai báo DOCTYPE/ENTITY trong phần XML (tệp Excel chuẩn không bao giờ có, có thể"
    " là tệp độc hại): không xử lý. Hãy mở bằng Excel, Lưu thành Sổ làm việc Excel (.xlsx)"
    " mới rồi gửi lại."
)
_MSG_XML_PROLOG: Final = (
    "Phần XML trong tệp có phần mở đầu dài bất thường (có thể là tệp độc hại): không xử lý."
    " Hãy mở bằng Excel, Lưu thành Sổ làm việc Excel (.xlsx) mới rồi gửi lại."
)
_MSG_STRING_COUNT: Final = (
    "Tệp khai báo số chuỗi ký tự lớn vô lý so với dung lượng (tệp hỏng hoặc độc hại, làm trình"
    " đọc cạn bộ nhớ): không xử lý. Hãy mở bằng Excel, Lưu thành Sổ làm việc Excel (.xlsx) mới"
    " rồi gửi lại."
)
_MSG_ZIP_MEMBER_UNREADABLE: Final = (
    "Tệp bị hỏng hoặc dùng kiểu nén không hỗ trợ: hãy mở bằng Excel, Lưu thành Sổ làm việc"
    " Excel (.xlsx) rồi gửi lại."
)
_MSG_NUMBERS: Final = (
    "Tệp được tạo bằng Apple Numbers: hãy mở bằng Numbers, chọn Tệp > Xuất sang > Excel rồi"
    " gửi tệp .xlsx."
)
_MSG_PDF: Final = (
    "Tệp này là tài liệu PDF, không phải bảng tính: hãy gửi tệp Excel gốc (.xlsx) của báo cáo."
)
_MSG_IMAGE: Final = (
    "Tệp này là hình ảnh (ảnh chụp hoặc ảnh quét), không phải bảng tính: hãy gửi tệp Excel"
    " gốc (.xlsx) của báo cáo."
)
_MSG_ARCHIVE: Final = (
    "Tệp nén (ZIP/RAR/7z/GZIP), không phải bảng tính: hãy giải nén và gửi trực tiếp tệp Excel"
    " báo cáo."
)
_MSG_WORD: Final = (
    "Tệp này là văn bản (Word/OpenDocument/RTF), không phải bảng tính: " + _SEND_REPORT
)
_MSG_SLIDES: Final = "Tệp này là bản trình chiếu PowerPoint, không phải bảng tính: " + _SEND_REPORT
_MSG_EMAIL: Final = (
    "Tệp này là một thư điện tử đã lưu, không phải bảng tính: hãy mở thư, lưu tệp Excel đính"
    " kèm rồi gửi tệp đó."
)
_MSG_BIFF: Final = (
    "Tệp Excel định dạng rất cũ (Excel 2.x–4.0 hoặc BIFF không có vỏ OLE), trình đọc không hỗ"
    " trợ: " + _SAVE_AS_XLSX
)
_MSG_UNKNOWN: Final = (
    "Không nhận ra định dạng tệp (không phải Excel, OpenDocument, CSV hay HTML), có thể tệp bị"
    " hỏng: " + _SEND_REPORT
)
_MSG_FOLDER: Final = "Đây là một thư mục, không phải tệp: " + _SEND_REPORT
_MSG_INTERNAL: Final = (
    "Không kiểm tra được định dạng tệp (tệp có cấu trúc bất thường): hãy mở bằng Excel, Lưu"
    " thành Sổ làm việc Excel (.xlsx) rồi gửi lại."
)

# Extensions under which a non-Excel file is "disguised"; the message then says so.
_EXCEL_SUFFIXES: Final = frozenset(
    {".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam", ".xls", ".xlt", ".xla", ".xlsb", ".ods"}
)


def _named(path: Path) -> str:
    """Return " đặt tên .xlsx" when the file carries a spreadsheet extension, else ""."""
    suffix = path.suffix.lower()
    return f" đặt tên {suffix}" if suffix in _EXCEL_SUFFIXES else ""


def _msg_html(path: Path, *, mhtml: bool) -> str:
    what = "trang web lưu trữ MHTML (.mht)" if mhtml else "trang HTML"
    return (
        f"Tệp này thực chất là {what} (thường do hệ thống web xuất ra){_named(path)}: "
        + _SAVE_AS_XLSX
    )


def _msg_csv(path: Path) -> str:
    return (
        "Tệp này thực chất là văn bản CSV (dữ liệu cách nhau bằng dấu phẩy, chấm phẩy hoặc tab)"
        f"{_named(path)}, không phải sổ làm việc Excel: " + _SAVE_AS_XLSX
    )


def _msg_text(path: Path) -> str:
    return f"Tệp này là văn bản thuần{_named(path)}, không phải bảng tính: " + _SEND_REPORT


def _msg_xml2003(path: Path) -> str:
    return (
        "Tệp này là Bảng tính XML 2003 (thường do phần mềm cũ xuất ra)"
        f"{_named(path)}, trình đọc không hỗ trợ: " + _SAVE_AS_XLSX
    )


def _msg_total(total: int) -> str:
    return (
        f"Tệp khai báo dung lượng sau giải nén quá lớn ({_vn(total // 2**20)} MB, giới hạn"
        f" {_vn(MAX_UNCOMPRESSED_BYTES // 2**20)} MB), có thể là tệp độc hại (bom nén):"
        " không xử lý. Nếu đúng là báo cáo, hãy xóa dữ liệu và trang tính thừa rồi gửi lại."
    )


def _msg_ratio(ratio: float) -> str:
    return (
        f"Tệp có phần nén với tỉ lệ bất thường ({_vn(round(ratio))}:1), dấu hiệu của tệp độc hại"
        " (bom nén): không xử lý. Hãy mở bằng Excel, Lưu thành Sổ làm việc Excel (.xlsx)"
        " mới rồi gửi lại."
    )


def _msg_members(count: int) -> str:
    return (
        f"Tệp nén chứa quá nhiều thành phần ({_vn(count)}, giới hạn {_vn(MAX_MEMBERS)}), có thể"
        " là tệp độc hại: không xử lý."
    )


def _msg_os_error(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "Không tìm thấy tệp (có thể đã bị xóa hoặc đổi tên)."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (
            "Không có quyền đọc tệp: hãy kiểm tra quyền truy cập hoặc chép tệp sang thư mục khác."
        )
    if exc.errno == errno.EISDIR:
        return _MSG_FOLDER
    return (
        f"Không đọc được tệp (lỗi hệ thống: {exc.strerror or exc}): hãy chép lại tệp rồi thử lại."
    )


def _ok(kind: Kind) -> Sniffed:
    return Sniffed(kind=kind, readable=True, message=None)


#: The finding code of each kind of refused file; a kind not named here is "unreadable-file".
_REFUSAL_CODES: Final[dict[str, str]] = {
    "encrypted": "encrypted-file",
    "html": "html-not-workbook",
    "xml2003": "xml-spreadsheet-2003",
    "csv": "text-not-workbook",
    "text": "text-not-workbook",
    "empty": "empty-file",
    "lock": "lock-file",
    "numbers": "not-a-spreadsheet",
    "pdf": "not-a-spreadsheet",
    "document": "not-a-spreadsheet",
    "email": "not-a-spreadsheet",
    "image": "not-a-spreadsheet",
    "archive": "not-a-spreadsheet",
    "biff": "old-excel-format",
    "corrupt": "corrupt-file",
    "unsafe": "zip-bomb",
}


def _no(kind: Kind, message: str, *, refusal: str | None = None) -> Sniffed:
    code = refusal or _REFUSAL_CODES.get(kind, "unreadable-file")
    return Sniffed(kind=kind, readable=False, message=message, refusal=code)


# --- entry point --------------------------------------------------------------------------------


def sniff(path: Path) -> Sniffed:
    """Say what the file at ``path`` really is, judging by its bytes; never raises.

    Reads at most the first 64 KB, the zip central directory (plus the first bytes of each XML
    member and a few small parts) or the OLE2 directory (plus the start of the workbook
    stream). A name starting with ``~$`` or ``.~lock.`` is a lock file whatever it holds.
    """
    try:
        return _sniff(Path(path))
    except OSError as exc:
        return _no("unreadable", _msg_os_error(exc))
    except Exception:
        # A file so odd that a check here tripped over it is best not handed to a reader.
        return _no("unknown", _MSG_INTERNAL)


def sniff_data(path: Path, data: bytes) -> Sniffed:
    """``sniff`` of a file already read whole (``data``, the bytes of ``path``): the reader
    reads a small file once, for sniffing, reading and hashing alike."""
    try:
        if _is_lock_name(path.name):
            return _no("lock", _MSG_LOCK)
        return _sniff_stream(io.BytesIO(data), Path(path))
    except Exception:
        return _no("unknown", _MSG_INTERNAL)


def _is_lock_name(name: str) -> bool:
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def _sniff(path: Path) -> Sniffed:
    if _is_lock_name(path.name):
        return _no("lock", _MSG_LOCK)
    if path.is_dir():
        # macOS keeps older Numbers documents as folders (bundles).
        if (path / "Index.zip").is_file() or (path / "Index").is_dir():
            return _no("numbers", _MSG_NUMBERS)
        return _no("unreadable", _MSG_FOLDER)
    with path.open("rb") as f:
        return _sniff_stream(f, path)


def _sniff_stream(f: IO[bytes], path: Path) -> Sniffed:
    size = f.seek(0, 2)
    f.seek(0)
    if size == 0:
        return _no("empty", _MSG_EMPTY)
    head = f.read(_HEAD_BYTES)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(f, size, path)
    if head.startswith(_OLE_MAGIC):
        return _sniff_ole(f, size)
    return _sniff_other(head, size, path)


# --- zip ----------------------------------------------------------------------------------------

_CT_SPREADSHEET: Final = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml",
    "application/vnd.ms-excel.template.macroenabled.main+xml",
    "application/vnd.ms-excel.addin.macroenabled.main+xml",
)
_CT_XLSB: Final = "application/vnd.ms-excel.sheet.binary.macroenabled.main"
_CT_WORD: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml"
_CT_SLIDES: Final = "application/vnd.openxmlformats-officedocument.presentationml"
_ODS_MIME: Final = b"application/vnd.oasis.opendocument.spreadsheet"
_XML_SUFFIXES: Final = (".xml", ".rels", ".vml")


def _norm(name: str) -> str:
    # Some writers store Windows separators or a leading slash; readers tolerate both.
    return name.replace("\\", "/").lstrip("/").lower()


def _sniff_zip(f: IO[bytes], size: int, path: Path) -> Sniffed:
    declared = _zip_declared_entries(f, size)
    if declared is None:
        return _no("corrupt", _MSG_BAD_ZIP)
    entries, cd_size = declared
    if entries > MAX_MEMBERS or cd_size > _MAX_CENTRAL_DIRECTORY:
        return _no("unsafe", _msg_members(entries))
    f.seek(0)
    try:
        zf = zipfile.ZipFile(f)
    except Exception:
        # BadZipFile mostly; also undecodable UTF-8 names, struct errors on garbage records.
        return _no("corrupt", _MSG_BAD_ZIP)
    with zf:
        infos = zf.infolist()
        if not infos:
            return _no("corrupt", _MSG_BAD_ZIP)
        verdict = _bomb_check(infos)
        if verdict is not None:
            return verdict
        by_name = {_norm(i.filename): i for i in infos}
        kind = _zip_kind(zf, by_name, f)
        if kind.kind not in SPREADSHEET_KINDS:
            return kind
        if any(i.flag_bits & 0x1 for i in infos):
            return _no("encrypted", _MSG_ENCRYPTED_ZIP)
        if kind.kind == "ods":
            # An encrypted ODF member is ciphertext, which the XML check would call corrupt.
            encrypted = _ods_encryption(zf, by_name)
            if encrypted is not None:
                return encrypted
        budget = _Budget(_XML_CHECK_BUDGET)
        checked = by_name.get("[content_types].xml")  # by _zip_kind, which read it
        recode: set[str] = set()
        for info in infos:
            if info is not checked and _norm(info.filename).endswith(_XML_SUFFIXES):
                problem = _xml_safety(zf, info, budget, f, recode)
                if problem is not None:
                    return problem
        if kind.kind == "xlsx":
            # The zip is open and checked: say which sheets have formulas or error values,
            # so that the reader need not open it again to find out (most reports have none).
            formulas, errors = _marked_parts(f, infos, recode)
            return replace(
                kind,
                formulas=formulas,
                errors=errors,
                recode=frozenset(recode),
                sheet_parts=sum(1 for i in infos if is_sheet_part(_norm(i.filename))),
            )
        return kind


# Every formula element, <f>, <f t="shared" …>, <f/> or <x:f>, has an "f" before a space, "/"
# or ">": a letter rarer than "<", so this scan is three times faster than looking for "<f".
_FORMULA_HINT: Final = re.compile(rb"f[\s/>]")


def holds_formula(xml: bytes) -> bool:
    """Whether a worksheet's XML holds a formula element (a few false positives, no misses)."""
    return _FORMULA_HINT.search(xml) is not None and (b"<f" in xml or b":f" in xml)


def holds_error(xml: bytes) -> bool:
    """Whether a worksheet's XML may hold a cell of type error, ``t="e"``, with its value (a
    few false positives, no misses)."""
    # A cached error value starts with "#", a byte found at memchr speed and rare in sheets;
    # an error cell without one is a formula never calculated, which holds_formula finds.
    return b"#" in xml and (b't="e"' in xml or b"t='e'" in xml)


# The parts of a workbook that are not worksheets; any other XML part under xl/ may be one (a
# writer may put its sheets outside xl/worksheets/, where only the workbook's relationships
# say so).
_NOT_SHEETS: Final = re.compile(
    r"(?:\[content_types\]\.xml|.*\.rels|docprops/.*|customxml/.*"
    r"|xl/(?:workbook|styles|sharedstrings|calcchain|connections|metadata|volatiledependencies)\.xml"
    r"|xl/(?:theme|drawings|charts|chartsheets|printersettings|externallinks|pivottables"
    r"|pivotcache|tables|querytables|richdata|persons|threadedcomments|comments\d*|ctrlprops"
    r"|slicers|slicercaches|timelines|timelinecaches|media|activex|embeddings|model"
    r"|diagrams|webextensions|customdata|featurepropertybag|revisions|namedsheetviews)/.*"
    r"|xl/(?:comments\d*|usernames)\.xml)",
)


def is_sheet_part(name: str) -> bool:
    """Whether a package member (its name lower case, with forward slashes) may be a sheet."""
    return name.startswith("xl/") and name.endswith(".xml") and _NOT_SHEETS.fullmatch(name) is None


def _marked_parts(
    raw: IO[bytes], infos: list[zipfile.ZipInfo], recode: set[str]
) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """The worksheet parts holding a formula, and those holding an error value; (None, None)
    when they could not all be looked at."""
    formulas: set[str] = set()
    errors: set[str] = set()
    for info in infos:
        if not is_sheet_part(_norm(info.filename)):
            continue
        if info.file_size > _FORMULA_SCAN_LIMIT or info.filename in recode:
            return None, None
        try:
            xml = _member_head(raw, info, info.file_size)
        except Exception:
            xml = None
        if xml is None or len(xml) != info.file_size:
            return None, None  # the reader's own look says what is wrong with it
        if holds_formula(xml):
            formulas.add(info.filename)
        if holds_error(xml):
            errors.add(info.filename)
    return frozenset(formulas), frozenset(errors)


def _zip_declared_entries(f: IO[bytes], size: int) -> tuple[int, int] | None:
    """Return (member count, central directory size) from the end records, None if absent.

    Read before zipfile builds one object per member: a hostile file can declare millions.
    """
    tail_len = min(size, 65535 + 22)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    entries, cd_size = struct.unpack_from("<HI", tail, at + 10)
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        # ZIP64: the locator just before the end record points at the ZIP64 end record.
        loc = at - 20
        if loc < 0 or tail[loc : loc + 4] != b"PK\x06\x07":
            return None
        (offset,) = struct.unpack_from("<Q", tail, loc + 8)
        if offset + 56 > size:
            return None
        f.seek(offset)
        rec = f.read(56)
        if rec[:4] != b"PK\x06\x06":
            return None
        entries, cd_size = struct.unpack_from("<QQ", rec, 32)
    return entries, cd_size


def _bomb_check(infos: list[zipfile.ZipInfo]) -> Sniffed | None:
    if len(infos) > MAX_MEMBERS:
        return _no("unsafe", _msg_members(len(infos)))
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > BOMB_MIN_MEMBER_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                return _no("unsafe", _msg_ratio(ratio))
    if total > MAX_UNCOMPRESSED_BYTES:
        return _no("unsafe", _msg_total(total))
    return None


def _read_small(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, raw: IO[bytes] | None = None
) -> bytes | None:
    """Return a small member whole, or None when it is too big or unreadable."""
    if info.file_size > _SMALL_PART_LIMIT:
        return None
    if raw is not None:
        try:
            data = _member_head(raw, info, info.file_size)
        except Exception:
            return None  # as zipfile's own reading fails on it
        if data is not None and len(data) == info.file_size:
            return data
    try:
        with zf.open(info) as member:
            return member.read(_SMALL_PART_LIMIT)
    except Exception:
        return None


def _zip_kind(
    zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], raw: IO[bytes] | None = None
) -> Sniffed:
    names = by_name.keys()
    mimetype = by_name.get("mimetype")
    if mimetype is not None:
        data = _read_small(zf, mimetype) or b""
        if data.strip().startswith(_ODS_MIME):
            return _ok("ods")
        if data.startswith(b"application/vnd.oasis.opendocument."):
            return _no("document", _MSG_WORD)
    if "content.xml" in names and "meta-inf/manifest.xml" in names:
        # OpenDocument without its "mimetype" member: readers refuse it.
        manifest = _read_small(zf, by_name["meta-inf/manifest.xml"]) or b""
        if b"opendocument.spreadsheet" in manifest:
            return _no("corrupt", _MSG_BAD_ODS)
        return _no("document", _MSG_WORD)
    if "index.zip" in names or any(n.startswith("index/") and n.endswith(".iwa") for n in names):
        return _no("numbers", _MSG_NUMBERS)

    ct_info = by_name.get("[content_types].xml")
    if ct_info is not None:
        problem = _xml_safety(zf, ct_info, None, raw)
        if problem is not None:
            return problem
        types = (_read_small(zf, ct_info, raw) or b"").decode("utf-8", "replace").lower()
        if any(t in types for t in _CT_SPREADSHEET):
            main = _main_part(types, _CT_SPREADSHEET)
            if main is not None and main not in names:
                return _no("corrupt", _MSG_BAD_OOXML)
            return _ok("xlsx")
        if _CT_XLSB in types:
            return _ok("xlsb")
        if _CT_WORD in types:
            return _no("document", _MSG_WORD)
        if _CT_SLIDES in types:
            return _no("document", _MSG_SLIDES)
    if "xl/workbook.xml" in names:
        return _ok("xlsx")
    if "xl/workbook.bin" in names:
        return _ok("xlsb")
    if "word/document.xml" in names:
        return _no("document", _MSG_WORD)
    if ct_info is not None or any(n.startswith("xl/") for n in names):
        # Looks like an Office package, but the workbook part is missing.
        return _no("corrupt", _MSG_BAD_OOXML)
    return _no("archive", _MSG_ARCHIVE)


def _main_part(types: str, content_types: tuple[str, ...]) -> str | None:
    """Return the normalised part name that [Content_Types].xml gives the main workbook."""
    for ct in content_types:
        at = types.find(f'"{ct}"')
        if at < 0:
            at = types.find(f"'{ct}'")
        if at < 0:
            continue
        start = types.rfind("<override", 0, at)
        end = types.find(">", at)
        if start < 0 or end < 0:
            return None
        tag = types[start:end]
        key = tag.find("partname=")
        if key < 0:
            return None
        rest = tag[key + len("partname=") :]
        if not rest or rest[0] not in "\"'":
            return None
        close = rest.find(rest[0], 1)
        if close < 0:
            return None
        return _norm(rest[1:close])
    return None


def _ods_encryption(zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo]) -> Sniffed | None:
    manifest = by_name.get("meta-inf/manifest.xml")
    if manifest is None:
        return None
    data = _read_small(zf, manifest)
    if data is not None and b"encryption-data" in data:
        return _no("encrypted", _MSG_ENCRYPTED_ODS)
    return None


def check_xml_safety(zf: zipfile.ZipFile, member: str | zipfile.ZipInfo) -> str | None:
    """Return a Vietnamese refusal if an XML member declares a DTD, else None.

    OOXML and ODF never legitimately carry a ``<!DOCTYPE``, and a DTD is where entity bombs
    ("billion laughs") and external entities live. A DTD may only appear in the prolog, before
    the root element, so the member is inflated only until its root start tag, and at most
    :data:`XML_PROLOG_LIMIT` bytes: a prolog longer than that is refused as well.
    Unreadable members (corrupt data, unsupported compression) are refused too; a name not in
    the archive raises KeyError, as ``ZipFile.open`` does. For ``xl/sharedStrings.xml`` the
    root's ``uniqueCount`` must fit the member's size: readers reserve memory for that many
    strings up front, and a forged count aborts them.
    """
    verdict = _xml_safety(zf, member)
    return None if verdict is None else verdict.message


class _Budget:
    """Inflated bytes that the XML checks of one file may still read, all members together."""

    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left


# A verdict of the quick look at a member's start that leaves the decision to the full look.
_UNDECIDED: Final = _no("unknown", "")


def _xml_safety(
    zf: zipfile.ZipFile,
    member: str | zipfile.ZipInfo,
    budget: _Budget | None = None,
    raw: IO[bytes] | None = None,
    recode: set[str] | None = None,
) -> Sniffed | None:
    """The verdict on one XML member; ``recode`` gathers the members not in UTF-8."""
    info = member if isinstance(member, zipfile.ZipInfo) else zf.getinfo(member)
    shared_strings = _norm(info.filename).endswith("sharedstrings.xml")
    if raw is not None:
        verdict = _quick_xml_safety(raw, info, budget, shared_strings=shared_strings, recode=recode)
        if verdict is not _UNDECIDED:
            return verdict
    buf = b""
    pos = 0  # the prolog is known clean up to here
    want = 1024  # real prologs are a hundred bytes or so: start small
    try:
        with zf.open(info) as stream:
            while True:
                room = XML_PROLOG_LIMIT - len(buf)
                if budget is not None:
                    room = min(room, budget.left)
                chunk = stream.read(min(want, room)) if room > 0 else b""
                want = min(want * 4, 16384)
                if budget is not None:
                    budget.left -= len(chunk)
                buf += chunk
                at_end = not chunk
                if recode is not None and len(buf) == len(chunk) and foreign_encoding(buf):
                    recode.add(info.filename)
                text = _decode_xml_start(buf)
                state, pos = _scan_prolog(text, pos, at_end=at_end)
                if state == "dtd":
                    return _no("unsafe", _MSG_XML_UNSAFE, refusal="xml-bomb")
                if state == "root":
                    if not shared_strings:
                        return None
                    tag = _start_tag(text, pos)
                    if tag is not None:
                        return _check_string_count(tag, info.file_size)
                if at_end:
                    # Out of room: a prolog this long is an attack. True end of member: no root
                    # (or a cut root tag), which the reader rejects on its own.
                    return _no("unsafe", _MSG_XML_PROLOG, refusal="xml-bomb") if room <= 0 else None
    except Exception:
        return _no("corrupt", _MSG_ZIP_MEMBER_UNREADABLE)


_DECLARED_ENCODING: Final = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)""")


def foreign_encoding(start: bytes) -> str | None:
    """The encoding of an XML part starting with ``start``, when it is not UTF-8: "utf-16"
    (byte order mark or ``<`` in two bytes), or the one its declaration names."""
    if start[:2] in (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<"):
        return "utf-16"
    if start.startswith(b"<?xml"):
        match = _DECLARED_ENCODING.match(start)
        if match is not None:
            name = match.group(1).decode("ascii").lower().replace("_", "-")
            if name not in ("utf-8", "utf8"):
                return name
    return None


_QUICK_BYTES: Final = 1024
_ZIP_READ: Final = zipfile.ZipExtFile.MIN_READ_SIZE  # 4096
_LOCAL_HEADER: Final = 30


def _quick_xml_safety(
    raw: IO[bytes],
    info: zipfile.ZipInfo,
    budget: _Budget | None,
    *,
    shared_strings: bool,
    recode: set[str] | None = None,
) -> Sniffed | None:
    """The same verdict as the full look, from the member's first kilobyte inflated straight
    from the file (a tenth of the cost of opening it through zipfile), or _UNDECIDED."""
    try:
        head = _member_head(raw, info, _QUICK_BYTES)
    except Exception:
        return _no("corrupt", _MSG_ZIP_MEMBER_UNREADABLE)
    if head is None or (budget is not None and budget.left < len(head)):
        return _UNDECIDED
    if recode is not None and foreign_encoding(head):
        recode.add(info.filename)
    at_end = len(head) >= info.file_size
    text = _decode_xml_start(head)
    state, pos = _scan_prolog(text, 0, at_end=at_end)
    verdict: Sniffed | None = _UNDECIDED
    if state == "dtd":
        verdict = _no("unsafe", _MSG_XML_UNSAFE, refusal="xml-bomb")
    elif state == "root":
        tag = _start_tag(text, pos) if shared_strings else None
        if not shared_strings:
            verdict = None
        elif tag is not None:
            verdict = _check_string_count(tag, info.file_size)
    elif at_end:
        verdict = None  # no root at all: the reader rejects it on its own
    if verdict is not _UNDECIDED and budget is not None:
        budget.left -= len(head)
    return verdict


def _member_head(raw: IO[bytes], info: zipfile.ZipInfo, want: int) -> bytes | None:
    """Up to ``want`` inflated bytes of a stored or deflated member, read from its local
    header on; None for other compressions. Raises on a damaged header or data, where
    zipfile raises too (a bad signature, a name differing from the directory's)."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    raw.seek(info.header_offset)
    header = raw.read(_LOCAL_HEADER)
    if len(header) < _LOCAL_HEADER or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local file header")
    name_length, extra_length = struct.unpack_from("<HH", header, 26)
    name = raw.read(name_length)
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    if name.decode(encoding, "replace") != info.orig_filename:
        raise zipfile.BadZipFile("file name in directory and header differ")
    raw.seek(extra_length, 1)
    # As zipfile reads: at least 4 KB (so that damage there, or a wrong checksum of a member
    # read to its end, is found alike). Deflate never grows data by more than a few bytes per
    # block: ``want`` + 1 KB in is enough for ``want`` out.
    if info.compress_type == zipfile.ZIP_STORED:
        out = raw.read(min(max(want, _ZIP_READ), info.compress_size))
    else:
        data = raw.read(min(info.compress_size, max(want + 1024, _ZIP_READ)))
        out = zlib.decompressobj(-15).decompress(data, max(want, _ZIP_READ))
    if len(out) >= info.file_size and zlib.crc32(out) != info.CRC:
        raise zipfile.BadZipFile("bad CRC-32")
    return out[:want]


def _decode_xml_start(data: bytes) -> str:
    # UTF-16 is legal XML; the markup characters are ASCII in every encoding parsers accept.
    if data.startswith((b"\xff\xfe", b"<\x00")):
        return data.decode("utf-16-le", "replace")
    if data.startswith((b"\xfe\xff", b"\x00<")):
        return data.decode("utf-16-be", "replace")
    return data.decode("utf-8", "replace")


_XML_SPACE: Final = re.compile(r"[ \t\r\n]*")


def _scan_prolog(
    text: str, start: int, *, at_end: bool
) -> tuple[Literal["root", "dtd", "more"], int]:
    """Walk the XML prolog from ``start`` (a token boundary): ("root", index of the root's
    "<"), ("dtd", _) on a markup declaration, or ("more", index to resume from)."""
    i = 1 if start == 0 and text.startswith("\ufeff") else start
    n = len(text)
    while True:
        match = _XML_SPACE.match(text, i)
        i = match.end() if match else i
        if i >= n:
            return "more", i
        if text.startswith("<?", i):
            close = text.find("?>", i + 2)
            if close < 0:
                return "more", i
            i = close + 2
            continue
        if text.startswith("<!--", i):
            close = text.find("-->", i + 4)
            if close < 0:
                return "more", i
            i = close + 3
            continue
        if text.startswith("<!", i):
            if n - i < 4 and not at_end:
                return "more", i  # could still turn out to be a comment
            # <!DOCTYPE, or any other markup declaration: never valid before an OOXML root.
            return "dtd", i
        # The root start tag (or stray text, which parsers reject on their own).
        return "root", i


def _start_tag(text: str, at: int) -> str | None:
    close = text.find(">", at)
    return None if close < 0 else text[at : close + 1]


_UNIQUE_COUNT: Final = re.compile(r"""\buniqueCount\s*=\s*["']\s*(\d+)""")


def _check_string_count(tag: str, member_size: int) -> Sniffed | None:
    match = _UNIQUE_COUNT.search(tag)
    if match is None:
        return None
    # Each string costs at least "<si/>" (5 bytes) in the part that lists it.
    if int(match.group(1)) > member_size // 5 + 1000:
        return _no("unsafe", _MSG_STRING_COUNT, refusal="xml-bomb")
    return None


# --- OLE2 (compound file) -----------------------------------------------------------------------

_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENDOFCHAIN: Final = 0xFFFFFFFE
_FREESECT: Final = 0xFFFFFFFF
_MAXREGSECT: Final = 0xFFFFFFFA
_NOSTREAM: Final = 0xFFFFFFFF
_BIFF_FILEPASS: Final = 0x002F
_BIFF_BOUNDSHEET: Final = 0x0085
_BIFF_EOF: Final = 0x000A


class _OleError(Exception):
    """The compound file structure is inconsistent (loop, sector out of range, bad header)."""


@dataclass(frozen=True)
class _OleEntry:
    name: str
    type: int
    left: int
    right: int
    child: int
    start: int
    size: int


class _Ole:
    """Just enough of [MS-CFB] to list stream names and read the start of one stream.

    Every chain walk is bounded by the number of sectors the file can hold and stops on a
    loop, so a hostile file costs at most a few reads.
    """

    def __init__(self, f: IO[bytes], size: int) -> None:
        self.f = f
        self.size = size
        f.seek(0)
        header = f.read(512)
        if len(header) < 512:
            raise _OleError("short header")
        shift, mini_shift = struct.unpack_from("<HH", header, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise _OleError("bad sector size")
        self.sector = 1 << shift
        self.max_sectors = size // self.sector + 1
        (self.first_dir,) = struct.unpack_from("<I", header, 0x30)
        self.mini_cutoff, self.first_minifat, _n_minifat = struct.unpack_from("<III", header, 0x38)
        first_difat, n_difat = struct.unpack_from("<II", header, 0x44)
        fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s <= _MAXREGSECT]
        per = self.sector // 4
        seen: set[int] = set()
        sect = first_difat
        for _ in range(min(n_difat, self.max_sectors)):
            if sect > _MAXREGSECT or sect in seen:
                break
            seen.add(sect)
            block = self._sector(sect)
            values = struct.unpack(f"<{per}I", block)
            fat_sectors.extend(s for s in values[:-1] if s <= _MAXREGSECT)
            sect = values[-1]
        self.fat_sectors = fat_sectors
        self._fat_cache: dict[int, tuple[int, ...]] = {}

    def _sector(self, sect: int) -> bytes:
        offset = (sect + 1) * self.sector
        if sect > _MAXREGSECT or offset >= self.size:
            raise _OleError("sector out of range")
        self.f.seek(offset)
        data = self.f.read(self.sector)
        if len(data) < self.sector:
            # The last sector of a file may be short; treat missing bytes as zeros.
            if not data:
                raise _OleError("sector past end of file")
            data = data.ljust(self.sector, b"\0")
        return data

    def _next(self, sect: int) -> int:
        per = self.sector // 4
        index = sect // per
        values = self._fat_cache.get(index)
        if values is None:
            if index >= len(self.fat_sectors):
                raise _OleError("sector not in FAT")
            values = struct.unpack(f"<{per}I", self._sector(self.fat_sectors[index]))
            self._fat_cache[index] = values
        return int(values[sect % per])

    def _chain(self, start: int, limit_bytes: int) -> list[int]:
        sectors: list[int] = []
        seen: set[int] = set()
        sect = start
        while sect != _ENDOFCHAIN and len(sectors) * self.sector < limit_bytes:
            if sect > _MAXREGSECT or sect in seen or len(sectors) >= self.max_sectors:
                raise _OleError("broken or looping chain")
            seen.add(sect)
            sectors.append(sect)
            sect = self._next(sect)
        return sectors

    def entries(self) -> list[_OleEntry]:
        found: list[_OleEntry] = []
        for sect in self._chain(self.first_dir, _MAX_OLE_DIRECTORY_BYTES):
            block = self._sector(sect)
            for at in range(0, self.sector, 128):
                raw = block[at : at + 128]
                name_len = struct.unpack_from("<H", raw, 64)[0]
                name = raw[: max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
                kind = raw[66]
                left, right, child = struct.unpack_from("<III", raw, 68)
                start, size = struct.unpack_from("<IQ", raw, 116)
                found.append(_OleEntry(name, kind, left, right, child, start, size))
        if not found or found[0].type != 5:
            raise _OleError("no root entry")
        return found

    def top_level(self, entries: list[_OleEntry]) -> list[_OleEntry]:
        """The root storage's children (a tree of left/right siblings), loop-safe."""
        result: list[_OleEntry] = []
        seen: set[int] = set()
        todo = [entries[0].child]
        while todo:
            index = todo.pop()
            if index == _NOSTREAM or index in seen or index >= len(entries):
                continue
            seen.add(index)
            entry = entries[index]
            result.append(entry)
            todo.extend((entry.left, entry.right))
        return result

    def read_start(self, entries: list[_OleEntry], entry: _OleEntry, limit: int) -> bytes:
        """Return up to ``limit`` bytes from the start of a stream."""
        # Version 3 files (512-byte sectors) may leave garbage in the size's high half.
        size = entry.size & 0xFFFFFFFF if self.sector == 512 else entry.size
        want = min(size, limit)
        if size < self.mini_cutoff:
            return self._read_mini(entries[0], entry.start, want)
        data = b"".join(self._sector(s) for s in self._chain(entry.start, want))
        return data[:want]

    def _read_mini(self, root: _OleEntry, start: int, want: int) -> bytes:
        # The mini stream lives in the root entry's chain; the mini FAT has its own chain.
        container = self._chain(root.start, root.size)
        minifat_sectors = self._chain(self.first_minifat, self.max_sectors * self.sector)
        minifat = b"".join(self._sector(s) for s in minifat_sectors)
        per = self.sector // 64
        out = bytearray()
        seen: set[int] = set()
        mini = start
        while mini != _ENDOFCHAIN and len(out) < want:
            if mini > _MAXREGSECT or mini in seen or 4 * mini + 4 > len(minifat):
                raise _OleError("broken mini chain")
            seen.add(mini)
            index, offset = divmod(mini, per)
            if index >= len(container):
                raise _OleError("mini sector out of range")
            block = self._sector(container[index])
            out += block[offset * 64 : offset * 64 + 64]
            (mini,) = struct.unpack_from("<I", minifat, 4 * mini)
        return bytes(out[:want])


def _sniff_ole(f: IO[bytes], size: int) -> Sniffed:
    try:
        ole = _Ole(f, size)
        entries = ole.entries()
        top = ole.top_level(entries)
    except (_OleError, struct.error):
        return _sniff_ole_by_names(f)
    all_names = {e.name.lower() for e in entries if e.type in (1, 2)}
    names = {e.name.lower(): e for e in top if e.type in (1, 2)}
    if "encryptioninfo" in all_names or "encryptedpackage" in all_names:
        return _no("encrypted", _MSG_ENCRYPTED)
    if "worddocument" in names:
        return _no("document", _MSG_WORD)
    if "powerpoint document" in names:
        return _no("document", _MSG_SLIDES)
    if any(n.startswith("__substg1.0_") for n in names):
        return _no("email", _MSG_EMAIL)
    book = names.get("workbook") or names.get("book")
    if book is None or book.type != 2:
        return _no("document", _MSG_OLE_OTHER)
    try:
        start = ole.read_start(entries, book, 4096)
    except (_OleError, struct.error):
        return _no("corrupt", _MSG_BAD_OLE)
    if _biff_has_filepass(start):
        return _no("encrypted", _MSG_ENCRYPTED_XLS)
    return _ok("xls")


def xls_workbook_stream(f: IO[bytes], limit: int) -> bytes | None:
    """The Workbook (or Book) stream of an .xls, its first ``limit`` bytes at most; None when
    the compound file has none or cannot be walked (sniffing says why)."""
    size = f.seek(0, 2)
    try:
        ole = _Ole(f, size)
        entries = ole.entries()
        top = {e.name.lower(): e for e in ole.top_level(entries) if e.type == 2}
        book = top.get("workbook") or top.get("book")
        return None if book is None else ole.read_start(entries, book, limit)
    except (_OleError, struct.error):
        return None


def _sniff_ole_by_names(f: IO[bytes]) -> Sniffed:
    """Fallback when the directory cannot be walked: an encrypted package still names its
    streams in UTF-16; anything else with a broken directory is corrupt."""
    needles = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
    f.seek(0)
    overlap = b""
    read = 0
    while read < _OLE_FALLBACK_SCAN:
        chunk = f.read(1024 * 1024)
        if not chunk:
            break
        read += len(chunk)
        window = overlap + chunk
        if any(needle in window for needle in needles):
            return _no("encrypted", _MSG_ENCRYPTED)
        overlap = window[-64:]
    # Any reader would fail on this directory, and some would crash on it.
    return _no("corrupt", _MSG_BAD_OLE)


def _biff_has_filepass(data: bytes) -> bool:
    """True when the workbook globals hold a FILEPASS record (XOR or RC4 encryption)."""
    pos = 0
    for _ in range(64):
        if pos + 4 > len(data):
            return False
        rtype, length = struct.unpack_from("<HH", data, pos)
        if rtype == _BIFF_FILEPASS:
            return True
        if rtype in (_BIFF_BOUNDSHEET, _BIFF_EOF):
            return False
        pos += 4 + length
    return False


# --- everything else ----------------------------------------------------------------------------

_IMAGE_MAGIC: Final = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
)
_ARCHIVE_MAGIC: Final = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")
_BIFF_BOF: Final = frozenset({0x0009, 0x0209, 0x0409, 0x0809})
_HTML_MARKERS: Final = (
    "<!doctype html",
    "<html",
    "<table",
    "<head",
    "<body",
    "<meta",
    "<style",
    "<title",
)


def _sniff_other(head: bytes, size: int, path: Path) -> Sniffed:
    if head.count(0) == len(head):
        return _no("corrupt", _MSG_ZEROS)
    if b"%PDF-" in head[:1024]:
        return _no("pdf", _MSG_PDF)
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return _no("image", _MSG_IMAGE)
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return _no("image", _MSG_IMAGE)
    if head.startswith(_ARCHIVE_MAGIC):
        return _no("archive", _MSG_ARCHIVE)
    if head.startswith(b"{\\rtf"):
        return _no("document", _MSG_WORD)
    if len(head) >= 8:
        rtype, length = struct.unpack_from("<HH", head, 0)
        if rtype in _BIFF_BOF and 4 <= length <= 20:
            return _no("biff", _MSG_BIFF)
    text = _as_text(head)
    if text is None:
        return _no("unknown", _MSG_UNKNOWN)
    return _sniff_text(text, truncated=size > len(head), path=path)


def _as_text(head: bytes) -> str | None:
    """Decode the start of a file if it looks like text, else None."""
    sample = head[:8192]
    if head.startswith(b"\xef\xbb\xbf"):
        text = head[3:].decode("utf-8", "replace")
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace")
    elif len(sample) >= 4 and sample[1::2].count(0) > 0.4 * len(sample[1::2]) > 0:
        text = head.decode("utf-16-le", "replace")
    elif len(sample) >= 4 and sample[0::2].count(0) > 0.4 * len(sample[0::2]) > 0:
        text = head.decode("utf-16-be", "replace")
    else:
        if 0 in sample:
            return None
        # Vietnamese legacy text is often Windows-1258; the checks below only need ASCII.
        text = head.decode("utf-8", "replace")
    probe = text[:8192]
    controls = sum(1 for ch in probe if ord(ch) < 32 and ch not in "\t\n\r\f\v\x1a")
    if controls > len(probe) // 100 or "\x00" in probe:
        return None
    return text


def _sniff_text(text: str, *, truncated: bool, path: Path) -> Sniffed:
    body = text.lstrip("\ufeff \t\r\n")
    lower = body[:4096].lower()
    if lower.startswith("<?xml") or lower.startswith("<?mso-application"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lower or "excel.sheet" in lower:
            return _no("xml2003", _msg_xml2003(path))
        if "<html" in lower:
            return _no("html", _msg_html(path, mhtml=False))
        return _no("text", _msg_text(path))
    if lower.startswith("<") and any(marker in lower for marker in _HTML_MARKERS):
        return _no("html", _msg_html(path, mhtml=False))
    headers = _mail_headers(lower)
    if headers:
        if "multipart/related" in lower or "x-document-type: workbook" in lower:
            return _no("html", _msg_html(path, mhtml=True))
        if headers & {"from", "received", "subject", "return-path", "message-id"}:
            return _no("email", _MSG_EMAIL)
    lines = [line for line in body.splitlines()[:60] if line.strip()]
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut mid-way
    if _looks_delimited(lines):
        return _no("csv", _msg_csv(path))
    return _no("text", _msg_text(path))


def _mail_headers(lower: str) -> set[str]:
    """Names of RFC 822 headers at the start of the text (empty when it does not start so)."""
    names: set[str] = set()
    for line in lower.splitlines()[:20]:
        if not line.strip():
            break
        if line[0] in " \t":
            continue  # folded continuation
        name, colon, _ = line.partition(":")
        if not colon or not name or any(ch in name for ch in " \t,;\"'"):
            return set()
        names.add(name)
    return names if "mime-version" in names or "content-type" in names else set()


def _looks_delimited(lines: list[str]) -> bool:
    if not lines:
        return False
    for delimiter in (",", ";", "\t", "|"):
        counts = [line.count(delimiter) for line in lines]
        with_it = sum(1 for c in counts if c > 0)
        if with_it >= max(1, int(0.8 * len(lines))):
            return True
    return False
