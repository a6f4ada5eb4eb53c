"""The forms as data: loads ``schemas/`` into frozen specs.

Nothing about a form's rows or columns lives in Python. A new period's forms are new files in
``schemas/``; the code only knows the *kinds* of rows and what each kind means.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property, wraps
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml

from ..errors import SpecError

RowKind = Literal[
    "section", "heading", "yesno", "percent", "count", "score", "money", "total", "group", "project"
]
Who = Literal["all", "district", "province", "department"]
#: What a form is: a table of indicators (fixed rows with STT paths and targets), or a list of
#: projects or tasks that units add under fixed group rows. Code knows kinds, never form names.
FormKind = Literal["indicators", "projects"]
#: The form set used when none is chosen.
DEFAULT_FORMS = "ctmt-2016-2020"
Aggregate = Literal["sum", "ratio", "province", "none"]

# The roster's columns a row's ``unit_target`` may name (numbers of a unit).
_ROSTER_COLUMNS = frozenset({"communes"})
_TARGET = re.compile(r"^\s*(>=|≥|>|<=|≤|<|=)?\s*([0-9]+(?:[.,][0-9]+)?)\s*$")


@dataclass(frozen=True, kw_only=True)
class Target:
    """A row's target as the Ministry prints it in column (4)."""

    text: str
    op: Literal[">", "≥", "≤", "=", "plan"]
    value: float | bool | None

    def met(self, actual: float | bool | None, plan: float | None = None) -> bool | None:
        """Whether ``actual`` meets the target; None when there is nothing to judge."""
        if actual is None:
            return None
        if self.op == "=":
            return actual is self.value
        if isinstance(actual, bool):
            return None
        bound = plan if self.op == "plan" else self.value
        if bound is None or isinstance(bound, bool):
            return None
        # "> 50" is strict and "≥ 30" is not: the operator printed on the form decides. "≤ 5"
        # is a target where lower is better (overdue files).
        if self.op == "≤":
            return actual <= bound
        return actual > bound if self.op == ">" else actual >= bound


@dataclass(frozen=True, kw_only=True)
class LayoutCell:
    """One text of the printed form, positioned by column, with its merge."""

    column: int
    text: str
    bold: bool = False
    merge: int | None = None
    down: bool = False
    role: str | None = None


@dataclass(frozen=True, kw_only=True)
class Layout:
    """Where the printed texts of the form sit around its table."""

    last_column: int
    widths: Mapping[int, float]
    title: tuple[tuple[LayoutCell, ...], ...]
    header: tuple[tuple[LayoutCell, ...], ...]
    notes: tuple[tuple[LayoutCell, ...], ...]


@dataclass(frozen=True, kw_only=True)
class ColumnSpec:
    """A column of the table, identified in workbooks by its number in the numbering row."""

    number: int
    key: str
    header: str
    numbering: str
    type: str
    computed: bool = False
    sum_of: tuple[str, ...] = ()
    ratio_of: tuple[str, ...] = ()
    # A choice column: the only texts a unit may type (any other is an error).
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RowSpec:
    """A fixed row of the form, keyed by its STT path ("2.a", "14", "TOTAL")."""

    key: str
    label: str
    name: str
    kind: RowKind
    unit: str = ""
    who: Who = "all"
    aggregate: Aggregate = "none"
    target: Target | None = None
    inputs: tuple[str, ...] = ()
    ratio_of: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    within: str | None = None
    # The unit's own target in column (4): a number (row 9: 1) or a roster column (row 10:
    # "communes"); the unit's actual may not exceed it.
    unit_target: float | str | None = None

    @property
    def province_only(self) -> bool:
        """Marked (*): filled only by the province-wide unit."""
        return self.who == "province"


@dataclass(frozen=True, kw_only=True)
class Limit:
    """A money column that may not exceed another on the same row."""

    column: str
    not_above: str
    relation: str


@dataclass(frozen=True, kw_only=True)
class Marks:
    """Statistics-table marks typed in a number cell instead of a number."""

    zero: frozenset[str] = frozenset()  # "no occurrence": read as 0, with a warning
    blank: frozenset[str] = frozenset()  # "no figure available": left blank


