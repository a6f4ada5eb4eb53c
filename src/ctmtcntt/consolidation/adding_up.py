"""Adding up the accepted units' forms: each indicator form's table, each project list.

Sums run over every unit received; percentages come from summed numerators and denominators,
never from an average of percentages; (*) rows come from the province-level unit(s) only; a
value an error keeps out leaves the sums with its partners (a percent row's .a and .b).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..check.batch import FileResult
from ..check.reporters import own_target
from ..compute.totals import (
    Scalar,
    Table,
    compute_indicators,
    compute_projects,
    ratio,
    sourced,
    total,
)
from ..findings import Finding
from ..forms.roster import Roster, level_of, same_unit
from ..forms.spec import Catalogue, FormSpec, RowSpec
from ..read.values import Key, inputs, notes, project_entries, project_places
from .gathering import ReceivedUnit, unit_order
from .projects import Listed, distinct


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


Drops = dict[str, set[Key]]


def held_back(files: Iterable[FileResult], catalogue: Catalogue) -> Drops:
    """Per file, the values that an error keeps out of the sums. Values that count together or
    not at all (a percent row's .a and .b; a unit's own target and its actual) leave together,
    whatever the error on one of them."""
    found: Drops = {}
    for result in files:
        keys = {key for f in result.findings if f.is_error for key in f.drops}
        for form, row, column in list(keys):
            spec = catalogue.forms.get(form)
            for other_row, other_column in spec.pairs.get((row, column), ()) if spec else ():
                keys.add((form, other_row, other_column))
        found[result.path] = keys
    return found


# --- indicator forms ---------------------------------------------------------------------------


def add_up_indicators(
    spec: FormSpec, accepted: Sequence[ReceivedUnit], drops: Drops, roster: Roster | None
) -> IndicatorTable:
    """One indicator form added up over the accepted units."""
    per_unit = _unit_inputs(spec, accepted, drops, roster)
    summed, province_inputs, counts = _summed(spec, accepted, per_unit)
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
    found = _notes(accepted, spec)
    province_notes = _province_notes(spec, accepted, found)
    for row_key, text in province_notes.items():
        table[row_key, "note"] = text  # the note column of the province's form, as readers show
    return IndicatorTable(
        table=table,
        per_unit=per_unit,
        notes=found,
        province_notes=province_notes,
        counted=counted,
    )


def _unit_inputs(
    spec: FormSpec, units: Sequence[ReceivedUnit], drops: Drops, roster: Roster | None
) -> dict[str, Table]:
    """Each unit's inputs that count: none an error keeps out, none in a row not the unit's,
    and its own target (from the form or the roster) on the rows that have one."""
    per_unit: dict[str, Table] = {}
    # Per level, the values a unit may not report (the form's ``who``) and the rows whose
    # target is the unit's own: worked out once, not for every unit.
    barred: dict[str | None, list[tuple[str, str]]] = {}
    targeted: dict[str | None, list[RowSpec]] = {}
    for unit in sorted(units, key=unit_order):
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
    return per_unit


def _summed(
    spec: FormSpec, units: Sequence[ReceivedUnit], per_unit: dict[str, Table]
) -> tuple[Table, Table, dict[tuple[str, str], tuple[int, int]]]:
    """The summed inputs, the (*) rows' inputs, and one level up, each yes/no (*) row's count
    of Có among the answers."""
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
    return summed, province, counts


def _combine(values: list[Scalar]) -> Scalar:
    """(*) rows over the units that may report them: numbers add up; a yes/no is Có when one
    says Có (one level up, ``add_up_indicators`` counts them instead)."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if all(isinstance(v, bool) for v in present):
        return any(present)
    return total(present)


def _notes(units: Sequence[ReceivedUnit], spec: FormSpec) -> list[Note]:
    """Every accepted unit's notes on an indicator form, on the rows it may report, in unit
    order."""
    found: list[Note] = []
    for unit in sorted(units, key=unit_order):
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


def _province_notes(
    spec: FormSpec, accepted: Sequence[ReceivedUnit], found: list[Note]
) -> dict[str, str]:
    """The notes on the province's own (*) rows: its own, or one level up, every province's
    one after the other."""
    province_notes: dict[str, str] = {}
    speaking_for_all = {u.name for u in accepted if u.provincial}
    for note in found:
        if spec.by_key[note.row].province_only and note.unit in speaking_for_all:
            before = province_notes.get(note.row)
            province_notes[note.row] = f"{before}; {note.text}" if before else note.text
    return province_notes


# --- project lists -----------------------------------------------------------------------------


def add_up_projects(
    spec: FormSpec, units: Sequence[ReceivedUnit], drops: Drops, roster: Roster | None = None
) -> tuple[ProjectList, list[Finding]]:
    """One project list over the accepted units: every project once, under its group, the
    groups and total recomputed; and the findings about projects two units listed."""
    entries = _listed(spec, units, drops)

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
    return ProjectList(fixed=fixed, projects=listed), found


def _listed(spec: FormSpec, units: Sequence[ReceivedUnit], drops: Drops) -> list[Listed]:
    """Every unit's projects, in unit order, with where each was listed."""
    entries: list[Listed] = []
    for unit in sorted(units, key=unit_order):
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
    return entries
