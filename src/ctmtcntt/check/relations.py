"""The relations between a form's cells, as rows of the relations table.

An indicator form: a percentage's two rows (.a and .b) both or neither, a part within its whole,
each computed cell a unit typed against what it should be. A project list: each total against
its sources, disbursed within allocated, the group and total rows against their projects. The
checks themselves are ``schemas/relations.pandera.yaml``; here each relation gets its figures,
its tolerance and the cell it is pinned on.
"""

from __future__ import annotations

from typing import Any

from ..common.numbers import fold
from ..compute.totals import (
    MET,
    NOT_MET,
    Scalar,
    compute_indicators,
    compute_project,
    compute_projects,
    is_number,
)
from ..findings import shown
from ..forms.spec import ColumnSpec, FormSpec, RowSpec
from ..read.submission import FormData, Row
from ..read.values import cell_value, inputs, projects
from .tables import Frames, Origin

_TOLERANCE = {
    "percent": 0.5,
    "rate": 0.5,
    "money": 5e-7,
    "number": 1e-9,
    "assessment": 0.0,
    "yesno": 0.0,
}
_ASSESSMENT = {fold(MET): 1.0, fold(NOT_MET): 0.0}


def _typed(form: FormData, row: Row | None, column: str) -> tuple[Scalar, str | None]:
    """A cell as understood, and its address; an assessment's "Đạt" / "Không đạt" as 1 / 0."""
    if row is None:
        return None, None
    value = row.values.get(column)
    if value is None or not (column == "assessment" and value.present):
        return cell_value(form, row, column)
    if isinstance(value.raw, str):
        return _ASSESSMENT.get(fold(value.raw)), value.cell
    return cell_value(form, row, column)


def _origin(
    form: FormData, row: str, column: str, cell: str, value: object, **context: Any
) -> Origin:
    """Where a relation is pinned; by default its error keeps that one value out of the sums."""
    drops = context.pop("drops", ((form.spec.code, row, column),))
    return Origin(
        form=form.spec,
        sheet=form.sheet,
        cell=cell,
        row=row,
        column=column,
        value=value,
        drops=drops,
        context=context,
    )


# --- indicator forms ---------------------------------------------------------------------------


def indicator_relations(frames: Frames, form: FormData, typed_rows: list[list[str]]) -> None:
    """The relations of an indicator form; ``typed_rows``: per row, the computed cells typed."""
    spec = form.spec
    # Only a unit that typed a computed cell needs its expected values: most never do.
    typed = {row.key: keys for row, keys in zip(form.rows, typed_rows, strict=True)}
    expected = compute_indicators(spec, inputs(form)) if any(typed.values()) else {}
    for row_spec in spec.rows:
        row = form.row(row_spec.key)
        if row_spec.ratio_of:
            _ratio_relations(frames, form, row_spec, row, typed)
        if row_spec.within:
            left, cell = _typed(form, row, "actual")
            right, _ = _typed(form, form.row(row_spec.within), "actual")
            if cell:
                m = _origin(
                    form,
                    row_spec.key,
                    "actual",
                    cell,
                    left,
                    other=row_spec.within,
                    other_value=right,
                )
                frames.add_relation(m, "within", left, right, 0.0)
        for column in typed.get(row_spec.key, ()) if row is not None else ():
            _computed_relation(frames, form, row_spec, row, column, expected)


def _ratio_relations(
    frames: Frames,
    form: FormData,
    row_spec: RowSpec,
    row: Row | None,
    typed: dict[str, list[str]],
) -> None:
    """A percentage row and its two parts: both parts or neither, no typed rate without them,
    and the numerator within the denominator. A typed rate without its parts is taken off
    ``typed``: it is not checked against a rate that cannot be worked out."""
    spec = form.spec
    top, bottom = (form.row(k) for k in row_spec.ratio_of)
    left, cell = _typed(form, top, "actual")
    right, bottom_cell = _typed(form, bottom, "actual")
    _incomplete_pair(frames, form, row_spec.ratio_of, (left, cell), (right, bottom_cell))
    if row is not None and "actual" in typed.get(row_spec.key, ()):
        parts = [form.row(k) for k in row_spec.ratio_of]
        if not (is_number(left) or is_number(right)):  # neither part gives a figure
            _ratio_without_parts(frames, form, row, row_spec.ratio_of, parts)
            typed[row_spec.key] = [k for k in typed[row_spec.key] if k != "actual"]
    if cell:
        drops = tuple((spec.code, k, "actual") for k in row_spec.ratio_of)
        m = _origin(
            form,
            row_spec.ratio_of[0],
            "actual",
            cell,
            left,
            other=row_spec.ratio_of[1],
            other_value=right,
            drops=drops,
        )
        frames.add_relation(m, "ratio", left, right, 0.0)


