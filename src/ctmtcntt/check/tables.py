"""The rows of validation's two stacked tables, cells and relations, and where each came from.

Every checked cell of every unit is one row of the cells table, every relation between cells
(a total and its parts, a ratio, a limit) one row of the relations table. A row is a plain
tuple in the order of ``CELL_COLUMNS`` / ``RELATION_COLUMNS``, with an :class:`Origin` beside it
that turns a pandera failure on it back into a finding naming the unit's sheet and cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..compute.totals import is_number
from ..forms.spec import FormSpec
from ..read.values import Key


class Origin(NamedTuple):
    """Where a frame row came from, to turn a pandera failure back into a finding.

    A named tuple: every checked cell of every unit gets one, built and pickled back in the
    reading workers, where a dataclass costs several times as much each way.
    """

    form: FormSpec
    sheet: str
    cell: str
    row: str
    column: str
    value: Any
    drops: tuple[Key, ...] = ()
    context: Mapping[str, Any] | None = None


CELL_COLUMNS = (
    "form",
    "row",
    "column",
    "type",
    "role",
    "present",
    "parsed",
    "uncached",
    "province_only",
    "number",
    "who",
    "percent",
    "zero_mark",
    "error_value",
    "limit",
)
RELATION_COLUMNS = ("relation", "left", "right", "tolerance")


@dataclass
class Frames:
    """One report's rows of the stacked tables, keyed by (sheet, cell[, relation])."""

    # Rows as tuples in the order of CELL_COLUMNS / RELATION_COLUMNS: they travel back from the
    # reading workers pickled, and tuples are a fraction of the size of dicts.
    cells: list[tuple[Any, ...]] = field(default_factory=list)
    cell_meta: dict[tuple[str, ...], Origin] = field(default_factory=dict)
    relations: list[tuple[Any, ...]] = field(default_factory=list)
    relation_meta: dict[tuple[str, ...], Origin] = field(default_factory=dict)

    def add_cell(self, meta: Origin, columns: tuple[Any, ...]) -> None:
        """A checked cell, once per sheet and cell."""
        key = (meta.sheet, meta.cell)
        if key in self.cell_meta:
            return
        self.cells.append(columns)
        self.cell_meta[key] = meta

    def add_relation(self, meta: Origin, relation: str, left: Any, right: Any, tol: float) -> None:
        """A relation pinned on a cell, once per sheet, cell and relation; none without a
        left-hand figure."""
        key = (meta.sheet, meta.cell, relation)
        if key in self.relation_meta or not is_number(left):
            return
        right = float(right) if is_number(right) else float("nan")
        self.relations.append((relation, float(left), right, tol))
        self.relation_meta[key] = meta
