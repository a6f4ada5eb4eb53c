"""OLE2 compound files: an .xls, an encrypted Office package, or another Office 97-2003 file;
and whether an .xls workbook is encrypted (its FILEPASS record, which no library looks for).

olefile walks the compound file. It notes the defects it meets and goes on; the quirks of
real writers' headers (a CLSID, version or byte order field set otherwise) are let through,
as Excel and the readers let them through, while any defect of the structure (a directory
entry referred to twice, a sector out of range, a short DIFAT…) makes the file corrupt here:
readers abort on such files. olefile does not look for a loop in a stream's own chain, so the
Workbook stream's chain is walked once more, and a stream is read at most as far as the file
is long, whatever its directory entry says.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Final

from .limits import OLE_FALLBACK_SCAN
from .messages import (
    MSG_BAD_OLE,
    MSG_EMAIL,
    MSG_ENCRYPTED,
    MSG_ENCRYPTED_XLS,
    MSG_OLE_OTHER,
    MSG_SLIDES,
    MSG_WORD,
)
from .verdict import Sniffed, no, ok

if TYPE_CHECKING:
    from olefile import OleDirectoryEntry, OleFileIO

OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BIFF_FILEPASS: Final = 0x002F
_BIFF_BOUNDSHEET: Final = 0x0085
_BIFF_EOF: Final = 0x000A
# How much of the Workbook stream tells whether it is encrypted (FILEPASS comes first).
_WORKBOOK_START: Final = 4096
_ENCRYPTION_STREAMS: Final = frozenset({"encryptioninfo", "encryptedpackage"})


class _Unreadable(Exception):
    """The compound file cannot be walked (olefile raised, or a stream is longer than the
    file that holds it)."""


# Defects of a header field that writers get wrong and readers ignore.
_HEADER_QUIRKS: Final = frozenset(
    {
        "incorrect CLSID in OLE header",
        "incorrect DllVersion in OLE header",
        "incorrect ByteOrder in OLE header",
        "incorrect OLE stream size",  # the high half of a size, garbage in version 3 files
    }
)


def _open(f: IO[bytes]) -> OleFileIO:
    """The compound file walked, or _Unreadable when its structure is defective."""
    # Imported here: only OLE files need it (and its logging import).
    import olefile

    try:
        ole = olefile.OleFileIO(f)  # raises on fatal defects, notes the others
    except Exception as exc:  # OleFileError mostly; struct, index or value errors on garbage
        raise _Unreadable from exc
    if any(message not in _HEADER_QUIRKS for _, message in ole.parsing_issues):
        ole.close()
        raise _Unreadable("defective compound file")
    return ole


def _chain_is_sound(fat: Sequence[int], start: int, count: int) -> bool:
    """Whether ``count`` sectors from ``start`` follow each other in ``fat`` without a loop."""
    seen: set[int] = set()
    sector = start
    for _ in range(count):
        if sector >= len(fat) or sector in seen:
            return False
        seen.add(sector)
        sector = fat[sector]
    return True


def _stream_start(ole: OleFileIO, entry: OleDirectoryEntry, limit: int, size: int) -> bytes:
    """Up to ``limit`` bytes from the start of the root's stream ``entry`` (in a file of
    ``size`` bytes)."""
    try:
        if entry.size > size:
            raise _Unreadable("stream longer than the file")
        if entry.size >= ole.minisectorcutoff and not _chain_is_sound(
            ole.fat, entry.isectStart, -(-entry.size // ole.sectorsize)
        ):
            raise _Unreadable("looping chain")
        with ole.openstream(entry.name) as stream:
            data: bytes = stream.read(limit)
    except _Unreadable:
        raise
    except Exception as exc:
        raise _Unreadable from exc
    return data


def _workbook(ole: OleFileIO) -> OleDirectoryEntry | None:
    """The root's Workbook (BIFF8) or else Book (BIFF5) stream, if it has one."""
    kids = {kid.name.lower(): kid for kid in ole.root.kids}
    book = kids.get("workbook") or kids.get("book")
    return book if book is not None and book.entry_type == 2 else None  # 2: a stream


def sniff_ole(f: IO[bytes], size: int) -> Sniffed:
    """The verdict on an OLE2 file of ``size`` bytes."""
    try:
        ole = _open(f)
    except _Unreadable:
        return _sniff_ole_by_names(f)
    with ole:
        try:
            everywhere = {path[-1].lower() for path in ole.listdir(streams=True, storages=True)}
        except Exception:
            return _sniff_ole_by_names(f)
        names = {kid.name.lower() for kid in ole.root.kids}
        if everywhere & _ENCRYPTION_STREAMS:
            return no("encrypted", MSG_ENCRYPTED)
        if "worddocument" in names:
            return no("document", MSG_WORD)
        if "powerpoint document" in names:
            return no("document", MSG_SLIDES)
        if any(n.startswith("__substg1.0_") for n in names):
            return no("email", MSG_EMAIL)
        book = _workbook(ole)
        if book is None:
            return no("document", MSG_OLE_OTHER)
        try:
            start = _stream_start(ole, book, _WORKBOOK_START, size)
        except _Unreadable:
            return no("corrupt", MSG_BAD_OLE)
    if _biff_has_filepass(start):
        return no("encrypted", MSG_ENCRYPTED_XLS)
    return ok("xls")


def xls_workbook_stream(f: IO[bytes], limit: int) -> bytes | None:
    """The Workbook (or Book) stream of an .xls, its first ``limit`` bytes at most; None when
    the compound file has none or cannot be walked (sniffing says why)."""
    size = f.seek(0, 2)
    try:
        with _open(f) as ole:
            book = _workbook(ole)
            return None if book is None else _stream_start(ole, book, limit, size)
    except _Unreadable:
        return None


def _sniff_ole_by_names(f: IO[bytes]) -> Sniffed:
    """Fallback when the directory cannot be walked: an encrypted package still names its
    streams in UTF-16; anything else with a broken directory is corrupt."""
    needles = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
    f.seek(0)
    overlap = b""
    read = 0
    while read < OLE_FALLBACK_SCAN:
        chunk = f.read(1024 * 1024)
        if not chunk:
            break
        read += len(chunk)
        window = overlap + chunk
        if any(needle in window for needle in needles):
            return no("encrypted", MSG_ENCRYPTED)
        overlap = window[-64:]
    # Any reader would fail on this directory, and some would crash on it.
    return no("corrupt", MSG_BAD_OLE)


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
