"""Consolidation: many units' reports into one, every unit accounted for.

Sums run over every unit received; percentages come from summed numerators and denominators,
never from an average of percentages; (*) rows come from the province-level unit(s) only. A
consolidated report has the same shape as a unit's, so communes → district → province →
ministry is one operation at every level.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..check.batch import FileResult, Refused, check_reports, refused_result
from ..check.reporters import own_target, reporter_level, roster_unit
from ..common import gc_pause
from ..common.numbers import fold
from ..compute.totals import (
    Scalar,
    Table,
    compute_indicators,
    compute_projects,
    ratio,
    sourced,
    total,
)
from ..findings import Finding, make_finding
from ..forms.roster import Roster, _core, level_of, looks_provincial, same_unit
from ..forms.spec import Catalogue, FormSpec, RowSpec, load_catalogue
from ..read.submission import FormData, UnitReport
from ..read.values import Key, inputs, notes, project_entries, project_places
from .projects import Listed, distinct


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


@dataclass(frozen=True, kw_only=True)
class Project:
    """A project row as consolidated: its group, unit, texts and computed money."""

    group: str
    unit: str
    texts: dict[str, str]
    values: dict[str, Scalar]
    code: str | None = None
    # Every unit that listed it (a task two units report is one task), by roster code or name.
    units: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class IndicatorTable:
    """An indicator form added up: the province's table, each unit's inputs, the notes."""

    table: Table
    per_unit: dict[str, Table]
    # Notes (column "Ghi chú"): every unit's, and the province's own rows' (from TINH).
    notes: list[Note] = field(default_factory=list)
    province_notes: dict[str, str] = field(default_factory=dict)
    # One level up, what a yes/no (*) row's count reads as ("Có: 2/2 tỉnh"), by row.
    counted: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ProjectList:
    """A project list added up: the fixed rows (total, groups) and every project."""

    fixed: dict[str, dict[str, Scalar]]
    projects: list[Project]


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


@dataclass(frozen=True, kw_only=True)
class Note:
    """A unit's note on a row of an indicator form, with where it was written."""

    unit: str
    code: str | None
    row: str
    text: str
    file: str
    sheet: str
    cell: str

    def to_dict(self) -> dict[str, object]:
        """The JSON shape: unit, code, row, note, file, sheet, cell."""
        return {
            "unit": self.unit,
            "code": self.code,
            "row": self.row,
            "note": self.text,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
        }


