"""Vietnamese text, numbers and yes/no answers as units really type them into report cells.

Nothing here raises for bad data: a value that is not what it should be comes back with
``ok=False`` so that validation can report it with its file, sheet and cell.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from numbers import Real
from typing import Literal

from .legacy_fonts import (
    STOP_CODAS,
    STOP_TONES,
    SYLLABLE,
    TCVN3_CAPITAL_CODES,
    TCVN3_DECODE,
    TCVN3_ENCODE,
    TCVN3_TYPICAL,
    TCVN3_WORD,
    TONES,
    VNI_DECODE,
    VNI_ENCODE,
    VNI_SEQUENCE,
    VNI_TYPICAL,
    VOWELS,
)

__all__ = [
    "LegacyEncoding",
    "LegacyText",
    "ParsedNumber",
    "ParsedYesNo",
    "detect_legacy",
    "excel_error",
    "fold",
    "looks_like_formula",
    "normalize_text",
    "parse_number",
    "parse_yesno",
    "parse_yesno_detailed",
    "to_tcvn3",
    "to_vni",
    "vn_number",
]

LegacyEncoding = Literal["TCVN3", "VNI"]

# ---------------------------------------------------------------------------------------------
# Text

# Invisible characters pasted from web forms and Word: they must neither join nor split words
# differently from what the user sees. U+00AD (soft hyphen) is kept: in TCVN3 it is the letter ư.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\u180e\ufeff"), None
)
# Control characters (Excel stores them as "_x0007_"): invisible, and no XML may hold them, so
# a workbook we write would fail on them. Tabs, line breaks and U+001C-U+001F are whitespace.
_INVISIBLE.update(dict.fromkeys([*range(0x00, 0x09), *range(0x0E, 0x1C), 0x7F], None))
_WHITESPACE = re.compile(r"\s+")  # str patterns match NBSP, U+2007, U+202F and line breaks
# Đ has no decomposition, and Ð (the Icelandic eth) is what some keyboards type for it.
_FOLD_LETTERS = {"đ": "d", "ð": "d"}


# Pure and called for every cell and header of every workbook, mostly on the same few hundred
# texts: remembering recent answers makes reading a folder several times faster.
@lru_cache(maxsize=1 << 16)
def normalize_text(value: str) -> str:
    """Return ``value`` in NFC with invisible characters removed and whitespace collapsed.

    Non-breaking and other Unicode spaces, tabs and line breaks become one ordinary space; the
    result is stripped. Applying it twice changes nothing.
    """
    text = unicodedata.normalize("NFC", value).translate(_INVISIBLE)
    # Removing an invisible character can bring a letter next to a combining mark.
    text = unicodedata.normalize("NFC", text)
    return _WHITESPACE.sub(" ", text).strip()


@lru_cache(maxsize=1 << 16)
def fold(value: str) -> str:
    """Return a key for comparing names: lower case, no diacritics, words split by one space.

    ``fold("UBND TP. Quy Nhơn") == "ubnd tp quy nhon"``; the different tone placements
    "Hòa" and "Hoà" fold alike.
    """
    decomposed = unicodedata.normalize("NFD", normalize_text(value).casefold())
    return " ".join(decomposed.translate(_FOLD_TABLE).split())


class _FoldTable(dict[int, str | None]):
    """What ``fold`` makes of each character: None for a combining mark (dropped), the letter
    or digit itself (Đ as d), a space for anything else. Filled as characters are first met,
    so that ``str.translate`` does the work in C."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        if unicodedata.category(char).startswith("M"):
            folded = None
        else:
            char = _FOLD_LETTERS.get(char, char)
            folded = char if char.isalnum() else " "
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def looks_like_formula(text: str) -> bool:
    """Return True when ``text`` would be taken as a formula if written to a sheet or a CSV.

    That is text starting with ``=``, ``+``, ``-`` or ``@`` (also in full width) after leading
    spaces, or starting with a tab or a line break, which some readers strip before looking.
    """
    if text[:1] in ("\t", "\r", "\n"):
        return True
    stripped = text.translate(_INVISIBLE).lstrip()
    return stripped[:1] in ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


