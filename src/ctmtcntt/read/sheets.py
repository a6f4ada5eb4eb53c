"""What a workbook's sheets hold around the forms' tables: error values, tables, other sets.

Excel error values put back where the reader left blanks, a second table under the first (a
unit's filled copy under the template's), and a sheet of another shipped form set, said rather
than passed over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..common.cells import parse_a1
from ..findings import Finding, make_finding
from ..forms.spec import Catalogue, FormSpec, load_catalogue
from .locate import Grid, Located, locate, recognised

# Below a table, its notes and signatures take about this many rows: a sheet longer than that
# is looked at again, for a second table (a unit's filled copy under the template's).
_SIGNATURE_ROWS = 12


def table_below(grid: Grid, end: int, forms: list[FormSpec]) -> Located | None:
    """Another table under the one ending at grid row ``end`` (a unit's filled copy under the
    template's), None when the rest of the sheet is only notes and signatures."""
    if len(grid) - end <= _SIGNATURE_ROWS:
        return None
    below = locate(grid[end:], forms)
    return None if below is None else replace(below, numbering_row=below.numbering_row + end)


def with_errors(grid: Grid, errors: Mapping[str, str]) -> Grid:
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


def other_set(grid: Grid, catalogue: Catalogue) -> Catalogue | None:
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


def no_form(grids: Mapping[str, Grid], source: str, catalogue: Catalogue) -> Finding:
    """A file holding no form of the chosen set: a form of another shipped set (named, with
    the option that chooses it), or none at all. Never a silent drop."""
    for sheet, grid in grids.items():
        other = other_set(grid, catalogue)
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
