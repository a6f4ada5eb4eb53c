"""What sniffing says of a file: its kind, whether a reader may open it, and if not, why."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

Kind = Literal[
    "xlsx",  # Office Open XML workbook: .xlsx, .xlsm, .xltx, .xltm, .xlam
    "xls",  # Excel 97-2003 (BIFF5/BIFF8 in an OLE2 container)
    "xlsb",  # Excel binary workbook
    "ods",  # OpenDocument spreadsheet
    "encrypted",  # password-protected (encrypted) workbook of any format
    "html",  # HTML page or MHTML web archive, usually exported by a web system
    "xml2003",  # Excel 2003 "XML Spreadsheet"
    "csv",  # delimited text
    "text",  # other plain text
    "empty",  # zero bytes
    "lock",  # Excel's "~$name.xlsx" owner file or LibreOffice's ".~lock.name#"
    "numbers",  # Apple Numbers
    "pdf",
    "document",  # Word or PowerPoint document (doc, docx, odt, rtf, ppt, pptx)
    "email",  # a saved e-mail (.msg, .eml) instead of its attachment
    "image",
    "archive",  # a zip/rar/7z/gzip that is not itself a workbook
    "biff",  # Excel 2.x-4.0 (or bare BIFF) stream without an OLE2 container
    "corrupt",  # truncated or structurally broken
    "unsafe",  # zip bomb, XML entity bomb or similar: refused for safety
    "unreadable",  # the file system refused (missing, no permission, a folder)
    "unknown",
]

#: Kinds a spreadsheet reader (calamine) can open; ``Sniffed.readable`` is true for exactly these.
SPREADSHEET_KINDS: Final[frozenset[str]] = frozenset({"xlsx", "xls", "xlsb", "ods"})


@dataclass(frozen=True, kw_only=True)
class Sniffed:
    """What a file really is.

    ``readable`` is true when a spreadsheet reader may open it (kind xlsx, xls, xlsb, ods);
    ``message`` is then None. Otherwise ``message`` is a Vietnamese sentence that says what the
    file is and what the sender should do; it does not name the file.
    ``kind`` is decided from the bytes, never from the extension, so an .xls saved under an
    .xlsx name comes back as "xls": open it with a reader chosen by ``kind``.
    """

    kind: Kind
    readable: bool
    message: str | None
    #: For an xlsx: the worksheet parts (member names) holding a formula, which the reader
    #: must then look into for formulas never calculated; None when not looked at (another
    #: kind, a sheet too large to inflate here, a member that would not inflate).
    formulas: frozenset[str] | None = field(default=None, compare=False)
    #: For an xlsx: the worksheet parts holding a cell typed as an Excel error value
    #: (``t="e"``: #REF!, #DIV/0!, …), which every reader returns as blank; None when not
    #: looked at, as for ``formulas``.
    errors: frozenset[str] | None = field(default=None, compare=False)
    #: XML parts (member names) in another encoding than UTF-8 (UTF-16 with its byte order
    #: mark, or a declared legacy encoding): legal XML, but the reader refuses it.
    recode: frozenset[str] = field(default=frozenset(), compare=False)
    #: For an xlsx: how many of its XML parts may be sheets (every part but the workbook,
    #: styles, themes, drawings…); more than the workbook names means some are not read.
    sheet_parts: int | None = field(default=None, compare=False)
    #: For a refused file: the finding code that names the refusal (``schemas/findings.yaml``).
    refusal: str | None = field(default=None, compare=False)
    #: For an xlsx: the members sniffing inflated whole (its sheets, its small parts), by
    #: name, so that reading need not inflate them again; at most ``KEPT_PARTS_LIMIT`` bytes.
    parts: Mapping[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    #: For an xlsx: its zip directory, so that reading need not parse it again.
    members: tuple[zipfile.ZipInfo, ...] = field(default=(), compare=False, repr=False)


def ok(kind: Kind) -> Sniffed:
    """A file a reader may open, of ``kind``."""
    return Sniffed(kind=kind, readable=True, message=None)


#: The finding code of each kind of refused file; a kind not named here is "unreadable-file".
REFUSAL_CODES: Final[dict[str, str]] = {
    "encrypted": "encrypted-file",
    "html": "html-not-workbook",
    "xml2003": "xml-spreadsheet-2003",
    "csv": "text-not-workbook",
    "text": "text-not-workbook",
    "empty": "empty-file",
    "lock": "lock-file",
    "numbers": "not-a-spreadsheet",
    "pdf": "not-a-spreadsheet",
    "document": "not-a-spreadsheet",
    "email": "not-a-spreadsheet",
    "image": "not-a-spreadsheet",
    "archive": "not-a-spreadsheet",
    "biff": "old-excel-format",
    "corrupt": "corrupt-file",
    "unsafe": "zip-bomb",
}


def no(kind: Kind, message: str, *, refusal: str | None = None) -> Sniffed:
    """A refused file: its kind, the Vietnamese ``message``, the finding code (``refusal``, else
    the one of its kind)."""
    code = refusal or REFUSAL_CODES.get(kind, "unreadable-file")
    return Sniffed(kind=kind, readable=False, message=message, refusal=code)
