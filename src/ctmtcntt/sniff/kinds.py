"""Which kind of document a zip package is (workbook, binary workbook, OpenDocument, Numbers,
Word, PowerPoint or a mere archive), from its content types and member names."""

from __future__ import annotations

import zipfile
from typing import IO, Final

from ..common.zip_names import norm
from .inflate import read_small
from .messages import (
    MSG_ARCHIVE,
    MSG_BAD_ODS,
    MSG_BAD_OOXML,
    MSG_ENCRYPTED_ODS,
    MSG_NUMBERS,
    MSG_SLIDES,
    MSG_WORD,
)
from .verdict import Sniffed, no, ok
from .xmlcheck import xml_safety

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


def zip_kind(
    zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], raw: IO[bytes] | None = None
) -> Sniffed:
    names = by_name.keys()
    mimetype = by_name.get("mimetype")
    if mimetype is not None:
        data = read_small(zf, mimetype) or b""
        if data.strip().startswith(_ODS_MIME):
            return ok("ods")
        if data.startswith(b"application/vnd.oasis.opendocument."):
            return no("document", MSG_WORD)
    if "content.xml" in names and "meta-inf/manifest.xml" in names:
        # OpenDocument without its "mimetype" member: readers refuse it.
        manifest = read_small(zf, by_name["meta-inf/manifest.xml"]) or b""
        if b"opendocument.spreadsheet" in manifest:
            return no("corrupt", MSG_BAD_ODS)
        return no("document", MSG_WORD)
    if "index.zip" in names or any(n.startswith("index/") and n.endswith(".iwa") for n in names):
        return no("numbers", MSG_NUMBERS)

    ct_info = by_name.get("[content_types].xml")
    if ct_info is not None:
        problem = xml_safety(zf, ct_info, None, raw)
        if problem is not None:
            return problem
        types = (read_small(zf, ct_info, raw) or b"").decode("utf-8", "replace").lower()
        if any(t in types for t in _CT_SPREADSHEET):
            main = _main_part(types, _CT_SPREADSHEET)
            if main is not None and main not in names:
                return no("corrupt", MSG_BAD_OOXML)
            return ok("xlsx")
        if _CT_XLSB in types:
            return ok("xlsb")
        if _CT_WORD in types:
            return no("document", MSG_WORD)
        if _CT_SLIDES in types:
            return no("document", MSG_SLIDES)
    if "xl/workbook.xml" in names:
        return ok("xlsx")
    if "xl/workbook.bin" in names:
        return ok("xlsb")
    if "word/document.xml" in names:
        return no("document", MSG_WORD)
    if ct_info is not None or any(n.startswith("xl/") for n in names):
        # Looks like an Office package, but the workbook part is missing.
        return no("corrupt", MSG_BAD_OOXML)
    return no("archive", MSG_ARCHIVE)


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
        return norm(rest[1:close])
    return None


def ods_encryption(zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo]) -> Sniffed | None:
    manifest = by_name.get("meta-inf/manifest.xml")
    if manifest is None:
        return None
    data = read_small(zf, manifest)
    if data is not None and b"encryption-data" in data:
        return no("encrypted", MSG_ENCRYPTED_ODS)
    return None
