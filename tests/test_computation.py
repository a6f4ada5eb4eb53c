"""Computed cells: a table of cases, then properties that must hold for any inputs.

Python is the single source of truth: PL01 percent rows from their .a/.b rows, completion rate
(6) = (5)/(4)×100, the assessment by the target's operator, row 6 = 6.a + 6.b + 6.c; PL02 source
totals, group rows, TỔNG SỐ and (18) on every row (empty where (10) is 0). Rounding is Excel's and
LibreOffice's ROUND (half away from zero), and float noise never shows.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ctmtcntt.common.cells import parse_a1
from ctmtcntt.compute.totals import (
    MET,
    NOT_MET,
    clean,
    compute_indicators,
    compute_project,
    compute_projects,
    ratio,
    total,
)
from ctmtcntt.consolidation.combine import consolidate_reports
from ctmtcntt.forms.spec import load_catalogue
from ctmtcntt.read.submission import UnitReport, read_grids
from ctmtcntt.result import ConsolidationResult
from ctmtcntt.write.filling import changes, fill_cells
from ctmtcntt.write.number_formats import shows_exactly

REPO = Path(__file__).resolve().parents[1]
PL01 = load_catalogue().forms["PL01"]
PL02 = load_catalogue().forms["PL02"]
PERCENT_ROWS = [r for r in PL01.rows if r.kind == "percent"]
MONEY = [c.key for c in PL02.columns if c.type == "money"]
SOURCES = {c.key: c.sum_of for c in PL02.columns if c.sum_of}
PROVINCE = "Sở Thông tin và Truyền thông (số liệu chung toàn tỉnh)"


def half_up(value: Fraction | Decimal | float, digits: int = 2) -> float:
    """The exact rounding of the forms (and of ROUND in Excel and LibreOffice)."""
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    elif isinstance(value, Decimal):
        exact = value
    else:
        exact = Decimal(repr(value))
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------------------------
# A table of cases


PL01_CASES = [
    # (id, inputs, expected cells)
    (
        "percent row from its parts, > 50 met",
        {("2.a", "actual"): 61.0, ("2.b", "actual"): 41.0},
        {("2", "actual"): 67.21, ("2", "ratio"): 134.42, ("2", "assessment"): MET},
    ),
    (
        "> 50 is strict: exactly 50 is not met",
        {("2.a", "actual"): 2.0, ("2.b", "actual"): 1.0},
        {("2", "actual"): 50.0, ("2", "ratio"): 100.0, ("2", "assessment"): NOT_MET},
    ),
    (
        "≥ 30 is met by exactly 30",
        {("3.a", "actual"): 10.0, ("3.b", "actual"): 3.0},
        {("3", "actual"): 30.0, ("3", "ratio"): 100.0, ("3", "assessment"): MET},
    ),
    (
        "level-4 processing of the example: 45,263 of 377,040 is under 30",
        {("3.a", "actual"): 377040.0, ("3.b", "actual"): 45263.0},
        {("3", "actual"): 12.0, ("3", "ratio"): 40.0, ("3", "assessment"): NOT_MET},
    ),
    (
        "electronic documents of the example: just over 90",
        {("5.a", "actual"): 194652.0, ("5.b", "actual"): 175958.0},
        {("5", "actual"): 90.4, ("5", "ratio"): 100.44, ("5", "assessment"): MET},
    ),
    (
        "(6) is computed from (5) as shown: 66.67 / 50",
        {("2.a", "actual"): 3.0, ("2.b", "actual"): 2.0},
        {("2", "actual"): 66.67, ("2", "ratio"): 133.34, ("2", "assessment"): MET},
    ),
    (
        "a half rounds away from zero, as ROUND does: 1/32 is 3.13 %",
        {("12.a", "actual"): 32.0, ("12.b", "actual"): 1.0},
        {("12", "actual"): 3.13, ("12", "ratio"): 3.91, ("12", "assessment"): NOT_MET},
    ),
    (
        "a zero denominator leaves the percent, the rate and the assessment empty",
        {("4.a", "actual"): 0.0, ("4.b", "actual"): 0.0},
        {("4", "actual"): None, ("4", "ratio"): None, ("4", "assessment"): None},
    ),
    (
        "a missing numerator leaves them empty",
        {("4.a", "actual"): 10.0},
        {("4", "actual"): None, ("4", "ratio"): None, ("4", "assessment"): None},
    ),
    (
        "a zero numerator is 0 %, not empty",
        {("4.a", "actual"): 10.0, ("4.b", "actual"): 0.0},
        {("4", "actual"): 0.0, ("4", "ratio"): 0.0, ("4", "assessment"): NOT_MET},
    ),
    (
        "yes: 100 and met",
        {("1", "actual"): True},
        {("1", "ratio"): 100.0, ("1", "assessment"): MET},
    ),
    (
        "no: 0 and not met",
        {("13", "actual"): False},
        {("13", "ratio"): 0.0, ("13", "assessment"): NOT_MET},
    ),
    (
        "yes/no left empty: nothing computed",
        {},
        {("1", "ratio"): None, ("1", "assessment"): None},
    ),
    (
        "row 6 is the sum of 6.a, 6.b and 6.c",
        {("6.a", "actual"): 1519.0, ("6.b", "actual"): 383.0, ("6.c", "actual"): 179.0},
        {("6", "actual"): 2081.0},
    ),
    (
        "row 6 with a part left empty sums the others",
        {("6.a", "actual"): 1519.0, ("6.c", "actual"): 179.0},
        {("6", "actual"): 1698.0},
    ),
    (
        "row 6 with nothing typed is empty, not 0",
        {},
        {("6", "actual"): None},
    ),
    (
        "float noise never shows: 0.1 + 0.2",
        {("6.a", "actual"): 0.1, ("6.b", "actual"): 0.2},
        {("6", "actual"): 0.3},
    ),
    (
        "row 9 against its own plan: 11 of 11",
        {("9", "plan"): 11.0, ("9", "actual"): 11.0},
        {("9", "ratio"): 100.0, ("9", "assessment"): MET},
    ),
    (
        "row 10 below its plan",
        {("10", "plan"): 159.0, ("10", "actual"): 150.0},
        {("10", "ratio"): 94.34, ("10", "assessment"): NOT_MET},
    ),
    (
        "row 10 above its plan is met",
        {("10", "plan"): 15.0, ("10", "actual"): 16.0},
        {("10", "ratio"): 106.67, ("10", "assessment"): MET},
    ),
    (
        "a plan of 0 has no rate",
        {("10", "plan"): 0.0, ("10", "actual"): 0.0},
        {("10", "ratio"): None, ("10", "assessment"): MET},
    ),
    (
        "rows without a target compute nothing",
        {("11", "actual"): 48.0, ("15", "actual"): 400.5},
        {("11", "ratio"): None, ("11", "assessment"): None, ("15", "ratio"): None},
    ),
]


@pytest.mark.parametrize(
    ("inputs", "expected"), [c[1:] for c in PL01_CASES], ids=[c[0] for c in PL01_CASES]
)
def test_pl01_case(
    inputs: dict[tuple[str, str], Any], expected: dict[tuple[str, str], Any]
) -> None:
    """Each computed cell of PL01 as the forms define it."""
    table = compute_indicators(PL01, inputs)
    for key, value in expected.items():
        assert value == table.get(key), key
    for key, value in inputs.items():
        assert value == table[key], f"input {key} changed"


PROJECT_CASES = [
    (
        "the example's project: 45,000 = 30,000 + 15,000; nothing central allocated",
        {"7": 30000.0, "8": 15000.0, "11": 0.0, "12": 15000.0, "16": 15000.0},
        {"6": 45000.0, "10": 15000.0, "14": 15000.0, "18": 100.0},
    ),
    (
        "(18) is empty where (10) is 0",
        {"7": 100.0, "11": 0.0, "15": 0.0},
        {"6": 100.0, "10": 0.0, "14": 0.0, "18": None},
    ),
    (
        "(18) is empty where nothing was allocated at all",
        {"7": 100.0},
        {"6": 100.0, "10": None, "14": None, "18": None},
    ),
    (
        "a typed total with no sources is kept",
        {"6": 500.0, "10": 200.0, "14": 50.0},
        {"6": 500.0, "10": 200.0, "14": 50.0, "18": 25.0},
    ),
    (
        "sources win over a typed total that disagrees",
        {"6": 999.0, "7": 100.0, "8": 50.0},
        {"6": 150.0},
    ),
    (
        "money sums without float noise",
        {"7": 0.1, "8": 0.2, "11": 0.1, "12": 0.2, "15": 0.1, "16": 0.1},
        {"6": 0.3, "10": 0.3, "14": 0.2, "18": 66.67},
    ),
    (
        "a rate with a half rounds up: 1/8 of 1 is 12.5 %, 1/32 is 3.13 %",
        {"11": 32.0, "15": 1.0},
        {"10": 32.0, "14": 1.0, "18": 3.13},
    ),
]


@pytest.mark.parametrize(
    ("inputs", "expected"), [c[1:] for c in PROJECT_CASES], ids=[c[0] for c in PROJECT_CASES]
)
def test_project_case(inputs: dict[str, float], expected: dict[str, float | None]) -> None:
    """Each computed cell of a PL02 project row."""
    row = compute_project(PL02, inputs)
    for key, value in expected.items():
        assert value == row.get(key), key


def test_groups_and_total_rows() -> None:
    """A group is the sum of its projects, an empty group is 0, TỔNG SỐ = I + II + III, and
    (18) of each fixed row comes from its own sums."""
    fixed, done = compute_projects(
        PL02,
        [
            ("I", {"7": 30000.0, "8": 15000.0, "12": 15000.0, "16": 15000.0}),
            ("I", {"8": 500.0, "12": 400.0, "16": 100.0}),
            ("III", {"9": 10.0, "13": 10.0, "17": 10.0}),
        ],
    )
    assert [values["6"] for _, values in done] == [45000.0, 500.0, 10.0]
    assert 45500.0 == fixed["I"]["6"]
    assert 15400.0 == fixed["I"]["10"]
    assert 15100.0 == fixed["I"]["14"]
    assert 98.05 == fixed["I"]["18"]
    assert all(0.0 == fixed["II"][k] for k in MONEY)
    assert fixed["II"]["18"] is None
    assert 100.0 == fixed["III"]["18"]
    assert 45510.0 == fixed["TOTAL"]["6"]
    assert 15410.0 == fixed["TOTAL"]["10"]
    assert 15110.0 == fixed["TOTAL"]["14"]
    assert half_up(Fraction(15110, 15410) * 100) == fixed["TOTAL"]["18"]


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (0.1 + 0.2, 6, 0.3),
        (1.005, 2, 1.01),  # the binary value is 1.00499…; ROUND shows 1.01
        (2.675, 2, 2.68),
        (3.125, 2, 3.13),
        (-3.125, 2, -3.13),
        (-0.0, 2, 0.0),
        (1e-12, 6, 0.0),
        (123456.1234564, 6, 123456.123456),
        (float("nan"), 2, None),
        (float("inf"), 2, None),
        (None, 2, None),
    ],
)
def test_clean(value: float | None, digits: int, expected: float | None) -> None:
    """Rounding as ROUND in Excel and LibreOffice, without float noise or negative zero."""
    result = clean(value, digits)
    assert expected == result
    if result is not None:
        assert "-0.0" != repr(result)


@pytest.mark.parametrize(
    ("number_format", "value", "shows"),
    [
        ("General", 66.67, True),
        ("0.00", 66.67, True),
        ("#,##0.00", 133.34, True),
        ("#,##0", 2081.0, True),
        ("#,##0", 66.67, False),
        ("0", 0.5, False),
        ("0%", 66.67, False),
        ("0.00%", 0.6667, False),
        ("@", 12.0, False),
        ("dd/mm/yyyy", 45000.0, False),
        ("#,##0,", 45000.0, False),
        ("0.00E+00", 12.0, False),
        ('#,##0.00" %"', 66.67, True),
        ("[Red]#,##0.00;[Blue]-#,##0.00", 1.5, True),
        ("#,##0;(#,##0)", -3.0, True),
        (None, 1.0, False),
    ],
)
def test_shows_exactly(number_format: str | None, value: float, shows: bool) -> None:
    """Which number formats show a number as the reader of cached values gets it."""
    assert shows == shows_exactly(number_format, value)


# ---------------------------------------------------------------------------------------------
# Properties over any inputs

counts = st.integers(min_value=0, max_value=10**7).map(float)
money = st.decimals(min_value=0, max_value=10**7, places=3).map(float)


@given(parts=st.lists(st.one_of(st.none(), counts, money), min_size=3, max_size=3))
@example(parts=[0.1, 0.2, None])
def test_row_6_is_the_sum_of_its_parts(parts: list[float | None]) -> None:
    """6 = 6.a + 6.b + 6.c, exactly, for any parts; empty only when all are."""
    inputs = {(k, "actual"): v for k, v in zip(("6.a", "6.b", "6.c"), parts, strict=True)}
    table = compute_indicators(PL01, {k: v for k, v in inputs.items() if v is not None})
    present = [Fraction(v) for v in parts if v is not None]
    if not present:
        assert table[("6", "actual")] is None
    else:
        assert float(sum(present)) == pytest.approx(table[("6", "actual")], abs=1e-6)


project_inputs = st.dictionaries(st.sampled_from(MONEY), money, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    projects=st.lists(st.tuples(st.sampled_from(["I", "II", "III"]), project_inputs), max_size=8)
)
@example(projects=[("I", {"6": 0.0, "10": 0.8, "14": 0.001})])
def test_pl02_totals_equal_the_sum_of_parts(projects: list[tuple[str, dict[str, float]]]) -> None:
    """Every total equals the sum of its parts, whatever the projects: sources → totals,
    projects → groups, groups → TỔNG SỐ; (18) is (14)/(10) of the same row, empty at (10) = 0."""
    fixed, done = compute_projects(PL02, projects)
    for (_, typed), (_, row) in zip(projects, done, strict=True):
        for key, sources in SOURCES.items():
            given_sources = [typed[s] for s in sources if s in typed]
            if given_sources:
                assert math.fsum(given_sources) == pytest.approx(row[key], abs=1e-6)
            else:
                assert typed.get(key) == row.get(key)
    for group in ("I", "II", "III"):
        members = [row for g, row in done if g == group]
        for key in MONEY:
            expected = math.fsum(float(m.get(key) or 0.0) for m in members)  # type: ignore[arg-type]
            assert expected == pytest.approx(fixed[group][key], abs=1e-6)
    for key in MONEY:
        parts = [fixed[g][key] for g in ("I", "II", "III")]
        assert math.fsum(parts) == pytest.approx(fixed["TOTAL"][key], abs=1e-6)  # type: ignore[arg-type]
    for row in [*fixed.values(), *(r for _, r in done)]:
        allocated, spent = row.get("10"), row.get("14")
        if not allocated:
            assert row["18"] is None
        elif spent is not None:
            # Typed money is decimal: 0.001 of 0.8 is 0.125 %, which ROUND shows as 0.13.
            exact = Decimal(repr(spent)) / Decimal(repr(allocated)) * 100
            assert half_up(exact) == row["18"]


@given(
    numerator=st.integers(min_value=0, max_value=10**6),
    denominator=st.integers(min_value=1, max_value=10**6),
)
@example(numerator=1, denominator=32)
@example(numerator=1, denominator=8)
def test_ratio_is_rounded_half_up_from_the_exact_quotient(numerator: int, denominator: int) -> None:
    """b/a×100 with two decimals, as the forms print it, for any counts."""
    assert half_up(Fraction(numerator, denominator) * 100) == ratio(
        float(numerator), float(denominator)
    )


@given(values=st.lists(st.one_of(st.none(), money), max_size=20))
def test_total_never_shows_float_noise(values: list[float | None]) -> None:
    """A sum of money shows at most six decimals: what Excel, LibreOffice and calamine show."""
    result = total(values)
    if result is None:
        assert all(v is None for v in values)
    else:
        assert result == round(result, 6)
        assert float(sum(Fraction(v) for v in values if v is not None)) == pytest.approx(
            result, abs=1e-6
        )


# ---------------------------------------------------------------------------------------------
# Units as the reader sees them: grids of the templates with values typed in


@cache
def _template_grid(form: str) -> tuple[tuple[object, ...], ...]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(REPO / "workbooks" / f"{form}.xlsx"))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
    return tuple(tuple(row) for row in rows)


@cache
def _pl01_positions() -> dict[str, int]:
    grid = _template_grid("PL01")
    start = next(i for i, row in enumerate(grid) if row[0] == "(1)")
    positions: dict[str, int] = {}
    parent = ""
    for index in range(start + 1, len(grid)):
        label = str(grid[index][0])
        if label.startswith("Ghi chú"):
            break
        if label.isdigit():
            parent = label
            positions[label] = index
        elif len(label) == 1 and label.isalpha():
            positions[f"{parent}.{label}"] = index
    return positions


def _with_unit(grid: list[list[object]], unit: str) -> None:
    for row in grid[:8]:
        for column, value in enumerate(row):
            if isinstance(value, str) and value.startswith("Đơn vị báo cáo"):
                row[column] = f"Đơn vị báo cáo: {unit}"
                return


def pl01_grid(unit: str, values: Mapping[tuple[str, str], object]) -> list[list[object]]:
    """The PL01 template as a grid of values, the unit named and ``values`` typed in."""
    grid = [list(row) for row in _template_grid("PL01")]
    _with_unit(grid, unit)
    columns = {c.key: c.number - 1 for c in PL01.columns}
    positions = _pl01_positions()
    for (row, column), value in values.items():
        grid[positions[row]][columns[column]] = value
    return grid


def pl02_grid(
    unit: str, projects: Sequence[tuple[str, str, Mapping[str, float]]]
) -> list[list[object]]:
    """The PL02 template with ``projects`` (group, name, money by column key) under their group."""
    template = [list(row) for row in _template_grid("PL02")]
    _with_unit(template, unit)
    width = len(template[0])
    start = next(i for i, row in enumerate(template) if row[0] == "(1)")
    columns = {c.key: c.number - 1 for c in PL02.columns}
    grid = template[: start + 2]  # up to TỔNG SỐ
    for group in ("I", "II", "III"):
        grid.append(next(list(r) for r in template if r[0] == group))
        for number, (g, name, values) in enumerate((p for p in projects if p[0] == group), 1):
            line: list[object] = [""] * width
            line[0], line[columns["name"]] = str(number), name
            for key, value in values.items():
                line[columns[key]] = value
            grid.append(line)
            del g
    notes = next(i for i, row in enumerate(template) if str(row[0]).startswith("Ghi chú"))
    grid.extend([[""] * width, *template[notes:]])
    return grid


def unit_report(
    path: str,
    unit: str,
    pl01: Mapping[tuple[str, str], object] | None = None,
    pl02: Sequence[tuple[str, str, Mapping[str, float]]] | None = None,
) -> UnitReport:
    """A unit's report read from grids, as from a workbook holding one sheet per form."""
    grids: dict[str, list[list[object]]] = {}
    if pl01 is not None:
        grids["Phụ lục 01"] = pl01_grid(unit, pl01)
    if pl02 is not None:
        grids["Phụ lục 02"] = pl02_grid(unit, pl02)
    return read_grids(grids, path)


