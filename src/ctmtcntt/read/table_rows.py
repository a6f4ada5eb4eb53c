"""Which line of a located table is which row of its form, and where the table ends.

An indicator form's lines get their STT paths ("2.a"), trusting the printed name over a retyped
STT; a project list's lines are its total, its groups and the projects under each group; the
table ends at the notes or signatures under it, also when typed in an old font.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from ..common.cells import a1, column_letter
from ..common.numbers import detect_legacy, fold, normalize_text
from ..findings import Finding, make_finding
from ..forms.spec import FormSpec
from .locate import Grid, Located, text

_ROMAN = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"}
_LETTER = re.compile(r"^([a-zđ])[.)]?$")
# "3", "3." or a path three deep: "3.1" (its parts a, b are "3.1.a", "3.1.b").
_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)[.)]?$")
_END_MARKS = ("ghi chu", "nguoi lap bieu", "thu truong don vi")


def table_lines(grid: Grid, located: Located) -> list[tuple[int, str, str]]:
    """(grid row, STT text, name text) of every table line, until the notes or signatures."""
    stt_col = located.columns.get("stt", 0)
    name_col = located.columns.get("name", stt_col + 1)
    lines = []
    for row in range(located.numbering_row + 1, len(grid)):
        cells = grid[row]
        width = len(cells)
        stt = text(cells[stt_col]) if stt_col < width else ""
        name = text(cells[name_col]) if name_col < width else ""
        if _ends_table(stt or name):
            break
        lines.append((row, stt, name))
    return lines


def _ends_table(lead: str) -> bool:
    """Whether a line is the notes or signatures under the table, also typed in an old font."""
    if not lead:
        return False
    if fold(lead).startswith(_END_MARKS):
        return True
    # The marks start with G, N or T, letters both old encodings keep as they are.
    legacy = detect_legacy(lead) if lead[:1] in "GgNnTt" and not lead.isascii() else None
    return legacy is not None and fold(legacy.text).startswith(_END_MARKS)


Assigned = tuple[int, str, str, str | None]  # grid row, key, kind, group


def assign_fixed(
    lines: list[tuple[int, str, str]], spec: FormSpec, sheet: str, source: str, out: list[Finding]
) -> list[Assigned]:
    """Give each line its STT path ("2.a"), trusting the printed name over a retyped STT when
    the name is the form's only row of that name (parts a of 3.1, 3.2 and 3.3 share theirs)."""
    names = [fold(r.name) for r in spec.rows]
    by_name = {
        name: r.key for name, r in zip(names, spec.rows, strict=True) if names.count(name) == 1
    }
    result: list[Assigned] = []
    taken: set[str] = set()
    parent = ""
    for row, stt, name in lines:
        key = _stt_key(stt, parent)
        named = by_name.get(fold(name)) if name else None
        if named is not None and named != key:
            key = named
        if key is not None and _LETTER.match(key.rsplit(".", 1)[-1]) is None:
            parent = key  # a numbered row ("3", "3.1"): the letters below are its parts
        elif key is not None:
            parent = key.rsplit(".", 1)[0]
        if key is None or key not in spec.by_key or key in taken:
            if stt or name:
                out.append(
                    make_finding(
                        "unknown-row",
                        file=source,
                        form=spec,
                        sheet=sheet,
                        cell=a1(row + 1, 1),
                        value=stt or name,
                    )
                )
            continue
        taken.add(key)
        result.append((row, key, spec.by_key[key].kind, None))
    return result


def _stt_key(stt: str, parent: str) -> str | None:
    if stt.upper() in _ROMAN:
        return stt.upper()
    if match := _NUMBER.match(stt):
        return match.group(1)
    if (match := _LETTER.match(stt.lower())) and parent:
        return f"{parent}.{match.group(1)}"
    return None


