"""Validation in one pass: every unit's cells stacked in one table, checked by pandera once.

Checking each sheet on its own costs ~11x reading it; stacking all units' cells with a source
level in the index costs ~0.1 ms per sheet and failures still map back to unit, sheet and cell.
The steps: each report's rows of the stacked tables (``cell_rows``, ``relations``, built in the
reading workers), the pandera pass over all of them (``pandera_pass``), and the findings about
a report as a whole (its forms, its unit) made here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..common.numbers import fold
from ..findings import Finding, make_finding
from ..forms.roster import PROVINCE_LEVEL, Roster, same_unit
from ..forms.spec import load_schema
from ..read.submission import UnitReport
from .cell_rows import add_cells
from .pandera_pass import (
    CELL_INDEX,
    RELATION_INDEX,
    check_frames,
    failures,
    reporting_allowed,
    stacked_frame,
)
from .relations import indicator_relations, project_relations
from .reporters import is_from_province, own_target_findings, reporter_level, roster_unit
from .tables import CELL_COLUMNS, RELATION_COLUMNS, Frames


def validate_reports(
    reports: Sequence[UnitReport],
    *,
    roster: Roster | None = None,
    province: Callable[[UnitReport], bool] | None = None,
) -> list[list[Finding]]:
    """Check every report at once; return each report's findings, in sheet and cell order."""
    results: list[list[Finding]] = []
    prepared: list[Frames] = []
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
        prepared.append(ready if isinstance(ready, Frames) else unit_frames(report))
    for source, finding in check_frames(prepared, flags, reports, levels):
        results[source].append(finding)
    for source, report in enumerate(reports):
        results[source].extend(own_target_findings(report, roster, levels[source]))
    return [sorted(found, key=_order) for found in results]


def unit_frames(report: UnitReport) -> Frames:
    """One report's rows of the stacked tables; pandas-free, so reading workers build them."""
    frames = Frames()
    for form in report.forms.values():
        typed = add_cells(frames, form)
        if form.spec.has_projects:
            project_relations(frames, form, typed)
        else:
            indicator_relations(frames, form, typed)
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


# who, percent, zero_mark, error_value, limit of the made-up cell
_WARM = ("all", False, False, False, 9.0)


def warm_up() -> list[tuple[str, Any]]:
    """Check one made-up valid cell and relation: pandas and pandera do their first-call work
    (lazy imports, dtype tables) here, run while the workers read, rather than after. Returns
    the failures, which should be none."""
    cell = ("form", "1", "actual", "number", "input", True, True, False, False, 1.0, *_WARM)
    frame = stacked_frame([cell], CELL_COLUMNS, [(0, "", "A1")], CELL_INDEX, [False])
    frame["allowed"] = reporting_allowed(frame, [None], {})
    found = failures(load_schema("cells.pandera.yaml"), frame)
    relation = ("within", 1.0, 2.0, 0.0)
    frame = stacked_frame(
        [relation], RELATION_COLUMNS, [(0, "", "A1", "within")], RELATION_INDEX, None
    )
    return found + failures(load_schema("relations.pandera.yaml"), frame)