@dataclass
class _Unit:
    key: str
    code: str | None
    name: str
    provincial: bool
    # The roster level it reports at (tinh, so, huyen); None for a consolidated report.
    level: str | None = None
    forms: dict[str, list[tuple[FormData, FileResult, UnitReport]]] = field(default_factory=dict)
    # Every file received from the unit, also those held back as differing duplicates.
    paths: list[str] = field(default_factory=list)


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
    files: list[FileResult] = []
    units_below = any(not r.consolidated for r in reports if r.forms)
    shared = _shared_names(reports)
    extra: dict[str, list[Finding]] = {}
    sources: list[Source] = []
    units: dict[str, _Unit] = {}
    unknown: dict[str, Account] = {}
    rejected: list[Account] = []
    for item in read:
        if isinstance(item, Refused):
            result = refused_result(item)
            files.append(result)
            rejected.append(Account(code=None, name=Path(item.path).name, files=(item.path,)))
            sources.append(
                Source(
                    path=item.path,
                    unit_code=None,
                    unit_name=None,
                    sha256=_hash(item.path),
                    status="không đọc được",
                )
            )
            continue
        result = checked[id(item)]
        if item.consolidated and _left_over(item, roster, units_below):
            # A consolidation's own earlier output: never a unit; said, and set aside.
            earlier = make_finding(
                "earlier-consolidation",
                file=item.path,
                sheet=item.unit_sheet,
                cell=item.unit_cell,
                value=item.unit or Path(item.path).name,
            )
            result = replace(result, findings=(earlier,))
            files.append(result)
            sources.append(
                Source(
                    path=item.path,
                    unit_code=None,
                    unit_name=item.unit,
                    sha256=item.sha256,
                    status="tệp tổng hợp cũ (không cộng)",
                )
            )
            continue
        files.append(result)
        identity = _unit_key(item, roster, shared)
        if identity is None or not item.forms:
            name = item.unit or Path(item.path).name
            previous = unknown.get(name)
            paths = (*(previous.files if previous else ()), item.path)
            unknown[name] = Account(code=None, name=name, files=paths)
            sources.append(
                Source(
                    path=item.path,
                    unit_code=None,
                    unit_name=item.unit,
                    sha256=item.sha256,
                    status=(
                        "đơn vị không có trong danh sách (chưa cộng)"
                        if item.unit and item.forms
                        else "không xác định được đơn vị (chưa cộng)"
                    ),
                )
            )
            continue
        key, code, name, provincial = identity
        level = reporter_level(item, roster)
        unit = units.setdefault(
            key, _Unit(key=key, code=code, name=name, provincial=provincial, level=level)
        )
        unit.paths.append(item.path)
        for form in item.forms.values():
            unit.forms.setdefault(form.spec.code, []).append((form, result, item))
        sources.append(
            Source(
                path=item.path, unit_code=code, unit_name=name, sha256=item.sha256, status="đã nhận"
            )
        )
    accepted, duplicates = _resolve_duplicates(units, extra, sources)
    drops = _drops(files, catalogue)
    indicators = {
        spec.code: _indicator_form(spec, accepted, drops, roster)
        for spec in catalogue.of_kind("indicators")
    }
    lists: dict[str, ProjectList] = {}
    duplicated: list[Finding] = []
    for spec in catalogue.of_kind("projects"):
        fixed, listed, found = _project_list(spec, accepted, drops, roster)
        lists[spec.code] = ProjectList(fixed=fixed, projects=listed)
        duplicated.extend(found)
    expected_units = list(roster.units) if roster else []
    received_keys = set(units)
    missing = [u for u in expected_units if u.code not in received_keys]
    findings = [f for result in files for f in result.findings]
    for found in extra.values():
        findings.extend(found)
    findings.extend(duplicated)
    for unit_ in missing:
        findings.append(
            make_finding(
                "missing-submission",
                file=roster.source if roster else "",
                value=f"{unit_.code} – {unit_.name}",
            )
        )
    accounts = {
        "received": [_account(u) for u in sorted(units.values(), key=_order)],
        "missing": [Account(code=u.code, name=u.name, files=()) for u in missing],
        "unknown": list(unknown.values()),
        "duplicate": duplicates,
        "rejected": rejected,
    }
    return Consolidated(
        catalogue=catalogue,
        indicators=indicators,
        lists=lists,
        units=accounts,
        expected=len(expected_units),
        sources=sources,
        files=files,
        findings=findings,
        province=_province_name(accepted),
        unit_names={u.key: u.name for u in accepted},
        area=_area(reports),
    )


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


#: The name a consolidation writes on "Đơn vị báo cáo:" when it has none better.
DEFAULT_NAME = "Tổng hợp"


def _order(unit: _Unit) -> tuple[str, str]:
    return (unit.code or "", unit.name)


def _hash(path: str) -> str | None:
    from ..read.workbook import sha256_of

    try:
        return sha256_of(path)
    except OSError:
        return None


def _account(unit: _Unit) -> Account:
    return Account(code=unit.code, name=unit.name, files=tuple(dict.fromkeys(unit.paths)))


