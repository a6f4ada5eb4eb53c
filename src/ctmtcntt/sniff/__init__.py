"""Tell what a submitted file really is, from its bytes, before any spreadsheet reader sees it.

Submissions arrive by e-mail and are often not what their names claim: HTML pages or CSV text
saved as ``.xlsx``, password-protected workbooks, Excel's ``~$`` lock files, truncated downloads,
and now and then something hostile (a zip bomb, an XML entity bomb, a corrupt OLE file that
makes a native reader abort). Readers report all of these with cryptic errors or, worse, crash
the process. :func:`sniff` looks at headers and directories, and at the start of each XML
member (it inflates whole only small parts and a workbook's sheets up to 8 MB, which it hands
to the reader in ``Sniffed.parts``; it never follows an unbounded chain), answers in well under
a second for any file, and never raises: every problem comes back as a :class:`Sniffed` whose
``message`` tells staff, in Vietnamese, what the file is and what to do. The caller prefixes
the file name.

The package is split by job: ``verdict`` (the answer), ``messages`` (its Vietnamese sentences),
``limits``, ``zipcheck`` (a zip as a whole: bombs, passwords), ``kinds`` (which document a zip
is), ``xmlcheck`` (each XML member's prolog), ``inflate`` (a member's bytes straight from the
file), ``formulas`` (which sheets hold formulas or error values), ``ole`` (OLE2 files, .xls
encryption) and ``text`` (HTML, CSV and the rest).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

from .formulas import holds_error, holds_formula, is_sheet_part
from .limits import (
    BOMB_MIN_MEMBER_BYTES,
    HEAD_BYTES,
    MAX_COMPRESSION_RATIO,
    MAX_MEMBERS,
    MAX_UNCOMPRESSED_BYTES,
    XML_PROLOG_LIMIT,
)
from .messages import MSG_EMPTY, MSG_FOLDER, MSG_INTERNAL, MSG_LOCK, MSG_NUMBERS, msg_os_error
from .ole import OLE_MAGIC, sniff_ole, xls_workbook_stream
from .text import sniff_other
from .verdict import SPREADSHEET_KINDS, Kind, Sniffed, no
from .xmlcheck import check_xml_safety, foreign_encoding
from .zipcheck import sniff_zip

__all__ = [
    "BOMB_MIN_MEMBER_BYTES",
    "MAX_COMPRESSION_RATIO",
    "MAX_MEMBERS",
    "MAX_UNCOMPRESSED_BYTES",
    "SPREADSHEET_KINDS",
    "XML_PROLOG_LIMIT",
    "Kind",
    "Sniffed",
    "check_xml_safety",
    "foreign_encoding",
    "holds_error",
    "holds_formula",
    "is_sheet_part",
    "sniff",
    "sniff_data",
    "xls_workbook_stream",
]


def sniff(path: Path) -> Sniffed:
    """Say what the file at ``path`` really is, judging by its bytes; never raises.

    Reads at most the first 64 KB, the zip central directory (plus the first bytes of each XML
    member and a few small parts) or the OLE2 directory (plus the start of the workbook
    stream). A name starting with ``~$`` or ``.~lock.`` is a lock file whatever it holds.
    """
    try:
        return _sniff(Path(path))
    except OSError as exc:
        return no("unreadable", msg_os_error(exc))
    except Exception:
        # A file so odd that a check here tripped over it is best not handed to a reader.
        return no("unknown", MSG_INTERNAL)


def sniff_data(path: Path, data: bytes) -> Sniffed:
    """``sniff`` of a file already read whole (``data``, the bytes of ``path``): the reader
    reads a small file once, for sniffing, reading and hashing alike."""
    try:
        if _is_lock_name(path.name):
            return no("lock", MSG_LOCK)
        return _sniff_stream(io.BytesIO(data), Path(path))
    except Exception:
        return no("unknown", MSG_INTERNAL)


def _is_lock_name(name: str) -> bool:
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def _sniff(path: Path) -> Sniffed:
    if _is_lock_name(path.name):
        return no("lock", MSG_LOCK)
    if path.is_dir():
        # macOS keeps older Numbers documents as folders (bundles).
        if (path / "Index.zip").is_file() or (path / "Index").is_dir():
            return no("numbers", MSG_NUMBERS)
        return no("unreadable", MSG_FOLDER)
    with path.open("rb") as f:
        return _sniff_stream(f, path)


def _sniff_stream(f: IO[bytes], path: Path) -> Sniffed:
    size = f.seek(0, 2)
    f.seek(0)
    if size == 0:
        return no("empty", MSG_EMPTY)
    head = f.read(HEAD_BYTES)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return sniff_zip(f, size, path)
    if head.startswith(OLE_MAGIC):
        return sniff_ole(f, size)
    return sniff_other(head, size, path)