def _computed_relation(
    frames: Frames,
    form: FormData,
    row_spec: RowSpec,
    row: Row | None,
    column: str,
    expected: dict[tuple[str, str], Scalar],
) -> None:
    """A computed cell the unit typed, against what it should be."""
    spec = form.spec
    left, cell = _typed(form, row, column)
    want = expected.get((row_spec.key, column))
    if column == "assessment":
        want = _ASSESSMENT.get(fold(want)) if isinstance(want, str) else None
    elif isinstance(want, bool):
        want = 100.0 if want else 0.0
    left = _as_percent(left, want, spec.column_by_key[column].type, row_spec.kind)
    if cell and left is not None:
        wanted = expected.get((row_spec.key, column))
        m = _origin(
            form,
            row_spec.key,
            column,
            cell,
            row.raw(column) if row else None,
            expected=_expected_text(wanted),
        )
        tol = _tolerance(spec, row_spec.kind, column)
        frames.add_relation(m, "computed", left, want, tol)


def _ratio_without_parts(
    frames: Frames, form: FormData, row: Row, keys: tuple[str, ...], parts: list[Row | None]
) -> None:
    """A percentage typed without its .a and .b: the province's rate is Σb/Σa, so a unit's own
    rate cannot enter it; the cells to fill are named."""
    value, cell = _typed(form, row, "actual")
    if cell is None or value is None:
        return
    cells = ", ".join(
        p.values["actual"].cell if p is not None and "actual" in p.values else k
        for k, p in sorted(zip(keys, parts, strict=True), key=lambda pair: pair[0])
    )
    spec = form.spec
    meta = Origin(
        form=spec,
        sheet=form.sheet,
        cell=cell,
        row=row.key,
        column="actual",
        value=row.raw("actual"),
        drops=tuple((spec.code, k, "actual") for k in keys),
        context={"detail": cells},
    )
    frames.add_relation(meta, "ratio-parts", value, None, 0.0)


def _incomplete_pair(
    frames: Frames,
    form: FormData,
    keys: tuple[str, ...],
    top: tuple[Scalar, str | None],
    bottom: tuple[Scalar, str | None],
) -> None:
    """A percentage needs both its rows: summing a denominator without its numerator (or the
    reverse) would bias the province's rate, so one row without the other is an error."""
    (numerator, top_cell), (denominator, bottom_cell) = top, bottom
    if is_number(numerator) == is_number(denominator):
        return
    if is_number(denominator) and denominator == 0:
        return  # nothing to report: 0 of 0
    missing, cell, present = (
        (keys[1], bottom_cell, numerator)
        if is_number(numerator)
        else (keys[0], top_cell, denominator)
    )
    empty = form.row(missing)
    if cell is None or empty is None or empty.values["actual"].present:
        return  # typed but unreadable: that is its own error already
    if float(present) < 0:  # type: ignore[arg-type]
        return  # a negative count is its own error already
    spec = form.spec
    meta = Origin(
        form=spec,
        sheet=form.sheet,
        cell=cell,
        row=missing,
        column="actual",
        value=None,
        drops=tuple((spec.code, k, "actual") for k in keys),
        context={"other": keys[0] if missing == keys[1] else keys[1], "other_value": present},
    )
    frames.add_relation(meta, "pair", present, None, 0.0)


def _as_percent(typed: Scalar, want: Scalar, column_type: str, row_kind: str) -> Scalar:
    # A percentage may arrive as 0.9 (or 1.25) formatted "%": accept it when that reading agrees.
    percent = column_type in ("percent", "rate") or row_kind == "percent"
    if not (percent and is_number(typed) and is_number(want)):
        return typed
    shown, wanted = float(typed) * 100, float(want)  # type: ignore[arg-type]
    if abs(shown - wanted) <= _TOLERANCE["percent"] < abs(float(typed) - wanted):  # type: ignore[arg-type]
        return shown
    return typed


def _tolerance(spec: FormSpec, row_kind: str, column: str) -> float:
    column_type = spec.column_by_key[column].type
    if column_type in ("percent", "rate", "assessment"):
        return _TOLERANCE[column_type]
    return _TOLERANCE.get("percent" if row_kind == "percent" else "money", 5e-7)


