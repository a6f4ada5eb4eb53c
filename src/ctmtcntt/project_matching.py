"""One project listed by two units (the investor and Sở TTTT, say): found and counted once.

Two project rows are one project when their names are the same once folded (case, diacritics,
dashes and spaces aside) or when they cite the same investment decision number ("1234/QĐ-UBND"
and "Quyết định số 1234/QD-UBND ngày …" alike). The row kept is the investor's own when one of
the two units is the investor, else the first in the roster's order; the other leaves the sums
with a finding naming both files and rows: a warning when both give the same figures, an error
when they differ (the finding says whose figures were used).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .computation import Scalar, compute_project
from .numbers import fold
from .report import Finding, make_finding, shown
from .spec import FormSpec

# A decision number: digits, a slash, the year in the older style, then the issuing body's
# letters ("1234/QĐ-UBND", "12/2018/QĐ-UBND", spaced "1234 / QĐ - UBND"), up to its date.
_DECISION = re.compile(
    r"(\d+)\s*/\s*((?:\d{4}\s*/\s*)?[^\d,;()]+?)\s*(?:ngày\b|ngay\b|[,;(]|\d|$)", re.I
)
# Words a name may start with that say nothing of which project it is.
_LEADING = ("du an ",)


@dataclass(frozen=True, kw_only=True)
class Listed:
    """A project row as received: whose, where, its texts and its money inputs."""

    group: str
    unit: str
    code: str | None
    texts: dict[str, str]
    values: dict[str, Scalar]
    file: str
    sheet: str
    cell: str | None
    consolidated: bool = False


def keys(texts: dict[str, str]) -> tuple[str | None, str | None]:
    """What tells a project: its folded name, and its decision number folded, when given."""
    name = fold(texts.get("name", ""))
    for word in _LEADING:
        name = name.removeprefix(word)
    match = _DECISION.search(texts.get("decision", ""))
    decision = fold(f"{match.group(1)} {match.group(2)}").replace(" ", "") if match else None
    return name or None, decision or None


def distinct(
    entries: Sequence[Listed],
    spec: FormSpec,
    is_investor: Callable[[Listed], bool],
) -> tuple[list[Listed], list[Finding]]:
    """The entries with every project once, and a finding for each row left out."""
    kept: list[Listed | None] = []
    seen: dict[tuple[str, str], int] = {}
    findings: list[Finding] = []
    for entry in entries:
        name, decision = keys(entry.texts)
        found = [seen[k] for k in _keyed(name, decision) if k in seen]
        earlier = kept[found[0]] if found else None
        if earlier is None or (earlier.consolidated and entry.consolidated):
            # Two provinces' reports may list projects of the same name: each its own.
            index = len(kept)
            kept.append(entry)
        else:
            index = found[0]
            keep, drop = (
                (entry, earlier)
                if is_investor(entry) and not is_investor(earlier)
                else (earlier, entry)
            )
            kept[index] = keep
            findings.append(
                _finding(
                    spec, keep, drop, "name" if name and ("name", name) in seen else "decision"
                )
            )
        for key in _keyed(name, decision):
            seen.setdefault(key, index)
    return [e for e in kept if e is not None], findings


def _keyed(name: str | None, decision: str | None) -> list[tuple[str, str]]:
    return [(kind, key) for kind, key in (("name", name), ("decision", decision)) if key]


def _where(entry: Listed) -> str:
    cell = f", ô {entry.cell}" if entry.cell else ""
    return f"tệp {Path(entry.file).name}, trang {entry.sheet}{cell}, đơn vị {entry.unit}"


def _finding(spec: FormSpec, keep: Listed, drop: Listed, by: str) -> Finding:
    # The same figures, a typed total or not ("45.000" beside its sources is no difference).
    same = compute_project(spec, keep.values) == compute_project(spec, drop.values)
    computed = compute_project(spec, keep.values)
    totals = [c.key for c in spec.columns if c.sum_of and computed.get(c.key) is not None]
    figures = ", ".join(f"({k}) = {shown(computed[k])}" for k in totals)
    used = (
        "số liệu hai nơi giống hệt."
        if same
        else f"đã dùng số liệu ở {_where(keep)} ({figures or 'không có số liệu'})."
    )
    return make_finding(
        "duplicate-project",
        file=drop.file,
        sheet=drop.sheet,
        cell=drop.cell,
        value=drop.texts.get("name"),
        severity="warning" if same else "error",
        other=f"ở {_where(keep)}",
        detail="cùng tên dự án" if by == "name" else "cùng số quyết định đầu tư",
        expected=used,
    )
