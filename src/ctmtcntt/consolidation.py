"""Consolidation: many units' reports into one, every unit accounted for.

Sums run over every unit received; percentages come from summed numerators and denominators,
never from an average of percentages; (*) rows come from the province-level unit(s) only. A
consolidated report has the same shape as a unit's, so communes → district → province →
ministry is one operation at every level.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import _collector
from .computation import Scalar, Table, compute_pl01, compute_pl02, total
from .intake import FileResult, Refused, check_reports, refused_result
from .numbers import fold
from .reading import FormData, UnitReport
from .report import Finding, make_finding
from .roster import Roster, _core, looks_provincial
from .spec import Catalogue, load_catalogue
from .values import Key, inputs, project_entries


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


@dataclass(frozen=True, kw_only=True)
class Consolidated:
    """The raw outcome of adding up: the tables, the accounts and the findings."""

    pl01: Table
    pl02_fixed: dict[str, dict[str, Scalar]]
    pl02_projects: list[Project]
    per_unit: dict[str, Table]
    units: dict[str, list[Account]]
    expected: int
    sources: list[Source]
    files: list[FileResult]
    findings: list[Finding]
    province: str | None
    unit_names: dict[str, str] = field(default_factory=dict)


@dataclass
class _Unit:
    key: str
    code: str | None
    name: str
    provincial: bool
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
    report: UnitReport, roster: Roster | None
) -> tuple[str, str | None, str, bool] | None:
    if not report.unit:
        return None
    if roster is not None:
        unit = roster.match(report.unit)
        if unit is None:
            return None
        return unit.code, unit.code, unit.name, unit.is_province
    # Without a roster, one unit's spellings ("UBND TP Quy Nhơn", "Thành phố Quy Nhơn") meet on
    # the distinctive words of its name.
    core = " ".join(sorted(_core(report.unit.replace("(", " ")))) or fold(report.unit)
    return core, None, report.unit, looks_provincial(report.unit)


@_collector.paused()  # large acyclic tables: see _collector
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
        files.append(result)
        identity = _unit_key(item, roster)
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
        unit = units.setdefault(key, _Unit(key=key, code=code, name=name, provincial=provincial))
        unit.paths.append(item.path)
        for form in item.forms.values():
            unit.forms.setdefault(form.spec.code, []).append((form, result, item))
        sources.append(
            Source(
                path=item.path, unit_code=code, unit_name=name, sha256=item.sha256, status="đã nhận"
            )
        )
    accepted, duplicates = _resolve_duplicates(units, extra, sources)
    drops = _drops(files)
    per_unit, summed, province_inputs = _pl01(accepted, drops, catalogue)
    pl01 = compute_pl01(catalogue.forms["PL01"], {**summed, **province_inputs})
    fixed, listed = _pl02(accepted, drops, catalogue)
    expected_units = list(roster.units) if roster else []
    received_keys = set(units)
    missing = [u for u in expected_units if u.code not in received_keys]
    findings = [f for result in files for f in result.findings]
    for found in extra.values():
        findings.extend(found)
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
        pl01=pl01,
        pl02_fixed=fixed,
        pl02_projects=listed,
        per_unit=per_unit,
        units=accounts,
        expected=len(expected_units),
        sources=sources,
        files=files,
        findings=findings,
        province=_province_name(accepted),
        unit_names={u.key: u.name for u in accepted},
    )


def _order(unit: _Unit) -> tuple[str, str]:
    return (unit.code or "", unit.name)


def _hash(path: str) -> str | None:
    from .loading import sha256_of

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


def _drops(files: Iterable[FileResult]) -> dict[str, set[Key]]:
    """Per file, the values that an error keeps out of the sums."""
    return {
        result.path: {key for f in result.findings if f.is_error for key in f.drops}
        for result in files
    }


def _pl01(
    units: Sequence[_Unit], drops: dict[str, set[Key]], catalogue: Catalogue
) -> tuple[dict[str, Table], Table, Table]:
    spec = catalogue.forms["PL01"]
    per_unit: dict[str, Table] = {}
    for unit in sorted(units, key=_order):
        for form, result, _ in unit.forms.get("PL01", []):
            per_unit[unit.key] = inputs(form, drops.get(result.path, ()))
    summed: Table = {}
    province: Table = {}
    provincial = [u.key for u in units if u.provincial and u.key in per_unit]
    for row in spec.rows:
        for column in row.inputs:
            key = (row.key, column)
            if row.aggregate == "province":
                values = [per_unit[k].get(key) for k in provincial]
                value = _combine(values)
                if value is not None:
                    province[key] = value
            elif row.aggregate == "sum":
                value = total(per_unit[k].get(key) for k in per_unit)
                if value is not None:
                    summed[key] = value
    return per_unit, summed, province


def _combine(values: list[Scalar]) -> Scalar:
    """(*) rows over province-level units: numbers add up; Có only when every one says Có."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if all(isinstance(v, bool) for v in present):
        return all(present)
    return total(present)


def _pl02(
    units: Sequence[_Unit], drops: dict[str, set[Key]], catalogue: Catalogue
) -> tuple[dict[str, dict[str, Scalar]], list[Project]]:
    spec = catalogue.forms["PL02"]
    entries: list[tuple[str, _Unit, dict[str, str], dict[str, Scalar]]] = []
    for unit in sorted(units, key=_order):
        for form, result, _ in unit.forms.get("PL02", []):
            for group, texts, values in project_entries(form, drops.get(result.path, ())):
                entries.append((group, unit, texts, values))
    fixed, done = compute_pl02(spec, [(group, values) for group, _, _, values in entries])
    listed = [
        Project(group=group, unit=unit.name, code=unit.code, texts=texts, values=values)
        for (group, unit, texts, _), (_, values) in zip(entries, done, strict=True)
    ]
    return fixed, listed


def _province_name(units: Sequence[_Unit]) -> str | None:
    provincial = [u.name for u in units if u.provincial]
    return provincial[0] if len(provincial) == 1 else None
