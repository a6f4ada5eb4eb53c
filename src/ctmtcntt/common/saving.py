"""Saving workbooks safely: atomically, never over an input, unit text never a formula."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OutputError, UsageError
from . import interrupt
from .numbers import looks_like_formula

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell


# The control characters no XML 1.0 document may hold (openpyxl refuses them, Excel too).
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(text: str) -> str:
    """``text`` without the control characters a file name or a cell may carry, which no
    workbook can hold."""
    return _NOT_IN_XML.sub("", text)


def same_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file (also through links and case-insensitive disks)."""
    try:
        return first.exists() and second.exists() and os.path.samefile(first, second)
    except OSError:
        return first.resolve() == second.resolve()


#: Names a spreadsheet or document program goes by: an output named so is not renamed to .xlsx
#: (``-o tinh.xls`` is refused: Excel would call xlsx content under that name corrupt).
_DOCUMENT_SUFFIXES = frozenset(
    {
        ".xls",
        ".xlsx",
        ".xlsm",
        ".xlsb",
        ".xlt",
        ".xltx",
        ".xltm",
        ".xlam",
        ".ods",
        ".ots",
        ".fods",
        ".csv",
        ".tsv",
        ".txt",
        ".xml",
        ".htm",
        ".html",
        ".json",
        ".pdf",
        ".doc",
        ".docx",
        ".odt",
        ".numbers",
        ".et",
    }
)


_KINDS = {".xlsx": "sổ Excel", ".xlsm": "sổ Excel có macro", ".docx": "tài liệu Word"}


def output_path(path: str | Path, suffix: str = ".xlsx") -> Path:
    """The name an output is written under: ``path``, with ``suffix`` added when it has no
    such extension (``tinh`` -> ``tinh.xlsx``, ``bao cao v1.2`` -> ``bao cao v1.2.xlsx``).

    A name with another spreadsheet or document extension (``tinh.xls``, ``mau.ods``) is
    refused: the content would not be what the name says, and Excel would call it corrupt.
    """
    path = Path(path)
    current = path.suffix.lower()
    if current == suffix.lower():
        return path
    if current in _DOCUMENT_SUFFIXES:
        kind = _KINDS.get(suffix.lower(), "tệp")
        raise UsageError(
            f"Tệp kết quả {path} có đuôi {path.suffix}, nhưng ctmt ghi ra {kind} {suffix}: "
            f"mở tệp đó sẽ bị báo lỗi định dạng. Hãy đặt tên có đuôi {suffix} "
            f"(ví dụ {path.with_suffix(suffix).name})."
        )
    return path.with_name(path.name + suffix)


def _temporary(output: Path) -> str:
    """A new empty file beside ``output`` (same disk: the final rename is atomic), hidden."""
    handle, temporary = tempfile.mkstemp(
        prefix=f".{output.stem}-", suffix=output.suffix, dir=output.parent
    )
    os.close(handle)
    return temporary


def atomic_save(book: Any, output: str | Path) -> Path:
    """Save ``book`` (anything with ``save(stream)``) to a temporary file beside ``output``, then
    rename it over; returns ``output``. (Its name is the caller's: :func:`output_path` first.)

    A crash, an interruption or a full disk leaves the old file intact, never half a workbook
    nor a temporary file. A failure is an :class:`OutputError` naming ``output`` and saying in
    Vietnamese what to do (close the file in Excel, free disk space, choose another folder).
    """
    output = Path(output)
    try:
        mode: int | None = output.stat().st_mode
    except OSError:
        mode = None  # no such file yet (or not to be seen): writing it will tell
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"{output} là một thư mục; hãy ghi tên tệp kết quả.")
    if mode is not None and not mode & 0o222:
        # Windows refuses to replace a read-only file; it is the owner's "do not change".
        raise OutputError(output, _MSG_READ_ONLY)
    temporary: str | None = None
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        # Built in memory, then written by us: a writer failing on a full disk would leave its
        # own zip file open, failing again whenever it is collected.
        buffer = io.BytesIO()
        book.save(buffer)
        temporary = _temporary(output)
        with open(temporary, "wb") as stream:
            stream.write(buffer.getbuffer())
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _mode(output))
        interrupt.check()  # stopped while saving: the old file stays, as if never started
        os.replace(temporary, output)
        temporary = None
    except BaseException as exc:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        cause = _os_error(exc)
        if cause is None:
            raise
        raise OutputError(output, _msg_write(cause)) from exc
    return output


_MSG_READ_ONLY = (
    "tệp này đang đặt chế độ chỉ đọc nên không ghi đè được. Hãy bỏ chế độ chỉ đọc (chuột phải"
    " > Properties, bỏ chọn Read-only) hoặc chọn tên tệp khác."
)
# Windows: the file is open in another program (Excel keeps what it has open locked).
_SHARING_VIOLATION = 32


def _os_error(exc: BaseException) -> OSError | None:
    """The operating system's error behind a failed save (writers wrap it in their own)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            return current
        wrapped = [a for a in getattr(current, "args", ()) if isinstance(a, OSError)]
        if wrapped:
            return wrapped[0]
        current = current.__cause__ or current.__context__
    return None


def _msg_write(exc: OSError) -> str:
    number = exc.errno
    if number in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG):
        return (
            "ổ đĩa đã đầy, không ghi được tệp kết quả (tệp cũ, nếu có, vẫn giữ nguyên). Hãy xóa"
            " bớt tệp trên ổ đĩa đó hoặc chọn thư mục trên ổ đĩa khác rồi chạy lại."
        )
    if number == errno.EROFS:
        return "ổ đĩa hoặc thư mục này chỉ cho đọc. Hãy chọn thư mục khác để ghi tệp kết quả."
    if number in (errno.EACCES, errno.EPERM) or getattr(exc, "winerror", None) in (
        5,
        _SHARING_VIOLATION,
    ):
        return (
            "không ghi được: tệp đang mở trong Excel (hoặc chương trình khác), là tệp chỉ đọc,"
            " hoặc thư mục không cho ghi. Hãy đóng tệp trong Excel rồi chạy lại, hoặc chọn"
            " đường dẫn khác."
        )
    if number == errno.ENOENT:
        return "không có thư mục để ghi tệp này. Hãy kiểm tra lại đường dẫn."
    reason = exc.strerror or str(exc)
    return f"không ghi được tệp ({reason}). Hãy chọn đường dẫn khác rồi chạy lại."


def _mode(output: Path) -> int:
    """The permissions the output should have: those of the file it replaces, else the
    default for a new file (mkstemp's private 0600 is for the temporary name only)."""
    try:
        return output.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def put_text(cell: Cell, text: str | None) -> None:
    """Write a unit's text as text: "=HYPERLINK(…)" typed as a project name stays words.

    openpyxl turns any string beginning with "=" into a formula; forcing the string type and
    Excel's quote prefix keeps it inert, also after someone edits the cell in Excel.
    """
    if text is not None:
        text = xml_safe(text)
    cell.value = text
    if text is not None:
        cell.data_type = "s"
        if looks_like_formula(text):
            cell.quotePrefix = True
