"""The sentences of the Báo cáo that follow from the figures: one per indicator, project, source
of capital; the indicators not attained. Plain text, Vietnamese style; ``drafting`` lays them out.

Code knows form kinds, not form names: the indicator table is the form without projects, the
project list the one with them; which rows are parts of others, which columns sum which, and the
headers that name them all come from the form's spec.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..common.numbers import vn_number
from ..forms.spec import Catalogue, ColumnSpec, FormSpec, RowSpec, load_catalogue

if TYPE_CHECKING:
    from ..consolidation.combine import Project
    from ..result import ConsolidationResult

#: Where each kind of statement goes in the report (the seed's numbering).
TARGETS, PROJECTS, CAPITAL, BENEFITS, SHORTCOMINGS = "II.1", "II.2", "II.3", "II.4", "III.2"

MILLION_PER_BILLION = 1000


@dataclass(frozen=True, kw_only=True)
class Statement:
    """A sentence of the report generated from the figures, with the row it states."""

    section: str
    row: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        """``{"section", "row", "text", "generated": true}``."""
        return {"section": self.section, "row": self.row, "text": self.text, "generated": True}


def figure(value: Any) -> Any:
    """A value that states something: NaN and empty text are no figure (None)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def number(value: float, places: int = 2) -> str:
    """A figure in a sentence: 1.519; 90,4; yes/no as Có/Không."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return vn_number(value, places)


def percent(value: float) -> str:
    """90,4 %."""
    return f"{vn_number(value, 2)} %"


def money(million: float) -> str:
    """An amount given in triệu đồng, as the report says it: "45 tỷ đồng", "1,875 tỷ đồng",
    "800 triệu đồng"; never rounded: a part of a million keeps it in triệu ("2.000,5 triệu
    đồng", not "2,001 tỷ đồng")."""
    whole = round(million, 6) == int(round(million, 6))
    if abs(million) >= MILLION_PER_BILLION and whole:
        return f"{vn_number(million / MILLION_PER_BILLION, 3)} tỷ đồng"
    return f"{vn_number(million)} triệu đồng"


def plain_name(row: RowSpec) -> str:
    """A row's name in a sentence: without the (*) that marks province-only rows on the form,
    nor the "Trong đó:" of a row within another."""
    name = row.name.replace("(*)", "").strip()
    if name.lower().startswith("trong đó:"):
        name = name[len("trong đó:") :].strip()
    return name


def unit_word(row: RowSpec) -> str:
    """The unit after a figure: "hồ sơ", "TTHC", "tỷ đồng" (abbreviations kept as written)."""
    unit = row.unit.strip()
    if not unit or unit == "%" or "/" in unit:
        return ""
    return _in_sentence(unit)


def _in_sentence(name: str) -> str:
    """A name inside a sentence: its first letter small, unless it starts an abbreviation."""
    head = name.split()[0] if name.split() else ""
    return name if head.isupper() and len(head) > 1 else name[:1].lower() + name[1:]


def _counted(value: float, row: RowSpec) -> str:
    """A count or an amount with its unit: "1.519 TTHC", "400,125 tỷ đồng" (to the million)."""
    word = unit_word(row)
    return f"{number(value, 3)} {word}".rstrip()


def indicator_form(forms: Catalogue | None = None) -> FormSpec:
    """The indicator table of a form set (the default set when None)."""
    return (forms or load_catalogue()).of_kind("indicators")[0]


def project_form(forms: Catalogue | None = None) -> FormSpec:
    """The project list of a form set (the default set when None)."""
    return (forms or load_catalogue()).of_kind("projects")[0]


def _sub_rows(spec: FormSpec) -> set[str]:
    inner = {row.key for row in spec.rows if row.within}
    for row in spec.rows:
        inner.update(row.parts)
        inner.update(row.ratio_of)
    return inner


class _Indicators:
    """The indicator table of one consolidation, read for sentences."""

    def __init__(self, result: ConsolidationResult) -> None:
        self.result = result
        self.spec = indicator_form(result.forms)
        self.inner = _sub_rows(self.spec)

    def get(self, key: str, column: str) -> Any:
        return figure(self.result.data.pl01.get((key, column)))

    def stated(self, *, targeted: bool) -> Iterator[tuple[RowSpec, str | None]]:
        """Each indicator (not a part of another) with or without a target, with its figure
        in words (None when it has none)."""
        for row in self.spec.rows:
            if row.kind == "section" or row.key in self.inner:
                continue
            if (row.target is not None) == targeted:
                yield row, self.figure_text(row)

    def figure_text(self, row: RowSpec) -> str | None:
        """The row's result in words: "90,4 % (175.958/194.652 văn bản)", "11/11 đơn vị"."""
        actual = self.get(row.key, "actual")
        if actual is None:
            return None
        if row.kind == "yesno":
            return number(actual)
        if row.kind == "percent":
            text = percent(actual)
            parts = [self.get(key, "actual") for key in row.ratio_of]
            if len(parts) == 2 and None not in parts:
                word = unit_word(self.spec.by_key[row.ratio_of[1]])
                text += f" ({number(parts[0])}/{number(parts[1])} {word})".replace(" )", ")")
            return text
        if row.kind == "money":
            return _counted(actual, row)
        plan = self.get(row.key, "plan") if row.target and row.target.op == "plan" else None
        if plan is not None:
            text = f"{number(actual)}/{_counted(plan, row)}"
            ratio = self.get(row.key, "ratio")
            return text + (f" ({percent(ratio)})" if ratio is not None else "")
        text = _counted(actual, row)
        details = [
            f"{_in_sentence(plain_name(part))}: {_counted(value, part)}"
            for part in (self.spec.by_key[key] for key in row.parts)
            if (value := self.get(part.key, "actual")) is not None
        ]
        if details:
            text += ", gồm: " + "; ".join(details)
        within = [
            f"{_in_sentence(plain_name(inner))}: {_counted(value, inner)}"
            for inner in self.spec.rows
            if inner.within == row.key and (value := self.get(inner.key, "actual")) is not None
        ]
        if within:
            text += ", trong đó " + "; ".join(within)
        return text

    def target_text(self, row: RowSpec) -> str | None:
        target = row.target
        if target is None or target.op == "plan":
            return None
        return f"{target.text} %" if row.kind == "percent" else target.text


def target_statements(result: ConsolidationResult) -> list[Statement]:
    """II.1: a sentence per indicator with a target: its figure, the target, Đạt/Không đạt."""
    table = _Indicators(result)
    statements = []
    for row, shown in table.stated(targeted=True):
        if shown is None:
            text = f"{plain_name(row)}: chưa có số liệu."
        else:
            target = table.target_text(row)
            if target and shown.endswith(")"):
                shown = f"{shown[:-1]}; chỉ tiêu: {target})"
            elif target:
                shown = f"{shown} (chỉ tiêu: {target})"
            text = f"{plain_name(row)}: {shown}"
            assessment = table.get(row.key, "assessment")
            text += f"; đánh giá: {assessment}." if assessment else "."
        statements.append(Statement(section=TARGETS, row=row.key, text=text))
    return statements


def benefit_statements(result: ConsolidationResult) -> list[Statement]:
    """II.4: the quantitative results without a target (procedures, services, firms, revenue)."""
    table = _Indicators(result)
    statements = []
    for row, shown in table.stated(targeted=False):
        if shown is not None:
            text = f"{plain_name(row)}: {shown}."
            statements.append(Statement(section=BENEFITS, row=row.key, text=text))
    return statements


def shortcoming_statements(result: ConsolidationResult) -> list[Statement]:
    """III.2: every indicator not attained (and any with no figure to judge it by)."""
    table = _Indicators(result)
    statements = []
    for row, shown in table.stated(targeted=True):
        assessment = table.get(row.key, "assessment")
        if shown is None:
            text = f"{plain_name(row)}: chưa có số liệu để đánh giá."
        elif assessment is not None and assessment != "Đạt":
            target = table.target_text(row)
            if row.kind == "yesno":
                text = f"{plain_name(row)}: chưa đạt (kết quả: {shown}; chỉ tiêu: {target})."
            else:
                versus = f" so với chỉ tiêu {target}" if target else ""
                text = f"{plain_name(row)} chưa đạt chỉ tiêu: đạt {shown}{versus}."
        else:
            continue
        statements.append(Statement(section=SHORTCOMINGS, row=row.key, text=text))
    return statements


# -- projects and capital ---------------------------------------------------------------------


def _amount(values: Mapping[str, Any], key: str) -> float:
    found = figure(values.get(key))
    return float(found) if isinstance(found, (int, float)) else 0.0


class _Capital:
    """The project list's money: each total column (investment, allocated, disbursed) with its
    sources, named by the form's own headers."""

    def __init__(self, forms: Catalogue) -> None:
        self.spec = project_form(forms)
        self.totals = tuple(c for c in self.spec.columns if c.sum_of)
        self.heads: dict[str, str] = {}
        for line in self.spec.layout.header:
            for cell in line:
                for column in self.totals:
                    if cell.column == column.number and cell.merge:
                        self.heads[column.key] = cell.text
        self.rate = next((c for c in self.spec.columns if c.type == "percent" and c.ratio_of), None)

    def source_name(self, key: str) -> str:
        return _in_sentence(self.spec.column_by_key[key].header)

    def head(self, column: ColumnSpec) -> str:
        return self.heads.get(column.key, column.header)

    def with_sources(self, values: Mapping[str, Any], total: ColumnSpec) -> str:
        """ "45 tỷ đồng, trong đó: ngân sách trung ương 30 tỷ đồng; ngân sách địa phương …"."""
        text = money(_amount(values, total.key))
        parts = [
            f"{self.source_name(key)} {money(amount)}"
            for key in total.sum_of
            if (amount := _amount(values, key))
        ]
        return text + (", trong đó: " + "; ".join(parts) if parts else "")

    def sentences(self, what: str, values: Mapping[str, Any]) -> list[str]:
        """Capital mobilised, allocated and disbursed of one project (or the programme)."""
        if len(self.totals) < 2:
            return [f"{what}: {self.head(t)} {self.with_sources(values, t)}." for t in self.totals]
        planned, allocated, *spent = self.totals
        lines = [
            f"{what}: {_in_sentence(self.head(planned))} {self.with_sources(values, planned)}."
        ]
        if _amount(values, allocated.key):
            lines.append(f"{self.head(allocated)}: {self.with_sources(values, allocated)}.")
        else:
            lines.append(f"{self.head(allocated)}: chưa được bố trí vốn.")
        given = [k for k in allocated.sum_of if _amount(values, k)]
        for planned_key, allocated_key in zip(planned.sum_of, allocated.sum_of, strict=False):
            promised = _amount(values, planned_key)
            if promised and not _amount(values, allocated_key):
                only = ""
                if len(given) == 1:
                    amount = money(_amount(values, given[0]))
                    only = f"; chỉ được bố trí từ {self.source_name(given[0])}: {amount}"
                lines.append(
                    f"Vốn {self.source_name(planned_key)} ({money(promised)} theo tổng mức đầu"
                    f" tư) không được bố trí{only}."
                )
        for column in spent:
            if not _amount(values, allocated.key):
                continue
            line = f"{self.head(column)}: {money(_amount(values, column.key))}"
            rate = figure(values.get(self.rate.key)) if self.rate else None
            if rate is not None:
                line += f" (bằng {percent(rate)} vốn đã bố trí)"
            sources = self.with_sources(values, column).partition(", trong đó: ")[2]
            lines.append(line + (f", trong đó: {sources}." if sources else "."))
        return lines


def _numbered(result: ConsolidationResult) -> Iterator[tuple[str, Project]]:
    """Each project with its row as the province's PL02 numbers it ("I.1", "I.2", "II.1"), in
    that order: group by group."""
    for group in project_form(result.forms).rows:
        members = [p for p in result.data.pl02_projects if p.group == group.key]
        for number, project in enumerate(members, start=1):
            yield f"{group.key}.{number}", project


def project_statements(result: ConsolidationResult) -> list[Statement]:
    """II.2: every project of the province with its total investment."""
    capital = _Capital(result.forms)
    planned = capital.totals[0] if capital.totals else None
    statements = []
    for row, project in _numbered(result):
        texts = project.texts
        text = f"Dự án: “{texts.get('name') or '(chưa ghi tên)'}”"
        for key, label in (("investor", "chủ đầu tư"), ("period", "thời gian thực hiện")):
            if texts.get(key):
                text += f", {label}: {texts[key]}"
        if planned is not None:
            text += f", với {_in_sentence(capital.head(planned))}: "
            text += money(_amount(project.values, planned.key))
        statements.append(Statement(section=PROJECTS, row=row, text=text + "."))
    if not statements:
        text = f"Không có dự án nào được báo cáo tại {capital.spec.sheet}."
        statements.append(Statement(section=PROJECTS, row=None, text=text))
    return statements


def capital_statements(result: ConsolidationResult) -> list[Statement]:
    """II.3: capital mobilised, allocated and disbursed by source, for the programme and each
    project; a source promised but never allocated is said so."""
    capital = _Capital(result.forms)
    total = next(r.key for r in capital.spec.rows if r.kind == "total")
    statements = []
    projects = result.data.pl02_projects
    programme = result.data.pl02_fixed[total]
    if not projects and not any(_amount(programme, c.key) for c in capital.totals):
        text = f"Chương trình không huy động, bố trí nguồn vốn nào ({capital.spec.sheet} không có"
        text += " dự án)."
        return [Statement(section=CAPITAL, row=total, text=text)]
    if len(projects) != 1:
        for line in capital.sentences("Toàn Chương trình", programme):
            statements.append(Statement(section=CAPITAL, row=total, text=line))
    for row, project in _numbered(result):
        name = project.texts.get("name") or "(chưa ghi tên)"
        for line in capital.sentences(f"Dự án “{name}”", project.values):
            statements.append(Statement(section=CAPITAL, row=row, text=line))
    return statements


def statements(result: ConsolidationResult) -> list[Statement]:
    """Every generated statement, in the order of the report."""
    return [
        *target_statements(result),
        *project_statements(result),
        *capital_statements(result),
        *benefit_statements(result),
        *shortcoming_statements(result),
    ]
