"""One project listed by two units (the investor and Sở TTTT, say): found and counted once.

Two project rows are one project when they cite the same investment decision number
("1234/QĐ-UBND" and "Quyết định số 1234/QD-UBND ngày …" alike), or when their names are the same
once folded (case, diacritics, dashes and spaces aside) and nothing they both give tells them
apart (two decision numbers, two investors). The row kept is the investor's own when one of
the two units is the investor, else the first in the roster's order; the other leaves the sums
with a finding naming both files and rows: a warning when both give the same figures, an error
when they differ (the finding says whose figures were used).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..common.numbers import fold
from ..compute.totals import Scalar, compute_project
from ..findings import Finding, make_finding, shown
from ..forms.roster import same_unit
from ..forms.spec import FormSpec

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
    listers: list[list[Listed]] | None = None,
) -> tuple[list[Listed], list[Finding]]:
    """The entries with every project once, and a finding for each row left out. ``listers``,
    when given, receives per project kept every entry that listed it, in arrival order."""
    kept: list[Listed] = []
    listed_by: list[list[Listed]] = [] if listers is None else listers
    seen: dict[tuple[str, str], list[int]] = {}
    findings: list[Finding] = []
    for entry in entries:
        name, decision = keys(entry.texts)
        index, by = _match(entry, name, decision, kept, seen, spec.owner)
        if index is None:
            index = len(kept)
            kept.append(entry)
            listed_by.append([entry])
        else:
            listed_by[index].append(entry)
            earlier = kept[index]
            keep, drop = (
                (entry, earlier)
                if is_investor(entry) and not is_investor(earlier)
                else (earlier, entry)
            )
            kept[index] = keep
            findings.append(_finding(spec, keep, drop, by))
        for key in _keyed(decision=decision, name=name):
            seen.setdefault(key, []).append(index)
    return kept, findings


def _match(
    entry: Listed,
    name: str | None,
    decision: str | None,
    kept: list[Listed],
    seen: dict[tuple[str, str], list[int]],
    owner: str | None,
) -> tuple[int | None, str]:
    """The project already kept that this entry is, and what told it (its decision number or
    its name); None when it is a project of its own."""
    for kind, key in _keyed(decision=decision, name=name):
        for index in seen.get((kind, key), ()):
            other = kept[index]
            if other.consolidated and entry.consolidated:
                continue  # two provinces' reports may list projects of one name: each its own
            if kind == "name" and _differ(entry, other, owner):
                continue  # one name, two projects: their decisions or investors differ
            return index, kind
    return None, ""


def _differ(first: Listed, second: Listed, owner: str | None) -> bool:
    """Whether two projects of one name are told apart by what both give: a decision number,
    an owner (investor, lead unit: the form's ``owner`` column)."""
    one, two = keys(first.texts)[1], keys(second.texts)[1]
    if one and two and one != two:
        return True
    if owner is None:
        return False
    investors = first.texts.get(owner), second.texts.get(owner)
    return all(investors) and not same_unit(*investors)  # type: ignore[arg-type]


def _keyed(*, decision: str | None, name: str | None) -> list[tuple[str, str]]:
    return [(kind, key) for kind, key in (("decision", decision), ("name", name)) if key]


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