# ---------------------------------------------------------------------------------------------
# Numbers


@dataclass(frozen=True, kw_only=True, slots=True)
class ParsedNumber:
    """A number cell read leniently.

    ``value`` is None when the cell is empty (``ok`` True) or not a number (``ok`` False).
    ``percent`` says the text carried a ``%`` sign; ``value`` is then the number before it.
    """

    value: float | None
    ok: bool
    percent: bool = False

    @property
    def empty(self) -> bool:
        """True when the cell holds nothing (None, blanks or a lone dash)."""
        return self.ok and self.value is None


_EMPTY_NUMBER = ParsedNumber(value=None, ok=True)
_BAD_NUMBER = ParsedNumber(value=None, ok=False)
# Units put a dash in a cell to mean "nothing to report".
_DASHES = frozenset({"-", "\u2013", "\u2014", "\u2212"})
_MINUS = frozenset({"-", "\u2212"})
_DIGITS = re.compile(r"[0-9]+")
_SPACE_GROUPED = re.compile(r"([0-9]{1,3}(?: [0-9]{3})+)(?:[.,]([0-9]+))?")
_GROUPED = {sep: re.compile(rf"[0-9]{{1,3}}(?:{re.escape(sep)}[0-9]{{3}})+") for sep in ".,"}
_THOUSANDS_HEAD = re.compile(r"[1-9][0-9]{0,2}")


def parse_number(raw: object) -> ParsedNumber:
    """Read a cell value as a number the way Vietnamese units type it; never raises.

    Numbers (not bools) pass through as floats. Text: ``"1.519"`` and ``"1,519"`` are 1519
    (one separator followed by exactly three digits, after 1-3 digits not starting with 0, is a
    thousands separator: counts and money never have three decimals here); ``"45,5"``,
    ``"45.5"`` and ``"0,125"`` are decimals; with both separators the last one is the decimal
    (``"1.234,5"``, ``"1,234.5"``); spaces may group thousands (``"1 519"``); a leading ``+``,
    ``-`` or ``−`` and a trailing ``%`` are allowed. Units, parentheses ``"(5)"``, NaN and
    infinities are not numbers. None, blank text and a lone dash are empty.
    """
    if raw is None:
        return _EMPTY_NUMBER
    if isinstance(raw, bool):
        return _BAD_NUMBER
    if isinstance(raw, Real | Decimal):  # numpy scalars register themselves as Real
        try:
            number = float(raw)
        except (ArithmeticError, TypeError, ValueError):
            return _BAD_NUMBER
        return _finite(number, percent=False)
    if not isinstance(raw, str):
        return _BAD_NUMBER
    text = normalize_text(raw)
    if not text or text in _DASHES:
        return _EMPTY_NUMBER
    percent = text.endswith("%")
    if percent:
        text = text[:-1].rstrip()
    sign = 1.0
    if text[:1] in _MINUS or text[:1] == "+":
        sign = -1.0 if text[:1] in _MINUS else 1.0
        text = text[1:]
    magnitude = _unsigned(text)
    if magnitude is None:
        return _BAD_NUMBER
    return _finite(sign * magnitude, percent=percent)


def _finite(number: float, *, percent: bool) -> ParsedNumber:
    if not math.isfinite(number):
        return _BAD_NUMBER
    return ParsedNumber(value=number, ok=True, percent=percent)


