"""Findings: what is wrong with a submission, where, and what to do, in Vietnamese."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from .common.numbers import vn_number
from .forms.spec import Catalogue, FormSpec, load_findings

Severity = Literal["error", "warning"]
#: A severity as staff read it, on screen and in the workbooks the tool writes.
SEVERITY_LABEL: Final[Mapping[str, str]] = {"error": "Lỗi", "warning": "Cảnh báo"}


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One problem at one place: stable code, severity, file, sheet, A1 cell, and a message."""

    code: str
    severity: Severity
    file: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    row: str | None = None
    column: str | None = None
    form: str | None = None
    value: Any = None
    # The values (form, row key, column key) this finding keeps out of the sums.
    drops: tuple[tuple[str, str, str], ...] = field(default=(), compare=False)

    @property
    def is_error(self) -> bool:
        """An error keeps the value out of the sums; a warning only informs."""
        return self.severity == "error"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: code, severity, file, sheet, cell, row, message, value."""
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "message": self.message,
            "value": json_value(self.value),
        }


def json_value(value: Any) -> Any:
    """A value as JSON can hold it: NaN, infinities and empty text become null, objects text."""
    if value == "":
        return None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if not math.isfinite(value) else value
    return str(value)


def shown(value: Any) -> str:
    """A value as staff would read it in a message (no float noise, no trailing .0)."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if abs(value) >= 1e15:
            # Past what anyone counts: digits by the hundred would hide the mistake.
            return f"{value:.6g}".replace(".", ",")
        return vn_number(value)
    if isinstance(value, int):
        return vn_number(value)
    return "" if value is None else str(value)


def row_text(form: FormSpec | None, key: str | None) -> str:
    """A row as staff find it on the form: its STT and the start of its name."""
    if key is None:
        return ""
    if form is None:
        return key
    if key not in form.by_key:
        group, _, number = key.partition(".")
        if form.has_projects and group in form.by_key and number.isdigit():
            return f"{key} (dự án thứ {number} của nhóm {group})"
        return key
    spec = form.by_key[key]
    name = spec.name if len(spec.name) <= 60 else spec.name[:57].rstrip() + "…"
    label = "TỔNG SỐ" if spec.kind == "total" else key
    return f"{label} ({name})" if spec.kind != "total" else label


def column_text(form: FormSpec | None, key: str | None) -> str:
    """A column as printed in the numbering row, e.g. "(5)"."""
    if key is None:
        return ""
    if form is None or key not in form.column_by_key:
        return key
    return f"({form.column_by_key[key].number})"


def make_finding(
    code: str,
    *,
    file: str,
    form: FormSpec | None = None,
    sheet: str | None = None,
    cell: str | None = None,
    row: str | None = None,
    column: str | None = None,
    value: Any = None,
    drops: Iterable[tuple[str, str, str]] = (),
    catalogue: Catalogue | None = None,
    severity: Severity | None = None,
    **context: Any,
) -> Finding:
    """Build a finding from the catalogue entry of ``code``, its message filled in Vietnamese
    (``severity`` overrides the entry's, for a code whose catalogue text says when)."""
    entry = (catalogue.findings if catalogue else load_findings())[code]
    words: dict[str, Any] = {
        "value": shown(value),
        "row": row_text(form, row),
        "column": column_text(form, column),
        "other": "",
        "other_value": "",
        "expected": "",
        "detail": "",
    }
    for name, item in context.items():
        words[name] = shown(item) if not isinstance(item, str) else item
    if "other" in context and form is not None and context["other"] in form.by_key:
        words["other"] = row_text(form, context["other"])
    elif "other" in context and form is not None and context["other"] in form.column_by_key:
        words["other"] = column_text(form, context["other"])
    message = entry.message.format_map(words)
    if (severity or entry.severity) == "error" and form is not None and drops:
        message += _partners(form, tuple(drops))
    return Finding(
        code=code,
        severity=severity or entry.severity,
        file=file,
        message=message,
        sheet=sheet,
        cell=cell,
        row=row,
        column=column,
        form=form.code if form else None,
        value=value,
        drops=tuple(drops),
    )


def _partners(form: FormSpec, drops: tuple[tuple[str, str, str], ...]) -> str:
    """What an error takes out with it: the values that count together with the one it is
    about (a percent row's .a and .b, a district's target and actual), said in the message."""
    left = {(row, column) for code, row, column in drops if code == form.code}
    partners = {
        partner for key in left for partner in form.pairs.get(key, ()) if partner not in left
    }
    if not partners:
        return ""
    named = ", ".join(
        f"ô {column_text(form, column)} dòng {row}" for row, column in sorted(partners)
    )
    return f" Đi cặp với ô này, {named} của đơn vị cũng không được cộng vào tổng hợp."


def count(findings: Iterable[Finding]) -> Mapping[str, int]:
    """How many errors and warnings."""
    totals = {"error": 0, "warning": 0}
    for finding in findings:
        totals[finding.severity] += 1
    return totals
