"""The Vietnamese sentences a refused file gets: what the file is and what the sender should do.

None names the file (the caller prefixes its name); those that depend on the file (its name's
extension, a declared size, a ratio, the system's error) are functions.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Final

from ..common.numbers import vn_number as _vn
from .limits import MAX_MEMBERS

_SAVE_AS_XLSX: Final = "hãy mở bằng Excel và Lưu thành Sổ làm việc Excel (.xlsx) rồi gửi lại."
_SEND_REPORT: Final = "hãy gửi đúng tệp Excel báo cáo (.xlsx)."

MSG_EMPTY: Final = (
    "Tệp rỗng (0 byte), thường do tải về hoặc sao chép bị lỗi: hãy xin gửi lại tệp báo cáo."
)
MSG_ZEROS: Final = (
    "Tệp chỉ chứa toàn byte 0 (tải về hoặc sao chép bị lỗi): hãy xin gửi lại tệp báo cáo."
)
MSG_LOCK: Final = (
    "Đây là tệp khóa tạm do Excel/LibreOffice tạo ra khi tệp gốc đang mở (tên bắt đầu bằng"
    " ~$ hoặc .~lock), không phải báo cáo: bỏ qua tệp này."
)
MSG_ENCRYPTED: Final = (
    "Tệp được bảo vệ bằng mật khẩu (mã hóa): hãy mở bằng Excel, bỏ mật khẩu (Tệp > Thông tin"
    " > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu, xóa trống mật khẩu), lưu lại rồi gửi lại."
)
MSG_ENCRYPTED_XLS: Final = (
    "Tệp Excel 97–2003 (.xls) được mã hóa (có mật khẩu mở tệp hoặc bảo vệ sổ làm việc):"
    " hãy mở bằng Excel, bỏ mật khẩu nếu có, rồi Lưu thành Sổ làm việc Excel (.xlsx) và gửi lại."
)
MSG_ENCRYPTED_ODS: Final = (
    "Tệp OpenDocument (.ods) được bảo vệ bằng mật khẩu: hãy mở bằng LibreOffice hoặc Excel,"
    " bỏ mật khẩu rồi Lưu thành Sổ làm việc Excel (.xlsx) và gửi lại."
)
MSG_ENCRYPTED_ZIP: Final = (
    "Tệp được nén kèm mật khẩu (ZIP có mật khẩu): hãy mở bằng Excel, Lưu thành Sổ làm việc"
    " Excel (.xlsx) không đặt mật khẩu rồi gửi lại."
)
MSG_BAD_ZIP: Final = (
    "Tệp bị hỏng hoặc tải về chưa hết (cấu trúc nén ZIP không đọc được): hãy tải lại tệp"
    " hoặc xin đơn vị gửi lại."
)
MSG_BAD_OOXML: Final = (
    "Tệp bị hỏng: thiếu phần chính của sổ làm việc Excel. Hãy thử mở bằng Excel và Lưu thành"
    " Sổ làm việc Excel (.xlsx), hoặc xin đơn vị gửi lại."
)
MSG_BAD_ODS: Final = (
    "Tệp OpenDocument (.ods) bị hỏng (thiếu thành phần mimetype): hãy mở bằng LibreOffice hoặc"
    " Excel và Lưu thành Sổ làm việc Excel (.xlsx) rồi gửi lại."
)
MSG_BAD_OLE: Final = (
    "Tệp bị hỏng (cấu trúc tệp Excel 97–2003 không hợp lệ) hoặc tải về chưa hết: hãy thử mở"
    " bằng Excel và Lưu thành Sổ làm việc Excel (.xlsx), hoặc xin đơn vị gửi lại."
)
MSG_OLE_OTHER: Final = "Tệp Office 97–2003 nhưng không chứa bảng tính Excel: " + _SEND_REPORT
MSG_XML_UNSAFE: Final = (
    "Tệp chứa khai báo DOCTYPE/ENTITY trong phần XML (tệp Excel chuẩn không bao giờ có, có thể"
    " là tệp độc hại): không xử lý. Hãy mở bằng Excel, Lưu thành Sổ làm việc Excel (.xlsx)"
    " mới rồi gửi lại."
)
MSG_XML_PROLOG: Final = (
    "Phần XML trong tệp có phần mở đầu dài bất thường (có thể là tệp độc hại): không xử lý."
    " Hãy mở bằng Excel, Lưu thành Sổ làm việc Excel (.xlsx) mới rồi gửi lại."
)
MSG_STRING_COUNT: Final = (
    "Tệp khai báo số chuỗi ký tự lớn vô lý so với dung lượng (tệp hỏng hoặc độc hại, làm trình"
    " đọc cạn bộ nhớ): không xử lý. Hãy mở bằng Excel, Lưu thành Sổ làm việc Excel (.xlsx) mới"
    " rồi gửi lại."
)
MSG_ZIP_MEMBER_UNREADABLE: Final = (
    "Tệp bị hỏng hoặc dùng kiểu nén không hỗ trợ: hãy mở bằng Excel, Lưu thành Sổ làm việc"
    " Excel (.xlsx) rồi gửi lại."
)
MSG_NUMBERS: Final = (
    "Tệp được tạo bằng Apple Numbers: hãy mở bằng Numbers, chọn Tệp > Xuất sang > Excel rồi"
    " gửi tệp .xlsx."
)
MSG_PDF: Final = (
    "Tệp này là tài liệu PDF, không phải bảng tính: hãy gửi tệp Excel gốc (.xlsx) của báo cáo."
)
MSG_IMAGE: Final = (
    "Tệp này là hình ảnh (ảnh chụp hoặc ảnh quét), không phải bảng tính: hãy gửi tệp Excel"
    " gốc (.xlsx) của báo cáo."
)
MSG_ARCHIVE: Final = (
    "Tệp nén (ZIP/RAR/7z/GZIP), không phải bảng tính: hãy giải nén và gửi trực tiếp tệp Excel"
    " báo cáo."
)
MSG_WORD: Final = (
    "Tệp này là văn bản (Word/OpenDocument/RTF), không phải bảng tính: " + _SEND_REPORT
)
MSG_SLIDES: Final = "Tệp này là bản trình chiếu PowerPoint, không phải bảng tính: " + _SEND_REPORT
MSG_EMAIL: Final = (
    "Tệp này là một thư điện tử đã lưu, không phải bảng tính: hãy mở thư, lưu tệp Excel đính"
    " kèm rồi gửi tệp đó."
)
MSG_BIFF: Final = (
    "Tệp Excel định dạng rất cũ (Excel 2.x–4.0 hoặc BIFF không có vỏ OLE), trình đọc không hỗ"
    " trợ: " + _SAVE_AS_XLSX
)
MSG_UNKNOWN: Final = (
    "Không nhận ra định dạng tệp (không phải Excel, OpenDocument, CSV hay HTML), có thể tệp bị"
    " hỏng: " + _SEND_REPORT
)
MSG_FOLDER: Final = "Đây là một thư mục, không phải tệp: " + _SEND_REPORT
MSG_INTERNAL: Final = (
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


def msg_html(path: Path, *, mhtml: bool) -> str:
    what = "trang web lưu trữ MHTML (.mht)" if mhtml else "trang HTML"
    return (
        f"Tệp này thực chất là {what} (thường do hệ thống web xuất ra){_named(path)}: "
        + _SAVE_AS_XLSX
    )


def msg_csv(path: Path) -> str:
    return (
        "Tệp này thực chất là văn bản CSV (dữ liệu cách nhau bằng dấu phẩy, chấm phẩy hoặc tab)"
        f"{_named(path)}, không phải sổ làm việc Excel: " + _SAVE_AS_XLSX
    )


def msg_text(path: Path) -> str:
    return f"Tệp này là văn bản thuần{_named(path)}, không phải bảng tính: " + _SEND_REPORT


def msg_xml2003(path: Path) -> str:
    return (
        "Tệp này là Bảng tính XML 2003 (thường do phần mềm cũ xuất ra)"
        f"{_named(path)}, trình đọc không hỗ trợ: " + _SAVE_AS_XLSX
    )


def msg_total(total: int, limit: int) -> str:
    return (
        f"Tệp khai báo dung lượng sau giải nén quá lớn ({_vn(total // 2**20)} MB, giới hạn"
        f" {_vn(limit // 2**20)} MB), có thể là tệp độc hại (bom nén):"
        " không xử lý. Nếu đúng là báo cáo, hãy xóa dữ liệu và trang tính thừa rồi gửi lại."
    )


def msg_ratio(ratio: float) -> str:
    return (
        f"Tệp có phần nén với tỉ lệ bất thường ({_vn(round(ratio))}:1), dấu hiệu của tệp độc hại"
        " (bom nén): không xử lý. Hãy mở bằng Excel, Lưu thành Sổ làm việc Excel (.xlsx)"
        " mới rồi gửi lại."
    )


def msg_members(count: int) -> str:
    return (
        f"Tệp nén chứa quá nhiều thành phần ({_vn(count)}, giới hạn {_vn(MAX_MEMBERS)}), có thể"
        " là tệp độc hại: không xử lý."
    )


def msg_os_error(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "Không tìm thấy tệp (có thể đã bị xóa hoặc đổi tên)."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (
            "Không có quyền đọc tệp: hãy kiểm tra quyền truy cập hoặc chép tệp sang thư mục khác."
        )
    if exc.errno == errno.EISDIR:
        return MSG_FOLDER
    return (
        f"Không đọc được tệp (lỗi hệ thống: {exc.strerror or exc}): hãy chép lại tệp rồi thử lại."
    )
