"""What a reading worker sends back to the parent: a unit's read result as compact bytes.

A province's reading workers answer with thousands of forms of tens of thousands of cells.
Pickled as they are, each ``Value`` and ``Row`` (named tuples) costs a Python call per cell
each way, most of a report's cost. :func:`encode` sends instead, per form, its rows column-wise
as plain tuples (pickled in C, several times faster both ways), and each form spec as the form
set's folder and the form's code (both processes load the same set; the specs would otherwise be
most of the bytes). :func:`decode` gives back the same report; a form's rows are rebuilt only
when someone reads them: adding up needs only what the worker worked out (``FormData.memo``).

Only here: reports and forms are plain frozen dataclasses, pickled as such anywhere else.
"""

from __future__ import annotations

import copyreg
import io
import pickle
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from ..forms.spec import FormSpec, load_catalogue
from ..read.submission import FormData, Row, Value

if TYPE_CHECKING:
    from ..read.submission import UnitReport
    from .batch import Refused

__all__ = ["PackedRows", "decode", "encode"]


def encode(result: UnitReport | Refused) -> bytes:
    """A worker's answer (a report, or why the file was refused) as bytes for :func:`decode`."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {
        **copyreg.dispatch_table,
        FormSpec: _reduce_spec,
        FormData: _reduce_form,
    }
    pickler.dump(result)
    return buffer.getvalue()


def decode(data: bytes) -> UnitReport | Refused:
    """The answer :func:`encode` made, in the parent."""
    received: UnitReport | Refused = pickle.loads(data)  # written by encode, in this package
    return received


def _catalogue_form(folder: str, code: str) -> FormSpec:
    return load_catalogue(Path(folder)).forms[code]


def _reduce_spec(spec: FormSpec) -> Any:
    # A form of a form set travels as its set's folder and its code; a spec built otherwise (a
    # test's, a changed copy) travels whole.
    if spec.origin and load_catalogue(Path(spec.origin)).forms.get(spec.code) is spec:
        return _catalogue_form, (spec.origin, spec.code)
    return spec.__reduce_ex__(pickle.HIGHEST_PROTOCOL)


def _reduce_form(form: FormData) -> Any:
    rows = form.rows
    packed = rows.packed if isinstance(rows, PackedRows) else _pack_rows(rows)
    return _form, (
        form.spec,
        form.sheet,
        form.columns,
        form.unit,
        form.unit_cell,
        form.percent_cells,
        packed,
        form.memo,
    )


def _form(
    spec: FormSpec,
    sheet: str,
    columns: Mapping[str, int],
    unit: str | None,
    unit_cell: str | None,
    percent_cells: frozenset[str],
    packed: bytes,
    memo: dict[str, object],
) -> FormData:
    form = FormData(
        spec=spec,
        sheet=sheet,
        columns=columns,
        rows=PackedRows(packed),
        unit=unit,
        unit_cell=unit_cell,
        percent_cells=percent_cells,
    )
    form.memo.update(memo)
    return form


_Columns = tuple[tuple[object, ...], ...]  # cells, raws, flags
_PackedRow = tuple[str, str, int, str, "str | None", tuple[str, ...], _Columns]


def _pack_rows(rows: Sequence[Row]) -> bytes:
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}  # one column tuple per form, pickled once
    packed: list[_PackedRow] = []
    for key, label, sheet_row, kind, values, group in rows:
        keys = tuple(values)
        keys = shared.setdefault(keys, keys)
        # Column-wise (cells, raws, flags): three tuples to pickle instead of one per cell.
        packed.append(
            (key, label, sheet_row, kind, group, keys, tuple(zip(*values.values(), strict=True)))
        )
    return pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)


_new_value = partial(tuple.__new__, Value)
_new_row = partial(tuple.__new__, Row)


def _unpack_rows(blob: bytes) -> tuple[Row, ...]:
    packed: list[_PackedRow] = pickle.loads(blob)  # written by _pack_rows, in this module
    return tuple(
        _new_row(
            (
                key,
                label,
                sheet_row,
                kind,
                dict(zip(keys, map(_new_value, zip(*columns, strict=True)), strict=True)),
                group,
            )
        )
        for key, label, sheet_row, kind, group, keys, columns in packed
    )


class PackedRows(Sequence[Row]):
    """A received form's rows: kept as the worker packed them, built on first reading.

    An immutable sequence equal to the tuple of the same rows.
    """

    __slots__ = ("_rows", "packed")

    def __init__(self, packed: bytes) -> None:
        self.packed = packed
        self._rows: tuple[Row, ...] | None = None

    def _built(self) -> tuple[Row, ...]:
        rows = self._rows
        if rows is None:
            rows = self._rows = _unpack_rows(self.packed)
        return rows

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Row, ...]: ...

    def __getitem__(self, index: int | slice) -> Row | tuple[Row, ...]:
        return self._built()[index]

    def __len__(self) -> int:
        return len(self._built())

    def __iter__(self) -> Iterator[Row]:
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedRows):
            other = other._built()
        return isinstance(other, tuple) and self._built() == other

    def __hash__(self) -> int:
        return hash(self._built())

    def __repr__(self) -> str:
        return repr(self._built())

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled again (not by encode): as the rows themselves.
        return tuple, (self._built(),)
