"""The result of a consolidation as staff and programs use it: DataFrames, JSON, a workbook."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .computation import Scalar
from .consolidation import DEFAULT_NAME, Consolidated
from .errors import UnreadableError
from .report import count, json_value
from .spec import load_catalogue

if TYPE_CHECKING:
    from .drafting import Draft

PL01_COLUMNS = ("plan", "actual", "ratio", "assessment")


def _json(value: Scalar) -> Any:
    return json_value(value)


@dataclass(frozen=True)
class ConsolidationResult:
    """A consolidation: the province's PL01 and PL02, the per-unit breakdown, the findings.

    ``pl01``, ``pl02``, ``breakdown``, ``findings`` and ``sources`` are pandas DataFrames;
    ``write(path)`` saves the province workbook, ``write_report(path)`` the Báo cáo drafted
    from it (Word); ``to_dict()`` is the JSON contract.
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
        return (
            f"Không đọc được tệp báo cáo nào ({count} tệp: không mở được hoặc không có Phụ lục"
            " 01, 02 của Bộ), nên chưa ghi báo cáo tổng hợp. Hãy xem lý do của từng tệp ở trên,"
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

    def plan(self, row: str) -> Scalar:
        """Column (4) of PL01 as the province shows it: the printed target or the summed plan."""
        spec = load_catalogue().forms["PL01"].by_key[row]
        if spec.target is not None and spec.target.op != "plan":
            return spec.target.value
        return self.data.pl01.get((row, "plan"))

    @cached_property
    def pl01(self) -> pd.DataFrame:
        """PL01 of the province, indexed by STT path."""
        spec = load_catalogue().forms["PL01"]
        rows = [
            {
                "stt": row.key,
                "name": row.name,
                "unit": row.unit,
                "target": row.target.text if row.target else None,
                "plan": self.plan(row.key),
                "actual": self.data.pl01.get((row.key, "actual")),
                "ratio": self.data.pl01.get((row.key, "ratio")),
                "assessment": self.data.pl01.get((row.key, "assessment")),
            }
            for row in spec.rows
            if row.kind != "section"
        ]
        return pd.DataFrame(rows).set_index("stt")

    @cached_property
    def pl02(self) -> pd.DataFrame:
        """PL02 of the province: TỔNG SỐ, each group, then every unit's projects."""
        spec = load_catalogue().forms["PL02"]
        rows: list[dict[str, Any]] = []
        for row in spec.rows:
            rows.append(
                {
                    "row": row.key,
                    "group": row.key,
                    "unit": None,
                    "name": row.name,
                    **self.data.pl02_fixed[row.key],
                }
            )
        counters: dict[str, int] = {}
        for project in self.data.pl02_projects:
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

    @cached_property
    def breakdown(self) -> pd.DataFrame:
        """PL01 inputs per unit: one row per (STT path, column), one column per unit."""
        spec = load_catalogue().forms["PL01"]
        names = self.data.unit_names
        keys = [(row.key, column) for row in spec.rows for column in row.inputs]
        frame = pd.DataFrame(
            {
                names.get(unit, unit): [table.get(k) for k in keys]
                for unit, table in self.data.per_unit.items()
            },
            index=pd.MultiIndex.from_tuples(keys, names=["stt", "column"]),
        )
        return frame

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
        """The JSON document of the contract (numbers as numbers, Có/Không as booleans)."""
        spec = load_catalogue().forms
        pl01 = {
            row.key: {
                "plan": _json(self.plan(row.key)),
                "actual": _json(self.data.pl01.get((row.key, "actual"))),
                "ratio": _json(self.data.pl01.get((row.key, "ratio"))),
                "assessment": _json(self.data.pl01.get((row.key, "assessment"))),
            }
            for row in spec["PL01"].rows
            if row.kind != "section"
        }
        groups = {
            row.key: {k: _json(v) for k, v in self.data.pl02_fixed[row.key].items()}
            for row in spec["PL02"].rows
            if row.kind == "group"
        }
        total_key = next(r.key for r in spec["PL02"].rows if r.kind == "total")
        texts = [c.key for c in spec["PL02"].columns if c.type == "text" and c.key != "stt"]
        numbers = [c.key for c in spec["PL02"].columns if c.type in ("money", "percent")]
        # Every project carries every column of the form, null where the unit left it empty.
        projects = [
            {
                "unit": p.unit,
                "code": p.code,
                "group": p.group,
                **{k: p.texts.get(k) for k in texts},
                **{k: _json(p.values.get(k)) for k in numbers},
            }
            for p in self.data.pl02_projects
        ]
        units: dict[str, Any] = {"expected": self.data.expected}
        for key in ("received", "missing", "unknown", "duplicate", "rejected"):
            units[key] = [a.to_dict() for a in self.data.units[key]]
        return {
            "output": self.output,
            "units": units,
            "PL01": pl01,
            "PL02": {
                "total": {k: _json(v) for k, v in self.data.pl02_fixed[total_key].items()},
                "groups": groups,
                "projects": projects,
            },
            "findings": [f.to_dict() for f in self.data.findings],
            # Column (8) of PL01: the province's own notes by row (from TINH), and every
            # unit's note with where it was written.
            "notes": {
                "province": dict(self.data.province_notes),
                "units": [n.to_dict() for n in self.data.notes],
            },
            # One level up: a yes/no (*) row as a count of the provinces saying Có, by row.
            "counts": dict(self.data.counted),
        }

    def write(self, path: str | Path) -> Path:
        """Save the province workbook (atomically); returns its path (``.xlsx`` added to a name
        without extension; a write failure is an ``OutputError`` naming the file)."""
        from .province_book import write_province_book

        if self.nothing_read:
            raise UnreadableError(self.nothing_read_message())
        target = write_province_book(self, Path(path))
        object.__setattr__(self, "output", str(target))
        return target

    def write_report(self, path: str | Path, template: str | Path | None = None) -> Draft:
        """Save the Báo cáo drafted from these figures (a Word document, atomically), from the
        template shipped in ``workbooks/`` or the province's own copy ``template``.

        Returns the draft: its path, the statements generated from the figures and the
        highlighted parts left for staff to write.
        """
        from .drafting import write_draft

        return write_draft(self, path, template)
