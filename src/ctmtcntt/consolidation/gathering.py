"""Gathering a folder's files into units: who sent each file, what became of it, one copy each.

Every file is accounted for: refused, a consolidation's own earlier output, from a unit that
cannot be told (unknown), or received from a unit; a unit's identical copies count once, and
a unit that sent one form twice with different figures is held back until it says which.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..check.batch import FileResult, Refused, refused_result
from ..check.reporters import reporter_level, roster_unit
from ..common.numbers import fold
from ..findings import Finding, make_finding
from ..forms.roster import Roster, _core, looks_provincial
from ..read.submission import FormData, UnitReport
from ..read.values import inputs, project_entries

#: The name a consolidation writes on "Đơn vị báo cáo:" when it has none better.
DEFAULT_NAME = "Tổng hợp"


@dataclass(frozen=True, kw_only=True)
class Account:
    """A unit as accounted for: roster code (None when unknown), name, and its files."""

    code: str | None
    name: str
    files: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """``{"code", "name", "files"}`` as the JSON contract says."""
        return {"code": self.code, "name": self.name, "files": list(self.files)}


@dataclass(frozen=True, kw_only=True)
class Source:
    """A file of the folder: who sent it, its fingerprint, and what became of it."""

    path: str
    unit_code: str | None
    unit_name: str | None
    sha256: str | None
    status: str


@dataclass
class ReceivedUnit:
    """A unit whose files were received: its forms from each file, and the files."""

    key: str
    code: str | None
    name: str
    provincial: bool
    # The roster level it reports at (tinh, so, huyen); None for a consolidated report.
    level: str | None = None
    forms: dict[str, list[tuple[FormData, FileResult, UnitReport]]] = field(default_factory=dict)
    # Every file received from the unit, also those held back as differing duplicates.
    paths: list[str] = field(default_factory=list)


def unit_order(unit: ReceivedUnit) -> tuple[str, str]:
    """Units in roster-code order, then by name: the order of every per-unit listing."""
    return (unit.code or "", unit.name)


@dataclass
class Gathered:
    """The folder's files gathered: each file's result and source line, the units received,
    the unknown and the rejected, and the findings about duplicates, by file."""

    files: list[FileResult] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    units: dict[str, ReceivedUnit] = field(default_factory=dict)
    unknown: dict[str, Account] = field(default_factory=dict)
    rejected: list[Account] = field(default_factory=list)
    duplicate_findings: dict[str, list[Finding]] = field(default_factory=dict)

    def refused(self, item: Refused) -> None:
        """A file no reader could read."""
        self.files.append(refused_result(item))
        self.rejected.append(Account(code=None, name=Path(item.path).name, files=(item.path,)))
        self._source(item.path, None, None, _hash(item.path), "không đọc được")

    def earlier(self, item: UnitReport, result: FileResult) -> None:
        """A consolidation's own earlier output: never a unit; said, and set aside."""
        earlier = make_finding(
            "earlier-consolidation",
            file=item.path,
            sheet=item.unit_sheet,
            cell=item.unit_cell,
            value=item.unit or Path(item.path).name,
        )
        self.files.append(replace(result, findings=(earlier,)))
        status = "tệp tổng hợp cũ (không cộng)"
        self._source(item.path, None, item.unit, item.sha256, status)

    def unidentified(self, item: UnitReport, result: FileResult) -> None:
        """A file whose unit is not in the roster, or cannot be told."""
        self.files.append(result)
        name = item.unit or Path(item.path).name
        previous = self.unknown.get(name)
        paths = (*(previous.files if previous else ()), item.path)
        self.unknown[name] = Account(code=None, name=name, files=paths)
        status = (
            "đơn vị không có trong danh sách (chưa cộng)"
            if item.unit and item.forms
            else "không xác định được đơn vị (chưa cộng)"
        )
        self._source(item.path, None, item.unit, item.sha256, status)

    def received(
        self,
        item: UnitReport,
        result: FileResult,
        identity: tuple[str, str | None, str, bool],
        level: str | None,
    ) -> None:
        """A file from a unit told apart: its forms join the unit's."""
        self.files.append(result)
        key, code, name, provincial = identity
        unit = self.units.setdefault(
            key, ReceivedUnit(key=key, code=code, name=name, provincial=provincial, level=level)
        )
        unit.paths.append(item.path)
        for form in item.forms.values():
            unit.forms.setdefault(form.spec.code, []).append((form, result, item))
        self._source(item.path, code, name, item.sha256, "đã nhận")

    def _source(
        self, path: str, code: str | None, name: str | None, sha256: str | None, status: str
    ) -> None:
        self.sources.append(
            Source(path=path, unit_code=code, unit_name=name, sha256=sha256, status=status)
        )


