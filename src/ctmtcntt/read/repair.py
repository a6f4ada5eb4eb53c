"""A copy of a package, in memory, that the reader can read, for the rare files it refuses.

Legal XML in UTF-16 (or a declared legacy encoding), error values the reader does not know
(#SPILL!, #CALC!), and two sheets of one name (the reader would read the first twice) are each
mended in a copy; the file itself is never changed, and what the unit must mend is told.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from ..common.zip_names import member_names
from ..errors import WorkbookError
from ..sniff import foreign_encoding, holds_error
from .marks import KNOWN_ERRORS, error_cells
from .package import MSG_BAD_ZIP_MEMBER, RESAVE, workbook_part, workbook_relationships

_DECLARATION = re.compile(r"""^(<\?xml[^>]*?\sencoding\s*=\s*["'])[^"']*(["'])""")
_SHEET_ELEMENT = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_NAME_ATTRIBUTE = re.compile(rb"""(\sname\s*=\s*)(["'])(.*?)\2""", re.DOTALL)


def rewritten(
    path: Path,
    data: bytes | None,
    *,
    recode: frozenset[str] = frozenset(),
    errors: bool = False,
    workbook: Callable[[bytes], bytes] | None = None,
    relationships: Callable[[bytes], bytes] | None = None,
) -> bytes:
    """A copy of the package, in memory, that the reader can read: the parts in ``recode``
    in UTF-8, error values it does not know as #N/A (``errors``), the workbook part and its
    relationships through ``workbook`` and ``relationships``. The file itself is never
    changed."""
    out = io.BytesIO()
    try:
        with (
            zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf,
            zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy,
        ):
            names = member_names(zf)
            changes: dict[str | None, Callable[[bytes], bytes]] = {}
            if workbook is not None:
                changes[workbook_part(zf, names)] = workbook
            if relationships is not None:
                changes[names.get(workbook_relationships(zf, names))] = relationships
            for info in zf.infolist():
                part = zf.read(info)
                if info.filename in recode:
                    part = _to_utf8(path, info.filename, part)
                if errors and holds_error(part):
                    part = _known_errors(part)
                if info.filename in changes:
                    part = changes[info.filename](part)
                copy.writestr(info.filename, part)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise WorkbookError(path, MSG_BAD_ZIP_MEMBER) from exc
    return out.getvalue()


def _to_utf8(path: Path, member: str, xml: bytes) -> bytes:
    encoding = foreign_encoding(xml[:256]) or "utf-8"
    if encoding == "utf-16" and xml[:2] in (b"<\x00", b"\x00<"):
        encoding = "utf-16-le" if xml[:1] == b"<" else "utf-16-be"  # no byte order mark
    try:
        text = xml.decode(encoding).lstrip("\ufeff")
    except (LookupError, UnicodeDecodeError) as exc:
        raise WorkbookError(
            path,
            f'Phần "{member}" của tệp ghi bằng bảng mã {encoding} mà chương trình không đọc'
            f" được: {RESAVE['xlsx']}.",
        ) from exc
    return _DECLARATION.sub(r"\1UTF-8\2", text, count=1).encode("utf-8")


def _known_errors(xml: bytes) -> bytes:
    parts: list[bytes] = []
    at = 0
    for _, text, start, end in error_cells(xml):
        if text and text not in KNOWN_ERRORS:
            parts += (xml[at:start], b"#N/A")
            at = end
    return b"".join((*parts, xml[at:]))


def renamed(path: Path, data: bytes | None) -> tuple[bytes, list[tuple[str, str]]]:
    """A copy of the package whose sheets of one name get names of their own, with the
    (old, new) names."""
    renamed: list[tuple[str, str]] = []

    def rename(xml: bytes) -> bytes:
        seen: set[str] = set()
        parts: list[bytes] = []
        at = 0
        for element in _SHEET_ELEMENT.finditer(xml):
            attribute = _NAME_ATTRIBUTE.search(element.group(0))
            if attribute is None:
                continue
            name = html.unescape(attribute.group(3).decode("utf-8", "replace"))
            new, number = name, 1
            while new in seen:
                number += 1
                new = f"{name} ({number})"
            seen.add(new)
            if new != name:
                renamed.append((name, new))
                start = element.start() + attribute.start(3)
                parts += (xml[at:start], html.escape(new).encode("utf-8"))
                at = element.start() + attribute.end(3)
        return b"".join((*parts, xml[at:]))

    return rewritten(path, data, workbook=rename), renamed


_SHEETS_END = re.compile(rb"</((?:\w+:)?)sheets\s*>")
_RELATIONSHIPS_END = re.compile(rb"</(?:\w+:)?Relationships\s*>")
_WORKSHEET = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_R = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def with_sheets(path: Path, data: bytes | None, members: list[str]) -> tuple[bytes, list[str]]:
    """A copy of the package in which each part of ``members`` is a sheet of its own, so that
    the reader reads what it holds; with the names given to those sheets."""
    names = [f"ctmt-{number}" for number in range(1, len(members) + 1)]

    def sheets(xml: bytes) -> bytes:
        end = _SHEETS_END.search(xml)
        if end is None:
            return xml
        prefix = end.group(1)
        added = b"".join(
            b'<%ssheet xmlns:ctmt="%s" name="%s" sheetId="%d" ctmt:id="ctmt%d"/>'
            % (prefix, _R, name.encode(), 60000 + number, number)
            for number, name in enumerate(names, start=1)
        )
        return xml[: end.start()] + added + xml[end.start() :]

    def relationships(xml: bytes) -> bytes:
        end = _RELATIONSHIPS_END.search(xml)
        if end is None:
            return xml
        added = b"".join(
            b'<Relationship Id="ctmt%d" Type="%s" Target="/%s"/>'
            % (number, _WORKSHEET, html.escape(member).encode("utf-8"))
            for number, member in enumerate(members, start=1)
        )
        return xml[: end.start()] + added + xml[end.start() :]

    return rewritten(path, data, workbook=sheets, relationships=relationships), names
