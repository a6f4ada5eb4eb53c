"""Finding a form's table in a sheet by its texts, never by fixed addresses.

Units insert and delete rows, hide or add columns, unmerge headers and rename sheets. What stays
is the numbering row "(1) (2) … (6)=(5)/(4)x100" under the header and the header texts
themselves, so those are what we look for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..common.numbers import fold, normalize_text
from ..forms.spec import FormSpec, per_form

Grid = Sequence[Sequence[object]]

_NUMBERING = re.compile(r"^\(\s*(\d{1,2})\s*\)")
# Once a table is found, rows this far below it are still looked at for a better match (a
# unit may keep an old copy of the header above the real one); before that, every row is.
_SCAN_ROWS = 80
_UNIT_LABEL = "don vi bao cao"


@dataclass(frozen=True, kw_only=True)
class Located:
    """Where a form's table sits in a sheet (0-based grid positions)."""

    form: FormSpec
    numbering_row: int
    columns: Mapping[str, int]
    score: int


def text(value: object) -> str:
    """A cell as normalised text; whole floats lose their ``.0`` (STT "1" arrives as 1.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return normalize_text(value)
    return normalize_text(str(value))


def cell(grid: Grid, row: int, column: int) -> object:
    """The value at 0-based (row, column), None outside the grid (readers trim ragged rows)."""
    if 0 <= row < len(grid):
        line = grid[row]
        if 0 <= column < len(line):
            return line[column]
    return None


def _numbering(grid: Grid, row: int) -> dict[int, int]:
    found: dict[int, int] = {}
    for column, value in enumerate(grid[row]):
        # Most cells are numbers or empty; only text opening with "(" can be a column number.
        if isinstance(value, str) and "(" in value[:3]:
            match = _NUMBERING.match(value.strip())
            if match:
                found.setdefault(int(match.group(1)), column)
    return found


def _above(grid: Grid, row: int) -> set[str]:
    """The folded texts of the four rows above ``row``, where a form's headers are printed."""
    return {
        fold(value)
        for line in range(max(0, row - 4), row)
        for value in grid[line]
        if isinstance(value, str) and value
    }


def recognised(grid: Grid, found: Located) -> bool:
    """Whether a text only this form prints (its ``recognise``) heads the table found: a table
    found by its common headers alone ("STT", "Ghi chú") may be another report's form."""
    wanted = {fold(t) for t in found.form.recognise}
    row = found.numbering_row
    return any(
        isinstance(value, str) and fold(value) in wanted
        for line in range(max(0, row - 4), min(row + 1, len(grid)))
        for value in grid[line]
    )


def _header_score(above: set[str], form: FormSpec) -> int:
    return len(above & _headers(form))


@per_form
def _headers(form: FormSpec) -> frozenset[str]:
    """The folded header texts that tell a form's table (asked for every sheet read)."""
    return frozenset(fold(t) for t in (*form.recognise, *(c.header for c in form.columns)))


def locate(grid: Grid, forms: Sequence[FormSpec]) -> Located | None:
    """Find the best-matching form's table in ``grid``, or None when the sheet holds no form.

    The numbering row gives the columns; the header texts above it tell which form it is.
    """
    best: Located | None = None
    # The table may start anywhere (units add titles, notes or whole letters above it): every
    # row is looked at until one is found, within the reader's bound on the sheet's size.
    for row in range(len(grid)):
        if best is not None and row > best.numbering_row + _SCAN_ROWS:
            break
        numbers = _numbering(grid, row)
        if len(numbers) < 3 or 1 not in numbers or 2 not in numbers:
            continue
        above = _above(grid, row)
        for form in forms:
            wanted = {c.number for c in form.columns}
            covered = len(wanted & numbers.keys())
            headers = _header_score(above, form)
            if covered < len(wanted) - 2 or headers < 2:
                continue
            score = headers * 100 + covered - len(numbers.keys() - wanted)
            if best is None or score > best.score:
                columns = {c.key: numbers[c.number] for c in form.columns if c.number in numbers}
                best = Located(form=form, numbering_row=row, columns=columns, score=score)
        if best is not None and best.numbering_row == row and _complete(best):
            break  # every column numbered under its printed headers: the rows below are data
    return best or _locate_by_headers(grid, forms)