def _resolve_duplicates(
    units: dict[str, _Unit], extra: dict[str, list[Finding]], sources: list[Source]
) -> tuple[list[_Unit], list[Account]]:
    """Keep one copy of identical duplicates; hold back every file of a unit that sent one
    form twice with different data (neither version is added until the unit says which)."""
    duplicates: list[Account] = []
    status: dict[str, str] = {}
    for unit in units.values():
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
        if not involved:
            continue
        copies: dict[str, str] = {}
        for code, entries in list(unit.forms.items()):
            kept = [entry for entry in entries if entry[1].path not in conflicting]
            for entry in kept[1:]:
                copies.setdefault(entry[1].path, kept[0][1].path)
            if kept:
                unit.forms[code] = kept[:1]
            else:
                del unit.forms[code]
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
            extra.setdefault(path, []).append(finding)
        duplicates.append(Account(code=unit.code, name=unit.name, files=tuple(sorted(involved))))
    for index, source in enumerate(sources):
        if source.path in status:
            sources[index] = Source(
                path=source.path,
                unit_code=source.unit_code,
                unit_name=source.unit_name,
                sha256=source.sha256,
                status=status[source.path],
            )
    return [u for u in units.values() if u.forms], duplicates


def _drops(files: Iterable[FileResult], catalogue: Catalogue) -> dict[str, set[Key]]:
    """Per file, the values that an error keeps out of the sums. Values that count together or
    not at all (a percent row's .a and .b; a unit's own target and its actual) leave together,
    whatever the error on one of them."""
    found: dict[str, set[Key]] = {}
    for result in files:
        keys = {key for f in result.findings if f.is_error for key in f.drops}
        for form, row, column in list(keys):
            spec = catalogue.forms.get(form)
            for other_row, other_column in spec.pairs.get((row, column), ()) if spec else ():
                keys.add((form, other_row, other_column))
        found[result.path] = keys
    return found


def _indicator_form(
    spec: FormSpec, accepted: Sequence[_Unit], drops: dict[str, set[Key]], roster: Roster | None
) -> IndicatorTable:
    """One indicator form added up over the accepted units."""
    per_unit, summed, province_inputs, counts = _indicator_inputs(spec, accepted, drops, roster)
    table = compute_indicators(spec, {**summed, **province_inputs})
    counted: dict[str, str] = {}
    word = (
        "tỉnh" if all(level_of(u.name) == "tinh" for u in accepted if u.level is None) else "đơn vị"
    )
    for (row, column), (yes, answers) in counts.items():
        # Province outputs one level up: a yes/no (*) row is how many provinces say Có.
        table[row, column] = float(yes)
        table[row, "ratio"] = ratio(float(yes), float(answers))
        table[row, "assessment"] = None
        counted[row] = f"Có: {yes}/{answers} {word}"
    notes = _notes(accepted, spec)
    province_notes: dict[str, str] = {}
    speaking_for_all = {u.name for u in accepted if u.provincial}
    for note in notes:
        if spec.by_key[note.row].province_only and note.unit in speaking_for_all:
            # One level up, every province's note on the row, one after the other.
            before = province_notes.get(note.row)
            province_notes[note.row] = f"{before}; {note.text}" if before else note.text
    for row_key, text in province_notes.items():
        table[row_key, "note"] = text  # the note column of the province's form, as readers show
    return IndicatorTable(
        table=table,
        per_unit=per_unit,
        notes=notes,
        province_notes=province_notes,
        counted=counted,
    )


