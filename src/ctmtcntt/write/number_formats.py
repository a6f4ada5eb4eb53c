"""Whether a cell's number format shows a number as it is, in Excel and LibreOffice alike.

A computed cell written into a unit's workbook keeps the unit's style unless that style would
show another number than the one written (a percent, a date, hidden decimals, a scaling comma).
"""

from __future__ import annotations

import re

#: Excel's built-in number formats that a style may name by id alone.
BUILTIN_FORMATS = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    49: "@",
}
_LITERAL = re.compile(r'"[^"]*"|\\.|_.|\*.')
_ELAPSED = re.compile(r"\[(?:h+|m+|s+)\]", re.IGNORECASE)
_BRACKET = re.compile(r"\[[^\]]*\]")
_NOT_PLAIN = re.compile(r"[%@/eEyYmMdDhHsSbBgG]")
_SCALING = re.compile(r",(?![0#?])")
_DECIMALS = re.compile(r"\.([0#?]*)")


def _section(number_format: str, negative: bool) -> str:
    sections: list[str] = []
    current = ""
    quoted = False
    for char in number_format:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            sections.append(current)
            current = ""
        else:
            current += char
    sections.append(current)
    return sections[1] if negative and len(sections) > 1 and sections[1] else sections[0]


def shows_exactly(number_format: str | None, value: float) -> bool:
    """Whether a cell with ``number_format`` shows ``value`` as it is in Excel and LibreOffice.

    A percent format shows 66.67 as 6667%, a date format as a date, "0" hides the decimals of
    66.67 and "#,##0," divides by a thousand: none of those shows the number a reader of cached
    values gets. General and plain formats with enough decimals do.
    """
    if number_format is None:
        return False
    section = _section(number_format.strip(), value < 0)
    if section.strip().casefold() in ("", "general"):
        return True
    plain = _LITERAL.sub("", section)
    if _ELAPSED.search(plain):
        return False
    plain = _BRACKET.sub("", plain)
    if plain.strip().casefold() == "general":
        return True
    if _NOT_PLAIN.search(plain) or _SCALING.search(plain) or not re.search(r"[0#?]", plain):
        return False
    match = _DECIMALS.search(plain)
    decimals = len(match.group(1)) if match else 0
    return abs(round(value, decimals) - value) <= 1e-9 * max(1.0, abs(value))
