"""A1 cell addresses, 1-based rows and columns as Excel shows them."""

from __future__ import annotations

import re
from functools import lru_cache

_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def column_letter(column: int) -> str:
    """Return Excel's letters for a 1-based column number (1 -> A, 28 -> AB)."""
    if column < 1:
        raise ValueError(f"column must be >= 1, got {column}")
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """Return the 1-based column number of Excel's letters (A -> 1, AB -> 28)."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


@lru_cache(maxsize=1 << 16)
def a1(row: int, column: int) -> str:
    """Return the A1 address of a 1-based row and column."""
    return f"{column_letter(column)}{row}"


def parse_a1(ref: str) -> tuple[int, int]:
    """Return the 1-based (row, column) of an A1 address such as ``B12`` or ``$B$12``."""
    match = _A1.match(ref.strip())
    if not match:
        raise ValueError(f"not an A1 address: {ref!r}")
    return int(match.group(2)), column_number(match.group(1))
