"""The operations every front calls: validate, fill, consolidate, template.

Each is one call from the CLI, from Excel and from Python; fronts only parse, call and render.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .check.batch import (
    FileResult,
    Refused,
    check_reports,
    read_reports,
    refused_result,
    workbook_paths,
)
from .errors import UsageError, WorkbookError
from .forms.roster import Roster, load_roster
from .forms.spec import Catalogue, as_catalogue
from .read.submission import UnitReport
from .read.submission import read_grids as read_grids

#: A form set as callers name it: its name ("cds-2024"), its folder, the set itself, or None
#: for the default (2016–2020) set.
FormsChoice = Catalogue | str | Path | None


def form_set(forms: FormsChoice) -> Catalogue:
    """The form set chosen: by name, by folder, or the default."""
    return as_catalogue(forms)


if TYPE_CHECKING:
    from .forms.templates import write_template as template
    from .result import ConsolidationResult
    from .write.filling import CellWrite as CellWrite
    from .write.filling import FillResult as FillResult
    from .write.filling import fill as fill
    from .write.filling import fill_cells as fill_cells

# Imported on first use: openpyxl (fill, template) and pandas (the result of consolidate) cost
# more than checking one workbook does, and ``ctmt validate`` needs neither before checking.
_LAZY = {
    "CellWrite": (".write.filling", "CellWrite"),
    "FillResult": (".write.filling", "FillResult"),
    "fill": (".write.filling", "fill"),
    "fill_cells": (".write.filling", "fill_cells"),
    "ConsolidationResult": (".result", "ConsolidationResult"),
    "template": (".forms.templates", "write_template"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module, __package__), attribute)
    globals()[name] = value
    return value


__all__ = [
    "CellWrite",
    "ConsolidationResult",
    "FillResult",
    "ValidationResult",
    "check_reports",
    "consolidate",
    "fill",
    "fill_cells",
    "form_set",
    "province_output",
    "read_grids",
    "read_workbook",
    "template",
    "validate",
]

ROSTER_NAME = "roster.csv"

#: Called after each file is read with (files read so far, files in all): a progress bar.
Progress = Callable[[int, int], None]


def _read(
    paths: list[Path],
    progress: Progress | None,
    forms: Catalogue,
    timeout: float | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[UnitReport | Refused]:
    reading = read_reports(paths, timeout=timeout, meanwhile=meanwhile, forms=forms)
    for done, item in enumerate(reading, start=1):
        if progress is not None:
            progress(done, len(paths))
        yield item


@dataclass(frozen=True, kw_only=True)
class ValidationResult:
    """Every file checked, in the order given."""

    files: tuple[FileResult, ...]

    @property
    def exit_code(self) -> int:
        """0 no errors, 1 some workbook has errors, 3 some file could not be read at all."""
        if any(not f.readable for f in self.files):
            return 3
        return 1 if any(not f.valid for f in self.files) else 0

    def to_dict(self) -> dict[str, Any]:
        """``{"files": [...]}`` as the JSON contract says."""
        return {"files": [f.to_dict() for f in self.files]}


def validate(
    paths: str | Path | Iterable[str | Path],
    roster: Roster | str | Path | None = None,
    *,
    progress: Progress | None = None,
    read_timeout: float | None = None,
    forms: FormsChoice = None,
) -> ValidationResult:
    """Check workbooks (folders mean their workbooks); never modifies them.

    ``paths`` is one path (a string or Path: that file or folder) or several.
    ``read_timeout``: seconds one file may take to read before it is refused (default
    ``intake.READ_TIMEOUT_S``). ``forms``: the form set, by name (``"cds-2024"``) or folder
    (default: the 2016–2020 set).
    """
    chosen_forms = form_set(forms)
    items = _paths(paths)
    files = _workbooks(items)
    read = list(_read(files, progress, chosen_forms, read_timeout))
    reports = [r for r in read if isinstance(r, UnitReport)]
    checked = iter(check_reports(reports, _roster(items, roster)))
    results = [
        next(checked) if isinstance(item, UnitReport) else refused_result(item) for item in read
    ]
    return ValidationResult(files=tuple(results))


def read_workbook(path: str | Path, forms: FormsChoice = None) -> UnitReport:
    """Read one unit's workbook file (.xlsx, .xlsm, .xls, .xlsb, .ods) into its report.

    The file is read in an isolated worker process with the bounds ``validate`` uses (time,
    memory, size): a hostile or broken file raises ``WorkbookError`` with a Vietnamese reason,
    and never aborts or exhausts the program that asked. ``forms``: the form set (by name or
    folder; the default set when None).
    """
    [read] = read_reports([Path(path)], prepare=False, forms=form_set(forms))
    if isinstance(read, Refused):
        raise WorkbookError(read.path, read.reason, detail=read.detail, code=read.code)
    return read


def _import_next() -> None:
    # Adding up and writing the province workbook come next: import them (pandas, XlsxWriter)
    # while the workers read, never before they start.
    from . import result as outcome  # noqa: F401
    from .consolidation import combine as consolidation  # noqa: F401
    from .write import province_book  # noqa: F401


def _paths(given: str | Path | Iterable[str | Path]) -> list[Path]:
    # A string is one path, not the characters of one ("/" would walk the whole disk).
    if isinstance(given, (str, bytes, os.PathLike)):
        return [Path(os.fsdecode(given))]
    return [Path(p) for p in given]


def _workbooks(items: list[Path]) -> list[Path]:
    files = workbook_paths(items)
    if not files:
        named = ", ".join(str(p) for p in items)
        raise UsageError(f"Không có tệp Excel nào (.xlsx, .xlsm, .xls, .ods) trong: {named}")
    return files


def _roster(items: list[Path], roster: Roster | str | Path | None) -> Roster | None:
    if isinstance(roster, Roster):
        return roster
    if roster is not None:
        return load_roster(roster)
    # A roster.csv beside the submissions is the folder's own list of expected units.
    if len(items) == 1 and items[0].is_dir() and (items[0] / ROSTER_NAME).is_file():
        return load_roster(items[0] / ROSTER_NAME)
    return None


def province_output(output: str | Path, inputs: Iterable[str | Path]) -> Path:
    """Where the province workbook of ``inputs`` may be written: ``output`` with ``.xlsx``
    added when it has no extension. Checked before any reading, so a long run does not end in
    a refusal: another extension (``tinh.xls``), an input workbook, or a name inside a folder
    being consolidated (the next run would read it back as one more unit) is a UsageError.
    """
    from .common.saving import output_path, same_file

    target = output_path(output)
    items = [Path(p) for p in inputs]
    # A file that does not exist yet is no input (a thousand inputs need not be compared).
    if target.exists() and any(same_file(path, target) for path in workbook_paths(items)):
        raise UsageError(f"Tệp kết quả {target} là một tệp báo cáo đầu vào; hãy chọn tên khác.")
    for folder in items:
        if folder.is_dir() and target.resolve().is_relative_to(folder.resolve()):
            raise UsageError(
                f"Tệp kết quả {target} nằm trong thư mục đang tổng hợp {folder}: lần sau nó sẽ "
                "bị đọc lại như báo cáo của một đơn vị. Hãy ghi ra ngoài thư mục này."
            )
    return target


def consolidate(
    folder_or_paths: str | Path | Iterable[str | Path],
    roster: Roster | str | Path | None = None,
    *,
    name: str | None = None,
    progress: Progress | None = None,
    forms: FormsChoice = None,
) -> ConsolidationResult:
    """Add up a folder (with its sub-folders) or a list of workbooks into the province's report.

    ``roster`` is a Roster or a CSV path; by default a ``roster.csv`` in the folder is used.
    ``name`` is written on "Đơn vị báo cáo:" of the result. ``forms`` is the form set, by
    name (``"cds-2024"``) or folder (default: the 2016–2020 set). Inputs are never modified.
    """
    chosen_forms = form_set(forms)
    items = _paths(folder_or_paths)
    chosen = _roster(items, roster)
    paths = _workbooks(items)
    read = list(_read(paths, progress, chosen_forms, meanwhile=_import_next))
    from .consolidation.combine import consolidate_reports
    from .result import ConsolidationResult

    place = items[0].resolve().name if len(items) == 1 and items[0].is_dir() else None
    return ConsolidationResult(
        consolidate_reports(read, chosen, chosen_forms), name=name, place=place
    )
