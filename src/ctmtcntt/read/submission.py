"""Reading a unit's submission: every value keyed by row and column, with the cell it came from.

The types of a read report (``UnitReport``, its ``FormData``, their ``Row`` and ``Value``) and
how they are built from the values of the sheets: each sheet's tables found, each form's rows
read cell by cell (``table_rows`` says which line is which row, ``sheets`` what lies around the
tables, ``legacy_text`` converts text typed in an old font), one copy of each form kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import NamedTuple

from ..common.cells import a1
from ..common.numbers import excel_error, fold, normalize_text
from ..findings import Finding, make_finding
from ..forms.spec import Catalogue, FormSpec, load_catalogue
from .legacy_text import converted, find_legacy_unit
from .locate import Grid, Located, find_unit, headed_like, locate, named_form, recognised, text
from .sheets import no_form, other_set, table_below, with_errors
from .table_rows import fixed_rows, project_rows, sheet_letter, table_lines

#: Column types holding text, not figures (choice: one of the column's choices).
TEXT_TYPES = frozenset({"text", "choice"})
# Text columns typed by units (names, notes…): converted when typed in an old font. The STT and
# the printed unit of measure are the form's own.
_PRINTED = frozenset({"stt", "unit"})


class Value(NamedTuple):
    """What a unit put in one cell of the table.

    A named tuple rather than a dataclass: a province reads tens of thousands of these, and a
    tuple is built and pickled back from the reading workers several times faster.
    """

    cell: str
    raw: object
    uncached: bool = False

    @property
    def present(self) -> bool:
        """The unit typed something here (a formula without a value counts)."""
        return self.uncached or not (self.raw is None or self.raw == "")


class Row(NamedTuple):
    """A row of the table: a fixed row of the form, or a project (project lists).

    A named tuple, like ``Value``: rows travel pickled from the reading workers, and a tuple
    pickles in a fraction of a dataclass's time and size.
    """

    key: str
    label: str
    sheet_row: int
    kind: str
    values: Mapping[str, Value]
    group: str | None = None

    def raw(self, column: str) -> object:
        """The raw content of a column, None when empty or absent."""
        value = self.values.get(column)
        return None if value is None else value.raw


@dataclass(frozen=True, kw_only=True)
class FormData:
    """One form as filled by a unit: its sheet, columns and rows."""

    spec: FormSpec
    sheet: str
    columns: Mapping[str, int]
    # In sheet order: a tuple, or, received from a reading worker, built when first read.
    rows: Sequence[Row]
    unit: str | None = None
    unit_cell: str | None = None
    # Cells of the table formatted as a percentage (the reader gives 0.9 for 90 %).
    percent_cells: frozenset[str] = frozenset()
    # What is worked out once from the rows (the inputs as understood), kept with the form so
    # that the reading workers work it out, in parallel, for the province's adding up.
    memo: dict[str, object] = field(default_factory=dict, init=False, compare=False, repr=False)

    def row(self, key: str) -> Row | None:
        """The row with this key (the first, if the sheet repeats it), None when it lacks it."""
        return self._by_key.get(key)

    @cached_property
    def _by_key(self) -> dict[str, Row]:
        # Checking asks for every row of the form: looked up, not searched.
        index: dict[str, Row] = {}
        for row in self.rows:
            index.setdefault(row.key, row)
        return index

    def cell_of(self, row: Row, column: str) -> str | None:
        """The A1 address of a column on a row, None when the column is absent."""
        index = self.columns.get(column)
        return None if index is None else a1(row.sheet_row, index + 1)


_new_value = partial(tuple.__new__, Value)


@dataclass(frozen=True, kw_only=True)
class UnitReport:
    """A unit's submission: who sent it, the forms it holds, and what reading noticed."""

    path: str
    unit: str | None
    forms: Mapping[str, FormData]
    findings: tuple[Finding, ...] = ()
    unit_sheet: str | None = None
    unit_cell: str | None = None
    sha256: str | None = field(default=None, compare=False)
    # Made by a consolidation (it carries the sheet of its sources): a province's (or a
    # district's) report one level up, and the place it covers, when it says so.
    consolidated: bool = False
    area: str | None = None
    # The validation tables of this report, built where it was read (a worker process) so that
    # a province's checking runs in parallel with its reading; validation builds them if absent.
    prepared: object = field(default=None, compare=False, repr=False)


