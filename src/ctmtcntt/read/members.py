"""A workbook package's members, each inflated once, for every scan of the reading path.

Sniffing inflates a report's sheets whole (to look for formulas and error values) and its small
parts (to check their prolog), and hands them over (``Sniffed.parts``, with the zip directory,
``Sniffed.members``); the scans that follow (formulas without a value, error values, cells
formatted as a percentage, the workbook's relationships) read them from here instead of opening
the zip again. A member not handed over is inflated straight from the file when it is small,
and streamed through zipfile in pieces that end where a row ends when it is large: a sheet
formatted down to row 1,048,576 holds hundreds of megabytes of XML, which no scan holds whole.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Final, Protocol

from ..sniff.inflate import member_head
from ..sniff.limits import KEPT_PARTS_LIMIT

#: Members up to this size (inflated) are read whole; larger ones are streamed in pieces.
WHOLE_LIMIT: Final = 8 * 1024 * 1024
# Inflated bytes read from a large member at a time; a piece is cut after its last row.
_PIECE: Final = 4 * 1024 * 1024
# A piece with no row end in it is given whole once it holds this much (a row this long is
# not a report's); every scan stays bounded by it.
_MAX_PIECE: Final = 64 * 1024 * 1024


class Members(Protocol):
    """What the scans need of a package (``zipfile.ZipFile`` has it too)."""

    def namelist(self) -> list[str]: ...

    def read(self, name: str) -> bytes: ...

    def open(self, name: str) -> IO[bytes]: ...


class Package:
    """A zip package's members by name, each inflated at most once where it can be held.

    ``data`` is the file's bytes when read already (else the file at ``path`` is opened on
    first need); ``members`` and ``parts`` are what sniffing handed over (the directory and
    the members it inflated whole), or empty when the package is another (a mended copy).
    Reading errors are zipfile's (``BadZipFile``, ``zlib.error``, ``KeyError`` for a name not
    in the package).
    """

    def __init__(
        self,
        path: Path,
        data: bytes | None,
        members: Sequence[zipfile.ZipInfo] = (),
        parts: Mapping[str, bytes] | None = None,
    ) -> None:
        self._path = path
        self._data = data
        self._parts = dict(parts or {})
        self._kept = sum(len(part) for part in self._parts.values())
        self._raw: IO[bytes] | None = None
        self._zip: zipfile.ZipFile | None = None
        infos = list(members) or self._zipfile().infolist()
        self._infos = {info.filename: info for info in infos}

    def __enter__(self) -> Package:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the file, when this package opened it."""
        for stream in (self._zip, self._raw):
            if stream is not None:
                stream.close()
        self._zip = self._raw = None

    def namelist(self) -> list[str]:
        """The members' names, as stored."""
        return list(self._infos)

    def read(self, name: str) -> bytes:
        """A member's bytes, inflated (once, when small enough to keep)."""
        part = self._parts.get(name)
        if part is not None:
            return part
        info = self._infos[name]
        if info.file_size <= WHOLE_LIMIT:
            data = member_head(self._file(), info, info.file_size)
            if data is not None and len(data) == info.file_size:
                if self._kept + len(data) <= KEPT_PARTS_LIMIT:
                    self._parts[name] = data
                    self._kept += len(data)
                return data
        return self._zipfile().read(info)

    def open(self, name: str) -> IO[bytes]:
        """A member as a stream (from its kept bytes when it has them)."""
        part = self._parts.get(name)
        return io.BytesIO(part) if part is not None else self._zipfile().open(self._infos[name])

    def pieces(self, name: str) -> Iterator[bytes]:
        """A sheet's XML in pieces that each end where a row ends (one piece when the sheet
        is small), so that a scan of each piece sees whole cells."""
        if name in self._parts or self._infos[name].file_size <= WHOLE_LIMIT:
            yield self.read(name)
            return
        with self._zipfile().open(self._infos[name]) as stream:
            yield from row_pieces(stream)

    def _file(self) -> IO[bytes]:
        if self._raw is None:
            self._raw = io.BytesIO(self._data) if self._data is not None else self._path.open("rb")
        return self._raw

    def _zipfile(self) -> zipfile.ZipFile:
        if self._zip is None:
            source = self._path if self._data is None else io.BytesIO(self._data)
            self._zip = zipfile.ZipFile(source)
        return self._zip


def row_pieces(stream: IO[bytes]) -> Iterator[bytes]:
    """The bytes of ``stream`` in pieces of about 4 MB, each cut just after a row's end tag."""
    rest = b""
    while True:
        block = stream.read(_PIECE)
        if not block:
            if rest:
                yield rest
            return
        rest += block
        cut = _after_last_row(rest)
        if cut > 0:
            yield rest[:cut]
            rest = rest[cut:]
        elif len(rest) >= _MAX_PIECE:
            yield rest
            rest = b""


_END_TAG_START: Final = re.compile(rb"</(?:\w+:)?")


def _after_last_row(xml: bytes) -> int:
    """Where the last row end tag (``</row>``, ``</x:row>``) of ``xml`` ends; 0 when none."""
    at = xml.rfind(b"row>")
    while at >= 0:
        start = xml.rfind(b"<", 0, at)
        if start >= 0 and _END_TAG_START.fullmatch(xml, start, at):
            return at + 4
        at = xml.rfind(b"row>", 0, at)
    return 0
