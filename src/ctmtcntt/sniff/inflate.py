"""Reading a zip member's bytes straight from the file, without opening it through zipfile.

Inflating a member's first kilobyte from its local header costs a tenth of opening it through
``zipfile``; sniffing looks at the start of every XML member this way, and at small parts whole.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from typing import IO, Final

from .limits import SMALL_PART_LIMIT

_ZIP_READ: Final = zipfile.ZipExtFile.MIN_READ_SIZE  # 4096
_LOCAL_HEADER: Final = 30


def member_head(raw: IO[bytes], info: zipfile.ZipInfo, want: int) -> bytes | None:
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


def read_small(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, raw: IO[bytes] | None = None
) -> bytes | None:
    """Return a small member whole, or None when it is too big or unreadable."""
    if info.file_size > SMALL_PART_LIMIT:
        return None
    if raw is not None:
        try:
            data = member_head(raw, info, info.file_size)
        except Exception:
            return None  # as zipfile's own reading fails on it
        if data is not None and len(data) == info.file_size:
            return data
    try:
        with zf.open(info) as member:
            return member.read(SMALL_PART_LIMIT)
    except Exception:
        return None
