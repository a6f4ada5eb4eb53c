"""The XML members of a package: no DTD or entity declaration, a prolog of sane length, a
shared-strings count that fits the part, and which parts are not in UTF-8.

Only the prolog is looked at, up to the root's start tag, from the first kilobyte of every XML
member. defusedxml's parser (``forbid_dtd``) gives the same verdicts on every file of the
reference corpus and of the hostile folder, but creating one parser per member and feeding it
costs about 0.4 ms more per file (sniffing an example report went from 0.58 to 0.95 ms, for
ten members), some 6 % of a worker's time per file: the walk of the prolog below stays. Every
XML part parsed whole is parsed by defusedxml (``read.package.part_xml``, the .ods marks), so a DTD
missed here is refused there all the same.
"""

from __future__ import annotations

import re
import zipfile
from typing import IO, Final, Literal

from ..common.zip_names import norm
from .inflate import member_head
from .limits import KEPT_PARTS_LIMIT, XML_PROLOG_LIMIT
from .messages import MSG_STRING_COUNT, MSG_XML_PROLOG, MSG_XML_UNSAFE, MSG_ZIP_MEMBER_UNREADABLE
from .verdict import Sniffed, no

_QUICK_BYTES: Final = 1024
_WHOLE_BYTES: Final = 4096


def check_xml_safety(zf: zipfile.ZipFile, member: str | zipfile.ZipInfo) -> str | None:
    """Return a Vietnamese refusal if an XML member declares a DTD, else None.

    OOXML and ODF never legitimately carry a ``<!DOCTYPE``, and a DTD is where entity bombs
    ("billion laughs") and external entities live. A DTD may only appear in the prolog, before
    the root element, so the member is inflated only until its root start tag, and at most
    :data:`XML_PROLOG_LIMIT` bytes: a prolog longer than that is refused as well.
    Unreadable members (corrupt data, unsupported compression) are refused too; a name not in
    the archive raises KeyError, as ``ZipFile.open`` does. For ``xl/sharedStrings.xml`` the
    root's ``uniqueCount`` must fit the member's size: readers reserve memory for that many
    strings up front, and a forged count aborts them.
    """
    verdict = xml_safety(zf, member)
    return None if verdict is None else verdict.message


class Budget:
    """Inflated bytes that the XML checks of one file may still read, all members together;
    and the members they inflated whole, kept for the reader (``KEPT_PARTS_LIMIT`` at most)."""

    __slots__ = ("kept", "kept_size", "left")

    def __init__(self, left: int) -> None:
        self.left = left
        self.kept: dict[str, bytes] = {}
        self.kept_size = 0

    def keep(self, member: str, data: bytes) -> None:
        """Keep a member inflated whole, while the kept members stay within their limit."""
        if member not in self.kept and self.kept_size + len(data) <= KEPT_PARTS_LIMIT:
            self.kept[member] = data
            self.kept_size += len(data)


# A verdict of the quick look at a member's start that leaves the decision to the full look.
UNDECIDED: Final = no("unknown", "")


def xml_safety(
    zf: zipfile.ZipFile,
    member: str | zipfile.ZipInfo,
    budget: Budget | None = None,
    raw: IO[bytes] | None = None,
    recode: set[str] | None = None,
) -> Sniffed | None:
    """The verdict on one XML member; ``recode`` gathers the members not in UTF-8."""
    info = member if isinstance(member, zipfile.ZipInfo) else zf.getinfo(member)
    shared_strings = norm(info.filename).endswith("sharedstrings.xml")
    if raw is not None:
        verdict = quick_xml_safety(raw, info, budget, shared_strings=shared_strings, recode=recode)
        if verdict is not UNDECIDED:
            return verdict
    buf = b""
    pos = 0  # the prolog is known clean up to here
    want = 1024  # real prologs are a hundred bytes or so: start small
    try:
        with zf.open(info) as stream:
            while True:
                room = XML_PROLOG_LIMIT - len(buf)
                if budget is not None:
                    room = min(room, budget.left)
                chunk = stream.read(min(want, room)) if room > 0 else b""
                want = min(want * 4, 16384)
                if budget is not None:
                    budget.left -= len(chunk)
                buf += chunk
                at_end = not chunk
                if recode is not None and len(buf) == len(chunk) and foreign_encoding(buf):
                    recode.add(info.filename)
                text = _decode_xml_start(buf)
                state, pos = _scan_prolog(text, pos, at_end=at_end)
                if state == "dtd":
                    return no("unsafe", MSG_XML_UNSAFE, refusal="xml-bomb")
                if state == "root":
                    if not shared_strings:
                        return None
                    tag = _start_tag(text, pos)
                    if tag is not None:
                        return _check_string_count(tag, info.file_size)
                if at_end:
                    # Out of room: a prolog this long is an attack. True end of member: no root
                    # (or a cut root tag), which the reader rejects on its own.
                    return no("unsafe", MSG_XML_PROLOG, refusal="xml-bomb") if room <= 0 else None
    except Exception:
        return no("corrupt", MSG_ZIP_MEMBER_UNREADABLE)