def assign_projects(
    lines: list[tuple[int, str, str]], spec: FormSpec, blank: Callable[[int], bool]
) -> tuple[list[Assigned], list[int]]:
    """A project list: the total row, the groups, and every project under the group above it,
    numbered within its group. The template's blank project rows (empty but for their STT and
    formulas never calculated: most rows of such a form) are left out. Also the grid rows of
    projects above every group row, which belong to none."""
    groups = {r.label: r.key for r in spec.rows if r.kind == "group"}
    names = {fold(r.name): r.key for r in spec.rows if r.kind in ("group", "total")}
    total_name = next(fold(r.name) for r in spec.rows if r.kind == "total")
    result: list[Assigned] = []
    group: str | None = None
    counters: dict[str, int] = {}
    outside: list[int] = []
    for row, stt, name in lines:
        folded = fold(name)
        key = names.get(folded) or groups.get(stt.upper())
        if key is None and folded.startswith(total_name.split()[0] + " " + total_name.split()[1]):
            key = next(r.key for r in spec.rows if r.kind == "total")
        if key is not None:
            kind = spec.by_key[key].kind
            group = key if kind == "group" else group
            result.append((row, key, kind, None))
            continue
        if blank(row):
            continue
        if group is None:
            outside.append(row)
            continue
        counters[group] = counters.get(group, 0) + 1
        result.append((row, f"{group}.{counters[group]}", "project", group))
    return result, outside


def blank_line(grid: Grid, line: int, columns: list[int]) -> bool:
    """Whether a grid row is empty in these columns (whitespace counts as empty, as text is
    cleaned when read; a formula never calculated reads as empty)."""
    cells = grid[line] if 0 <= line < len(grid) else ()
    width = len(cells)
    for column in columns:
        raw = cells[column] if column < width else None
        if raw is None or raw == "":
            continue
        if not isinstance(raw, str) or normalize_text(raw):
            return False
    return True


@cache
def sheet_letter(column: int) -> str:
    """The letter of a 0-based grid column, as Excel shows it (asked for every cell: cached)."""
    return column_letter(column + 1)


def fixed_rows(
    sheet: str, located: Located, lines: list[tuple[int, str, str]], source: str, out: list[Finding]
) -> list[Assigned]:
    """An indicator form's lines as its rows; a table whose every line is foreign is said."""
    spec = located.form
    rows = assign_fixed(lines, spec, sheet, source, out)
    if not rows and any(stt or name for _, stt, name in lines):
        # A table whose every line is foreign: nothing of it would be read.
        out.append(
            make_finding(
                "rows-not-recognised",
                file=source,
                form=spec,
                sheet=sheet,
                cell=a1(located.numbering_row + 1, 1),
                detail=spec.sheet,
            )
        )
    return rows


def project_rows(
    grid: Grid,
    sheet: str,
    located: Located,
    lines: list[tuple[int, str, str]],
    uncached: set[str],
    source: str,
    out: list[Finding],
) -> list[Assigned]:
    """A project list's lines as its rows, the template's blank project rows left out; a
    project above every group row is said."""
    spec = located.form
    filled = [c for k, c in located.columns.items() if k != "stt"]
    # A formula never calculated reads as empty: in a cell units type (not one of the
    # template's totals), it makes the row a project all the same, to be told about.
    typed = [
        sheet_letter(located.columns[c.key])
        for c in spec.columns
        if c.key in located.columns and c.type == "money" and not (c.computed or c.sum_of)
    ]
    rows, outside = assign_projects(
        lines,
        spec,
        lambda line: (
            blank_line(grid, line, filled)
            and not (uncached and any(f"{t}{line + 1}" in uncached for t in typed))
        ),
    )
    name_column = located.columns.get("name", located.columns.get("stt", 0))
    out.extend(
        make_finding(
            "project-outside-group",
            file=source,
            form=spec,
            sheet=sheet,
            cell=a1(line + 1, name_column + 1),
        )
        for line in outside
    )
    return rows
