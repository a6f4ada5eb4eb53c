"""Validation in one pass: every unit's cells stacked in one table, checked by pandera once.

Checking each sheet on its own costs ~11x reading it; stacking all units' cells with a source
level in the index costs ~0.1 ms per sheet and failures still map back to unit, sheet and cell.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from ..common.numbers import excel_error, fold
from ..compute.totals import (
    MET,
    NOT_MET,
    Scalar,
    compute_indicators,
    compute_project,
    compute_projects,
)
from ..findings import Finding, make_finding, shown
from ..forms.roster import PROVINCE_LEVEL, Roster, same_unit
from ..forms.spec import FormSpec, load_schema
from ..read.submission import FormData, Row, UnitReport
from ..read.values import (
    INPUTS_MEMO,
    Key,
    as_shown,
    cell_type,
    in_choices,
    inputs,
    projects,
    row_roles,
    understand,
)
from .reporters import is_from_province, own_target_findings, reporter_level, roster_unit

if TYPE_CHECKING:
    import pandas as pd

_TOLERANCE = {
    "percent": 0.5,
    "rate": 0.5,
    "money": 5e-7,
    "number": 1e-9,
    "assessment": 0.0,
    "yesno": 0.0,
}
_ASSESSMENT = {fold(MET): 1.0, fold(NOT_MET): 0.0}


class _Meta(NamedTuple):
    """Where a frame row came from, to turn a pandera failure back into a finding.

    A named tuple: every checked cell of every unit gets one, built and pickled back in the
    reading workers, where a dataclass costs several times as much each way.
    """

    form: FormSpec
    sheet: str
    cell: str
    row: str
    column: str
    value: Any
    drops: tuple[Key, ...] = ()
    context: Mapping[str, Any] | None = None


CELL_COLUMNS = (
    "form",
    "row",
    "column",
    "type",
    "role",
    "present",
    "parsed",
    "uncached",
    "province_only",
    "number",
    "who",
    "percent",
    "zero_mark",
    "error_value",
    "limit",
)
RELATION_COLUMNS = ("relation", "left", "right", "tolerance")


@dataclass
class _Frames:
    """One report's rows of the stacked tables, keyed by (sheet, cell[, relation])."""

    # Rows as tuples in the order of CELL_COLUMNS / RELATION_COLUMNS: they travel back from the
    # reading workers pickled, and tuples are a fraction of the size of dicts.
    cells: list[tuple[Any, ...]] = field(default_factory=list)
    cell_meta: dict[tuple[str, ...], _Meta] = field(default_factory=dict)
    relations: list[tuple[Any, ...]] = field(default_factory=list)
    relation_meta: dict[tuple[str, ...], _Meta] = field(default_factory=dict)

    def add_cell(self, meta: _Meta, columns: tuple[Any, ...]) -> None:
        key = (meta.sheet, meta.cell)
        if key in self.cell_meta:
            return
        self.cells.append(columns)
        self.cell_meta[key] = meta

    def add_relation(self, meta: _Meta, relation: str, left: Any, right: Any, tol: float) -> None:
        key = (meta.sheet, meta.cell, relation)
        if key in self.relation_meta or not _number(left):
            return
        right = float(right) if _number(right) else float("nan")
        self.relations.append((relation, float(left), right, tol))
        self.relation_meta[key] = meta


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate_reports(
    reports: Sequence[UnitReport],
    *,
    roster: Roster | None = None,
    province: Callable[[UnitReport], bool] | None = None,
) -> list[list[Finding]]:
    """Check every report at once; return each report's findings, in sheet and cell order."""
    results: list[list[Finding]] = []
    prepared: list[_Frames] = []
    flags: list[bool] = []
    levels: list[str | None] = []
    for report in reports:
        results.append(list(report.findings) + _unit_findings(report, roster))
        flags.append(province(report) if province else is_from_province(report, roster))
        level = reporter_level(report, roster)
        if province is not None and level is not None:
            level = PROVINCE_LEVEL if flags[-1] else level
        levels.append(level)
        ready = report.prepared
        prepared.append(ready if isinstance(ready, _Frames) else unit_frames(report))
    for source, finding in _run(prepared, flags, reports, levels):
        results[source].append(finding)
    for source, report in enumerate(reports):
        results[source].extend(own_target_findings(report, roster, levels[source]))
    return [sorted(found, key=_order) for found in results]


