"""The pandera pass: every report's rows stacked into one DataFrame per table, checked once.

The cells and relations tables of all reports are stacked with the report's position as the
first index level; ``schemas/cells.pandera.yaml`` and ``relations.pandera.yaml`` check them in
one lazy validation each, and every failure is turned back into a finding through the
:class:`~.tables.Origin` of its row.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..findings import Finding, make_finding
from ..forms.spec import load_schema
from ..read.submission import UnitReport
from .tables import CELL_COLUMNS, RELATION_COLUMNS, Frames, Origin

if TYPE_CHECKING:
    import pandas as pd

CELL_INDEX = ["source", "sheet", "cell"]
RELATION_INDEX = ["source", "sheet", "cell", "relation_at"]


def check_frames(
    prepared: Sequence[Frames],
    flags: Sequence[bool],
    reports: Sequence[UnitReport],
    levels: Sequence[str | None] | None = None,
) -> list[tuple[int, Finding]]:
    """Check every report's tables at once; return (report position, finding) pairs.
    ``flags``: per report, whether it speaks for the province; ``levels``: its roster level."""
    found: list[tuple[int, Finding]] = []
    tables = (
        ("cells.pandera.yaml", "cells", "cell_meta", CELL_INDEX, CELL_COLUMNS),
        ("relations.pandera.yaml", "relations", "relation_meta", RELATION_INDEX, RELATION_COLUMNS),
    )
    for schema_name, rows_name, metas_name, names, columns in tables:
        rows, index, sources = _stacked(prepared, rows_name, metas_name)
        if not rows:
            continue
        province = [flags[s] for s in sources] if rows_name == "cells" else None
        frame = stacked_frame(rows, columns, index, names, province)
        if province is not None:
            frame["allowed"] = reporting_allowed(
                frame, [levels[s] if levels else None for s in sources], _reporters(reports)
            )
        failed = failures(load_schema(schema_name), frame)
        if failed:
            metas = {key: getattr(prepared[key[0]], metas_name)[key[1:]] for key in index}
            found.extend(_findings(failed, metas, reports))
    return found


def _stacked(
    prepared: Sequence[Frames], rows_name: str, metas_name: str
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[int]]:
    """One table's rows of every report, their index (report position first) and positions."""
    rows: list[tuple[Any, ...]] = []
    index: list[tuple[Any, ...]] = []
    sources: list[int] = []
    for source, frames in enumerate(prepared):
        part: dict[tuple[str, ...], Origin] = getattr(frames, metas_name)
        rows.extend(getattr(frames, rows_name))
        index.extend((source, *key) for key in part)
        sources.extend([source] * len(part))
    return rows, index, sources


def _findings(
    failed: list[tuple[str, Any]],
    metas: Mapping[tuple[Any, ...], Origin],
    reports: Sequence[UnitReport],
) -> list[tuple[int, Finding]]:
    by_text = {str(key): key for key in metas}
    found = []
    for code, where in failed:
        key = _index_key(where, metas, by_text)
        found.append((key[0], _finding(code, metas[key], reports[key[0]].path)))
    return found


def stacked_frame(
    rows: list[tuple[Any, ...]],
    columns: tuple[str, ...],
    index: list[tuple[Any, ...]],
    names: list[str],
    province: list[bool] | None,
) -> pd.DataFrame:
    """The DataFrame of one stacked table; ``province``: per row, whether its unit speaks for
    the province (the cells table only)."""
    import pandas as pd

    frame = pd.DataFrame(
        rows, columns=list(columns), index=pd.MultiIndex.from_tuples(index, names=names)
    )
    if province is not None:
        frame["from_province"] = province
    return frame


def _reporters(reports: Sequence[UnitReport]) -> dict[str, frozenset[str]]:
    """Who may report a row (``who`` -> roster levels), from the forms of the reports."""
    reporters: dict[str, frozenset[str]] = {}
    for report in reports:
        for form in report.forms.values():
            reporters.update(form.spec.reporters)
    return reporters


def reporting_allowed(
    frame: pd.DataFrame, levels: list[str | None], reporters: Mapping[str, frozenset[str]]
) -> pd.Series:
    """Per cell, whether its unit may report its row (the form's ``reporters``), column-wise."""
    import pandas as pd

    level = pd.Series(levels, index=frame.index, dtype=object)
    allowed = level.isna() | (frame["who"] == "all")
    for who, accepted in reporters.items():
        allowed |= (frame["who"] == who) & level.isin(sorted(accepted))
    return allowed.astype(bool)


def _index_key(failed: Any, metas: Mapping[Any, Origin], by_text: Mapping[str, Any]) -> Any:
    # pandera (0.2x and later) reports a MultiIndex row as the text of its tuple, not the tuple.
    if isinstance(failed, str):
        try:
            parsed = ast.literal_eval(failed)
        except (ValueError, SyntaxError):
            parsed = None
        return parsed if parsed in metas else by_text[failed]
    return tuple(failed)


def failures(schema: Any, frame: pd.DataFrame) -> list[tuple[str, Any]]:
    """The (check, index) pairs a lazy validation of ``frame`` fails, each once."""
    import pandas as pd
    from pandera.errors import SchemaErrors

    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        seen: dict[tuple[str, Any], None] = {}
        for code, key in zip(cases["check"], cases["index"], strict=True):
            if key is not None and not (isinstance(key, float) and pd.isna(key)):
                seen.setdefault((str(code), key), None)
        return list(seen)
    return []


def _finding(code: str, meta: Origin, path: str) -> Finding:
    return make_finding(
        code,
        file=path,
        form=meta.form,
        sheet=meta.sheet,
        cell=meta.cell,
        row=meta.row,
        column=meta.column,
        value=meta.value,
        drops=meta.drops,
        **(meta.context or {}),
    )
