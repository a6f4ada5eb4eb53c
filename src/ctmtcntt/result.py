"""The result of a consolidation as staff and programs use it: DataFrames, JSON, a workbook."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .compute.totals import Scalar
from .consolidation.combine import Consolidated
from .consolidation.gathering import DEFAULT_NAME
from .errors import UnreadableError, UsageError
from .findings import count, json_value
from .forms.spec import DEFAULT_FORMS, Catalogue, FormSpec, RowSpec
from .read.values import texts_of

if TYPE_CHECKING:
    from .write.drafting import Draft


def _json(value: Scalar) -> Any:
    return json_value(value)


@dataclass
class ConsolidationResult:
    """A consolidation: per form of the set, the province's table; the per-unit breakdown,
    the findings.

    ``indicators(form)``, ``projects(form)``, ``breakdown_of(form)`` (each form of its kind;
    by default the set's first), ``pl01``, ``pl02`` and ``breakdown`` (the first indicator
    form and project list: Phụ lục 01 and 02 of the 2016–2020 set), ``findings`` and
    ``sources`` are pandas DataFrames;
    ``write(path)`` saves the province workbook (and sets ``output``, where it was saved),
    ``write_report(path)`` the Báo cáo drafted from it (Word); ``to_dict()`` is the JSON
    contract.
    """

    data: Consolidated
    name: str | None = None
    output: str | None = None
    # The folder consolidated, to name the place covered when the units do not.
    place: str | None = None

    @property
    def area(self) -> str | None:
        """The place the consolidation covers, as its units name it, else its folder's name."""
        return self.data.area or self.place

    @property
    def province(self) -> str:
        """The name written on "Đơn vị báo cáo:" of the province workbook."""
        return self.name or self.data.province or DEFAULT_NAME

    @property
    def nothing_read(self) -> bool:
        """No file gave a form to add up (every one refused, or holding no form): a report
        of zeros would look like a province with nothing to report."""
        return not any(f.forms for f in self.data.files)

    def nothing_read_message(self) -> str:
        """What staff read when nothing could be read, in Vietnamese."""
        count = len(self.data.files)
        sheets = ", ".join(spec.sheet for spec in self.forms.forms.values())
        return (
            f"Không đọc được tệp báo cáo nào ({count} tệp: không mở được hoặc không có"
            f" {sheets}), nên chưa ghi báo cáo tổng hợp. Hãy xem lý do của từng tệp ở trên,"
            " xin các đơn vị gửi lại tệp Excel đúng biểu mẫu rồi tổng hợp lại."
        )

    @property
    def exit_code(self) -> int:
        """0 no errors; 1 some error; 3 some file could not be read at all, or none could."""
        if self.data.units["rejected"] or self.nothing_read:
            return 3
        return 1 if count(self.data.findings)["error"] else 0

    @property
    def has_errors(self) -> bool:
        """Whether any file has an error (``--strict`` then writes nothing)."""
        return bool(count(self.data.findings)["error"]) or bool(self.data.units["rejected"])

    @property
    def forms(self) -> Catalogue:
        """The form set consolidated."""
        return self.data.catalogue

    def _indicator_spec(self, form: str | None) -> FormSpec:
        if form is not None:
            return self.forms.forms[form]
        return self.forms.of_kind("indicators")[0]

    def _list_spec(self, form: str | None) -> FormSpec:
        if form is not None:
            return self.forms.forms[form]
        return self.forms.of_kind("projects")[0]

    def plan(self, row: str, form: str | None = None) -> Scalar:
        """Column (4) of an indicator form (default: the set's first) as the province shows
        it: the printed target or the summed plan."""
        spec = self._indicator_spec(form)
        row_spec = spec.by_key[row]
        if row_spec.target is not None and row_spec.target.op != "plan":
            return row_spec.target.value
        return self.data.indicators[spec.code].table.get((row, "plan"))

    def indicators(self, form: str | None = None) -> pd.DataFrame:
        """An indicator form of the province (default: the set's first), indexed by STT path."""
        spec = self._indicator_spec(form)
        table = self.data.indicators[spec.code].table
        rows = [
            {
                "stt": row.key,
                "name": row.name,
                "unit": row.unit,
                "target": row.target.text if row.target else None,
                "plan": self.plan(row.key, spec.code),
                "actual": table.get((row.key, "actual")),
                "ratio": table.get((row.key, "ratio")),
                "assessment": table.get((row.key, "assessment")),
            }
            for row in spec.rows
            if row.kind != "section"
        ]
        return pd.DataFrame(rows).set_index("stt")

    def projects(self, form: str | None = None) -> pd.DataFrame:
        """A project list of the province (default: the set's first): the total row, each
        group, then every unit's projects."""
        spec = self._list_spec(form)
        added = self.data.lists[spec.code]
        rows: list[dict[str, Any]] = []
        for row in spec.rows:
            rows.append(
                {
                    "row": row.key,
                    "group": row.key,
                    "unit": None,
                    "name": row.name,
                    **added.fixed[row.key],
                }
            )
        counters: dict[str, int] = {}
        for project in added.projects:
            number = counters[project.group] = counters.get(project.group, 0) + 1
            rows.append(
                {
                    "row": f"{project.group}.{number}",
                    "group": project.group,
                    "unit": project.unit,
                    **project.texts,
                    **project.values,
                }
            )
        return pd.DataFrame(rows).set_index("row")

    def breakdown_of(self, form: str | None = None) -> pd.DataFrame:
        """An indicator form's inputs per unit (default: the set's first): one row per (STT
        path, column), one column per unit."""
        spec = self._indicator_spec(form)
        names = self.data.unit_names
        keys = [(row.key, column) for row in spec.rows for column in row.inputs]
        frame = pd.DataFrame(
            {
                names.get(unit, unit): [table.get(k) for k in keys]
                for unit, table in self.data.indicators[spec.code].per_unit.items()
            },
            index=pd.MultiIndex.from_tuples(keys, names=["stt", "column"]),
        )
        return frame

    @cached_property
    def pl01(self) -> pd.DataFrame:
        """The set's first indicator form (Phụ lục 01 of the 2016–2020 set), by STT path."""
        return self.indicators()

    @cached_property
    def pl02(self) -> pd.DataFrame:
        """The set's first project list (Phụ lục 02 of the 2016–2020 set)."""
        return self.projects()

    @cached_property
    def breakdown(self) -> pd.DataFrame:
        """The first indicator form's inputs per unit."""
        return self.breakdown_of()

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Every finding, one row each, in the JSON contract's columns."""
        columns = ["code", "severity", "file", "sheet", "cell", "row", "message", "value"]
        return pd.DataFrame([f.to_dict() for f in self.data.findings], columns=columns)

    @cached_property
    def sources(self) -> pd.DataFrame:
        """Every file of the folder: path, unit code and name, SHA-256, status."""
        return pd.DataFrame(
            [vars(s) for s in self.data.sources],
            columns=["path", "unit_code", "unit_name", "sha256", "status"],
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of the contract (numbers as numbers, Có/Không as booleans): one
        key per form of the set, named by the form (``docs/json.md``)."""
        units: dict[str, Any] = {"expected": self.data.expected}
        for key in ("received", "missing", "unknown", "duplicate", "rejected"):
            units[key] = [a.to_dict() for a in self.data.units[key]]
        document: dict[str, Any] = {"output": self.output, "units": units}
        for spec in self.forms.forms.values():
            if spec.has_projects:
                document[spec.code] = self._list_json(spec)
            else:
                document[spec.code] = self._indicator_json(spec)
        document["findings"] = [f.to_dict() for f in self.data.findings]
        # Column "Ghi chú" of the set's first indicator form: the province's own notes by row
        # (from TINH), and every unit's note with where it was written.
        document["notes"] = {
            "province": dict(self.data.province_notes),
            "units": [n.to_dict() for n in self.data.notes],
        }
        # One level up: a yes/no (*) row as a count of the provinces saying Có, by row.
        document["counts"] = dict(self.data.counted)
        return document

    def _indicator_json(self, spec: FormSpec) -> dict[str, Any]:
        table = self.data.indicators[spec.code].table

        def field(row: RowSpec, name: str) -> Any:
            if name == "plan":
                return _json(self.plan(row.key, spec.code))
            if name == "operator":
                op = row.target.op if row.target else None
                return {"=": "Có", "plan": "≥"}.get(op, op) if op else None
            return _json(table.get((row.key, name)))

        return {
            row.key: {name: field(row, name) for name in spec.row_fields}
            for row in spec.rows
            if row.kind != "section"
        }

    def _list_json(self, spec: FormSpec) -> dict[str, Any]:
        added = self.data.lists[spec.code]
        groups = {
            row.key: {k: _json(v) for k, v in added.fixed[row.key].items()}
            for row in spec.rows
            if row.kind == "group"
        }
        total_key = next(r.key for r in spec.rows if r.kind == "total")
        texts = sorted(texts_of(spec), key=lambda k: spec.column_by_key[k].number)
        numbers = [c.key for c in spec.columns if c.type in ("money", "percent")]
        # Every project carries every column of the form, null where the unit left it empty.
        projects = [
            {
                "unit": p.unit,
                "code": p.code,
                "group": p.group,
                **{k: p.texts.get(k) for k in texts},
                **{k: _json(p.values.get(k)) for k in numbers},
                **({spec.units_key: list(p.units)} if spec.units_key else {}),
            }
            for p in added.projects
        ]
        return {
            "total": {k: _json(v) for k, v in added.fixed[total_key].items()},
            "groups": groups,
            spec.items: projects,
        }

    def write(self, path: str | Path) -> Path:
        """Save the province workbook (atomically); returns its path (``.xlsx`` added to a name
        without extension; a write failure is an ``OutputError`` naming the file)."""
        from .write.province_book import write_province_book

        if self.nothing_read:
            raise UnreadableError(self.nothing_read_message())
        target = write_province_book(self, Path(path))
        self.output = str(target)
        return target

    def write_report(self, path: str | Path, template: str | Path | None = None) -> Draft:
        """Save the Báo cáo drafted from these figures (a Word document, atomically), from the
        template shipped in ``workbooks/`` or the province's own copy ``template``.

        Returns the draft: its path, the statements generated from the figures and the
        highlighted parts left for staff to write.
        """
        from .write.drafting import write_draft

        if template is None and self.forms.name != DEFAULT_FORMS:
            # The shipped template's sentences and appendices are the 2016–2020 programme's.
            raise UsageError(
                f"Mẫu Báo cáo có sẵn là của bộ biểu mẫu {DEFAULT_FORMS}; với bộ {self.forms.name}"
                " hãy soạn mẫu Word của báo cáo này rồi chọn bằng --template (trong Excel: ô"
                " MauBaoCao)."
            )
        return write_draft(self, path, template)
