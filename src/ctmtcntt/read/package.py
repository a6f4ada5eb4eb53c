"""The parts of an Office Open XML package: which member holds the workbook and each sheet.

Transitional and strict OOXML alike (namespaces are matched by local name), with the liberties
writers take (Windows separators, a leading slash, other capitals). The one place that follows a
package's relationships, for the reader and for the writer that patches a unit's workbook. Also
what to tell staff when a member of the package cannot be read.
"""

from __future__ import annotations

import errno
import posixpath
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import Final
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from ..common.zip_names import member_names, norm
from .members import Members

_OFFICE_DOCUMENT = "/officeDocument"
_DEFAULT_WORKBOOK = "xl/workbook.xml"

# --- messages (the caller names the file) ---------------------------------------------------

MSG_BAD_ZIP_MEMBER: Final = (
    "Tệp bị hỏng (dữ liệu nén bên trong không giải nén được, thường do tải về hoặc sao chép"
    " chưa hết): hãy tải lại tệp hoặc xin đơn vị gửi lại."
)


def msg_os_error(exc: OSError) -> str:
    """A file that could not be read from disk, in Vietnamese (the system's own words go to
    the refusal's detail)."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (
            "Không có quyền đọc tệp: hãy kiểm tra quyền truy cập hoặc chép tệp sang thư mục khác."
        )
    return "Không đọc được tệp từ ổ đĩa: hãy chép lại tệp (hoặc tải lại) rồi thử lại."


RESAVE: Final = {
    "xlsx": "hãy mở bằng Excel (Excel thường tự sửa được), Lưu thành Sổ làm việc Excel (.xlsx)"
    " mới rồi gửi lại",
    "xls": "hãy mở bằng Excel hoặc LibreOffice, chọn Lưu thành > Sổ làm việc Excel (.xlsx)"
    " rồi gửi lại",
    "xlsb": "hãy mở bằng Excel, chọn Lưu thành > Sổ làm việc Excel (.xlsx) rồi gửi lại",
    "ods": "hãy mở bằng LibreOffice Calc, chọn Tệp > Lưu thành > Excel 2007-365 (.xlsx)"
    " rồi gửi lại",
}


def part_xml(zf: Members, member: str) -> Element | None:
    """A small package part parsed safely, None when it is unsafe, missing or not XML."""
    try:
        # sniff() checked every XML part for a DTD; defusedxml refuses one all the same.
        root: Element = ElementTree.fromstring(zf.read(member))
    except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile, zlib.error, EOFError):
        # ParseError is a SyntaxError; defusedxml's refusals are ValueErrors.
        return None
    return root


def local(tag: object) -> str:
    """An element's or attribute's name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attribute(element: Element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if local(key) == name:
            return value
    return None


def _relationships(zf: Members, names: dict[str, str], rels: str) -> Iterator[Element]:
    member = names.get(norm(rels))
    root = None if member is None else part_xml(zf, member)
    if root is not None:
        yield from (e for e in root.iter() if local(e.tag) == "Relationship")


def _resolve(base_dir: str, target: str) -> str:
    target = target.replace("\\", "/")
    joined = target.lstrip("/") if target.startswith("/") else posixpath.join(base_dir, target)
    return norm(posixpath.normpath(joined))


def workbook_path(zf: Members, names: dict[str, str]) -> str:
    """The workbook part's name (normalised), as the package's relationships give it."""
    for rel in _relationships(zf, names, "_rels/.rels"):
        if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT) and rel.get("Target"):
            return _resolve("", rel.get("Target", ""))
    return _DEFAULT_WORKBOOK


def workbook_part(zf: Members, names: dict[str, str]) -> str | None:
    """The workbook part's member name, None when the package lacks it."""
    return names.get(workbook_path(zf, names))


def workbook_relationships(zf: Members, names: dict[str, str]) -> str:
    """The normalised name of the workbook part's relationships part."""
    return _relationships_of(workbook_path(zf, names))


def _relationships_of(part: str) -> str:
    folder, base = posixpath.split(part)
    return norm(posixpath.join(folder, "_rels", f"{base}.rels"))


def workbook_related(zf: Members, names: dict[str, str]) -> dict[str, str]:
    """The workbook's related parts present in the package: the member of the first
    relationship of each kind (the last word of its type: ``styles``, ``calcChain``…)."""
    workbook = workbook_path(zf, names)
    folder = posixpath.dirname(workbook)
    related: dict[str, str] = {}
    for rel in _relationships(zf, names, _relationships_of(workbook)):
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        member = names.get(_resolve(folder, rel.get("Target", ""))) if rel.get("Target") else None
        if member is not None and kind not in related:
            related[kind] = member
    return related


def sheet_members(zf: Members, names: dict[str, str]) -> dict[str, str]:
    """Sheet name -> zip member of its XML, from the package, workbook and their relationships.

    Transitional and strict OOXML alike (namespaces are matched by local name); sheets whose
    part cannot be found are left out.
    """
    workbook = workbook_path(zf, names)
    member = names.get(workbook)
    root = None if member is None else part_xml(zf, member)
    if root is None:
        return {}
    folder = posixpath.dirname(workbook)
    targets = {
        rel.get("Id"): _resolve(folder, rel.get("Target", ""))
        for rel in _relationships(zf, names, _relationships_of(workbook))
        if rel.get("Target")
    }
    members: dict[str, str] = {}
    for sheet in root.iter():
        if local(sheet.tag) != "sheet":
            continue
        part = targets.get(_attribute(sheet, "id"))
        if part is not None and part in names:
            members[sheet.get("name", "")] = names[part]
    return members


def unread_parts(zf: Members, is_sheet: Callable[[str], bool]) -> list[str]:
    """The members that may be sheets (``is_sheet`` of their normalised name) but that no
    sheet of the workbook refers to: whatever they hold, no reader reads it."""
    names = member_names(zf)
    used = {norm(member) for member in sheet_members(zf, names).values()}
    return sorted(
        name
        for key, name in names.items()
        if is_sheet(key) and key not in used and _is_worksheet(zf, name)
    )


def _is_worksheet(zf: Members, member: str) -> bool:
    """Whether a part's root element is a worksheet (any prefix), from its first bytes."""
    try:
        with zf.open(member) as stream:
            head = stream.read(2048)
    except (KeyError, OSError, zipfile.BadZipFile, zlib.error, EOFError, RuntimeError):
        return False
    return b"<worksheet" in head or b":worksheet" in head
