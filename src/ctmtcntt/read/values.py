"""What each typed cell means: a number, a Có/Không, or something that cannot be read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from ..common.numbers import normalize_text, parse_number, parse_yesno_detailed
from ..compute.totals import Scalar, Table, clean
from ..forms.spec import ColumnSpec, FormSpec, Marks, RowSpec, computed_columns, per_form
from .submission import TEXT_TYPES, FormData, Row, Value

Key = tuple[str, str, str]  # form, row, column


@dataclass(frozen=True, kw_only=True)
class Reading:
    """A typed cell as understood: its type, its value, and whether the text could be read."""

    type: str
    value: Scalar
    ok: bool
    percent_sign: bool = False
    # A statistics mark typed instead of a number: "zero" (a dash, read as 0) or "blank" (dots).
    mark: str | None = None


def cell_type(form: FormSpec, row: RowSpec | None, column: ColumnSpec) -> str:
    """The type of a cell: an indicator form's (4) and (5) take their row's kind (a score has
    decimals), other columns their own."""
    if column.type != "number" or row is None:
        return column.type
    return _ROW_TYPES.get(row.kind, "number")


_ROW_TYPES = {"yesno": "yesno", "percent": "percent", "money": "money", "score": "decimal"}
#: Cell types read as numbers.
NUMBER_TYPES = frozenset({"number", "money", "percent", "rate", "decimal"})


def understand(value: Value, type_: str, marks: Marks | None = None) -> Reading:
    """Read a cell's raw content as its type wants it; ``marks`` are the form's statistics
    marks: a dash is 0 in a number cell (no answer in a yes/no one), dots are blank."""
    if type_ == "yesno":
        raw = value.raw
        # "..." is no answer, as a dash is.
        if _mark(raw, marks) == "blank":
            return Reading(type=type_, value=None, ok=True, mark="blank")
        yes = parse_yesno_detailed(raw)
        return Reading(type=type_, value=yes.value, ok=yes.ok)
    if type_ in NUMBER_TYPES:
        raw = value.raw
        mark = _mark(raw, marks)
        if mark is not None:
            return Reading(type=type_, value=0.0 if mark == "zero" else None, ok=True, mark=mark)
        number = parse_number(raw)
        return Reading(type=type_, value=number.value, ok=number.ok, percent_sign=number.percent)
    raw = value.raw
    return Reading(type=type_, value=None if raw in (None, "") else str(raw), ok=True)


def _mark(raw: object, marks: Marks | None) -> str | None:
    """ "zero" for a dash, "blank" for dots (the form's marks), None for anything else."""
    if marks is None or not isinstance(raw, str) or not raw or len(raw) > 5:
        return None  # most cells: a number, or text too long to be a mark
    text = normalize_text(raw)
    if text in marks.zero:
        return "zero"
    return "blank" if text in marks.blank else None


def cell_value(form: FormData, row: Row, column: str) -> tuple[Scalar, str | None]:
    """A cell of a form's row as understood (None when empty or unreadable), and its address
    (None when the row has no such column)."""
    value = row.values.get(column)
    if value is None or not value.present:
        return None, value.cell if value is not None else None
    spec = form.spec
    reading = understand(
        value, cell_type(spec, spec.by_key.get(row.key), spec.column_by_key[column]), spec.marks
    )
    return (reading.value if reading.ok else None), value.cell


def role(form: FormSpec, row: Row, column: ColumnSpec) -> str | None:
    """ "input" for a cell the unit types, "computed" for one we compute, None otherwise."""
    # Asked for every cell of every unit: answer from a table built once per form.
    table = _roles(form)
    return table.get(row.kind if form.has_projects else row.key, {}).get(column.key)


def row_roles(form: FormSpec, row: Row) -> dict[str, str]:
    """The columns of a row that have a role, with it: what ``role`` says, for a whole row."""
    return _active_roles(form).get(row.kind if form.has_projects else row.key, {})


@per_form
def _active_roles(form: FormSpec) -> dict[str, dict[str, str]]:
    return {
        key: {column: kind for column, kind in columns.items() if kind is not None}
        for key, columns in _roles(form).items()
    }


@per_form  # asked for every cell
def _roles(form: FormSpec) -> dict[str, dict[str, str | None]]:
    keys = ("project", "group", "total") if form.has_projects else tuple(form.by_key)
    table: dict[str, dict[str, str | None]] = {}
    for key in keys:
        row = Row(key=key, label="", sheet_row=0, kind=key, values={})
        table[key] = {c.key: _role(form, row, c) for c in form.columns}
    return table


def _role(form: FormSpec, row: Row, column: ColumnSpec) -> str | None:
    if form.has_projects:
        if column.type == "choice" and row.kind == "project":
            return "input"  # checked against the column's choices, never added up
        if column.type not in ("money", "percent"):
            return None
        if row.kind == "project":
            # A project's totals (6), (10), (14) are printed as sums of their sources: the
            # template computes them, and a unit's typed total is checked against its sources.
            return "computed" if column.computed or column.sum_of else "input"
        return "computed"
    spec = form.by_key.get(row.key)
    if spec is None or spec.kind in ("section", "heading"):
        return None
    if column.key in spec.inputs:
        return "input"
    if column.key in computed_columns(spec):
        return "computed"
    return None


def in_choices(column: ColumnSpec, raw: object) -> bool:
    """Whether a choice column's cell holds one of its texts (case and spacing aside)."""
    typed = normalize_text(str(raw)).strip().casefold()
    return any(typed == choice.casefold() for choice in column.choices)


def texts_of(form: FormSpec) -> frozenset[str]:
    """The text columns of a project list (name, investor, status…), its STT aside."""
    return frozenset(c.key for c in form.columns if c.type in TEXT_TYPES and c.key != "stt")


#: Where a form's inputs as understood are kept in ``form.memo`` (checking gathers them too).
INPUTS_MEMO = "inputs"


def inputs(form: FormData, drops: Iterable[Key] = ()) -> Table:
    """An indicator form's readable inputs as a table (row, column) -> value, leaving out ``drops``.

    Worked out once per form (where it was read) and kept in ``form.memo``.
    """
    table: Table = _memo(form, INPUTS_MEMO, _inputs)
    dropped = set(drops)
    if not dropped:
        return dict(table)
    code = form.spec.code
    return {key: value for key, value in table.items() if (code, *key) not in dropped}


def _inputs(form: FormData) -> Table:
    spec = form.spec
    table: Table = {}
    for row in form.rows:
        row_spec = spec.by_key.get(row.key)
        for key, value in row.values.items():
            if not value.present:
                continue
            column = spec.column_by_key[key]
            if role(spec, row, column) != "input":
                continue
            type_ = cell_type(spec, row_spec, column)
            reading = understand(value, type_, spec.marks)
            if type_ == "percent":
                reading = as_shown(form, value, reading)
            if reading.ok and reading.value is not None:
                table[row.key, key] = reading.value
    return table


def as_shown(form: FormData, value: Value, reading: Reading) -> Reading:
    """A percentage typed as the cell shows it: 0.1235 in a cell formatted "%" is 12.35 %."""
    if (
        reading.type == "percent"
        and value.cell in form.percent_cells
        and not reading.percent_sign
        and isinstance(reading.value, float)
    ):
        return replace(reading, value=clean(reading.value * 100))
    return reading


def projects(form: FormData, drops: Iterable[Key] = ()) -> list[tuple[str, Row, dict[str, Scalar]]]:
    """A project list's projects as (group, row, readable money inputs), leaving out ``drops``."""
    dropped = set(drops)
    code = form.spec.code
    return [
        (group, form.rows[position], _kept(values, code, key, dropped))
        for group, position, key, _, values, _ in _project_table(form)
    ]


def project_entries(
    form: FormData, drops: Iterable[Key] = ()
) -> list[tuple[str, dict[str, str], dict[str, Scalar]]]:
    """A project list's projects as (group, texts, readable money inputs), leaving out
    ``drops``: what adding up needs, without building the rows of a form received from a
    reading worker. The texts are the project's text columns as typed."""
    dropped = set(drops)
    code = form.spec.code
    return [
        (group, texts, _kept(values, code, key, dropped))
        for group, _, key, texts, values, _ in _project_table(form)
    ]


def project_places(form: FormData) -> list[tuple[str, str | None]]:
    """A project list's projects as (row key, the A1 cell of its name), in the order of
    ``project_entries``: where a finding about the whole project row is pinned."""
    return [(key, cell) for _, _, key, _, _, cell in _project_table(form)]


_ProjectTable = list[tuple[str, int, str, dict[str, str], dict[str, Scalar], str | None]]


def _kept(values: dict[str, Scalar], code: str, row: str, dropped: set[Key]) -> dict[str, Scalar]:
    if not dropped:
        return dict(values)
    return {key: value for key, value in values.items() if (code, row, key) not in dropped}


def _project_table(form: FormData) -> _ProjectTable:
    """(group, position in rows, row key, texts, readable money inputs, name cell) of every
    project,
    worked out once per form (where it was read) and kept in ``form.memo``."""
    table: _ProjectTable = _memo(form, "projects", _projects)
    return table


def work_out(form: FormData) -> None:
    """Work out what adding up reads from a form (its inputs, or its projects) and keep it in
    ``form.memo``: done where the form is read, so a reading worker does it in parallel."""
    if form.spec.has_projects:
        _project_table(form)
    else:
        _memo(form, INPUTS_MEMO, _inputs)
        notes(form)


def notes(form: FormData) -> dict[str, tuple[str, str]]:
    """An indicator form's notes (column "Ghi chú") by row: (text, cell). Kept in ``form.memo``."""
    found: dict[str, tuple[str, str]] = _memo(form, "notes", _notes)
    return found


def _notes(form: FormData) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    if "note" not in form.columns:
        return found
    for row in form.rows:
        value = row.values.get("note")
        if value is None or row.key not in form.spec.by_key:
            continue
        raw = value.raw
        if raw is None or raw == "" or value.uncached:
            continue
        text = str(raw).strip()
        if text:
            found.setdefault(row.key, (text, value.cell))
    return found


def _memo(form: FormData, name: str, compute: Callable[[FormData], Any]) -> Any:
    found = form.memo.get(name)
    if found is None:
        found = form.memo[name] = compute(form)
    return found


def _projects(form: FormData) -> _ProjectTable:
    spec = form.spec
    text_keys = texts_of(spec)
    result: _ProjectTable = []
    for position, row in enumerate(form.rows):
        if row.kind != "project":
            continue
        values: dict[str, Scalar] = {}
        for key, value in row.values.items():
            column = spec.column_by_key[key]
            wanted = role(spec, row, column) == "input" or bool(column.sum_of)
            if not wanted or value.uncached or column.type in TEXT_TYPES:
                continue
            reading = understand(value, column.type, spec.marks)
            if reading.ok and reading.value is not None:
                values[key] = reading.value
        texts = {
            key: str(value.raw)
            for key, value in row.values.items()
            # A formula never calculated has no text to show (its value is None, not "None").
            if key in text_keys and not (value.raw is None or value.raw == "")
        }
        name = row.values.get("name")
        result.append(
            (row.group or "", position, row.key, texts, values, name.cell if name else None)
        )
    return result
