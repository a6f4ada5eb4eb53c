"""No province figure moves without a finding: a property over random unit values.

Three units of the example (a department, a district, TINH) get random values typed into their
PL01 count rows, TINH's (*) rows and its PL02 project: numbers, dashes, dots, percentages,
negatives, words, blanks, totals without sources. Whatever they type, the province's figures are
the sum over the values the findings did not exclude (an error on a cell excludes it and the
values that count with it), and every total is the sum of its parts.

The workbooks are read once; each example edits their cells in memory and consolidates the
reports, so that a hundred examples take a few seconds.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _support import EXAMPLE
from ctmtcntt.common.cells import a1, parse_a1
from ctmtcntt.consolidation.combine import consolidate_reports
from ctmtcntt.forms.roster import load_roster
from ctmtcntt.forms.spec import load_catalogue
from ctmtcntt.read.submission import UnitReport, read_grids

UNITS = {
    "S05": "S05 - So Tai chinh.xlsx",
    "H01": "H01 - UBND TP Quy Nhon.xlsx",
    "TINH": "TINH - So TTTT.xlsx",
}
PAIRS = {"2": ("2.a", "2.b"), "3": ("3.a", "3.b"), "4": ("4.a", "4.b"), "5": ("5.a", "5.b")}
COUNT_ROWS = [key for pair in PAIRS.values() for key in pair] + ["11"]
PROVINCE_ROWS = ["6.a", "6.b", "6.c"]
SOURCES = {"6": ("7", "8", "9"), "10": ("11", "12", "13"), "14": ("15", "16", "17")}

# What a clerk types in a count cell, and what it means: a number, 0 (a dash), nothing (blank,
# dots), or no figure at all (a mistake the findings must name: excluded below by them).
typed = st.one_of(
    st.integers(min_value=0, max_value=5000),
    st.sampled_from(["-", "–", "...", None, "15%", "abc", -3, 12.5, "1.234"]),
)


def meaning(value: object) -> float | None:
    """The figure a value stands for when valid: None for blank (or no figure)."""
    if value in ("-", "–"):
        return 0.0
    if value == "1.234":
        return 1234.0
    if isinstance(value, (int, float)):
        return float(value)
    return None


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in book.sheet_names}


class _World(dict[str, Any]):
    """The reports read once; shown by name, so that a failing example prints in full."""

    def __repr__(self) -> str:
        return "<the example's reports>"


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    """Every example report read once, and the grids and cells of the three units edited."""
    reports: list[UnitReport] = []
    grids: dict[str, dict[str, list[list[object]]]] = {}
    for path in sorted(EXAMPLE.rglob("*.xlsx")):
        code = next((c for c, name in UNITS.items() if path.name == name), None)
        sheets = _sheets(path)
        if code is None:
            reports.append(read_grids(sheets, str(path)))
        else:
            grids[code] = sheets
    cells: dict[tuple[str, str, str], tuple[str, int, int]] = {}
    for code, sheets in grids.items():
        report = read_grids(sheets, UNITS[code])
        for form in report.forms.values():
            for row in form.rows:
                for column, value in row.values.items():
                    r, c = parse_a1(value.cell)
                    cells[code, row.key, column] = (form.sheet, r - 1, c - 1)
    return _World(reports=reports, grids=grids, cells=cells)


@st.composite
def typing(draw: st.DrawFn) -> dict[tuple[str, str, str], object]:
    """Values typed by the three units: PL01 count rows, TINH's (*) rows and project money."""
    chosen: dict[tuple[str, str, str], object] = {}
    for code in ("S05", "H01", "TINH"):
        for row in draw(st.lists(st.sampled_from(COUNT_ROWS), max_size=6, unique=True)):
            chosen[code, row, "actual"] = draw(typed)
    for row in draw(st.lists(st.sampled_from(PROVINCE_ROWS), max_size=3, unique=True)):
        chosen["TINH", row, "actual"] = draw(typed)
    columns = [str(n) for n in range(6, 18)]
    for column in draw(st.lists(st.sampled_from(columns), max_size=6, unique=True)):
        chosen["TINH", "I.1", column] = draw(typed)
    return chosen


