"""A form's typed cells as rows of the cells table: each cell's type, role and how it reads.

Runs in the reading workers for every cell a unit typed, so the work per cell is kept to what
the checks in ``schemas/cells.pandera.yaml`` need; the inputs understood on the way are kept in
the form's memo for adding up (see :func:`read.values.inputs`).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from ..common.numbers import excel_error
from ..compute.totals import Scalar, is_number
from ..findings import shown
from ..forms.spec import ColumnSpec, RowSpec
from ..read.submission import FormData, Row, Value
from ..read.values import (
    INPUTS_MEMO,
    Reading,
    as_shown,
    cell_type,
    in_choices,
    row_roles,
    understand,
)
from .tables import Frames, Origin


def add_cells(frames: Frames, form: FormData) -> list[list[str]]:
    """Add the form's typed cells to ``frames``; return, per row, the computed cells the unit
    typed (or left a formula in), which the relations check against what they should be."""
    spec = form.spec
    # The inputs as understood, which adding up needs too: gathered on the way (see inputs()).
    understood: dict[tuple[str, str], Scalar] | None = (
        None if spec.has_projects or INPUTS_MEMO in form.memo else {}
    )
    typed = [_add_row(frames, form, row, understood) for row in form.rows]
    if understood is not None:
        form.memo[INPUTS_MEMO] = understood
    return typed


def _add_row(
    frames: Frames,
    form: FormData,
    row: Row,
    understood: dict[tuple[str, str], Scalar] | None,
) -> list[str]:
    spec = form.spec
    row_spec = spec.by_key.get(row.key)
    roles = row_roles(spec, row)
    computed: list[str] = []
    for key, value in row.values.items():
        # Most cells have no role (STT, name) or are empty: skip them before anything else.
        kind = roles.get(key)
        if kind is None or not value.present:
            continue
        column = spec.column_by_key[key]
        if kind == "computed":
            computed.append(key)
            if value.uncached:
                continue  # the template's own formula, never calculated: recomputed anyway
        type_ = cell_type(spec, row_spec, column)
        reading = understand(value, type_, spec.marks)
        if column.choices:
            reading = replace(reading, ok=in_choices(column, value.raw))
        elif type_ == "percent" and kind == "input":
            reading = as_shown(form, value, reading)
        if reading.ok and reading.value is None and not value.uncached:
            continue  # dots: "no figure available", as if left blank
        if kind == "computed" and reading.mark is not None:
            computed.pop()  # a dash in a cell we compute: "nothing here", never a figure
            continue
        if understood is not None and kind == "input" and reading.ok:
            understood[row.key, key] = reading.value
        _add_cell(frames, form, row, row_spec, column, (type_, kind), value, reading)
    return computed


def _add_cell(
    frames: Frames,
    form: FormData,
    row: Row,
    row_spec: RowSpec | None,
    column: ColumnSpec,
    type_and_role: tuple[str, str],
    value: Value,
    reading: Reading,
) -> None:
    spec = form.spec
    type_, kind = type_and_role
    formatted = is_number(value.raw) and value.cell in form.percent_cells
    number = float(reading.value) if is_number(reading.value) else float("nan")  # type: ignore[arg-type]
    parsed, error_value, displayed = reading.ok, False, value.raw
    if not parsed:
        # Not text after all: an Excel error value (#REF!), or a number no cell can
        # mean (inf, NaN), each with its own finding.
        error_value = excel_error(value.raw)
        if not error_value and (unbounded := _unbounded(value.raw)) is not None:
            number, displayed = math.inf, unbounded
        parsed = error_value or number == math.inf
    limit = spec.plausible.get(type_, math.nan)
    meta = Origin(
        form=spec,
        sheet=form.sheet,
        cell=value.cell,
        row=row.key,
        column=column.key,
        value=displayed,
        # A pair (.a and .b) leaves together: consolidation takes the partner out too.
        drops=((spec.code, row.key, column.key),),
        context=_context(column, formatted or reading.percent_sign, formatted, number, limit),
    )
    # A formula without a value is formula-without-value, not unreadable text: parsed.
    frames.add_cell(
        meta,
        (
            spec.code,
            row.key,
            column.key,
            type_,
            kind,
            True,
            parsed,
            value.uncached,
            bool(row_spec and row_spec.province_only),
            number,
            row_spec.who if row_spec else "all",
            # A percentage typed ("15%") or shown by the cell's format (0.9 as 90 %).
            reading.percent_sign or formatted,
            reading.mark == "zero",
            error_value,
            limit,
        ),
    )


def _context(
    column: ColumnSpec, percent: bool, formatted: bool, number: float, limit: float
) -> dict[str, Any] | None:
    """What a finding on the cell adds to its message: the choices of a choice column, whether
    a percentage's cell is formatted as one, or the limit of a value past it (rare: no dict for
    the others)."""
    if column.choices:
        return {"detail": "; ".join(column.choices)}
    if percent:
        return {"detail": ", ô đang định dạng phần trăm" if formatted else ""}
    if abs(number) > limit:
        return {"detail": f"tối đa {shown(limit)}"}
    return None


def _unbounded(raw: object) -> str | None:
    """How to show a number no cell can mean (an infinity or NaN, as a number or as text),
    None for anything else."""
    if isinstance(raw, float):
        return None if math.isfinite(raw) else str(raw)
    if isinstance(raw, str) and raw[:1] in "+-−iInN" and len(raw) < 12:
        try:
            number = float(raw.replace("−", "-"))
        except ValueError:
            return None
        return None if math.isfinite(number) else raw
    return None
