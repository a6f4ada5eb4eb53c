"""Consolidation: many units' reports into one, every unit accounted for.

The steps: the folder's files gathered into units (``gathering``), the accepted units' forms
added up (``adding_up``), and here the province's report put together with the findings about
the folder as a whole (the units that sent nothing). A consolidated report has the same shape
as a unit's, so communes → district → province → ministry is one operation at every level.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..check.batch import FileResult, Refused, check_reports
from ..common import gc_pause
from ..compute.totals import Scalar, Table
from ..findings import Finding, make_finding
from ..forms.roster import Roster
from ..forms.roster import Unit as RosterUnit
from ..forms.spec import Catalogue, load_catalogue
from ..read.submission import UnitReport
from .adding_up import (
    Drops,
    IndicatorTable,
    Note,
    Project,
    ProjectList,
    add_up_indicators,
    add_up_projects,
    held_back,
)
from .gathering import (
    Account,
    Gathered,
    ReceivedUnit,
    Source,
    account,
    gather,
    resolve_duplicates,
    unit_order,
)

# The types of a consolidation's outcome, as its readers (the result, the Báo cáo) name them.
__all__ = [
    "Account",
    "Consolidated",
    "IndicatorTable",
    "Note",
    "Project",
    "ProjectList",
    "Source",
    "consolidate_reports",
]


@dataclass(frozen=True, kw_only=True)
class Consolidated:
    """The raw outcome of adding up: per form of the set, its tables; the accounts and the
    findings."""

    catalogue: Catalogue
    indicators: dict[str, IndicatorTable]
    lists: dict[str, ProjectList]
    units: dict[str, list[Account]]
    expected: int
    sources: list[Source]
    files: list[FileResult]
    findings: list[Finding]
    province: str | None
    unit_names: dict[str, str] = field(default_factory=dict)
    # The place the consolidation covers ("tỉnh Bình Định"), when its units say so.
    area: str | None = None

    # The first form of each kind, as the 2016–2020 set's callers know them.
    @property
    def _first(self) -> IndicatorTable:
        return next(iter(self.indicators.values()), IndicatorTable(table={}, per_unit={}))

    @property
    def pl01(self) -> Table:
        """The province table of the set's first indicator form."""
        return self._first.table

    @property
    def per_unit(self) -> dict[str, Table]:
        """Each unit's inputs of the set's first indicator form."""
        return self._first.per_unit

    @property
    def notes(self) -> list[Note]:
        """The notes of the set's first indicator form."""
        return self._first.notes

    @property
    def province_notes(self) -> dict[str, str]:
        """The province's notes of the set's first indicator form."""
        return self._first.province_notes

    @property
    def counted(self) -> dict[str, str]:
        """The counted yes/no rows of the set's first indicator form."""
        return self._first.counted

    @property
    def pl02_fixed(self) -> dict[str, dict[str, Scalar]]:
        """The fixed rows of the set's first project list."""
        first = next(iter(self.lists.values()), None)
        return first.fixed if first else {}

    @property
    def pl02_projects(self) -> list[Project]:
        """The projects of the set's first project list."""
        first = next(iter(self.lists.values()), None)
        return first.projects if first else []


@gc_pause.paused()  # large acyclic tables: see gc_pause
def consolidate_reports(
    read: Sequence[UnitReport | Refused],
    roster: Roster | None = None,
    catalogue: Catalogue | None = None,
) -> Consolidated:
    """Add up reports already read; ``read`` may hold refused files, which are accounted for."""
    catalogue = catalogue or load_catalogue()
    # The order files come in never matters: everything below follows the paths' order.
    read = sorted(read, key=lambda item: item.path)
    reports = [r for r in read if isinstance(r, UnitReport)]
    checked = dict(zip(map(id, reports), check_reports(reports, roster), strict=True))
    gathered = gather(read, checked, roster)
    accepted, duplicates = resolve_duplicates(gathered)
    drops = held_back(gathered.files, catalogue)
    indicators = {
        spec.code: add_up_indicators(spec, accepted, drops, roster)
        for spec in catalogue.of_kind("indicators")
    }
    lists, duplicated = _project_lists(catalogue, accepted, drops, roster)
    expected_units = list(roster.units) if roster else []
    missing = [u for u in expected_units if u.code not in gathered.units]
    return Consolidated(
        catalogue=catalogue,
        indicators=indicators,
        lists=lists,
        units=_accounts(gathered, missing, duplicates),
        expected=len(expected_units),
        sources=gathered.sources,
        files=gathered.files,
        findings=_findings(gathered, duplicated, missing, roster),
        province=_province_name(accepted),
        unit_names={u.key: u.name for u in accepted},
        area=_area(reports),
    )


def _project_lists(
    catalogue: Catalogue, accepted: Sequence[ReceivedUnit], drops: Drops, roster: Roster | None
) -> tuple[dict[str, ProjectList], list[Finding]]:
    """Each project list of the set added up, and the findings about projects listed twice."""
    lists: dict[str, ProjectList] = {}
    duplicated: list[Finding] = []
    for spec in catalogue.of_kind("projects"):
        lists[spec.code], found = add_up_projects(spec, accepted, drops, roster)
        duplicated.extend(found)
    return lists, duplicated


def _accounts(
    gathered: Gathered, missing: Sequence[RosterUnit], duplicates: list[Account]
) -> dict[str, list[Account]]:
    """The units as the JSON contract lists them: received, missing, unknown, duplicate,
    rejected."""
    return {
        "received": [account(u) for u in sorted(gathered.units.values(), key=unit_order)],
        "missing": [Account(code=u.code, name=u.name, files=()) for u in missing],
        "unknown": list(gathered.unknown.values()),
        "duplicate": duplicates,
        "rejected": gathered.rejected,
    }


def _findings(
    gathered: Gathered,
    duplicated: list[Finding],
    missing: Sequence[RosterUnit],
    roster: Roster | None,
) -> list[Finding]:
    """Every file's findings, then those about duplicates, projects listed twice, and each
    unit of the roster that sent nothing."""
    findings = [f for result in gathered.files for f in result.findings]
    for found in gathered.duplicate_findings.values():
        findings.extend(found)
    findings.extend(duplicated)
    for unit in missing:
        findings.append(
            make_finding(
                "missing-submission",
                file=roster.source if roster else "",
                value=f"{unit.code} – {unit.name}",
            )
        )
    return findings


_PLACE = re.compile(r"\btỉnh\s+((?:[A-ZĐÂĂÊÔƠƯ][^\s,;()–-]*)(?:\s+[A-ZĐÂĂÊÔƠƯ][^\s,;()–-]*)*)")


def _area(reports: Sequence[UnitReport]) -> str | None:
    """The province the units name ("Sở Tài chính tỉnh Bình Định"), when they name only one."""
    from ..common.numbers import normalize_text

    places = {
        match.group(1)
        for report in reports
        if report.unit and not report.consolidated
        for match in _PLACE.finditer(normalize_text(report.unit))
    }
    return f"tỉnh {places.pop()}" if len(places) == 1 else None


def _province_name(units: Sequence[ReceivedUnit]) -> str | None:
    provincial = [u.name for u in units if u.provincial]
    return provincial[0] if len(provincial) == 1 else None