def test_grid_reports_read_back() -> None:
    """The helper's reports read as the workbooks they stand for."""
    report = unit_report(
        "a.xlsx",
        "Sở Thử nghiệm A",
        {("2.a", "actual"): 6.0, ("2.b", "actual"): "3", ("9", "plan"): 1},
        [("II", "Dự án X", {"7": 10.0})],
    )
    assert "Sở Thử nghiệm A" == report.unit
    assert {"PL01", "PL02"} == set(report.forms)
    [project] = [r for r in report.forms["PL02"].rows if r.kind == "project"]
    assert ("II", "Dự án X") == (project.group, project.raw("name"))


sum_rows = [r for r in PL01.rows if r.aggregate == "sum"]


@st.composite
def unit_inputs(draw: st.DrawFn) -> dict[tuple[str, str], float]:
    """A unit's typed PL01 inputs: for each percent row a ≥ b, and some other counts."""
    values: dict[tuple[str, str], float] = {}
    for row in PERCENT_ROWS:
        top, bottom = row.ratio_of
        if draw(st.booleans()):
            a = draw(st.integers(min_value=0, max_value=5000))
            values[bottom, "actual"] = float(a)
            values[top, "actual"] = float(draw(st.integers(min_value=0, max_value=a)))
    if draw(st.booleans()):
        values["11", "actual"] = float(draw(st.integers(min_value=0, max_value=50)))
    return values


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(units=st.lists(unit_inputs(), min_size=1, max_size=5), seed=st.randoms())
def test_consolidation_adds_parts_and_ignores_file_order(
    units: list[dict[tuple[str, str], float]], seed: random.Random
) -> None:
    """Sums are sums over units; every percent is Σb/Σa×100 (never an average of the units'
    percentages); and the result, JSON and all, is the same for any order of the files."""
    reports = [
        unit_report(f"u{i}.xlsx", f"Sở Thử nghiệm {chr(65 + i)}", values)
        for i, values in enumerate(units)
    ]
    data = consolidate_reports(reports)
    for row in sum_rows:
        for column in row.inputs:
            present = [u[row.key, column] for u in units if (row.key, column) in u]
            assert (float(sum(present)) if present else None) == data.pl01.get((row.key, column))
    for row in PERCENT_ROWS:
        top, bottom = row.ratio_of
        b = sum(u.get((top, "actual"), 0.0) for u in units if (top, "actual") in u)
        a = sum(u.get((bottom, "actual"), 0.0) for u in units if (bottom, "actual") in u)
        expected = half_up(Fraction(int(b), int(a)) * 100) if a else None
        assert expected == data.pl01.get((row.key, "actual")), row.key
    shuffled = list(reports)
    seed.shuffle(shuffled)
    again = consolidate_reports(shuffled)
    assert ConsolidationResult(data).to_dict() == ConsolidationResult(again).to_dict()


