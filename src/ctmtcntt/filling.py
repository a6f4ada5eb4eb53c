"""Writing the computed cells into a unit's own workbook, keeping everything else.

Values, not formulas, are written: a formula written by a program has no cached value until
Excel recalculates it, and readers of cached values (python-calamine, pandas, the Ministry's own
tools) would see an empty cell. A value shows the same everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .computation import Scalar, compute_pl01, compute_pl02, computed_columns
from .errors import UsageError
from .reading import FormData, UnitReport
from .values import inputs, projects
from .writing import atomic_save, same_file


@dataclass(frozen=True, kw_only=True)
class CellWrite:
    """One computed cell to write: sheet, A1 address and value (None empties the cell)."""

    sheet: str
    cell: str
    value: float | str | None


@dataclass(frozen=True, kw_only=True)
class FillResult:
    """What ``fill`` did: the cells computed, those that changed, and where it wrote."""

    source: str
    output: str | None
    writes: tuple[CellWrite, ...]
    changed: tuple[CellWrite, ...]


def _pl01_writes(form: FormData) -> list[CellWrite]:
    spec = form.spec
    table = compute_pl01(spec, inputs(form))
    writes = []
    for row in form.rows:
        row_spec = spec.by_key.get(row.key)
        if row_spec is None:
            continue
        for column in computed_columns(row_spec):
            cell = form.cell_of(row, column)
            value = table.get((row.key, column))
            # An empty result (no detail rows filled) leaves whatever the unit has there.
            if cell is not None and value is not None and not isinstance(value, bool):
                writes.append(CellWrite(sheet=form.sheet, cell=cell, value=value))
    return writes


def _pl02_writes(form: FormData) -> list[CellWrite]:
    spec = form.spec
    listed = projects(form)
    fixed, done = compute_pl02(spec, [(group, values) for group, _, values in listed])
    computed = [c for c in spec.columns if c.sum_of or c.computed]
    writes = []
    for (_, row, typed), (_, values) in zip(listed, done, strict=True):
        for column in computed:
            cell = form.cell_of(row, column.key)
            keep = column.sum_of and not any(k in typed for k in column.sum_of)
            if cell is not None and not keep:
                writes.append(
                    CellWrite(sheet=form.sheet, cell=cell, value=_plain(values.get(column.key)))
                )
    for row in form.rows:
        if row.kind in ("group", "total"):
            for key, value in fixed[row.key].items():
                cell = form.cell_of(row, key)
                if cell is not None:
                    writes.append(CellWrite(sheet=form.sheet, cell=cell, value=_plain(value)))
    return writes


def _plain(value: Scalar) -> float | str | None:
    return None if isinstance(value, bool) else value


def fill_cells(report: UnitReport) -> list[CellWrite]:
    """Every computed cell of a unit's report: PL01 ratios, totals and assessments; PL02
    source totals, group rows, TỔNG SỐ and the disbursement rate (18)."""
    writes: list[CellWrite] = []
    for form in report.forms.values():
        writes.extend(_pl02_writes(form) if form.spec.has_projects else _pl01_writes(form))
    return writes


def _current(report: UnitReport) -> dict[tuple[str, str], object]:
    return {
        (form.sheet, value.cell): value.raw
        for form in report.forms.values()
        for row in form.rows
        for value in row.values.values()
    }


def _same(old: object, new: float | str | None) -> bool:
    if old in (None, "") and new is None:
        return True
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return math.isclose(float(old), float(new), rel_tol=0, abs_tol=1e-9)
    return old == new


def changes(report: UnitReport, writes: Sequence[CellWrite]) -> list[CellWrite]:
    """The writes that would change what the workbook shows now."""
    current = _current(report)
    return [w for w in writes if not _same(current.get((w.sheet, w.cell)), w.value)]


def write_cells(source: Path, output: Path, writes: Sequence[CellWrite]) -> None:
    """Copy ``source`` to ``output`` with ``writes`` applied, keeping styles, merges, widths,
    data validation, comments and the VBA of an .xlsm. ``output`` is replaced atomically."""
    from openpyxl import load_workbook

    if source.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UsageError(
            f"{source}: chỉ điền được tệp .xlsx hoặc .xlsm; hãy mở bằng Excel và lưu thành .xlsx."
        )
    book = load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm", keep_links=True)
    for write in writes:
        cell = book[write.sheet][write.cell]
        cell.value = write.value
        if isinstance(write.value, float) and cell.number_format == "General":
            cell.number_format = "#,##0.##"
    atomic_save(book, output)


def fill(
    path: str | Path, output: str | Path | None = None, *, in_place: bool = False
) -> FillResult:
    """Write the computed cells of a unit's workbook to ``output`` (or into it, ``in_place``).

    Running it twice changes nothing the second time: in place, a workbook whose computed cells
    are already right is not rewritten at all.
    """
    from .loading import read_workbook

    source = Path(path)
    if in_place == (output is not None):
        raise UsageError("Hãy chọn một trong hai: -o TỆP_KẾT_QUẢ hoặc --in-place.")
    target = source if in_place else Path(output)  # type: ignore[arg-type]
    if not in_place and same_file(source, target):
        raise UsageError(f"Tệp kết quả trùng tệp gốc {source}; dùng --in-place nếu muốn ghi đè.")
    report = read_workbook(source)
    if not report.forms:
        raise UsageError(f"{source}: không có Phụ lục 01 hay Phụ lục 02 để điền.")
    writes = fill_cells(report)
    changed = changes(report, writes)
    if changed or not in_place:
        write_cells(source, target, changed)
    return FillResult(
        source=str(source), output=str(target), writes=tuple(writes), changed=tuple(changed)
    )