_DECLARED_ENCODING: Final = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)""")


def foreign_encoding(start: bytes) -> str | None:
    """The encoding of an XML part starting with ``start``, when it is not UTF-8: "utf-16"
    (byte order mark or ``<`` in two bytes), or the one its declaration names."""
    if start[:2] in (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<"):
        return "utf-16"
    if start.startswith(b"<?xml"):
        match = _DECLARED_ENCODING.match(start)
        if match is not None:
            name = match.group(1).decode("ascii").lower().replace("_", "-")
            if name not in ("utf-8", "utf8"):
                return name
    return None


def quick_xml_safety(
    raw: IO[bytes],
    info: zipfile.ZipInfo,
    budget: Budget | None,
    *,
    shared_strings: bool,
    recode: set[str] | None = None,
) -> Sniffed | None:
    """The same verdict as the full look, from the member's first kilobyte inflated straight
    from the file (a tenth of the cost of opening it through zipfile), or UNDECIDED."""
    # A small member is inflated whole at no extra cost (the first 4 KB are inflated anyway),
    # and kept for the reader; the verdict is from its first kilobyte all the same.
    want = info.file_size if info.file_size <= _WHOLE_BYTES else _QUICK_BYTES
    try:
        whole = member_head(raw, info, want)
    except Exception:
        return no("corrupt", MSG_ZIP_MEMBER_UNREADABLE)
    head = None if whole is None else whole[:_QUICK_BYTES]
    if whole is None or head is None or (budget is not None and budget.left < len(head)):
        return UNDECIDED
    if budget is not None and len(whole) == info.file_size:
        budget.keep(info.filename, whole)
    if recode is not None and foreign_encoding(head):
        recode.add(info.filename)
    at_end = len(head) >= info.file_size
    text = _decode_xml_start(head)
    state, pos = _scan_prolog(text, 0, at_end=at_end)
    verdict: Sniffed | None = UNDECIDED
    if state == "dtd":
        verdict = no("unsafe", MSG_XML_UNSAFE, refusal="xml-bomb")
    elif state == "root":
        tag = _start_tag(text, pos) if shared_strings else None
        if not shared_strings:
            verdict = None
        elif tag is not None:
            verdict = _check_string_count(tag, info.file_size)
    elif at_end:
        verdict = None  # no root at all: the reader rejects it on its own
    if verdict is not UNDECIDED and budget is not None:
        budget.left -= len(head)
    return verdict


def _decode_xml_start(data: bytes) -> str:
    # UTF-16 is legal XML; the markup characters are ASCII in every encoding parsers accept.
    if data.startswith((b"\xff\xfe", b"<\x00")):
        return data.decode("utf-16-le", "replace")
    if data.startswith((b"\xfe\xff", b"\x00<")):
        return data.decode("utf-16-be", "replace")
    return data.decode("utf-8", "replace")


_XML_SPACE: Final = re.compile(r"[ \t\r\n]*")


def _scan_prolog(
    text: str, start: int, *, at_end: bool
) -> tuple[Literal["root", "dtd", "more"], int]:
    """Walk the XML prolog from ``start`` (a token boundary): ("root", index of the root's
    "<"), ("dtd", _) on a markup declaration, or ("more", index to resume from)."""
    i = 1 if start == 0 and text.startswith("\ufeff") else start
    n = len(text)
    while True:
        match = _XML_SPACE.match(text, i)
        i = match.end() if match else i
        if i >= n:
            return "more", i
        if text.startswith("<?", i):
            close = text.find("?>", i + 2)
            if close < 0:
                return "more", i
            i = close + 2
            continue
        if text.startswith("<!--", i):
            close = text.find("-->", i + 4)
            if close < 0:
                return "more", i
            i = close + 3
            continue
        if text.startswith("<!", i):
            if n - i < 4 and not at_end:
                return "more", i  # could still turn out to be a comment
            # <!DOCTYPE, or any other markup declaration: never valid before an OOXML root.
            return "dtd", i
        # The root start tag (or stray text, which parsers reject on their own).
        return "root", i


def _start_tag(text: str, at: int) -> str | None:
    close = text.find(">", at)
    return None if close < 0 else text[at : close + 1]


_UNIQUE_COUNT: Final = re.compile(r"""\buniqueCount\s*=\s*["']\s*(\d+)""")


def _check_string_count(tag: str, member_size: int) -> Sniffed | None:
    match = _UNIQUE_COUNT.search(tag)
    if match is None:
        return None
    # Each string costs at least "<si/>" (5 bytes) in the part that lists it.
    if int(match.group(1)) > member_size // 5 + 1000:
        return no("unsafe", MSG_STRING_COUNT, refusal="xml-bomb")
    return None