def _expected_text(value: Scalar) -> str:
    if value is None:
        return "(không tính được vì thiếu số liệu chi tiết)"
    return shown(value)


# --- project lists -----------------------------------------------------------------------------


def project_relations(frames: Frames, form: FormData, typed_rows: list[list[str]]) -> None:
    """The relations of a project list; ``typed_rows``: per row, the computed cells typed."""
    spec = form.spec
    listed = projects(form)
    # The group and total rows' sums matter only where the unit typed one of them.
    summed = any(
        keys for row, keys in zip(form.rows, typed_rows, strict=True) if row.kind != "project"
    )
    if summed:
        fixed, done = compute_projects(spec, [(group, values) for group, _, values in listed])
    else:
        fixed, done = {}, [(group, compute_project(spec, values)) for group, _, values in listed]
    for (_, row, typed), (_, computed) in zip(listed, done, strict=True):
        for column in spec.columns:
            cell = form.cell_of(row, column.key)
            if cell is not None:
                _project_cell_relations(frames, form, row, column, cell, typed, computed)
        _limit_relations(frames, form, row, computed)
    for row, keys in zip(form.rows, typed_rows, strict=True):
        if row.kind in ("group", "total") and keys:
            _summed_row_relations(frames, form, row, keys, fixed[row.key])


def _project_cell_relations(
    frames: Frames,
    form: FormData,
    row: Row,
    column: ColumnSpec,
    cell: str,
    typed: dict[str, Scalar],
    computed: dict[str, Scalar],
) -> None:
    """A project's total against its sources (or a total typed without them), and a computed
    cell it typed against what it should be."""
    spec = form.spec
    if column.sum_of and column.key in typed:
        parts = [typed[k] for k in column.sum_of if k in typed]
        if parts:
            given = {k: typed[k] for k in column.sum_of if k in typed}
            right = compute_project(spec, given)
            m = _origin(
                form,
                row.key,
                column.key,
                cell,
                typed[column.key],
                expected=_expected_text(right[column.key]),
            )
            frames.add_relation(
                m, "sources", typed[column.key], right[column.key], _TOLERANCE["money"]
            )
        elif not any(k in row.values and row.values[k].present for k in column.sum_of):
            # Only the total: the province's total is always the sum of its sources,
            # so this one cannot enter it.
            named = ", ".join(f"({spec.column_by_key[k].number})" for k in column.sum_of)
            m = _origin(form, row.key, column.key, cell, typed[column.key], detail=named)
            frames.add_relation(m, "unsplit", typed[column.key], None, 0.0)
    if column.computed and column.key in row.values and row.values[column.key].present:
        left, _ = _typed(form, row, column.key)
        want = computed.get(column.key)
        m = _origin(
            form, row.key, column.key, cell, row.raw(column.key), expected=_expected_text(want)
        )
        frames.add_relation(m, "computed", left, want, _TOLERANCE["percent"])


def _limit_relations(frames: Frames, form: FormData, row: Row, computed: dict[str, Scalar]) -> None:
    """A project's limits (disbursed within allocated, allocated within the investment)."""
    spec = form.spec
    for limit in spec.limits:
        cell = form.cell_of(row, limit.column)
        if cell is None:
            continue
        sources = spec.column_by_key[limit.column].sum_of
        held = tuple((spec.code, row.key, k) for k in (limit.column, *sources))
        m = _origin(
            form,
            row.key,
            limit.column,
            cell,
            computed.get(limit.column),
            other=limit.not_above,
            other_value=computed.get(limit.not_above),
            drops=held,
        )
        frames.add_relation(
            m,
            limit.relation,
            computed.get(limit.column),
            computed.get(limit.not_above),
            _TOLERANCE["money"],
        )


def _summed_row_relations(
    frames: Frames, form: FormData, row: Row, keys: list[str], fixed: dict[str, Scalar]
) -> None:
    """A group or total row's typed cells against the sums of its projects."""
    spec = form.spec
    for key in keys:
        left, cell = _typed(form, row, key)
        want = fixed.get(key)
        if cell and left is not None:
            percent = spec.column_by_key[key].type == "percent"
            tol = _TOLERANCE["percent" if percent else "money"]
            m = _origin(form, row.key, key, cell, row.raw(key), expected=_expected_text(want))
            frames.add_relation(m, "computed", left, want, tol)