def _unsigned(body: str) -> float | None:
    if " " in body:
        match = _SPACE_GROUPED.fullmatch(body)
        if not match:
            return None
        return _compose(match.group(1).replace(" ", ""), match.group(2) or "")
    separators = {char for char in body if char in ".,"}
    if len(separators) == 2:
        last = max(body.rfind("."), body.rfind(","))
        head, decimals = body[:last], body[last + 1 :]
        thousands = "," if body[last] == "." else "."
        if not _GROUPED[thousands].fullmatch(head) or not _DIGITS.fullmatch(decimals):
            return None
        return _compose(head.replace(thousands, ""), decimals)
    if separators:
        (sep,) = separators
        if body.count(sep) > 1:
            return _compose(body.replace(sep, ""), "") if _GROUPED[sep].fullmatch(body) else None
        head, decimals = body.split(sep)
        if _THOUSANDS_HEAD.fullmatch(head) and len(decimals) == 3 and decimals.isdigit():
            return _compose(head + decimals, "")
        if (head and not _DIGITS.fullmatch(head)) or not _DIGITS.fullmatch(decimals):
            return None
        return _compose(head or "0", decimals)
    return _compose(body, "") if _DIGITS.fullmatch(body) else None


def _compose(integer: str, decimals: str) -> float:
    # Parsing the canonical text keeps float() doing the one correctly rounded conversion.
    return float(f"{integer}.{decimals}" if decimals else integer)


def vn_number(value: float, places: int = 6) -> str:
    """A number as Vietnamese readers write it: 1.519 (dot between thousands), 90,4 (decimal
    comma), at most ``places`` decimals, no trailing zeros and no float noise."""
    rounded = round(value, places)
    if rounded == int(rounded):
        return f"{int(rounded):,}".replace(",", ".")
    text = f"{rounded:,.{places}f}".rstrip("0")
    return text.translate(_VN_SEPARATORS)


_VN_SEPARATORS = str.maketrans({",": ".", ".": ","})


# Excel's error values (and LibreOffice's "Err:502"): what a formula shows when it fails, never
# a figure, whether Excel stored it as an error or a unit typed or pasted it as text.
_EXCEL_ERROR = re.compile(
    r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|BLOCKED!"
    r"|CONNECT!|BUSY!|UNKNOWN!|PYTHON!|EXTERNAL!)|ERR:[0-9]{3}",
    re.IGNORECASE,
)


def excel_error(raw: object) -> bool:
    """Whether a cell holds an Excel error value (#REF!, #DIV/0!, #N/A, …) as its text."""
    return (
        isinstance(raw, str)
        and raw[:1] in "#Ee"
        and _EXCEL_ERROR.fullmatch(normalize_text(raw)) is not None
    )


# ---------------------------------------------------------------------------------------------
# Yes / no


@dataclass(frozen=True, kw_only=True, slots=True)
class ParsedYesNo:
    """A yes/no cell read leniently: ``value`` None with ``ok`` True means empty."""

    value: bool | None
    ok: bool


_YES = ("có", "co", "x", "yes", "true", "1", "đã triển khai", "da trien khai")
_NO = ("không", "khong", "no", "false", "0", "chưa", "chua", "chưa triển khai", "chua trien khai")
_YESNO = dict.fromkeys(_YES, True) | dict.fromkeys(_NO, False)


def parse_yesno_detailed(raw: object) -> ParsedYesNo:
    """Read a cell as yes/no; unrecognised values (including "Đạt", an assessment) are not ok.

    Yes: "Có", "x", "yes", "1", 1, True, "Đã triển khai". No: "Không", "no", "0", 0, False,
    "Chưa", "Chưa triển khai". Case, NFD/NFC and non-breaking spaces do not matter; None,
    blank text and a lone dash are empty.
    """
    if isinstance(raw, bool):
        return ParsedYesNo(value=raw, ok=True)
    if raw is None:
        return ParsedYesNo(value=None, ok=True)
    if isinstance(raw, Real | Decimal):
        number = parse_number(raw).value
        if number in (0.0, 1.0):
            return ParsedYesNo(value=number == 1.0, ok=True)
        return ParsedYesNo(value=None, ok=False)
    if not isinstance(raw, str):
        return ParsedYesNo(value=None, ok=False)
    text = normalize_text(raw).casefold()
    if not text or text in _DASHES:
        return ParsedYesNo(value=None, ok=True)
    answer = _YESNO.get(text)
    return ParsedYesNo(value=answer, ok=answer is not None)