def _excluded(findings: list[Any]) -> set[tuple[str, str]]:
    """(file name, cell) of every error."""
    return {(Path(f.file).name, f.cell) for f in findings if f.is_error and f.cell}


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(chosen=typing())
def test_province_figures_are_sums_of_what_the_findings_let_in(
    world: dict[str, Any], chosen: dict[tuple[str, str, str], object]
) -> None:
    """Random values in three units: every summed PL01 row is the sum over the values not
    excluded by an error (with their pair), and every total is the sum of its parts."""
    spec = load_catalogue().forms["PL01"]
    roster = load_roster(EXAMPLE / "roster.csv")
    reports = list(world["reports"])
    cells: dict[tuple[str, str, str], tuple[str, int, int]] = world["cells"]
    edited: dict[str, dict[str, list[list[object]]]] = {}
    for code, sheets in world["grids"].items():
        edited[code] = copy.deepcopy(sheets)
    for (code, row, column), value in chosen.items():
        sheet, r, c = cells[code, row, column]
        edited[code][sheet][r][c] = "" if value is None else value
    for code, sheets in edited.items():
        reports.append(read_grids(sheets, UNITS[code]))
    data = consolidate_reports(reports, roster)
    excluded = _excluded(data.findings)
    base: dict[str, dict[tuple[str, str], object]] = world.get("base") or {}
    if not base:
        clean = [*world["reports"], *(read_grids(world["grids"][c], UNITS[c]) for c in UNITS)]
        base = world["base"] = dict(consolidate_reports(clean, roster).per_unit)
    # PL01: each summed row over the units, the three edited ones by what they typed; a (*)
    # row from TINH alone.
    alone = [(row, (row,)) for row in ("11", *PROVINCE_ROWS)]
    paired = [(row, pair) for pair in PAIRS.values() for row in pair]
    for row, pair in paired + alone:
        expected = 0.0
        present = False
        for unit, table in base.items():
            if row in PROVINCE_ROWS and unit != "TINH":
                continue
            if unit in UNITS:
                value = _value(chosen, base[unit], unit, row, pair, excluded, cells)
            else:
                value = table.get((row, "actual"))
            if isinstance(value, float):
                expected += value
                present = True
        got = data.pl01.get((row, "actual"))
        assert (expected if present else None) == got, (row, chosen, data.findings)
    # Every total is the sum of its parts.
    parts = [data.pl01.get((k, "actual")) for k in spec.row("6").parts]
    numbers = [p for p in parts if isinstance(p, float)]
    assert (math.fsum(numbers) if numbers else None) == data.pl01.get(("6", "actual"))
    fixed = data.pl02_fixed
    for values in fixed.values():
        for whole, sources in SOURCES.items():
            assert math.isclose(values[whole], sum(values[s] for s in sources))  # type: ignore[arg-type,misc]
    for column in fixed["TOTAL"]:
        if column == "18":
            continue
        groups = [fixed[g][column] for g in ("I", "II", "III")]
        assert math.isclose(fixed["TOTAL"][column], math.fsum(groups))  # type: ignore[arg-type]
    for project in data.pl02_projects:
        for whole, sources in SOURCES.items():
            present = [project.values.get(s) for s in sources if project.values.get(s) is not None]
            assert project.values.get(whole) == (math.fsum(present) if present else None)  # type: ignore[arg-type]


def _value(
    chosen: dict[tuple[str, str, str], object],
    table: dict[tuple[str, str], object],
    unit: str,
    row: str,
    pair: tuple[str, str],
    excluded: set[tuple[str, str]],
    cells: dict[tuple[str, str, str], tuple[str, int, int]],
) -> float | None:
    """What a unit adds to a row: its typed value (or the example's), unless an error names
    the cell or the other of its pair."""
    file = UNITS[unit]
    for key in pair:
        _, r, c = cells[unit, key, "actual"]
        if (file, a1(r + 1, c + 1)) in excluded:
            return None
    if (unit, row, "actual") in chosen:
        return meaning(chosen[unit, row, "actual"])
    value = table.get((row, "actual"))
    return value if isinstance(value, float) else None