@dataclass(frozen=True, kw_only=True)
class FormSpec:
    """One appendix form: its layout, columns, rows and checks."""

    code: str
    kind: FormKind
    period: str
    sheet: str
    recognise: tuple[str, ...]
    #: Other names a sheet holding this form is given ("PL01"), besides ``sheet``.
    aliases: tuple[str, ...] = ()
    layout: Layout
    columns: tuple[ColumnSpec, ...]
    rows: tuple[RowSpec, ...]
    checks: tuple[str, ...]
    limits: tuple[Limit, ...] = ()
    #: The largest magnitude a typed number of each cell type ("number", "money", …) can
    #: plausibly have; past it, the value is a mistake.
    plausible: Mapping[str, float] = field(default_factory=dict)
    template_projects: int = 0
    marks: Marks = Marks()
    # Who may report a row (a row's ``who``), as the roster levels of the units allowed.
    reporters: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # A yes/no row's rate (6): 100 or 0 (the 2016–2020 forms), or left empty.
    yesno_rate: bool = True
    # A percent row's rate (6) from its exact (5), not from (5) as shown with two decimals:
    # with a small target ("≤ 5") the rounding of (5) would move (6) by up to 0.1.
    exact_rates: bool = False
    # Indicator forms: the JSON fields of each row ("operator": the target's operator, "Có" for
    # a yes/no target).
    row_fields: tuple[str, ...] = ("plan", "actual", "ratio", "assessment")
    # Project lists: the JSON key, on each project, of the units that listed it (a task two units
    # report is added once); None: not given.
    units_key: str | None = None
    # Project lists: the JSON key of the list of projects ("projects", "tasks").
    items: str = "projects"
    # Project lists: the text column that says whose a project is (its investor, its lead
    # unit); the province workbook shows the unit that listed it where it is blank.
    owner: str | None = None
    # The folder of the form set this form belongs to (how worker processes find it again).
    origin: str = field(default="", compare=False)
    by_key: Mapping[str, RowSpec] = field(default_factory=dict, compare=False, repr=False)
    column_by_key: Mapping[str, ColumnSpec] = field(default_factory=dict, compare=False, repr=False)

    @property
    def has_projects(self) -> bool:
        """Whether units add their own rows (projects) under the group rows: a project list."""
        return self.kind == "projects"

    def row(self, key: str) -> RowSpec:
        """The row with this STT path."""
        return self.by_key[key]

    def column(self, key: str) -> ColumnSpec:
        """The column with this key."""
        return self.column_by_key[key]

    def may_report(self, row: RowSpec, level: str | None) -> bool:
        """Whether a unit of this roster level may report this row; a consolidated report
        (``level`` None) speaks for every level below it and may report every row."""
        # "all" is every unit, whatever its level (a commune when a district consolidates its
        # communes): checking lets such values in, so adding up must too, or they would be
        # left out without a finding.
        allowed = self.reporters.get(row.who)
        return level is None or row.who == "all" or allowed is None or level in allowed

    @cached_property
    def pairs(self) -> Mapping[tuple[str, str], tuple[tuple[str, str], ...]]:
        """(row, column) -> the values that count together with it or not at all: a percent
        row's .a and .b, and a unit's own target (4) with its actual (5)."""
        found: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
        for row in self.rows:
            group: tuple[tuple[str, str], ...] = ()
            if row.ratio_of:
                group = tuple((key, "actual") for key in row.ratio_of)
            elif row.unit_target is not None:
                group = ((row.key, "plan"), (row.key, "actual"))
            for member in group:
                found[member] = group
        return found


_T = TypeVar("_T")