def read_grids(
    grids: Mapping[str, Grid],
    source: str,
    *,
    uncached: Mapping[str, set[str]] | None = None,
    percent: Mapping[str, set[str]] | None = None,
    errors: Mapping[str, Mapping[str, str]] | None = None,
    catalogue: Catalogue | None = None,
) -> UnitReport:
    """Read a unit's report from the values of its sheets (sheet name -> rows from A1).

    ``uncached`` names, per sheet, the cells holding a formula with no calculated value;
    ``percent`` the cells formatted as a percentage; ``errors`` the cells holding an Excel error
    value (#REF!, …), with its text, which readers return as blank. The sheets may come from a
    file or from a workbook open in Excel.
    """
    catalogue = catalogue or load_catalogue()
    specs = list(catalogue.forms.values())
    copies: dict[str, list[tuple[FormData, list[Finding]]]] = {}
    findings: list[Finding] = []
    for sheet, grid in grids.items():
        marks = (uncached or {}).get(sheet, set())
        styled = frozenset((percent or {}).get(sheet, ()))
        errors_here = errors.get(sheet) if errors else None
        sheet_grid = with_errors(grid, errors_here) if errors_here is not None else grid
        read = _read_sheet(sheet_grid, sheet, source, catalogue, specs, marks, styled, findings)
        for form, notes in read:
            copies.setdefault(form.spec.code, []).append((form, notes))
    forms: dict[str, FormData] = {}
    for code, read in copies.items():
        form, notes = _chosen_copy(read, source, findings)
        forms[code] = form
        findings.extend(notes)
    if not forms and grids:
        findings.append(no_form(grids, source, catalogue))
    unit, unit_sheet, unit_cell = _unit(forms.values())
    consolidated, area = _made_by_consolidation(grids) if forms else (False, None)
    return UnitReport(
        path=source,
        unit=unit,
        forms=forms,
        findings=tuple(findings),
        unit_sheet=unit_sheet,
        unit_cell=unit_cell,
        consolidated=consolidated,
        area=area,
    )


def _read_sheet(
    grid: Grid,
    sheet: str,
    source: str,
    catalogue: Catalogue,
    specs: list[FormSpec],
    uncached: set[str],
    percent_cells: frozenset[str],
    findings: list[Finding],
) -> list[tuple[FormData, list[Finding]]]:
    """The forms of one sheet (a second table may sit under the first), each with what reading
    it noticed; a sheet named or headed as a form whose table is not found is said."""
    located = locate(grid, specs)
    if located is None:
        named = named_form(sheet, specs) or headed_like(grid, specs)
        if named is not None:
            # A sheet called "Phụ lục 02", or headed as a form, whose table is not found
            # is never passed over.
            findings.append(
                make_finding("form-not-found", file=source, sheet=sheet, detail=named.sheet)
            )
        return []
    if not recognised(grid, located) and other_set(grid, catalogue) is not None:
        return []  # another report's form that shares our common headers: said by no_form
    read: list[tuple[FormData, list[Finding]]] = []
    table: Located | None = located
    while table is not None:
        form, notes, end = _read_form(grid, sheet, table, source, uncached, percent_cells)
        read.append((form, notes))
        table = table_below(grid, end, specs)
    return read


def _chosen_copy(
    read: list[tuple[FormData, list[Finding]]], source: str, findings: list[Finding]
) -> tuple[FormData, list[Finding]]:
    """A form on two sheets: the one holding more figures is read (a blank copy of the
    template beside the filled one is no matter); another one with figures of its own is an
    error, never silently passed over."""
    form, notes = max(read, key=lambda copy: _figures(copy[0]))
    for other, _ in read:
        if other is not form and _figures(other) and _content(other) != _content(form):
            findings.append(
                make_finding(
                    "form-repeated",
                    file=source,
                    sheet=other.sheet,
                    cell=a1(min(r.sheet_row for r in other.rows), 1),
                    detail=form.spec.sheet,
                    other_value=form.sheet,
                )
            )
    return form, notes


