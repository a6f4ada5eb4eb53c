"""The computed cells of both forms. Python is the single source of truth for every number.

A table here is a mapping (row key, column key) -> value: floats for numbers, bools for Có/Không,
"Đạt"/"Không đạt" for assessments, None for empty. Units' inputs go in; the same table with every
computed cell filled comes out. The same functions serve one unit (``fill``) and the province
(``consolidate``, on summed inputs), so a province report is computed exactly like a unit's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from ..forms.spec import FormSpec

Scalar = float | bool | str | None
Table = dict[tuple[str, str], Scalar]

MET = "Đạt"
NOT_MET = "Không đạt"
# Money is in triệu đồng: six decimals is one đồng. Ratios keep two decimals, as printed.
MONEY_DIGITS = 6
RATIO_DIGITS = 2


def clean(value: float | None, digits: int = MONEY_DIGITS) -> float | None:
    """Round away float noise (0.1 + 0.2) so that every reader shows the same number.

    Rounds as Excel's and LibreOffice's ROUND do, so that a template's formulas and Python agree
    to the last digit: on the number's 15 significant digits, halves away from zero (3.125 ->
    3.13, 2.675 -> 2.68), where Python's ``round`` works on the binary value, half to even.
    """
    if value is None or not math.isfinite(value):
        return None
    if abs(value) >= 1e15:
        return float(value) + 0.0
    shown = Decimal(format(value, ".15g"))
    rounded = shown.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return float(rounded) + 0.0  # no negative zero


def total(values: Iterable[Scalar]) -> float | None:
    """Exact sum of the numbers present; None when none is."""
    numbers = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return clean(math.fsum(numbers)) if numbers else None


def ratio(numerator: Scalar, denominator: Scalar) -> float | None:
    """numerator / denominator × 100, None when the denominator is missing or zero."""
    if not is_number(numerator) or not is_number(denominator) or denominator == 0:
        return None
    return clean(float(numerator) / float(denominator) * 100, RATIO_DIGITS)  # type: ignore[arg-type]


def _exact_ratio(numerator: Scalar, denominator: Scalar) -> float | None:
    if not is_number(numerator) or not is_number(denominator) or denominator == 0:
        return None
    return float(numerator) / float(denominator) * 100  # type: ignore[arg-type]


def is_number(value: object) -> bool:
    """A figure: an int or a float, never a yes/no (Python counts a bool as an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _assess(met: bool | None) -> str | None:
    return None if met is None else (MET if met else NOT_MET)


def compute_indicators(spec: FormSpec, inputs: Mapping[tuple[str, str], Scalar]) -> Table:
    """Every cell of an indicator form from its inputs: percent rows, row totals, ratios and
    assessments."""
    table: Table = dict(inputs)
    for row in spec.rows:
        key = row.key
        if row.kind == "percent":
            exact: float | None
            if row.ratio_of:
                numerator, denominator = (table.get((k, "actual")) for k in row.ratio_of)
                percent = ratio(numerator, denominator)
                table[key, "actual"] = percent
                exact = _exact_ratio(numerator, denominator) if spec.exact_rates else percent
            else:
                typed = table.get((key, "actual"))
                percent = exact = float(typed) if is_number(typed) else None  # type: ignore[arg-type]
            target = row.target
            bound = target.value if target and is_number(target.value) else None
            table[key, "ratio"] = ratio(exact, bound)
            table[key, "assessment"] = _assess(target.met(percent) if target else None)
        elif row.kind == "yesno":
            answer = table.get((key, "actual"))
            if isinstance(answer, bool):
                table[key, "ratio"] = (100.0 if answer else 0.0) if spec.yesno_rate else None
                table[key, "assessment"] = _assess(row.target.met(answer) if row.target else None)
            else:
                table[key, "ratio"] = table[key, "assessment"] = None
        elif row.parts:
            table[key, "actual"] = total(table.get((part, "actual")) for part in row.parts)
        if row.target is not None and row.target.op == "plan":
            plan, actual = table.get((key, "plan")), table.get((key, "actual"))
            table[key, "ratio"] = ratio(actual, plan)
            met = (
                row.target.met(float(actual), float(plan))  # type: ignore[arg-type]
                if is_number(actual) and is_number(plan)
                else None
            )
            table[key, "assessment"] = _assess(met)
    return table


def money_columns(spec: FormSpec) -> tuple[str, ...]:
    """The columns of a project list that hold money (every numeric column but the rate)."""
    return tuple(c.key for c in spec.columns if c.type == "money")


def compute_project(spec: FormSpec, inputs: Mapping[str, Scalar]) -> dict[str, Scalar]:
    """A project row: each total is the sum of its sources (the typed total when none is
    given), and each rate column (the 2016–2020 form's (18) = (14)/(10)×100), empty where
    its denominator is 0."""
    row: dict[str, Scalar] = dict(inputs)
    for column in spec.columns:
        if column.sum_of:
            parts = [inputs.get(k) for k in column.sum_of]
            summed = total(parts)
            row[column.key] = summed if summed is not None else total([inputs.get(column.key)])
    for column in spec.columns:
        if column.ratio_of:
            row[column.key] = ratio(row.get(column.ratio_of[0]), row.get(column.ratio_of[1]))
    return row


def sourced(spec: FormSpec, inputs: Mapping[str, Scalar]) -> dict[str, Scalar]:
    """A project's inputs without the totals none of whose sources is left: what adding up
    takes, so that a province total is always the sum of its sources. (A unit's own total
    typed alone is an error found by checking; one whose sources were all set aside by
    their errors goes with them.)"""
    kept = dict(inputs)
    for column in spec.columns:
        if column.sum_of and not any(is_number(inputs.get(k)) for k in column.sum_of):
            kept.pop(column.key, None)
    return kept


def compute_projects(
    spec: FormSpec, projects: Iterable[tuple[str, Mapping[str, Scalar]]]
) -> tuple[dict[str, dict[str, Scalar]], list[tuple[str, dict[str, Scalar]]]]:
    """Group rows, the total row and every project row of a project list.

    ``projects`` holds (group key, inputs) pairs. Returns the fixed rows by key and the computed
    projects in the order given. A group with no project sums to 0 so that the total adds up.
    """
    money = money_columns(spec)
    rate = [c for c in spec.columns if c.ratio_of]
    done = [(group, compute_project(spec, values)) for group, values in projects]
    fixed: dict[str, dict[str, Scalar]] = {}
    for row in spec.rows:
        if row.kind == "group":
            members = [values for group, values in done if group == row.key]
            fixed[row.key] = {k: total(m.get(k) for m in members) or 0.0 for k in money}
    for row in spec.rows:
        if row.kind == "total":
            fixed[row.key] = {k: total(fixed[p][k] for p in row.parts) or 0.0 for k in money}
    for values in fixed.values():
        for column in rate:
            values[column.key] = ratio(
                values.get(column.ratio_of[0]), values.get(column.ratio_of[1])
            )
    return fixed, done