def test_ratio_of_sums_is_not_the_average_of_ratios() -> None:
    """A small unit at 100 % and a large one at 10 % make 10.9 %, not 55 %."""
    reports = [
        unit_report(
            "big.xlsx", "Sở Thử nghiệm Lớn", {("3.a", "actual"): 1000, ("3.b", "actual"): 100}
        ),
        unit_report(
            "small.xlsx", "Sở Thử nghiệm Nhỏ", {("3.a", "actual"): 10, ("3.b", "actual"): 10}
        ),
    ]
    data = consolidate_reports(reports)
    assert 10.89 == data.pl01[("3", "actual")]
    assert NOT_MET == data.pl01[("3", "assessment")]


def test_province_rows_come_from_the_province_unit_only() -> None:
    """(*) rows: TINH's values; a department's are left out whatever it typed."""
    reports = [
        unit_report(
            "tinh.xlsx",
            PROVINCE,
            {
                ("6.a", "actual"): 1519,
                ("6.b", "actual"): 383,
                ("6.c", "actual"): 179,
                ("1", "actual"): "Có",
                ("14", "actual"): 96,
                ("14.a", "actual"): 12,
            },
        ),
        unit_report(
            "so.xlsx", "Sở Thử nghiệm A", {("6.a", "actual"): 50, ("1", "actual"): "Không"}
        ),
    ]
    data = consolidate_reports(reports)
    assert 1519.0 == data.pl01[("6.a", "actual")]
    assert 2081.0 == data.pl01[("6", "actual")]
    assert data.pl01[("1", "actual")] is True
    assert MET == data.pl01[("1", "assessment")]
    warnings = [f for f in data.findings if f.code == "province-only-row"]
    assert {"so.xlsx"} == {f.file for f in warnings}