def gather(
    read: Sequence[UnitReport | Refused],
    checked: Mapping[int, FileResult],
    roster: Roster | None,
) -> Gathered:
    """Every file accounted for, in the order given; ``checked``: each report's result, by
    the report's ``id``."""
    reports = [r for r in read if isinstance(r, UnitReport)]
    units_below = any(not r.consolidated for r in reports if r.forms)
    shared = _shared_names(reports)
    gathered = Gathered()
    for item in read:
        if isinstance(item, Refused):
            gathered.refused(item)
            continue
        result = checked[id(item)]
        if item.consolidated and _left_over(item, roster, units_below):
            gathered.earlier(item, result)
            continue
        identity = _unit_key(item, roster, shared)
        if identity is None or not item.forms:
            gathered.unidentified(item, result)
            continue
        gathered.received(item, result, identity, reporter_level(item, roster))
    return gathered


def _fingerprint(form: FormData) -> tuple[object, ...]:
    """What a form says, to tell a copy from a different version: its inputs as understood
    ("1.519" and 1519 alike) and its projects, never the computed cells (a copy filled by
    ``ctmt fill`` is still the same report)."""
    if form.spec.has_projects:
        return tuple(
            (group, tuple(sorted(texts.items())), tuple(sorted(values.items())))
            for group, texts, values in project_entries(form)
        )
    return tuple(sorted(inputs(form).items(), key=lambda item: item[0]))


_COPY_MARK = re.compile(r"\(\d+\)\s*$|\bcopy\b|\bbản sao\b|\bban sao\b", re.IGNORECASE)


def _preference(path: str) -> tuple[bool, int, str]:
    """Which of identical files to keep: not one named like a copy ("X (1).xlsx"), the
    shortest name, then the path; the choice never depends on the order files come in."""
    stem = Path(path).stem
    return (bool(_COPY_MARK.search(stem)), len(stem), path)


def _unit_key(
    report: UnitReport,
    roster: Roster | None,
    shared: AbstractSet[str] = frozenset(),
) -> tuple[str, str | None, str, bool] | None:
    if not report.unit:
        return None
    if roster is not None:
        unit = roster_unit(report, roster)
        if unit is None:
            return None
        return unit.code, unit.code, unit.name, unit.is_province
    if report.consolidated and report.area and fold(report.unit) in shared:
        # Two provinces' reports made under one name (the default "Sở TTTT (số liệu chung
        # toàn tỉnh)") are told apart by the place each says it covers.
        name = f"{report.unit} – {report.area}"
        return fold(name), None, name, True
    # Without a roster, one unit's spellings ("UBND TP Quy Nhơn", "Thành phố Quy Nhơn") meet on
    # the distinctive words of its name.
    core = " ".join(sorted(_core(report.unit.replace("(", " ")))) or fold(report.unit)
    return core, None, report.unit, looks_provincial(report.unit)


def _shared_names(reports: Sequence[UnitReport]) -> set[str]:
    """The names (folded) under which consolidated reports of different places arrive."""
    places: dict[str, set[str]] = {}
    for report in reports:
        if report.consolidated and report.unit and report.area:
            places.setdefault(fold(report.unit), set()).add(fold(report.area))
    return {name for name, areas in places.items() if len(areas) > 1}