def _indicator_inputs(
    spec: FormSpec,
    units: Sequence[_Unit],
    drops: dict[str, set[Key]],
    roster: Roster | None = None,
) -> tuple[dict[str, Table], Table, Table, dict[tuple[str, str], tuple[int, int]]]:
    per_unit: dict[str, Table] = {}
    # Per level, the values a unit may not report (the form's ``who``) and the rows whose
    # target is the unit's own: worked out once, not for every unit.
    barred: dict[str | None, list[tuple[str, str]]] = {}
    targeted: dict[str | None, list[RowSpec]] = {}
    for unit in sorted(units, key=_order):
        level = unit.level
        if level not in barred:
            allowed = [row for row in spec.rows if spec.may_report(row, level)]
            barred[level] = [
                (row.key, column)
                for row in spec.rows
                if row not in allowed
                for column in row.inputs
            ]
            targeted[level] = [r for r in allowed if r.unit_target is not None and level]
        for form, result, report in unit.forms.get(spec.code, []):
            table = inputs(form, drops.get(result.path, ()))
            # Values in rows not the unit's are not its figures: left out (validation warned).
            for key in barred[level]:
                table.pop(key, None)
            # Its own target comes from the form or the roster, whatever it typed.
            for row in targeted[level]:
                target = own_target(row, report, roster)
                if target is not None and (
                    (row.key, "actual") in table or (row.key, "plan") in table
                ):
                    table[row.key, "plan"] = target
            per_unit[unit.key] = table
    summed: Table = {}
    province: Table = {}
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    consolidated = {u.key for u in units if u.level is None}
    for row in spec.rows:
        for column in row.inputs:
            key = (row.key, column)
            if row.aggregate == "province":
                values = [per_unit[k].get(key) for k in per_unit]
                answers = [v for v in values if isinstance(v, bool)]
                if len(answers) > 1 and set(per_unit) <= consolidated:
                    counts[key] = (sum(answers), len(answers))
                value = _combine(values)
                if value is not None:
                    province[key] = value
            elif row.aggregate == "sum":
                value = total(per_unit[k].get(key) for k in per_unit)
                if value is not None:
                    summed[key] = value
    return per_unit, summed, province, counts


def _combine(values: list[Scalar]) -> Scalar:
    """(*) rows over the units that may report them: numbers add up; a yes/no is Có when one
    says Có (one level up, ``_pl01`` counts them instead)."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if all(isinstance(v, bool) for v in present):
        return any(present)
    return total(present)


def _project_list(
    spec: FormSpec,
    units: Sequence[_Unit],
    drops: dict[str, set[Key]],
    roster: Roster | None = None,
) -> tuple[dict[str, dict[str, Scalar]], list[Project], list[Finding]]:
    entries: list[Listed] = []
    for unit in sorted(units, key=_order):
        for form, result, _ in unit.forms.get(spec.code, []):
            places = project_places(form)
            listed_here = project_entries(form, drops.get(result.path, ()))
            for (group, texts, values), (_, cell) in zip(listed_here, places, strict=True):
                entries.append(
                    Listed(
                        group=group,
                        unit=unit.name,
                        code=unit.code,
                        texts=texts,
                        values=values,
                        file=result.path,
                        sheet=form.sheet,
                        cell=cell,
                        consolidated=unit.level is None,
                    )
                )

    def is_investor(entry: Listed) -> bool:
        investor = entry.texts.get(spec.owner) if spec.owner else None
        return bool(investor) and same_unit(investor, entry.unit, roster)  # type: ignore[arg-type]

    listers: list[list[Listed]] = []
    entries, found = distinct(entries, spec, is_investor, listers)
    fixed, done = compute_projects(spec, [(e.group, sourced(spec, e.values)) for e in entries])
    listed = [
        Project(
            group=e.group,
            unit=e.unit,
            code=e.code,
            texts=e.texts,
            values=values,
            units=tuple(dict.fromkeys(lister.code or lister.unit for lister in by)),
        )
        for e, (_, values), by in zip(entries, done, listers, strict=True)
    ]
    return fixed, listed, found


def _notes(units: Sequence[_Unit], spec: FormSpec) -> list[Note]:
    """Every accepted unit's notes on an indicator form, on the rows it may report, in unit
    order."""
    found: list[Note] = []
    for unit in sorted(units, key=_order):
        for form, result, _ in unit.forms.get(spec.code, []):
            for row, (text, cell) in notes(form).items():
                if spec.may_report(spec.by_key[row], unit.level):
                    found.append(
                        Note(
                            unit=unit.name,
                            code=unit.code,
                            row=row,
                            text=text,
                            file=result.path,
                            sheet=form.sheet,
                            cell=cell,
                        )
                    )
    return found


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


def _province_name(units: Sequence[_Unit]) -> str | None:
    provincial = [u.name for u in units if u.provincial]
    return provincial[0] if len(provincial) == 1 else None
