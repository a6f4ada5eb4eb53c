"""Who a report speaks for: its roster unit, its level, the rows it may report, its own targets.

A unit's level is the roster's (``tinh`` the province-wide unit, ``so`` a department, ``huyen`` a
district), or read from its name without a roster; the form's YAML says which levels report each
row (``who``, ``reporters``) and which rows carry the unit's own target (``unit_target``: row 9
is one district, row 10 the district's communes in the roster). A province's consolidated report
speaks for every level below it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..compute.totals import Scalar, is_number
from ..findings import Finding, make_finding, shown
from ..forms.roster import PROVINCE_LEVEL, Roster, Unit, level_of, looks_provincial
from ..forms.spec import RowSpec
from ..read.submission import FormData, UnitReport
from ..read.values import cell_value, inputs


def roster_unit(report: UnitReport, roster: Roster) -> Unit | None:
    """The roster's unit a report is from: by its "Đơn vị báo cáo", or for a consolidated report
    made under a default name, by the place it says it covers ("Địa bàn: tỉnh …")."""
    unit = roster.match(report.unit)
    if unit is None and report.consolidated and report.area:
        unit = roster.match(report.area)
    return unit


def is_from_province(report: UnitReport, roster: Roster | None) -> bool:
    """Whether a report speaks for the whole province (roster level "tinh", or its wording)."""
    if roster is not None:
        unit = roster_unit(report, roster)
        return unit is not None and unit.is_province
    return looks_provincial(report.unit)


def reporter_level(report: UnitReport, roster: Roster | None) -> str | None:
    """The roster level a report speaks at (``tinh``, ``so``, ``huyen``), which says the rows it
    may report; None for a province's consolidated report, which speaks for every level below
    it (a district's consolidation of its communes still speaks as a district)."""
    unit = roster_unit(report, roster) if roster is not None else None
    level = level_of(unit.name if unit is not None else report.unit, roster)
    return None if report.consolidated and level == PROVINCE_LEVEL else level


def own_target(row: RowSpec, report: UnitReport, roster: Roster | None) -> float | None:
    """A unit's own target for a row with ``unit_target``: the number the form gives, or the
    unit's value in that roster column (a district's communes); None when unknown."""
    target = row.unit_target
    if isinstance(target, (int, float)):
        return float(target)
    if target is None or roster is None:
        return None
    unit = roster.match(report.unit)
    found = getattr(unit, str(target), None) if unit is not None else None
    return float(found) if isinstance(found, (int, float)) else None


def own_target_findings(
    report: UnitReport, roster: Roster | None, level: str | None
) -> list[Finding]:
    """A unit's own target comes from the form or the roster: a typed one that disagrees is a
    warning (the roster's is used), and an actual above it is an error (the row left out)."""
    found: list[Finding] = []
    if level is None:
        return found
    for form in report.forms.values():
        spec = form.spec
        typed_in = inputs(form) if not spec.has_projects else {}
        for row_spec in spec.rows:
            if row_spec.unit_target is None or not spec.may_report(row_spec, level):
                continue
            target = own_target(row_spec, report, roster)
            if target is not None and not _settled(typed_in, row_spec.key, target):
                found.extend(_target_findings(report, form, row_spec, target))
    return found


def _settled(typed_in: Mapping[tuple[str, str], Scalar], row: str, target: float) -> bool:
    """Whether a row's inputs alone show nothing to say: the row left blank (nothing of the
    unit's to add up), or the usual case, its target as given and its actual within it."""
    given = typed_in.get((row, "actual"))
    planned = typed_in.get((row, "plan"))
    if not (is_number(given) or is_number(planned)):
        return True
    return planned == target and (not is_number(given) or float(given) <= target)  # type: ignore[arg-type]


def _target_findings(
    report: UnitReport, form: FormData, row_spec: RowSpec, target: float
) -> list[Finding]:
    """A row's typed target that is not its own, and its actual above its own target."""
    found: list[Finding] = []
    row = form.row(row_spec.key)
    if row is None or "plan" not in row.values:
        return found
    spec = form.spec
    plan, _ = cell_value(form, row, "plan")
    actual, actual_cell = cell_value(form, row, "actual")
    where: dict[str, Any] = {
        "file": report.path,
        "form": spec,
        "sheet": form.sheet,
        "row": row_spec.key,
    }
    typed = row.values["plan"].present
    if typed and not is_number(plan):
        pass  # typed but unreadable: that is its own error already
    elif not typed or abs(float(plan) - target) > 1e-9:  # type: ignore[arg-type]
        found.append(
            make_finding(
                "own-target-from-roster",
                cell=row.values["plan"].cell,
                column="plan",
                value=row.raw("plan"),
                expected=target,
                detail=f"ghi {shown(plan)}" if typed else "để trống",
                **where,
            )
        )
    if is_number(actual) and float(actual) > target + 1e-9:  # type: ignore[arg-type]
        found.append(
            make_finding(
                "above-own-target",
                cell=actual_cell,
                column="actual",
                value=actual,
                expected=target,
                drops=(
                    (spec.code, row_spec.key, "plan"),
                    (spec.code, row_spec.key, "actual"),
                ),
                **where,
            )
        )
    return found