def test_identical_copies_count_once_and_differing_ones_not_at_all() -> None:
    """An identical copy is added once; two different versions of a unit are both held back."""
    same = {("5.a", "actual"): 100.0, ("5.b", "actual"): 95.0}
    reports = [
        unit_report("a.xlsx", "Sở Thử nghiệm A", same),
        unit_report("a (1).xlsx", "Sở Thử nghiệm A", {k: str(int(v)) for k, v in same.items()}),
        unit_report("b.xlsx", "Sở Thử nghiệm B", {("5.a", "actual"): 10.0, ("5.b", "actual"): 9.0}),
        unit_report(
            "b2.xlsx", "Sở Thử nghiệm B", {("5.a", "actual"): 10.0, ("5.b", "actual"): 8.0}
        ),
    ]
    data = consolidate_reports(reports)
    assert 100.0 == data.pl01[("5.a", "actual")]
    assert 95.0 == data.pl01[("5", "actual")]
    codes = {(f.code, f.file) for f in data.findings}
    assert ("duplicate-copy", "a (1).xlsx") in codes
    assert {("duplicate-unit", "b.xlsx"), ("duplicate-unit", "b2.xlsx")} <= codes
    assert [["a (1).xlsx", "a.xlsx"], ["b.xlsx", "b2.xlsx"]] == sorted(
        sorted(a.files) for a in data.units["duplicate"]
    )


