"""Writing the computed cells into a unit's own workbook, keeping everything else.

This module decides what to write: the plan of cell writes from a unit's report (its ratios,
totals and assessments, left alone where they would follow from a value in error), which of
them change what the workbook shows, and where the result goes. ``xlsx_patch`` writes them.

Values, not formulas, are written: a formula written by a program has no cached value until
Excel recalculates it, and readers of cached values (python-calamine, pandas, the Ministry's own
tools) would see an empty cell. A value shows the same everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..common.isolate import Outcome, map_isolated
from ..common.saving import atomic_save, output_path, same_file
from ..compute.totals import Scalar, Table, compute_indicators, compute_projects
from ..errors import UsageError, WorkbookError
from ..findings import Finding
from ..forms.spec import Catalogue, RowSpec, as_catalogue, computed_columns
from ..read.submission import FormData, UnitReport
from ..read.values import Key, inputs, projects
from .xlsx_patch import Patched, Write, patch_job, patch_request


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
    # Errors in the workbook: the computed cells that follow from those values are left alone.
    errors: tuple[Finding, ...] = ()


def _sources(row: RowSpec) -> list[tuple[str, str]]:
    """The typed cells a row's computed cells follow from."""
    if row.kind == "percent" and row.ratio_of:
        return [(k, "actual") for k in row.ratio_of]
    if row.parts:
        return [(k, "actual") for k in row.parts]
    return [(row.key, c) for c in row.inputs]


def _indicator_writes(form: FormData, drops: set[Key]) -> list[CellWrite]:
    spec = form.spec
    typed = inputs(form, drops)
    table: Table = compute_indicators(spec, typed)
    writes = []
    for row in form.rows:
        row_spec = spec.by_key.get(row.key)
        if row_spec is None:
            continue
        # With no detail typed there is nothing to compute from: whatever the unit has there
        # stays. Once details are typed, a result that cannot be computed (a zero denominator)
        # empties the cell rather than leaving a stale figure.
        given = any(key in typed for key in _sources(row_spec))
        for column in computed_columns(row_spec):
            cell = form.cell_of(row, column)
            value = table.get((row.key, column))
            if cell is None or isinstance(value, bool) or (value is None and not given):
                continue
            writes.append(CellWrite(sheet=form.sheet, cell=cell, value=value))
    return writes


def _project_writes(form: FormData, drops: set[Key]) -> list[CellWrite]:
    spec = form.spec
    listed = projects(form, drops)
    fixed, done = compute_projects(spec, [(group, values) for group, _, values in listed])
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


def fill_cells(report: UnitReport, findings: Sequence[Finding] | None = None) -> list[CellWrite]:
    """Every computed cell of a unit's report: an indicator form's ratios, totals and
    assessments; a project list's source totals, group rows, total row and rate columns.

    Values with an error (``findings``; the report is checked when they are not given) are
    left out, as consolidation leaves them out: a ratio is never computed from a numerator
    above its denominator, nor a disbursement rate from money disbursed beyond allocation.
    """
    if findings is None:
        from ..check.validation import validate_reports

        [findings] = validate_reports([report])
    drops = {key for finding in findings if finding.is_error for key in finding.drops}
    writes: list[CellWrite] = []
    for form in report.forms.values():
        write = _project_writes if form.spec.has_projects else _indicator_writes
        writes.extend(write(form, drops))
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
    if isinstance(old, bool):
        return False
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return math.isclose(float(old), float(new), rel_tol=0, abs_tol=1e-9)
    return old == new


def changes(report: UnitReport, writes: Sequence[CellWrite]) -> list[CellWrite]:
    """The writes that would change what the workbook shows now."""
    current = _current(report)
    return [w for w in writes if not _same(current.get((w.sheet, w.cell)), w.value)]