def _left_over(report: UnitReport, roster: Roster | None, units_below: bool) -> bool:
    """Whether a consolidated report is an earlier output of this very consolidation rather
    than an input from the level below (a district's report of its communes, a province's to
    the Ministry).

    With a roster: it names the roster's province-wide unit (the roster is a province's: one
    such unit), or no unit at all. Without one: the folder also holds units' own reports and it
    speaks for the province ("… toàn tỉnh", "UBND tỉnh …") or for nobody ("Tổng hợp").
    """
    if roster is not None:
        unit = roster_unit(report, roster)
        if unit is None:
            return True
        return unit.is_province and sum(u.is_province for u in roster.units) == 1
    if not units_below:
        return False
    name = report.unit or ""
    return not name or fold(name) == fold(DEFAULT_NAME) or looks_provincial(name)


def _hash(path: str) -> str | None:
    from ..read.workbook import sha256_of

    try:
        return sha256_of(path)
    except OSError:
        return None


def account(unit: ReceivedUnit) -> Account:
    """A received unit as accounted for, each of its files once."""
    return Account(code=unit.code, name=unit.name, files=tuple(dict.fromkeys(unit.paths)))


def resolve_duplicates(gathered: Gathered) -> tuple[list[ReceivedUnit], list[Account]]:
    """Keep one copy of identical duplicates; hold back every file of a unit that sent one
    form twice with different data (neither version is added until the unit says which).
    Returns the units accepted and the units that sent duplicates."""
    duplicates: list[Account] = []
    status: dict[str, str] = {}
    for unit in gathered.units.values():
        involved, conflicting = _duplicated_files(unit)
        if not involved:
            continue
        copies = _keep_one_copy(unit, conflicting)
        for path in involved:
            if path in conflicting:
                others = ", ".join(Path(p).name for p in sorted(conflicting) if p != path)
                finding = make_finding("duplicate-unit", file=path, value=unit.name, detail=others)
                status[path] = "trùng, số liệu khác nhau (chưa cộng)"
            elif path in copies:
                finding = make_finding(
                    "duplicate-copy",
                    file=path,
                    value=unit.name,
                    detail=Path(copies[path]).name,
                )
                status[path] = "trùng (bản sao, chỉ tính một lần)"
            else:
                continue
            gathered.duplicate_findings.setdefault(path, []).append(finding)
        duplicates.append(Account(code=unit.code, name=unit.name, files=tuple(sorted(involved))))
    sources = gathered.sources
    for index, source in enumerate(sources):
        if source.path in status:
            sources[index] = replace(source, status=status[source.path])
    return [u for u in gathered.units.values() if u.forms], duplicates


def _duplicated_files(unit: ReceivedUnit) -> tuple[list[str], set[str]]:
    """The unit's files holding a form it sent more than once, and among them those whose
    copies differ. Each form's copies are put in order of preference."""
    involved: list[str] = []
    conflicting: set[str] = set()
    for entries in unit.forms.values():
        if len(entries) < 2:
            continue
        entries.sort(key=lambda entry: _preference(entry[1].path))
        paths = [entry[1].path for entry in entries]
        involved.extend(p for p in paths if p not in involved)
        first = _fingerprint(entries[0][0])
        if any(_fingerprint(entry[0]) != first for entry in entries[1:]):
            conflicting.update(paths)
    return involved, conflicting


def _keep_one_copy(unit: ReceivedUnit, conflicting: set[str]) -> dict[str, str]:
    """Keep the preferred copy of each form, none from a conflicting file; return each file
    left out as a copy, with the file kept in its place."""
    copies: dict[str, str] = {}
    for code, entries in list(unit.forms.items()):
        kept = [entry for entry in entries if entry[1].path not in conflicting]
        for entry in kept[1:]:
            copies.setdefault(entry[1].path, kept[0][1].path)
        if kept:
            unit.forms[code] = kept[:1]
        else:
            del unit.forms[code]
    return copies
