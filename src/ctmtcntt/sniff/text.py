"""Files that are neither zip nor OLE2: HTML and MHTML pages, CSV and plain text, PDF, images,
other archives, RTF and bare BIFF streams, recognised from their first bytes."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Final

from .messages import (
    MSG_ARCHIVE,
    MSG_BIFF,
    MSG_EMAIL,
    MSG_IMAGE,
    MSG_PDF,
    MSG_UNKNOWN,
    MSG_WORD,
    MSG_ZEROS,
    msg_csv,
    msg_html,
    msg_text,
    msg_xml2003,
)
from .verdict import Sniffed, no

_IMAGE_MAGIC: Final = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
)
_ARCHIVE_MAGIC: Final = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")
_BIFF_BOF: Final = frozenset({0x0009, 0x0209, 0x0409, 0x0809})
_HTML_MARKERS: Final = (
    "<!doctype html",
    "<html",
    "<table",
    "<head",
    "<body",
    "<meta",
    "<style",
    "<title",
)


def sniff_other(head: bytes, size: int, path: Path) -> Sniffed:
    if head.count(0) == len(head):
        return no("corrupt", MSG_ZEROS)
    if b"%PDF-" in head[:1024]:
        return no("pdf", MSG_PDF)
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return no("image", MSG_IMAGE)
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return no("image", MSG_IMAGE)
    if head.startswith(_ARCHIVE_MAGIC):
        return no("archive", MSG_ARCHIVE)
    if head.startswith(b"{\\rtf"):
        return no("document", MSG_WORD)
    if len(head) >= 8:
        rtype, length = struct.unpack_from("<HH", head, 0)
        if rtype in _BIFF_BOF and 4 <= length <= 20:
            return no("biff", MSG_BIFF)
    text = _as_text(head)
    if text is None:
        return no("unknown", MSG_UNKNOWN)
    return _sniff_text(text, truncated=size > len(head), path=path)


def _as_text(head: bytes) -> str | None:
    """Decode the start of a file if it looks like text, else None."""
    sample = head[:8192]
    if head.startswith(b"\xef\xbb\xbf"):
        text = head[3:].decode("utf-8", "replace")
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace")
    elif len(sample) >= 4 and sample[1::2].count(0) > 0.4 * len(sample[1::2]) > 0:
        text = head.decode("utf-16-le", "replace")
    elif len(sample) >= 4 and sample[0::2].count(0) > 0.4 * len(sample[0::2]) > 0:
        text = head.decode("utf-16-be", "replace")
    else:
        if 0 in sample:
            return None
        # Vietnamese legacy text is often Windows-1258; the checks below only need ASCII.
        text = head.decode("utf-8", "replace")
    probe = text[:8192]
    controls = sum(1 for ch in probe if ord(ch) < 32 and ch not in "\t\n\r\f\v\x1a")
    if controls > len(probe) // 100 or "\x00" in probe:
        return None
    return text


def _sniff_text(text: str, *, truncated: bool, path: Path) -> Sniffed:
    body = text.lstrip("\ufeff \t\r\n")
    lower = body[:4096].lower()
    if lower.startswith("<?xml") or lower.startswith("<?mso-application"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lower or "excel.sheet" in lower:
            return no("xml2003", msg_xml2003(path))
        if "<html" in lower:
            return no("html", msg_html(path, mhtml=False))
        return no("text", msg_text(path))
    if lower.startswith("<") and any(marker in lower for marker in _HTML_MARKERS):
        return no("html", msg_html(path, mhtml=False))
    headers = _mail_headers(lower)
    if headers:
        if "multipart/related" in lower or "x-document-type: workbook" in lower:
            return no("html", msg_html(path, mhtml=True))
        if headers & {"from", "received", "subject", "return-path", "message-id"}:
            return no("email", MSG_EMAIL)
    lines = [line for line in body.splitlines()[:60] if line.strip()]
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut mid-way
    if _looks_delimited(lines):
        return no("csv", msg_csv(path))
    return no("text", msg_text(path))


def _mail_headers(lower: str) -> set[str]:
    """Names of RFC 822 headers at the start of the text (empty when it does not start so)."""
    names: set[str] = set()
    for line in lower.splitlines()[:20]:
        if not line.strip():
            break
        if line[0] in " \t":
            continue  # folded continuation
        name, colon, _ = line.partition(":")
        if not colon or not name or any(ch in name for ch in " \t,;\"'"):
            return set()
        names.add(name)
    return names if "mime-version" in names or "content-type" in names else set()


def _looks_delimited(lines: list[str]) -> bool:
    if not lines:
        return False
    for delimiter in (",", ";", "\t", "|"):
        counts = [line.count(delimiter) for line in lines]
        with_it = sum(1 for c in counts if c > 0)
        if with_it >= max(1, int(0.8 * len(lines))):
            return True
    return False