class _Saver:
    """The new workbook's bytes, as something ``atomic_save`` can save (it also keeps the
    replaced file's permissions)."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    def save(self, stream: IO[bytes]) -> None:
        stream.write(self.payload)


def _request(source: Path, writes: Sequence[CellWrite]) -> str:
    return patch_request(source, [_triple(write) for write in writes])


def _triple(write: CellWrite) -> Write:
    return (write.sheet, write.cell, write.value)


def _save(source: Path, target: Path, outcome: Outcome[Patched]) -> Path:
    """Write what a worker made of ``source`` to ``target``; WorkbookError when it made nothing."""
    from ..check.batch import isolation_refusal

    if outcome.value is None or outcome.error is not None:
        raise WorkbookError(source, isolation_refusal(outcome.error))
    done, payload, detail = outcome.value
    if not done or not isinstance(payload, bytes):
        raise WorkbookError(source, str(payload), detail=detail)
    return atomic_save(_Saver(payload), target)


def write_cells(source: str | Path, output: str | Path, writes: Sequence[CellWrite]) -> Path:
    """Copy ``source`` to ``output`` with ``writes`` applied, keeping styles, merges, widths,
    data validation, comments and the VBA of an .xlsm; returns the path written. The package
    is patched in an isolated worker; ``output`` is replaced atomically."""
    from ..check.batch import worker_bounds

    source = Path(source)
    target = output_path(output, source.suffix.lower())
    [outcome] = list(map_isolated(patch_job, [_request(source, writes)], **worker_bounds()))
    return _save(source, target, outcome)


@dataclass(frozen=True, kw_only=True)
class _Job:
    source: Path
    target: Path
    in_place: bool


def _plan(path: str | Path, output: str | Path | None, in_place: bool) -> _Job:
    """Check what was asked before any reading: a refusal costs nothing then."""
    source = Path(path)
    if in_place == (output is not None):
        raise UsageError("Hãy chọn một trong hai: -o TỆP_KẾT_QUẢ hoặc --in-place.")
    if source.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UsageError(
            f"{source}: chỉ điền được tệp .xlsx hoặc .xlsm; hãy mở bằng Excel và lưu thành .xlsx."
        )
    # The copy keeps the source's kind: an .xlsm's macros under an .xlsx name would not open.
    target = source if in_place else output_path(output, source.suffix.lower())  # type: ignore[arg-type]
    if not in_place and same_file(source, target):
        raise UsageError(f"Tệp kết quả trùng tệp gốc {source}; dùng --in-place nếu muốn ghi đè.")
    return _Job(source=source, target=target, in_place=in_place)


def _refusal(job: _Job, report: UnitReport, catalogue: Catalogue) -> WorkbookError | None:
    """Why a workbook read for filling cannot be filled, None when it can."""
    if not report.forms:
        sheets = " hay ".join(spec.sheet for spec in catalogue.forms.values())
        return WorkbookError(
            job.source, f"Không tìm thấy {sheets} trong tệp để điền (xem: ctmt validate)."
        )
    renamed = next((f for f in report.findings if f.code == "duplicate-sheet-name"), None)
    if renamed is not None:
        # The sheets were read under names of our own, which the file does not have.
        return WorkbookError(
            job.source,
            f'Sổ làm việc có hai trang tính cùng tên "{renamed.value}" (tệp bị lỗi cấu trúc):'
            " hãy mở bằng Excel, đồng ý sửa chữa, đặt cho mỗi trang một tên riêng, Lưu rồi"
            " điền lại.",
        )
    return None


def _planned(job: _Job, report: UnitReport) -> FillResult:
    """What filling ``report``'s workbook writes, checked first: cells that follow from a
    value in error are left alone."""
    from ..check.validation import validate_reports

    [findings] = validate_reports([report])
    writes = fill_cells(report, findings)
    return FillResult(
        source=str(job.source),
        output=str(job.target),
        writes=tuple(writes),
        changed=tuple(changes(report, writes)),
        errors=tuple(f for f in findings if f.is_error),
    )


def fill_files(
    jobs: Sequence[tuple[str | Path, str | Path | None]],
    *,
    in_place: bool = False,
    forms: Catalogue | str | Path | None = None,
) -> Iterator[FillResult | WorkbookError]:
    """``fill`` for many workbooks at once, each (source, output), in the order given: its
    result, or the WorkbookError saying why that file was refused. Usage mistakes raise.

    Every file is read and patched in isolated worker processes with the bounds that
    ``validate`` uses (time, memory, size): a hostile file is refused, never the end of the
    program that fills it.
    """
    from ..check.batch import Refused, read_reports, worker_bounds

    catalogue = as_catalogue(forms)
    planned = [_plan(source, output, in_place) for source, output in jobs]
    read = list(read_reports([job.source for job in planned], forms=catalogue))
    results: list[FillResult | WorkbookError] = []
    for job, report in zip(planned, read, strict=True):
        if isinstance(report, Refused):
            results.append(WorkbookError(job.source, report.reason, detail=report.detail))
        else:
            results.append(_refusal(job, report, catalogue) or _planned(job, report))
    # An in-place fill whose computed cells are already right rewrites nothing.
    pending = [
        (index, result)
        for index, result in enumerate(results)
        if isinstance(result, FillResult) and (result.changed or not planned[index].in_place)
    ]
    requests = [_request(planned[index].source, result.changed) for index, result in pending]
    # All patched before any is saved: a save that fails (a full disk) leaves no worker behind.
    patched = list(map_isolated(patch_job, requests, **worker_bounds()))
    for (index, _), outcome in zip(pending, patched, strict=True):
        job = planned[index]
        try:
            _save(job.source, job.target, outcome)
        except WorkbookError as exc:
            results[index] = exc
    yield from results


def fill(
    path: str | Path,
    output: str | Path | None = None,
    *,
    in_place: bool = False,
    forms: Catalogue | str | Path | None = None,
) -> FillResult:
    """Write the computed cells of a unit's workbook to ``output`` (or into it, ``in_place``).
    ``forms`` is the form set (the default set when None).

    ``output`` gets the source's extension when it has none (``-o tinh`` writes tinh.xlsx).
    Running it twice changes nothing the second time: in place, a workbook whose computed cells
    are already right is not rewritten at all. A file that cannot be read or patched safely
    (broken, hostile, too large) raises WorkbookError with a Vietnamese reason; see
    :func:`fill_files`.
    """
    [result] = fill_files([(path, output)], in_place=in_place, forms=forms)
    if isinstance(result, WorkbookError):
        raise result
    return result
