"""A zip package as a whole: its member count, declared sizes and compression ratios (the zip
bombs no library refuses), password-protected members, then each XML member's safety.

The rule for sizes, from what the reader can stream within a worker's bounds (512 MB of memory,
20 s): python-calamine streams a sheet's XML and keeps only the cells that hold a value, and our
own scans read large sheets in pieces (``read.members``), so the memory a sheet needs grows with
its values, not with its rows: a report whose sheet has columns A:L formatted down to row
1,048,576 (24 MB on disk, 312 MB of XML) is read whole in 3.9 s of CPU (calamine 3.2 s) and
58 MB of memory (calamine alone: 10 MB). Time grows with the XML, about 80 MB/s here. Hence:

- a member inflating to more than 10 MB at more than 200 times its stored size is a bomb,
  whatever the rest (zeros deflate 1,000 times; no XML a writer produces comes near);
- a package declaring more than 200 MB in all is a bomb, unless every member over 10 MB
  inflates at most 50 times its stored size (styled empty rows deflate 12 to 15 times) and
  the whole stays within 512 MB (about 7 s of reading here, the worker's limit being 20 s);
- a package with a great many members, or a central directory too large, is one too.

A bomb of another shape (values in every cell of a few hundred megabytes of XML) passes these
and meets the worker's bounds instead: it is refused as out of memory or out of time, by name.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import IO, Final

from ..common.zip_names import norm
from .formulas import is_sheet_part, marked_parts
from .kinds import ods_encryption, zip_kind
from .limits import (
    BOMB_MIN_MEMBER_BYTES,
    MAX_CENTRAL_DIRECTORY,
    MAX_COMPRESSION_RATIO,
    MAX_MEMBERS,
    MAX_STREAMED_BYTES,
    MAX_STREAMED_RATIO,
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
    """The zip bombs, from the sizes the directory declares (see the module's docstring)."""
    if len(infos) > MAX_MEMBERS:
        return no("unsafe", msg_members(len(infos)))
    total = 0
    steepest = 0.0
    for info in infos:
        total += info.file_size
        if info.file_size > BOMB_MIN_MEMBER_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                return no("unsafe", msg_ratio(ratio))
            steepest = max(steepest, ratio)
    limit = MAX_STREAMED_BYTES if steepest <= MAX_STREAMED_RATIO else MAX_UNCOMPRESSED_BYTES
    if total > limit:
        return no("unsafe", msg_total(total, limit))
    return None