def _figures(form: FormData) -> int:
    """How many numbers a form's table holds outside its text columns."""
    text = {c.key for c in form.spec.columns if c.type in TEXT_TYPES}
    return sum(
        1
        for row in form.rows
        for key, value in row.values.items()
        if key not in text and isinstance(value.raw, (int, float))
    )


def _content(form: FormData) -> tuple[object, ...]:
    """What a form says, wherever its table sits: its unit and its rows' values."""
    return (
        form.unit,
        tuple((row.key, tuple(v.raw for v in row.values.values())) for row in form.rows),
    )


def _unit(forms: Iterable[FormData]) -> tuple[str | None, str | None, str | None]:
    """The unit a file speaks for, with the sheet and cell naming it: the first form that names
    its unit speaks for the file (validation compares the others)."""
    units = [(f.unit, f.sheet, f.unit_cell) for f in forms if f.unit_cell is not None]
    named = [u for u in units if u[0]]
    if named:
        return named[0]
    return None, (units[0][1] if units else None), (units[0][2] if units else None)


#: The sheets a consolidation writes beside the forms (its sources, with the line naming the
#: place it covers; its breakdown by unit) and their titles: how a consolidated report is told
#: from a unit's (see province_book), also when one of the sheets was renamed or deleted.
SOURCES_SHEET = "Nguồn số liệu"
SOURCES_TITLE = "CÁC TỆP ĐÃ TỔNG HỢP"
BREAKDOWN_SHEET = "Chi tiết theo đơn vị"
BREAKDOWN_TITLE = "CHI TIẾT SỐ LIỆU PHỤ LỤC 01 THEO ĐƠN VỊ"
AREA_LABEL = "Địa bàn"
_MARKS = {fold(SOURCES_TITLE), fold(BREAKDOWN_TITLE)}


def breakdown_title(form: FormSpec) -> str:
    """The title of an indicator form's breakdown by unit ("… PHỤ LỤC 01 THEO ĐƠN VỊ")."""
    return f"CHI TIẾT SỐ LIỆU {form.sheet.upper()} THEO ĐƠN VỊ"


_BREAKDOWN_ENDS = (fold("CHI TIẾT SỐ LIỆU "), fold(" THEO ĐƠN VỊ"))


def _is_mark(title: str) -> bool:
    start, end = _BREAKDOWN_ENDS
    return title in _MARKS or (title.startswith(start) and title.endswith(end))


def _made_by_consolidation(grids: Mapping[str, Grid]) -> tuple[bool, str | None]:
    """Whether the workbook is a consolidation's output, and the place it says it covers."""
    made, area = False, None
    for grid in grids.values():
        if not grid or not grid[0] or not _is_mark(fold(text(grid[0][0]))):
            continue
        made = True
        line = text(grid[1][0]) if len(grid) > 1 and grid[1] else ""
        label, _, place = line.partition(":")
        if fold(label) == fold(AREA_LABEL) and place.strip():
            area = place.strip()
    return made, area


def _read_form(
    grid: Grid,
    sheet: str,
    located: Located,
    source: str,
    uncached: set[str],
    percent_cells: frozenset[str] = frozenset(),
) -> tuple[FormData, list[Finding], int]:
    """A form's table read from its grid, what reading noticed, and the grid row after the
    table's last line. ``percent_cells``: the sheet's cells formatted as a percentage."""
    spec = located.form
    findings: list[Finding] = []
    unit_name, unit_cell = _unit_line(grid, located, source, sheet, findings)
    lines = table_lines(grid, located)
    end = (lines[-1][0] if lines else located.numbering_row) + 1
    if spec.has_projects:
        rows = project_rows(grid, sheet, located, lines, uncached, source, findings)
    else:
        rows = fixed_rows(sheet, located, lines, source, findings)
    letters = tuple(
        (key, column, sheet_letter(column), _typed_text(spec, key))
        for key, column in located.columns.items()
    )
    built = tuple(
        _build(grid, sheet, located, letters, line, key, kind, group, uncached, source, findings)
        for line, key, kind, group in rows
    )
    if spec.has_projects:
        _unnamed_projects(built, spec, sheet, source, findings)
    else:
        _missing_rows(built, spec, sheet, source, findings)
    data = FormData(
        spec=spec,
        sheet=sheet,
        columns=located.columns,
        rows=built,
        unit=unit_name,
        unit_cell=unit_cell,
        percent_cells=percent_cells,
    )
    return data, findings, end