def parse_yesno(raw: object) -> bool | None:
    """Return True or False for a yes/no cell, None when empty or not recognised."""
    return parse_yesno_detailed(raw).value


# ---------------------------------------------------------------------------------------------
# Legacy 8-bit encodings (TCVN3, VNI)


@dataclass(frozen=True, kw_only=True, slots=True)
class LegacyText:
    """Text found to be typed in a legacy font, with its Unicode (NFC) conversion."""

    encoding: LegacyEncoding
    text: str


_WORD = re.compile(r"[^\W\d_]+")


def to_tcvn3(text: str) -> str:
    """Encode Vietnamese text as TCVN3 (ABC) stored in Latin-1 characters, as Excel shows it.

    Capitals other than Ă Â Đ Ê Ô Ơ Ư have no TCVN3 code and get the lower-case one, as typing
    in a .VnTimeH capitals font did; other characters are kept.
    """
    return unicodedata.normalize("NFC", text).translate(TCVN3_ENCODE)


def to_vni(text: str) -> str:
    """Encode Vietnamese text as VNI Windows stored in Latin-1 characters, as Excel shows it."""
    return unicodedata.normalize("NFC", text).translate(VNI_ENCODE)


def _decode_tcvn3(text: str) -> tuple[str, list[tuple[str, str]]]:
    words = [(m.group(), m.group().translate(TCVN3_DECODE)) for m in TCVN3_WORD.finditer(text)]
    capitals = _in_capitals([_cased(old, new) for old, new in words])
    words = [
        (old, new.upper() if capitals or _in_capitals([_cased(old, new)]) else new)
        for old, new in words
    ]
    converted = iter([new for _, new in words])
    return TCVN3_WORD.sub(lambda _: next(converted), text), words


def _cased(code: str, decoded: str) -> list[tuple[int, str]]:
    # Letters whose case TCVN3 keeps (not the lower-case codes of a capitals font), by position.
    return [
        (index, letter)
        for index, (byte, letter) in enumerate(zip(code, decoded, strict=True))
        if (ord(byte) not in TCVN3_DECODE or byte in TCVN3_CAPITAL_CODES)
        and letter.lower() != letter.upper()
    ]


def _in_capitals(words: list[list[tuple[int, str]]]) -> bool:
    # Typed in a capitals font when every letter that keeps its case is a capital and one is
    # not at the start of its word: "Së" is a capitalised word, "SË TH¤NG" is in capitals.
    letters = [pair for word in words for pair in word]
    return all(c.isupper() for _, c in letters) and any(index > 0 for index, _ in letters)


def _decode_vni(text: str) -> tuple[str, list[tuple[str, str]]]:
    words: list[tuple[str, str]] = []

    def word(match: re.Match[str]) -> str:
        old = match.group()
        words.append((old, VNI_SEQUENCE.sub(lambda mark: VNI_DECODE[mark.group()], old)))
        return words[-1][1]

    return _WORD.sub(word, text), words


_Decoder = Callable[[str], tuple[str, list[tuple[str, str]]]]
_DECODERS: tuple[tuple[LegacyEncoding, re.Pattern[str], _Decoder], ...] = (
    ("TCVN3", TCVN3_TYPICAL, _decode_tcvn3),
    ("VNI", VNI_TYPICAL, _decode_vni),
)