def per_form(compute: Callable[[FormSpec], _T]) -> Callable[[FormSpec], _T]:
    """``compute`` worked out once per form spec, for as long as the spec lives.

    For tables derived from a form that are asked for at every cell read. A spec is frozen, so
    what is derived from it never changes; it holds mappings, so it cannot be hashed: answers
    are kept by the spec's identity and dropped when the spec is.
    """
    found: dict[int, _T] = {}

    @wraps(compute)
    def cached(form: FormSpec) -> _T:
        key = id(form)
        try:
            return found[key]
        except KeyError:
            value = found[key] = compute(form)
            weakref.finalize(form, found.pop, key, None)
            return value

    return cached


@dataclass(frozen=True, kw_only=True)
class FindingSpec:
    """A finding code's severity and message template."""

    code: str
    severity: Literal["error", "warning"]
    title: str
    message: str


@dataclass(frozen=True, kw_only=True)
class Catalogue:
    """A form set: every form of one report, what the report is, and the findings."""

    forms: Mapping[str, FormSpec]
    findings: Mapping[str, FindingSpec]
    folder: Path
    name: str = DEFAULT_FORMS
    programme: str = ""
    period: str = ""
    title: tuple[str, ...] = ()
    # The roster levels of the units expected to report.
    levels: tuple[str, ...] = ()

    def of_kind(self, kind: FormKind) -> tuple[FormSpec, ...]:
        """The forms of one kind, in the set's order."""
        return tuple(form for form in self.forms.values() if form.kind == kind)


def computed_columns(row: RowSpec) -> tuple[str, ...]:
    """The columns of an indicator row that are computed, never typed."""
    if row.kind == "percent" and row.ratio_of:
        return ("actual", "ratio", "assessment")
    if row.kind == "percent":
        # A percentage typed directly (no parts a, b): its rate and assessment follow.
        return ("ratio", "assessment")
    if row.kind == "yesno" or (row.target is not None and row.target.op == "plan"):
        return ("ratio", "assessment")
    if row.parts:
        return ("actual",)
    return ()


def schemas_folder() -> Path:
    """The ``schemas/`` folder: inside the installed package, or at the top of a source tree."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "schemas", here.parents[2] / "schemas"):
        if (candidate / "findings.yaml").is_file():
            return candidate
    raise SpecError(f"Không tìm thấy thư mục schemas/ (đã tìm trong {here})")


def resource_folder(name: str) -> Path:
    """A data folder shipped with the package (``workbooks``), installed or in a source tree."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / name, here.parents[2] / name):
        if candidate.is_dir():
            return candidate
    raise SpecError(f"Không tìm thấy thư mục {name}/ (đã tìm trong {here})")


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path) -> Any:
    try:
        # libyaml's parser when installed (10x faster), with the safe loader's meaning.
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(f"Không đọc được {path}: {exc}") from exc


def parse_target(text: str | None) -> Target | None:
    """Read a target as printed: "> 50", "≥ 30", "Có", or "plan" (column (4) of each unit)."""
    if text is None:
        return None
    if text == "plan":
        return Target(text="", op="plan", value=None)
    if text.strip().casefold() in {"có", "co"}:
        return Target(text=text, op="=", value=True)
    match = _TARGET.match(text)
    if not match:
        raise SpecError(f"Không hiểu chỉ tiêu {text!r}")
    op = {">": ">", ">=": "≥", "≥": "≥", None: "≥", "<=": "≤", "≤": "≤"}.get(match.group(1))
    if op is None:
        raise SpecError(f"Chỉ tiêu {text!r}: chỉ hỗ trợ >, ≥, ≤")
    return Target(text=text, op=op, value=float(match.group(2).replace(",", ".")))  # type: ignore[arg-type]


def _layout_rows(rows: list[list[dict[str, Any]]]) -> tuple[tuple[LayoutCell, ...], ...]:
    return tuple(tuple(LayoutCell(**cell) for cell in row or ()) for row in rows)