def unit_frames(report: UnitReport) -> _Frames:
    """One report's rows of the stacked tables; pandas-free, so reading workers build them."""
    frames = _Frames()
    for form in report.forms.values():
        _add_form(frames, form)
    return frames


def _order(finding: Finding) -> tuple[str, int, int, str]:
    from ..common.cells import parse_a1

    row, column = parse_a1(finding.cell) if finding.cell else (0, 0)
    return (finding.sheet or "", row, column, finding.code)


def _unit_findings(report: UnitReport, roster: Roster | None) -> list[Finding]:
    if not report.forms:
        # Reading says which forms it looked for, or which other set the file is of.
        said = any(f.code in ("no-form", "form-of-another-set") for f in report.findings)
        return [] if said else [make_finding("no-form", file=report.path)]
    file, sheet, cell = report.path, report.unit_sheet, report.unit_cell
    if not report.unit:
        return [make_finding("missing-unit-name", file=file, sheet=sheet, cell=cell)]
    if roster is not None and roster_unit(report, roster) is None:
        return [
            make_finding("unit-not-in-roster", file=file, sheet=sheet, cell=cell, value=report.unit)
        ]
    found = []
    for form in report.forms.values():
        if (
            form.unit
            and fold(form.unit) != fold(report.unit)
            and not same_unit(form.unit, report.unit, roster)
        ):
            found.append(
                make_finding(
                    "units-differ",
                    file=report.path,
                    sheet=form.sheet,
                    cell=form.unit_cell,
                    value=form.unit,
                    other_value=report.unit,
                )
            )
    return found