def _unit_line(
    grid: Grid, located: Located, source: str, sheet: str, findings: list[Finding]
) -> tuple[str | None, str | None]:
    """The unit's name on the form's "Đơn vị báo cáo: …" line, and its cell."""
    found = find_unit(grid, located.numbering_row)
    if found is None:
        found = find_legacy_unit(grid, located.numbering_row, source, sheet, findings)
    if found is None:
        return None, None
    name, row, column = found
    unit_cell = a1(row + 1, column + 1)
    return (converted(name, source, sheet, unit_cell, findings) if name else None), unit_cell


def _missing_rows(
    rows: tuple[Row, ...], spec: FormSpec, sheet: str, source: str, findings: list[Finding]
) -> None:
    """A finding for every row of an indicator form its table lacks."""
    seen = {row.key for row in rows}
    for row_spec in spec.rows:
        if row_spec.kind != "section" and row_spec.key not in seen:
            findings.append(
                make_finding("missing-row", file=source, form=spec, sheet=sheet, row=row_spec.key)
            )


def _typed_text(spec: FormSpec, key: str) -> bool:
    """Whether a column holds text a unit typed (a name, a note): read as such, converted when
    typed in an old font."""
    return spec.column_by_key[key].type in TEXT_TYPES and key not in _PRINTED


def _build(
    grid: Grid,
    sheet: str,
    located: Located,
    letters: tuple[tuple[str, int, str, bool], ...],
    line: int,
    key: str,
    kind: str,
    group: str | None,
    uncached: set[str],
    source: str,
    findings: list[Finding],
) -> Row:
    # Runs for every cell of every unit: positional tuples, letters worked out once per form.
    values: dict[str, Value] = {}
    cells = grid[line] if 0 <= line < len(grid) else ()
    width = len(cells)
    number = str(line + 1)
    for column_key, column, letter, is_text in letters:
        ref = letter + number
        raw = cells[column] if column < width else None
        if isinstance(raw, str) and raw:  # most cells are empty ("") or numbers
            raw = normalize_text(raw)
            if is_text and raw[:1] == "#" and excel_error(raw):
                # A name or note that is a broken formula: no text to carry to the province.
                findings.append(_error_in_text(located, sheet, ref, key, column_key, raw, source))
                raw = None
            elif is_text and raw:
                raw = converted(raw, source, sheet, ref, findings)
        # A formula without its value reads as empty: the sheet's XML says which ones.
        values[column_key] = _new_value((ref, raw, bool(uncached and not raw and ref in uncached)))
    stt = located.columns.get("stt", 0)
    label = text(cells[stt]) if stt < width else ""
    return Row(key=key, label=label, sheet_row=line + 1, kind=kind, values=values, group=group)


def _error_in_text(
    located: Located, sheet: str, ref: str, row: str, column: str, raw: str, source: str
) -> Finding:
    return make_finding(
        "excel-error-value",
        file=source,
        form=located.form,
        sheet=sheet,
        cell=ref,
        row=row,
        column=column,
        value=raw,
    )


def _unnamed_projects(
    rows: tuple[Row, ...], spec: FormSpec, sheet: str, source: str, findings: list[Finding]
) -> None:
    """A finding for every project row without a name."""
    for row in rows:
        if row.kind == "project" and not row.raw("name"):
            findings.append(
                make_finding(
                    "project-without-name",
                    file=source,
                    form=spec,
                    sheet=sheet,
                    cell=row.values["name"].cell if "name" in row.values else None,
                    row=row.key,
                )
            )