def _complete(found: Located) -> bool:
    return len(found.columns) == len(found.form.columns) and found.score >= 300


def _locate_by_headers(grid: Grid, forms: Sequence[FormSpec]) -> Located | None:
    """No numbering row (a unit deleted it): map columns by their header texts in order."""
    for row in range(len(grid)):
        # Most rows hold no "STT" cell: a cheap look before folding every text of the row.
        if not any(isinstance(v, str) and 0 < len(v) < 8 and fold(v) == "stt" for v in grid[row]):
            continue
        texts = [fold(text(v)) for v in grid[row]]
        below = [fold(text(v)) for v in grid[row + 1]] if row + 1 < len(grid) else []
        for form in forms:
            headers = [fold(t) for t in form.recognise]
            if sum(h in texts for h in headers) < 2:
                continue
            start = texts.index("stt")
            columns = {c.key: start + i for i, c in enumerate(form.columns)}
            # The row under a two-row header still belongs to the header.
            last = row + 1 if any(fold(c.header) in below for c in form.columns) else row
            return Located(form=form, numbering_row=last, columns=columns, score=0)
    return None


def named_form(sheet: str, forms: Sequence[FormSpec]) -> FormSpec | None:
    """The form a sheet's name says it holds ("Phụ lục 02", "PL02", "PL 2", "Copy of PL01"),
    None when it names none: such a sheet whose table cannot be found is not passed over."""
    folded = fold(sheet)
    for form in forms:
        if any(pattern.search(folded) for pattern in _name_patterns(form)):
            return form
    return None


def headed_like(grid: Grid, forms: Sequence[FormSpec], rows: int = 200) -> FormSpec | None:
    """The form whose header texts ("Mục tiêu, chỉ tiêu", "Chỉ tiêu kế hoạch đến năm 2020"…)
    a sheet holds, two of them at least, in its first ``rows`` rows: for a sheet whose table
    could not be found, whether it still looks like a form."""
    texts = {
        fold(value)
        for line in grid[:rows]
        for value in line
        if isinstance(value, str) and 3 < len(value) < 200
    }
    for form in forms:
        if len(texts & {fold(t) for t in form.recognise}) >= 2:
            return form
    return None


@per_form
def _name_patterns(form: FormSpec) -> tuple[re.Pattern[str], ...]:
    return tuple(_name_pattern(name) for name in (form.sheet, *form.aliases))


def _name_pattern(name: str) -> re.Pattern[str]:
    # Words and numbers of the name, any spacing between them, a number with or without its
    # leading zeros, and no letter before it nor digit after it.
    pieces = [
        "0*" + piece.lstrip("0") if piece.isdigit() else re.escape(piece)
        for piece in re.findall(r"[0-9]+|[^\W\d_]+", fold(name))
    ]
    return re.compile(r"(?<![^\W\d_])" + r"\s*".join(pieces) + r"(?![0-9])")


def find_unit(grid: Grid, before_row: int) -> tuple[str | None, int, int] | None:
    """The unit written on "Đơn vị báo cáo: …" above the table: (name or None, row, column)."""
    for row in range(min(before_row, len(grid))):
        for column, value in enumerate(grid[row]):
            if not isinstance(value, str) or not fold(value).startswith(_UNIT_LABEL):
                continue
            raw = normalize_text(value)
            name = raw.split(":", 1)[1] if ":" in raw else raw[len("Đơn vị báo cáo") :]
            name = _strip_dots(name)
            if not name:
                # Some units type the name in the next cell instead of after the colon.
                for later in range(column + 1, len(grid[row])):
                    candidate = _strip_dots(text(grid[row][later]))
                    if candidate:
                        return candidate, row, later
            return (name or None), row, column
    return None


def _strip_dots(value: str) -> str:
    return value.strip().strip(".…_ \t").strip()