def _add_form(frames: _Frames, form: FormData) -> None:
    spec = form.spec
    # The inputs as understood, which adding up needs too: gathered on the way (see inputs()).
    understood: dict[tuple[str, str], Scalar] | None = (
        None if spec.has_projects or INPUTS_MEMO in form.memo else {}
    )
    # Per row, the computed cells the unit typed (or left a formula in): the relations check
    # those against what they should be.
    typed: list[list[str]] = []
    plausible = spec.plausible
    for row in form.rows:
        row_spec = spec.by_key.get(row.key)
        roles = row_roles(spec, row)
        typed.append(computed := [])
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
            formatted = _number(value.raw) and value.cell in form.percent_cells
            number = float(reading.value) if _number(reading.value) else float("nan")  # type: ignore[arg-type]
            parsed, error_value, displayed = reading.ok, False, value.raw
            if not parsed:
                # Not text after all: an Excel error value (#REF!), or a number no cell can
                # mean (inf, NaN), each with its own finding.
                error_value = excel_error(value.raw)
                if not error_value and (unbounded := _unbounded(value.raw)) is not None:
                    number, displayed = math.inf, unbounded
                parsed = error_value or number == math.inf
            limit = plausible.get(type_, math.nan)
            meta = _Meta(
                form=spec,
                sheet=form.sheet,
                cell=value.cell,
                row=row.key,
                column=key,
                value=displayed,
                # A pair (.a and .b) leaves together: consolidation takes the partner out too.
                drops=((spec.code, row.key, key),),
                context=(
                    {"detail": "; ".join(column.choices)}
                    if column.choices
                    else _percent_words(formatted)
                    if formatted or reading.percent_sign
                    # The limit, for the finding of a value past it (rare: no dict for others).
                    else {"detail": f"tối đa {shown(limit)}"}
                    if abs(number) > limit
                    else None
                ),
            )
            # A formula without a value is formula-without-value, not unreadable text: parsed.
            frames.add_cell(
                meta,
                (
                    spec.code,
                    row.key,
                    key,
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
    if understood is not None:
        form.memo[INPUTS_MEMO] = understood
    if spec.has_projects:
        _project_relations(frames, form, typed)
    else:
        _indicator_relations(frames, form, typed)


def _percent_words(formatted: bool) -> dict[str, str]:
    """What a percentage-in-a-count finding adds: whether the cell's format shows it."""
    return {"detail": ", ô đang định dạng phần trăm" if formatted else ""}


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


def _typed(form: FormData, row: Row | None, column: str) -> tuple[Scalar, str | None]:
    if row is None or column not in row.values:
        return None, None
    value = row.values[column]
    if not value.present:
        return None, value.cell
    spec = form.spec
    row_spec = spec.by_key.get(row.key)
    reading = understand(value, cell_type(spec, row_spec, spec.column_by_key[column]), spec.marks)
    if column == "assessment" and isinstance(value.raw, str):
        return _ASSESSMENT.get(fold(value.raw)), value.cell
    return (reading.value if reading.ok else None), value.cell


def _meta(form: FormData, row: str, column: str, cell: str, value: object, **context: Any) -> _Meta:
    """Where a relation is pinned; by default its error keeps that one value out of the sums."""
    drops = context.pop("drops", ((form.spec.code, row, column),))
    return _Meta(
        form=form.spec,
        sheet=form.sheet,
        cell=cell,
        row=row,
        column=column,
        value=value,
        drops=drops,
        context=context,
    )


def _indicator_relations(frames: _Frames, form: FormData, typed_rows: list[list[str]]) -> None:
    spec = form.spec
    # Only a unit that typed a computed cell needs its expected values: most never do.
    typed = {row.key: keys for row, keys in zip(form.rows, typed_rows, strict=True)}
    expected = compute_indicators(spec, inputs(form)) if any(typed.values()) else {}

    meta = partial(_meta, form)

    for row_spec in spec.rows:
        row = form.row(row_spec.key)
        if row_spec.ratio_of:
            top, bottom = (form.row(k) for k in row_spec.ratio_of)
            left, cell = _typed(form, top, "actual")
            right, bottom_cell = _typed(form, bottom, "actual")
            _incomplete_pair(frames, form, row_spec.ratio_of, (left, cell), (right, bottom_cell))
            if row is not None and "actual" in typed.get(row_spec.key, ()):
                parts = [form.row(k) for k in row_spec.ratio_of]
                if not (_number(left) or _number(right)):  # neither part gives a figure
                    _ratio_without_parts(frames, form, row, row_spec.ratio_of, parts)
                    typed[row_spec.key] = [k for k in typed[row_spec.key] if k != "actual"]
            if cell:
                drops = tuple((spec.code, k, "actual") for k in row_spec.ratio_of)
                m = meta(
                    row_spec.ratio_of[0],
                    "actual",
                    cell,
                    left,
                    other=row_spec.ratio_of[1],
                    other_value=right,
                    drops=drops,
                )
                frames.add_relation(m, "ratio", left, right, 0.0)
        if row_spec.within:
            left, cell = _typed(form, row, "actual")
            right, _ = _typed(form, form.row(row_spec.within), "actual")
            if cell:
                m = meta(
                    row_spec.key, "actual", cell, left, other=row_spec.within, other_value=right
                )
                frames.add_relation(m, "within", left, right, 0.0)
        for column in typed.get(row_spec.key, ()) if row is not None else ():
            left, cell = _typed(form, row, column)
            want = expected.get((row_spec.key, column))
            if column == "assessment":
                want = _ASSESSMENT.get(fold(want)) if isinstance(want, str) else None
            elif isinstance(want, bool):
                want = 100.0 if want else 0.0
            left = _as_percent(left, want, spec.column_by_key[column].type, row_spec.kind)
            if cell and left is not None:
                shown = expected.get((row_spec.key, column))
                m = meta(
                    row_spec.key,
                    column,
                    cell,
                    row.raw(column) if row else None,
                    expected=_expected_text(shown),
                )
                tol = _tolerance(spec, row_spec.kind, column)
                frames.add_relation(m, "computed", left, want, tol)


def _ratio_without_parts(
    frames: _Frames, form: FormData, row: Row, keys: tuple[str, ...], parts: list[Row | None]
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
    meta = _Meta(
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
    frames: _Frames,
    form: FormData,
    keys: tuple[str, ...],
    top: tuple[Scalar, str | None],
    bottom: tuple[Scalar, str | None],
) -> None:
    """A percentage needs both its rows: summing a denominator without its numerator (or the
    reverse) would bias the province's rate, so one row without the other is an error."""
    (numerator, top_cell), (denominator, bottom_cell) = top, bottom
    if _number(numerator) == _number(denominator):
        return
    if _number(denominator) and denominator == 0:
        return  # nothing to report: 0 of 0
    missing, cell, present = (
        (keys[1], bottom_cell, numerator)
        if _number(numerator)
        else (keys[0], top_cell, denominator)
    )
    empty = form.row(missing)
    if cell is None or empty is None or empty.values["actual"].present:
        return  # typed but unreadable: that is its own error already
    if float(present) < 0:  # type: ignore[arg-type]
        return  # a negative count is its own error already
    spec = form.spec
    meta = _Meta(
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
    if not (percent and _number(typed) and _number(want)):
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


def _project_relations(frames: _Frames, form: FormData, typed_rows: list[list[str]]) -> None:
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

    meta = partial(_meta, form)

    for (_, row, typed), (_, computed) in zip(listed, done, strict=True):
        for column in spec.columns:
            cell = form.cell_of(row, column.key)
            if cell is None:
                continue
            if column.sum_of and column.key in typed:
                parts = [typed[k] for k in column.sum_of if k in typed]
                if parts:
                    given = {k: typed[k] for k in column.sum_of if k in typed}
                    right = compute_project(spec, given)
                    m = meta(
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
                    m = meta(row.key, column.key, cell, typed[column.key], detail=named)
                    frames.add_relation(m, "unsplit", typed[column.key], None, 0.0)
            if column.computed and column.key in row.values and row.values[column.key].present:
                left, _ = _typed(form, row, column.key)
                want = computed.get(column.key)
                m = meta(
                    row.key, column.key, cell, row.raw(column.key), expected=_expected_text(want)
                )
                frames.add_relation(m, "computed", left, want, _TOLERANCE["percent"])
        for limit in spec.limits:
            cell = form.cell_of(row, limit.column)
            if cell is None:
                continue
            sources = spec.column_by_key[limit.column].sum_of
            held = tuple((spec.code, row.key, k) for k in (limit.column, *sources))
            m = meta(
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
    for row, keys in zip(form.rows, typed_rows, strict=True):
        if row.kind not in ("group", "total"):
            continue
        for key in keys:
            left, cell = _typed(form, row, key)
            want = fixed[row.key].get(key)
            if cell and left is not None:
                percent = spec.column_by_key[key].type == "percent"
                tol = _TOLERANCE["percent" if percent else "money"]
                m = meta(row.key, key, cell, row.raw(key), expected=_expected_text(want))
                frames.add_relation(m, "computed", left, want, tol)


def _run(
    prepared: Sequence[_Frames],
    flags: Sequence[bool],
    reports: Sequence[UnitReport],
    levels: Sequence[str | None] | None = None,
) -> list[tuple[int, Finding]]:

    found: list[tuple[int, Finding]] = []
    tables = (
        ("cells.pandera.yaml", "cells", "cell_meta", ["source", "sheet", "cell"], CELL_COLUMNS),
        (
            "relations.pandera.yaml",
            "relations",
            "relation_meta",
            ["source", "sheet", "cell", "relation_at"],
            RELATION_COLUMNS,
        ),
    )
    for schema_name, rows_name, metas_name, names, columns in tables:
        rows: list[tuple[Any, ...]] = []
        index: list[tuple[Any, ...]] = []
        sources: list[int] = []
        for source, frames in enumerate(prepared):
            part: dict[tuple[str, ...], _Meta] = getattr(frames, metas_name)
            rows.extend(getattr(frames, rows_name))
            index.extend((source, *key) for key in part)
            sources.extend([source] * len(part))
        if not rows:
            continue
        province = [flags[s] for s in sources] if rows_name == "cells" else None
        frame = _frame(rows, columns, index, names, province)
        if province is not None:
            frame["allowed"] = _allowed(
                frame, [levels[s] if levels else None for s in sources], _reporters(reports)
            )
        failures = _failures(load_schema(schema_name), frame)
        if not failures:
            continue
        metas = {key: getattr(prepared[key[0]], metas_name)[key[1:]] for key in index}
        by_text = {str(key): key for key in metas}
        for code, failed in failures:
            key = _index_key(failed, metas, by_text)
            meta = metas[key]
            found.append((key[0], _finding(code, meta, reports[key[0]].path)))
    return found


def _frame(
    rows: list[tuple[Any, ...]],
    columns: tuple[str, ...],
    index: list[tuple[Any, ...]],
    names: list[str],
    province: list[bool] | None,
) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(
        rows, columns=list(columns), index=pd.MultiIndex.from_tuples(index, names=names)
    )
    if province is not None:
        frame["from_province"] = province
    return frame


def _reporters(reports: Sequence[UnitReport]) -> dict[str, frozenset[str]]:
    """Who may report a row (``who`` -> roster levels), from the forms of the reports."""
    reporters: dict[str, frozenset[str]] = {}
    for report in reports:
        for form in report.forms.values():
            reporters.update(form.spec.reporters)
    return reporters


def _allowed(
    frame: pd.DataFrame, levels: list[str | None], reporters: Mapping[str, frozenset[str]]
) -> pd.Series:
    """Per cell, whether its unit may report its row (the form's ``reporters``), column-wise."""
    import pandas as pd

    level = pd.Series(levels, index=frame.index, dtype=object)
    allowed = level.isna() | (frame["who"] == "all")
    for who, accepted in reporters.items():
        allowed |= (frame["who"] == who) & level.isin(sorted(accepted))
    return allowed.astype(bool)


# who, percent, zero_mark, error_value, limit of the made-up cell
_WARM = ("all", False, False, False, 9.0)


def warm_up() -> list[tuple[str, Any]]:
    """Check one made-up valid cell and relation: pandas and pandera do their first-call work
    (lazy imports, dtype tables) here, run while the workers read, rather than after. Returns
    the failures, which should be none."""
    cell = ("form", "1", "actual", "number", "input", True, True, False, False, 1.0, *_WARM)
    frame = _frame([cell], CELL_COLUMNS, [(0, "", "A1")], ["source", "sheet", "cell"], [False])
    frame["allowed"] = _allowed(frame, [None], {})
    found = _failures(load_schema("cells.pandera.yaml"), frame)
    relation = ("within", 1.0, 2.0, 0.0)
    names = ["source", "sheet", "cell", "relation_at"]
    frame = _frame([relation], RELATION_COLUMNS, [(0, "", "A1", "within")], names, None)
    return found + _failures(load_schema("relations.pandera.yaml"), frame)


def _index_key(failed: Any, metas: Mapping[Any, _Meta], by_text: Mapping[str, Any]) -> Any:
    # pandera (0.2x and later) reports a MultiIndex row as the text of its tuple, not the tuple.
    if isinstance(failed, str):
        try:
            parsed = ast.literal_eval(failed)
        except (ValueError, SyntaxError):
            parsed = None
        return parsed if parsed in metas else by_text[failed]
    return tuple(failed)


def _failures(schema: Any, frame: pd.DataFrame) -> list[tuple[str, Any]]:
    import pandas as pd
    from pandera.errors import SchemaErrors

    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        seen: dict[tuple[str, Any], None] = {}
        for code, key in zip(cases["check"], cases["index"], strict=True):
            if key is not None and not (isinstance(key, float) and pd.isna(key)):
                seen.setdefault((str(code), key), None)
        return list(seen)
    return []


def _finding(code: str, meta: _Meta, path: str) -> Finding:
    return make_finding(
        code,
        file=path,
        form=meta.form,
        sheet=meta.sheet,
        cell=meta.cell,
        row=meta.row,
        column=meta.column,
        value=meta.value,
        drops=meta.drops,
        **(meta.context or {}),
    )