# Pure, and asked of every text cell of every workbook, mostly the Ministry's own row names.
@lru_cache(maxsize=1 << 14)
def detect_legacy(text: str) -> LegacyText | None:
    """Return the Unicode conversion of ``text`` when it was typed in a TCVN3 or VNI font.

    Conservative: the text must hold characters typical of the encoding and no letter beyond
    Latin-1 (real Unicode Vietnamese such as "ơ", "ạ" rules it out); once converted, more than
    half of its words must be Vietnamese syllables, and more words must become syllables than
    stop being ones. Plain ASCII, Unicode Vietnamese and French or German text give None, and
    so does text that reads as well either way (TCVN3 "cã" is also Unicode "cã"; VNI "ñi" is
    "đi" but TCVN3 "ñi" is "ủi").
    """
    source = unicodedata.normalize("NFC", text)
    if source.isascii() or any(
        ord(c) > 0xFF and unicodedata.category(c)[0] in "LM" for c in source
    ):
        return None
    found: list[tuple[tuple[float, int], LegacyText]] = []
    for encoding, typical, decode in _DECODERS:
        if not typical.search(source):
            continue
        converted, words = decode(source)
        converted = unicodedata.normalize("NFC", converted)
        # A lone symbol is no word: "2 × 3" is not TCVN3 for "2 ì 3", but "®·" is "đã".
        gained = sum(
            _is_syllable(new) and not _is_syllable(old) and (len(old) > 1 or old.isalpha())
            for old, new in words
        )
        lost = sum(_is_syllable(old) and not _is_syllable(new) for old, new in words)
        score = _plausibility(converted)
        if gained > lost and score > 0.5:
            # Between two readings as plausible, the one that leaves no legacy symbol behind
            # (VNI reads TCVN3 "LÖ gi¸o" as "LƯ gi¸o", TCVN3 as "Lệ giáo").
            leftover = sum(0x80 <= ord(c) <= 0xFF and not c.isalpha() for c in converted)
            found.append(((score, -leftover), LegacyText(encoding=encoding, text=converted)))
    found.sort(key=lambda pair: pair[0], reverse=True)
    if not found or (len(found) > 1 and found[0][0] == found[1][0]):
        return None
    return found[0][1]


def _plausibility(text: str) -> float:
    """Share of words that are Vietnamese syllables; 0 unless one of them has a diacritic."""
    valid = considered = marked = 0
    for word in _WORD.findall(text):
        if _is_syllable(word):
            valid += 1
            marked += not word.isascii()
        elif word.isupper() and len(word) > 1 and all(c.isascii() or c == "Đ" for c in word):
            continue  # an acronym such as UBND, HĐND, TTHC
        considered += 1
    return valid / considered if marked else 0.0


# Report cells repeat the same few hundred words; each is spelled out once.
@functools.lru_cache(maxsize=8192)
def _is_syllable(word: str) -> bool:
    if not word or not (word.islower() or word.isupper() or word[1:].islower()):
        return False
    letters: list[str] = []
    tones: list[str] = []
    toned_at = 0
    for index, char in enumerate(unicodedata.normalize("NFC", word.lower())):
        parts = unicodedata.normalize("NFD", char)
        if any(mark in TONES for mark in parts):
            tones.extend(mark for mark in parts if mark in TONES)
            toned_at = index
        letters.append(unicodedata.normalize("NFC", "".join(m for m in parts if m not in TONES)))
    base = "".join(letters)
    if len(tones) > 1 or not SYLLABLE.fullmatch(base):
        return False
    if not tones:
        return True
    if letters[toned_at] not in VOWELS or (
        base.endswith(STOP_CODAS) and tones[0] not in STOP_TONES
    ):
        return False
    # A final vowel after another one takes the tone only in oa, oe, uy ("hoá", "thuý"), after
    # qu and gi ("quá", "giá") or when it bears its own mark ("huệ", "thuở"): "xaõ" is no word.
    if toned_at == 0 or toned_at < len(base) - 1 or base[toned_at - 1] not in VOWELS:
        return True
    return (
        base[toned_at] in "ăâêôơư"
        or base[toned_at - 1 : toned_at + 1] in ("oa", "oe", "uy")
        or base[:toned_at] in ("qu", "gi")
    )
