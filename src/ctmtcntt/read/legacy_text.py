"""Text typed in an old Vietnamese font (TCVN3, VNI) in a report: converted, and said.

Old offices still type in .VnTime or VNI-Times: the text arrives in 8-bit code points ("B×nh
§Þnh" for "Bình Định"). Each converted cell gets a warning naming it; the unit's name line
typed whole in such a font is still found.
"""

from __future__ import annotations

from ..common.cells import a1
from ..common.numbers import detect_legacy
from ..findings import Finding, make_finding
from .locate import Grid, find_unit


def find_legacy_unit(
    grid: Grid, before_row: int, source: str, sheet: str, findings: list[Finding]
) -> tuple[str | None, int, int] | None:
    """The "Đơn vị báo cáo: …" line typed whole in TCVN3 or VNI ("§¬n vÞ b¸o c¸o: Së Tµi
    chÝnh"): found on the converted text, with a warning naming the cell the name came from."""
    typed: dict[tuple[int, int], str] = {}
    rows: list[list[object]] = []
    for row in range(min(before_row, len(grid))):
        line = list(grid[row])
        for column, value in enumerate(line):
            legacy = detect_legacy(value) if isinstance(value, str) else None
            if isinstance(value, str) and legacy is not None:
                typed[row, column] = value
                line[column] = legacy.text
        rows.append(line)
    if not typed:
        return None
    found = find_unit(rows, before_row)
    if found is not None and (found[1], found[2]) in typed:
        original = typed[found[1], found[2]]
        converted(original, source, sheet, a1(found[1] + 1, found[2] + 1), findings)
    return found


def converted(value: str, source: str, sheet: str, ref: str, findings: list[Finding]) -> str:
    """Text typed in TCVN3 or VNI, turned into Unicode, with a warning naming the cell."""
    legacy = detect_legacy(value)
    if legacy is None:
        return value
    findings.append(
        make_finding(
            "legacy-encoding",
            file=source,
            sheet=sheet,
            cell=ref,
            value=value,
            detail=legacy.encoding,
            expected=legacy.text,
        )
    )
    return legacy.text