# ---------------------------------------------------------------------------------------------
# Filling twice changes nothing


def _apply(grid: list[list[object]], writes: Sequence[Any]) -> list[list[object]]:
    result = [list(row) for row in grid]
    for write in writes:
        row, column = parse_a1(write.cell)
        while len(result[row - 1]) < column:
            result[row - 1].append("")
        result[row - 1][column - 1] = "" if write.value is None else write.value
    return result


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pl01=unit_inputs(),
    projects=st.lists(
        st.tuples(st.sampled_from(["I", "II", "III"]), st.just("Dự án"), project_inputs),
        max_size=4,
    ),
)
def test_fill_is_idempotent(
    pl01: dict[tuple[str, str], float], projects: list[tuple[str, str, dict[str, float]]]
) -> None:
    """After the computed cells are written, computing again finds nothing to change, and the
    written values are the ones a second reading computes."""
    grids = {
        "Phụ lục 01": pl01_grid("Sở Thử nghiệm A", pl01),
        "Phụ lục 02": pl02_grid("Sở Thử nghiệm A", projects),
    }
    first = read_grids(grids, "unit.xlsx")
    writes = fill_cells(first)
    by_sheet: dict[str, list[Any]] = {}
    for write in writes:
        by_sheet.setdefault(write.sheet, []).append(write)
    filled = {name: _apply(grid, by_sheet.get(name, [])) for name, grid in grids.items()}
    second = read_grids(filled, "unit.xlsx")
    assert [] == changes(second, fill_cells(second))
    assert writes == fill_cells(second)
