"""Reading a unit's submission: every value keyed by row and column, with the cell it came from."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, partial
from typing import NamedTuple

from ..common.cells import a1, column_letter, parse_a1
from ..common.numbers import detect_legacy, excel_error, fold, normalize_text
from ..findings import Finding, make_finding
from ..forms.spec import Catalogue, FormSpec, load_catalogue
from .locate import Grid, Located, find_unit, headed_like, locate, named_form, recognised, text

_ROMAN = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"}
_LETTER = re.compile(r"^([a-zđ])[.)]?$")
# "3", "3." or a path three deep: "3.1" (its parts a, b are "3.1.a", "3.1.b").
_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)[.)]?$")
_END_MARKS = ("ghi chu", "nguoi lap bieu", "thu truong don vi")
_TEXT_TYPES = frozenset({"text", "choice"})
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
    forms: dict[str, FormData] = {}
    copies: dict[str, list[tuple[FormData, list[Finding]]]] = {}
    findings: list[Finding] = []
    units: list[tuple[str | None, str, str]] = []
    for sheet, grid in grids.items():
        if errors and sheet in errors:
            grid = _with_errors(grid, errors[sheet])
        located = locate(grid, specs)
        if located is None:
            named = named_form(sheet, specs) or headed_like(grid, specs)
            if named is not None:
                # A sheet called "Phụ lục 02", or headed as a form, whose table is not found
                # is never passed over.
                findings.append(
                    make_finding("form-not-found", file=source, sheet=sheet, detail=named.sheet)
                )
            continue
        if not recognised(grid, located) and _other_set(grid, catalogue) is not None:
            continue  # another report's form that shares our common headers: said below
        table: Located | None = located
        while table is not None:
            marks = (uncached or {}).get(sheet, set())
            styled = frozenset((percent or {}).get(sheet, ()))
            form, notes, end = _read_form(grid, sheet, table, source, marks, styled)
            copies.setdefault(form.spec.code, []).append((form, notes))
            table = _below(grid, end, specs)
    for code, read in copies.items():
        # A form on two sheets: the one holding more figures is read (a blank copy of the
        # template beside the filled one is no matter); another one with figures of its own
        # is an error, never silently passed over.
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
        forms[code] = form
        findings.extend(notes)
        if form.unit_cell is not None:
            units.append((form.unit, form.sheet, form.unit_cell))
    if not forms and grids:
        findings.append(_no_form(grids, source, catalogue))
    unit, unit_sheet, unit_cell = _unit(units, source, findings)
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


# Below a table, its notes and signatures take about this many rows: a sheet longer than that
# is looked at again, for a second table (a unit's filled copy under the template's).
_SIGNATURE_ROWS = 12


def _below(grid: Grid, end: int, forms: list[FormSpec]) -> Located | None:
    """Another table under the one ending at grid row ``end`` (a unit's filled copy under the
    template's), None when the rest of the sheet is only notes and signatures."""
    if len(grid) - end <= _SIGNATURE_ROWS:
        return None
    below = locate(grid[end:], forms)
    return None if below is None else replace(below, numbering_row=below.numbering_row + end)


def _with_errors(grid: Grid, errors: Mapping[str, str]) -> Grid:
    """The grid with each error value's text where the reader left the cell blank."""
    rows = [list(line) for line in grid]
    for ref, error in errors.items():
        row, column = parse_a1(ref)
        if row > len(rows) or row < 1:
            continue
        line = rows[row - 1]
        if column > len(line):
            line.extend([""] * (column - len(line)))
        if line[column - 1] in (None, ""):
            line[column - 1] = error
    return rows


def _figures(form: FormData) -> int:
    """How many numbers a form's table holds outside its text columns."""
    text = {c.key for c in form.spec.columns if c.type in _TEXT_TYPES}
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


def _other_set(grid: Grid, catalogue: Catalogue) -> Catalogue | None:
    """The shipped form set, other than the chosen one, whose form this sheet is (found with a
    text only that form prints)."""
    from ..forms.spec import form_sets

    chosen = catalogue.folder.resolve()
    for folder in form_sets().values():
        if folder.resolve() == chosen:
            continue
        other = load_catalogue(folder)
        found = locate(grid, list(other.forms.values()))
        if found is not None and recognised(grid, found):
            return other
    return None


def _no_form(grids: Mapping[str, Grid], source: str, catalogue: Catalogue) -> Finding:
    """A file holding no form of the chosen set: a form of another shipped set (named, with
    the option that chooses it), or none at all. Never a silent drop."""
    for sheet, grid in grids.items():
        other = _other_set(grid, catalogue)
        if other is not None:
            return make_finding(
                "form-of-another-set",
                file=source,
                sheet=sheet,
                value=other.name,
                other_value=catalogue.name,
                detail=", ".join(spec.sheet for spec in other.forms.values()),
            )
    sheets = ", ".join(spec.sheet for spec in catalogue.forms.values())
    return make_finding("no-form", file=source, value=catalogue.name, detail=sheets)


def _unit(
    units: list[tuple[str | None, str, str]], source: str, findings: list[Finding]
) -> tuple[str | None, str | None, str | None]:
    # The first form that names its unit speaks for the file; validation compares the others.
    named = [u for u in units if u[0]]
    if named:
        return named[0]
    return None, (units[0][1] if units else None), (units[0][2] if units else None)


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
    unit_name: str | None = None
    unit_cell: str | None = None
    found = find_unit(grid, located.numbering_row)
    if found is None:
        found = _find_legacy_unit(grid, located.numbering_row, source, sheet, findings)
    if found is not None:
        name, row, column = found
        unit_cell = a1(row + 1, column + 1)
        unit_name = _converted(name, source, sheet, unit_cell, findings) if name else None
    lines = _table_lines(grid, located)
    end = (lines[-1][0] if lines else located.numbering_row) + 1
    if spec.has_projects:
        filled = [c for k, c in located.columns.items() if k != "stt"]
        # A formula never calculated reads as empty: in a cell units type (not one of the
        # template's totals), it makes the row a project all the same, to be told about.
        typed = [
            _letter(located.columns[c.key])
            for c in spec.columns
            if c.key in located.columns and c.type == "money" and not (c.computed or c.sum_of)
        ]
        rows, outside = _assign_projects(
            lines,
            spec,
            lambda line: (
                _blank(grid, line, filled)
                and not (uncached and any(f"{t}{line + 1}" in uncached for t in typed))
            ),
        )
        name_column = located.columns.get("name", located.columns.get("stt", 0))
        findings.extend(
            make_finding(
                "project-outside-group",
                file=source,
                form=spec,
                sheet=sheet,
                cell=a1(line + 1, name_column + 1),
            )
            for line in outside
        )
    else:
        rows = _assign_fixed(lines, spec, sheet, source, findings)
        if not rows and any(stt or name for _, stt, name in lines):
            # A table whose every line is foreign: nothing of it would be read.
            findings.append(
                make_finding(
                    "rows-not-recognised",
                    file=source,
                    form=spec,
                    sheet=sheet,
                    cell=a1(located.numbering_row + 1, 1),
                    detail=spec.sheet,
                )
            )
    letters = tuple(
        (
            key,
            column,
            _letter(column),
            spec.column_by_key[key].type in _TEXT_TYPES and key not in _PRINTED,
        )
        for key, column in located.columns.items()
    )
    built = tuple(
        _build(grid, sheet, located, letters, line, key, kind, group, uncached, source, findings)
        for line, key, kind, group in rows
    )
    if spec.has_projects:
        _unnamed_projects(built, spec, sheet, source, findings)
    else:
        seen = {row.key for row in built}
        for row_spec in spec.rows:
            if row_spec.kind != "section" and row_spec.key not in seen:
                findings.append(
                    make_finding(
                        "missing-row", file=source, form=spec, sheet=sheet, row=row_spec.key
                    )
                )
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


def _typed_text(spec: FormSpec, key: str) -> bool:
    return spec.column_by_key[key].type in _TEXT_TYPES and key not in _PRINTED


def _table_lines(grid: Grid, located: Located) -> list[tuple[int, str, str]]:
    """(grid row, STT text, name text) of every table line, until the notes or signatures."""
    stt_col = located.columns.get("stt", 0)
    name_col = located.columns.get("name", stt_col + 1)
    lines = []
    for row in range(located.numbering_row + 1, len(grid)):
        cells = grid[row]
        width = len(cells)
        stt = text(cells[stt_col]) if stt_col < width else ""
        name = text(cells[name_col]) if name_col < width else ""
        if _ends_table(stt or name):
            break
        lines.append((row, stt, name))
    return lines


def _ends_table(lead: str) -> bool:
    """Whether a line is the notes or signatures under the table, also typed in an old font."""
    if not lead:
        return False
    if fold(lead).startswith(_END_MARKS):
        return True
    # The marks start with G, N or T, letters both old encodings keep as they are.
    legacy = detect_legacy(lead) if lead[:1] in "GgNnTt" and not lead.isascii() else None
    return legacy is not None and fold(legacy.text).startswith(_END_MARKS)


Assigned = tuple[int, str, str, str | None]  # grid row, key, kind, group


def _assign_fixed(
    lines: list[tuple[int, str, str]], spec: FormSpec, sheet: str, source: str, out: list[Finding]
) -> list[Assigned]:
    """Give each line its STT path ("2.a"), trusting the printed name over a retyped STT when
    the name is the form's only row of that name (parts a of 3.1, 3.2 and 3.3 share theirs)."""
    names = [fold(r.name) for r in spec.rows]
    by_name = {
        name: r.key for name, r in zip(names, spec.rows, strict=True) if names.count(name) == 1
    }
    result: list[Assigned] = []
    taken: set[str] = set()
    parent = ""
    for row, stt, name in lines:
        key = _stt_key(stt, parent)
        named = by_name.get(fold(name)) if name else None
        if named is not None and named != key:
            key = named
        if key is not None and _LETTER.match(key.rsplit(".", 1)[-1]) is None:
            parent = key  # a numbered row ("3", "3.1"): the letters below are its parts
        elif key is not None:
            parent = key.rsplit(".", 1)[0]
        if key is None or key not in spec.by_key or key in taken:
            if stt or name:
                out.append(
                    make_finding(
                        "unknown-row",
                        file=source,
                        form=spec,
                        sheet=sheet,
                        cell=a1(row + 1, 1),
                        value=stt or name,
                    )
                )
            continue
        taken.add(key)
        result.append((row, key, spec.by_key[key].kind, None))
    return result


def _stt_key(stt: str, parent: str) -> str | None:
    if stt.upper() in _ROMAN:
        return stt.upper()
    if match := _NUMBER.match(stt):
        return match.group(1)
    if (match := _LETTER.match(stt.lower())) and parent:
        return f"{parent}.{match.group(1)}"
    return None


def _assign_projects(
    lines: list[tuple[int, str, str]], spec: FormSpec, blank: Callable[[int], bool]
) -> tuple[list[Assigned], list[int]]:
    """A project list: the total row, the groups, and every project under the group above it,
    numbered within its group. The template's blank project rows (empty but for their STT and
    formulas never calculated: most rows of such a form) are left out. Also the grid rows of
    projects above every group row, which belong to none."""
    groups = {r.label: r.key for r in spec.rows if r.kind == "group"}
    names = {fold(r.name): r.key for r in spec.rows if r.kind in ("group", "total")}
    total_name = next(fold(r.name) for r in spec.rows if r.kind == "total")
    result: list[Assigned] = []
    group: str | None = None
    counters: dict[str, int] = {}
    outside: list[int] = []
    for row, stt, name in lines:
        folded = fold(name)
        key = names.get(folded) or groups.get(stt.upper())
        if key is None and folded.startswith(total_name.split()[0] + " " + total_name.split()[1]):
            key = next(r.key for r in spec.rows if r.kind == "total")
        if key is not None:
            kind = spec.by_key[key].kind
            group = key if kind == "group" else group
            result.append((row, key, kind, None))
            continue
        if blank(row):
            continue
        if group is None:
            outside.append(row)
            continue
        counters[group] = counters.get(group, 0) + 1
        result.append((row, f"{group}.{counters[group]}", "project", group))
    return result, outside


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
                raw = _converted(raw, source, sheet, ref, findings)
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


def _find_legacy_unit(
    grid: Grid, before_row: int, source: str, sheet: str, findings: list[Finding]
) -> tuple[str | None, int, int] | None:
    """The "Đơn vị báo cáo: …" line typed whole in TCVN3 or VNI ("§¬n vÞ b¸o c¸o: Së Tµi
    chÝnh"): found on the converted text, with a warning naming the cell the name came from."""
    converted: dict[tuple[int, int], str] = {}
    rows: list[list[object]] = []
    for row in range(min(before_row, len(grid))):
        line = list(grid[row])
        for column, value in enumerate(line):
            legacy = detect_legacy(value) if isinstance(value, str) else None
            if isinstance(value, str) and legacy is not None:
                converted[row, column] = value
                line[column] = legacy.text
        rows.append(line)
    if not converted:
        return None
    found = find_unit(rows, before_row)
    if found is not None and (found[1], found[2]) in converted:
        original = converted[found[1], found[2]]
        _converted(original, source, sheet, a1(found[1] + 1, found[2] + 1), findings)
    return found


@cache
def _letter(column: int) -> str:
    return column_letter(column + 1)


def _converted(value: str, source: str, sheet: str, ref: str, findings: list[Finding]) -> str:
    """Text typed in TCVN3 or VNI, turned into Unicode, with a warning naming the cell."""
    legacy = detect_legacy(value)
    if legacy is None:
        return value
    findings.append(
        make_finding(
            "legacy-encoding",
            file=source,
            sheet=sheet,
            cell=ref,
            value=value,
            detail=legacy.encoding,
            expected=legacy.text,
        )
    )
    return legacy.text


def _blank(grid: Grid, line: int, columns: list[int]) -> bool:
    """Whether a grid row is empty in these columns (whitespace counts as empty, as text is
    cleaned when read; a formula never calculated reads as empty)."""
    cells = grid[line] if 0 <= line < len(grid) else ()
    width = len(cells)
    for column in columns:
        raw = cells[column] if column < width else None
        if raw is None or raw == "":
            continue
        if not isinstance(raw, str) or normalize_text(raw):
            return False
    return True


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
