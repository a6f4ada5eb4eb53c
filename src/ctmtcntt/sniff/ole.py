"""OLE2 compound files: an .xls, an encrypted Office package, or another Office 97-2003 file;
and whether an .xls workbook is encrypted (its FILEPASS record)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import IO, Final

from .limits import MAX_OLE_DIRECTORY_BYTES, OLE_FALLBACK_SCAN
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

OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
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
        for sect in self._chain(self.first_dir, MAX_OLE_DIRECTORY_BYTES):
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


def sniff_ole(f: IO[bytes], size: int) -> Sniffed:
    try:
        ole = _Ole(f, size)
        entries = ole.entries()
        top = ole.top_level(entries)
    except (_OleError, struct.error):
        return _sniff_ole_by_names(f)
    all_names = {e.name.lower() for e in entries if e.type in (1, 2)}
    names = {e.name.lower(): e for e in top if e.type in (1, 2)}
    if "encryptioninfo" in all_names or "encryptedpackage" in all_names:
        return no("encrypted", MSG_ENCRYPTED)
    if "worddocument" in names:
        return no("document", MSG_WORD)
    if "powerpoint document" in names:
        return no("document", MSG_SLIDES)
    if any(n.startswith("__substg1.0_") for n in names):
        return no("email", MSG_EMAIL)
    book = names.get("workbook") or names.get("book")
    if book is None or book.type != 2:
        return no("document", MSG_OLE_OTHER)
    try:
        start = ole.read_start(entries, book, 4096)
    except (_OleError, struct.error):
        return no("corrupt", MSG_BAD_OLE)
    if _biff_has_filepass(start):
        return no("encrypted", MSG_ENCRYPTED_XLS)
    return ok("xls")


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