def _form(doc: dict[str, Any], path: Path) -> FormSpec:
    try:
        layout = doc["layout"]
        columns = _columns(doc["columns"])
        rows = _rows(doc["rows"])
        kind = _kind(doc, rows)
        spec = FormSpec(
            code=str(doc["form"]),
            kind=kind,
            period=str(doc["period"]),
            sheet=doc["sheet"],
            recognise=tuple(doc["recognise"]),
            aliases=tuple(doc.get("aliases", ())),
            layout=_layout(layout),
            columns=columns,
            rows=rows,
            checks=tuple(doc["checks"]),
            limits=tuple(Limit(**lim) for lim in doc.get("limits", ())),
            plausible={str(k): float(v) for k, v in (doc.get("plausible") or {}).items()},
            template_projects=int(doc.get("template_projects", 0)),
            marks=Marks(
                zero=frozenset(doc.get("marks", {}).get("zero", ())),
                blank=frozenset(doc.get("marks", {}).get("blank", ())),
            ),
            reporters={who: frozenset(levels) for who, levels in doc.get("reporters", {}).items()},
            yesno_rate=bool(doc.get("yesno_rate", True)),
            exact_rates=bool(doc.get("exact_rates", False)),
            units_key=doc.get("units_key"),
            row_fields=tuple(doc.get("row_fields", ("plan", "actual", "ratio", "assessment"))),
            items=str(doc.get("items", "projects")),
            owner=doc.get("owner"),
            origin=str(path.parent),
            by_key={r.key: r for r in rows},
            column_by_key={c.key: c for c in columns},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SpecError(f"{path.name}: mô tả biểu mẫu không hợp lệ ({exc!r})") from exc
    _check_references(spec, path)
    return spec


def _columns(items: list[dict[str, Any]]) -> tuple[ColumnSpec, ...]:
    return tuple(
        ColumnSpec(
            **{k: v for k, v in c.items() if k not in {"sum_of", "ratio_of", "choices"}},
            sum_of=tuple(c.get("sum_of", ())),
            ratio_of=tuple(c.get("ratio_of", ())),
            choices=tuple(str(choice) for choice in c.get("choices", ())),
        )
        for c in items
    )


def _rows(items: list[dict[str, Any]]) -> tuple[RowSpec, ...]:
    return tuple(
        RowSpec(
            **{k: v for k, v in r.items() if k not in {"target", "inputs", "ratio_of", "parts"}},
            target=parse_target(r.get("target")),
            inputs=tuple(r.get("inputs", ())),
            ratio_of=tuple(r.get("ratio_of", ())),
            parts=tuple(r.get("parts", ())),
        )
        for r in items
    )


def _kind(doc: dict[str, Any], rows: tuple[RowSpec, ...]) -> Any:
    """The form's kind as written, else a project list when it has group rows."""
    kind = doc.get("kind") or ("projects" if any(r.kind == "group" for r in rows) else "indicators")
    if kind not in ("indicators", "projects"):
        raise ValueError(f"kind: {kind} (indicators | projects)")
    return kind


def _layout(layout: dict[str, Any]) -> Layout:
    return Layout(
        last_column=layout["last_column"],
        widths={int(k): float(v) for k, v in layout["widths"].items()},
        title=_layout_rows(layout["title"]),
        header=_layout_rows(layout["header"]),
        notes=_layout_rows(layout["notes"]),
    )


def _check_references(spec: FormSpec, path: Path) -> None:
    keys = set(spec.by_key)
    columns = set(spec.column_by_key)
    for row in spec.rows:
        for ref in (*row.ratio_of, *row.parts, *([row.within] if row.within else [])):
            if ref not in keys:
                raise SpecError(f"{path.name}: dòng {row.key} nhắc tới dòng {ref} không có")
        for col in row.inputs:
            if col not in columns:
                raise SpecError(f"{path.name}: dòng {row.key} nhắc tới cột {col} không có")
        if spec.reporters and row.kind != "section" and row.who not in spec.reporters:
            raise SpecError(f"{path.name}: dòng {row.key} ghi who: {row.who}, không có ở reporters")
        if isinstance(row.unit_target, str) and row.unit_target not in _ROSTER_COLUMNS:
            raise SpecError(
                f"{path.name}: dòng {row.key} lấy chỉ tiêu từ cột {row.unit_target!r} của danh"
                f" sách đơn vị, không có cột này ({', '.join(sorted(_ROSTER_COLUMNS))})"
            )
    for column in spec.columns:
        for ref in (*column.sum_of, *column.ratio_of):
            if ref not in columns:
                raise SpecError(f"{path.name}: cột {column.key} nhắc tới cột {ref} không có")


SET_FILE = "set.yaml"
_NOT_FORMS = frozenset({SET_FILE, "findings.yaml"})


@cache
def form_sets() -> dict[str, Path]:
    """The form sets shipped in ``schemas/``: name -> folder."""
    found = {}
    for folder in sorted(schemas_folder().iterdir()):
        if (folder / SET_FILE).is_file():
            found[str(_load_yaml(folder / SET_FILE).get("name", folder.name))] = folder
    return found


def forms_folder(forms: str | Path | None = None) -> Path:
    """The folder of a form set named by its name (``cds-2024``) or its folder; the default
    set when None."""
    if forms is None:
        forms = DEFAULT_FORMS
    shipped = form_sets()
    if isinstance(forms, str) and forms in shipped:
        return shipped[forms]
    folder = Path(forms)
    if folder.is_dir() and (folder / SET_FILE).is_file():
        return folder.resolve()
    if folder.is_dir() and folder.resolve() == schemas_folder().resolve():
        return shipped[DEFAULT_FORMS]
    names = ", ".join(shipped)
    raise SpecError(
        f"Không có bộ biểu mẫu {str(forms)!r}: hãy ghi tên một bộ có sẵn ({names}) hoặc một thư"
        f" mục có tệp {SET_FILE} và các biểu mẫu .yaml"
    )


def as_catalogue(forms: Catalogue | str | Path | None) -> Catalogue:
    """A form set as callers name it: the set itself, its name, its folder, or None (the
    default set)."""
    return forms if isinstance(forms, Catalogue) else load_catalogue(forms)


@cache
def load_findings() -> Mapping[str, FindingSpec]:
    """The catalogue of finding codes (``schemas/findings.yaml``), shared by every form set."""
    return {
        code: FindingSpec(code=code, **entry)
        for code, entry in _load_yaml(schemas_folder() / "findings.yaml").items()
    }


@cache
def load_catalogue(folder: str | Path | None = None) -> Catalogue:
    """Load a form set: every form (each ``.yaml`` but ``set.yaml``) of its folder, its
    metadata, and the findings catalogue. ``folder`` is a set's name or folder (default set
    when None)."""
    return _load_set(forms_folder(folder))


@cache
def _load_set(folder: Path) -> Catalogue:
    meta = _load_yaml(folder / SET_FILE) or {}
    forms = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name in _NOT_FORMS or path.name.endswith(".pandera.yaml"):
            continue
        spec = _form(_load_yaml(path), path)
        forms[spec.code] = spec
    if not forms:
        raise SpecError(f"Không có biểu mẫu nào trong {folder}")
    order = [str(code) for code in meta.get("forms", ())]
    if order:
        forms = {code: forms[code] for code in order if code in forms} | forms
    return Catalogue(
        forms=forms,
        findings=load_findings(),
        folder=folder,
        name=str(meta.get("name", folder.name)),
        programme=str(meta.get("programme", "")),
        period=str(meta.get("period", "")),
        title=tuple(str(t) for t in meta.get("title", ())),
        levels=tuple(str(level) for level in meta.get("levels", ())),
    )


@cache
def load_schema(name: str, folder: Path | None = None) -> Any:
    """Load a pandera schema from its YAML file in ``schemas/`` (checks registered first)."""
    from pandera.pandas import DataFrameSchema

    from . import pandera_checks as checks  # noqa: F401  (registers the named checks before the YAML is read)

    path = (folder or schemas_folder()) / name
    if not path.is_file():
        # A form set may keep its own checks; the shared ones sit in ``schemas/``.
        path = schemas_folder() / name
    try:
        return DataFrameSchema.from_yaml(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SpecError(f"{name}: lược đồ pandera không hợp lệ ({exc})") from exc
