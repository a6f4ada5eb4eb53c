"""A zip package as a whole: its member count, declared sizes and compression ratios (the zip
bombs no library refuses), password-protected members, then each XML member's safety."""

from __future__ import annotations

import struct
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import IO, Final

from .formulas import is_sheet_part, marked_parts
from .inflate import norm
from .kinds import ods_encryption, zip_kind
from .limits import (
    BOMB_MIN_MEMBER_BYTES,
    MAX_CENTRAL_DIRECTORY,
    MAX_COMPRESSION_RATIO,
    MAX_MEMBERS,
    MAX_UNCOMPRESSED_BYTES,
    XML_CHECK_BUDGET,
)
from .messages import MSG_BAD_ZIP, MSG_ENCRYPTED_ZIP, msg_members, msg_ratio, msg_total
from .verdict import SPREADSHEET_KINDS, Sniffed, no
from .xmlcheck import Budget, xml_safety

XML_SUFFIXES: Final = (".xml", ".rels", ".vml")


def sniff_zip(f: IO[bytes], size: int, path: Path) -> Sniffed:
    declared = _zip_declared_entries(f, size)
    if declared is None:
        return no("corrupt", MSG_BAD_ZIP)
    entries, cd_size = declared
    if entries > MAX_MEMBERS or cd_size > MAX_CENTRAL_DIRECTORY:
        return no("unsafe", msg_members(entries))
    f.seek(0)
    try:
        zf = zipfile.ZipFile(f)
    except Exception:
        # BadZipFile mostly; also undecodable UTF-8 names, struct errors on garbage records.
        return no("corrupt", MSG_BAD_ZIP)
    with zf:
        infos = zf.infolist()
        if not infos:
            return no("corrupt", MSG_BAD_ZIP)
        verdict = _bomb_check(infos)
        if verdict is not None:
            return verdict
        by_name = {norm(i.filename): i for i in infos}
        kind = zip_kind(zf, by_name, f)
        if kind.kind not in SPREADSHEET_KINDS:
            return kind
        if any(i.flag_bits & 0x1 for i in infos):
            return no("encrypted", MSG_ENCRYPTED_ZIP)
        if kind.kind == "ods":
            # An encrypted ODF member is ciphertext, which the XML check would call corrupt.
            encrypted = ods_encryption(zf, by_name)
            if encrypted is not None:
                return encrypted
        budget = Budget(XML_CHECK_BUDGET)
        checked = by_name.get("[content_types].xml")  # by _zip_kind, which read it
        recode: set[str] = set()
        for info in infos:
            if info is not checked and norm(info.filename).endswith(XML_SUFFIXES):
                problem = xml_safety(zf, info, budget, f, recode)
                if problem is not None:
                    return problem
        if kind.kind == "xlsx":
            # The zip is open and checked: say which sheets have formulas or error values,
            # so that the reader need not open it again to find out (most reports have none).
            formulas, errors = marked_parts(f, infos, recode, budget.keep)
            return replace(
                kind,
                formulas=formulas,
                errors=errors,
                recode=frozenset(recode),
                sheet_parts=sum(1 for i in infos if is_sheet_part(norm(i.filename))),
                parts=budget.kept,
                members=tuple(infos),
            )
        return kind


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
        return no("unsafe", msg_members(len(infos)))
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > BOMB_MIN_MEMBER_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                return no("unsafe", msg_ratio(ratio))
    if total > MAX_UNCOMPRESSED_BYTES:
        return no("unsafe", msg_total(total))
    return None
