"""The completion sheets of the province workbook: per unit, each percentage indicator's result
and completion ratio, and a chart per indicator (units sorted by result, the target as a line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ..common.numbers import vn_number
from ..common.saving import xml_safe
from ..compute.totals import compute_indicators, ratio
from ..forms.layout import FONT, PLAIN
from ..forms.spec import FormSpec, RowSpec
from .xlsx_sheets import A4, HEAD, TITLE, Formats, set_width, table, write_value

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

    from ..result import ConsolidationResult

#: The sheet of completion rates by unit, per indicator form.
COMPLETION_SHEET: Final = "Tỷ lệ theo đơn vị"

#: Units up to which the completion sheet draws its charts (one bar per unit): past that the
#: bars are thinner than a line.
CHART_MAX_UNITS: Final = 100
CHART_ROWS: Final = 30  # sheet rows each chart takes, with a gap: one chart a printed page
CHART_CM: Final = (25, 14)
CM = 96 / 2.54  # pixels per centimetre
LABEL_CHARS: Final = 32  # a unit's name under its bar, cut beyond this
CHARTS_SHEET: Final = "Biểu đồ tỷ lệ"
_DATA_COLUMN: Final = 16  # the sorted data of each chart sits right of the printed charts

#: Per unit (its name), each percentage row's result.
Results = list[tuple[str, list[Any]]]


def completion_sheet(
    ws: Worksheet, formats: Formats, spec: FormSpec, result: ConsolidationResult
) -> None:
    """Per unit, each percentage indicator's result (5) and completion ratio (6) = (5)/target,
    then one chart per indicator: units sorted by their result, the target drawn as a line."""
    added = result.data.indicators[spec.code]
    # The form's charts sheet carries the same suffix as its completion sheet (none for the
    # set's first indicator form).
    charts_name = f"{CHARTS_SHEET}{ws.name[len(COMPLETION_SHEET) :]}"[:31]
    # Rows whose result each unit's parts give (a percentage typed directly is the province's).
    percent_rows = [r for r in spec.rows if r.kind == "percent" and r.target and r.ratio_of]
    results = _unit_results(spec, percent_rows, result)
    province = [added.table.get((r.key, "actual")) for r in percent_rows]
    figures = [*results, ("Toàn tỉnh", province)]
    _completion_table(ws, formats, percent_rows, figures, charts_name)
    units = len(results)
    if units > CHART_MAX_UNITS:
        text = (
            f"Biểu đồ chỉ vẽ khi có tới {CHART_MAX_UNITS} đơn vị (với {units} đơn vị, mỗi thanh"
            " mảnh hơn một nét kẻ); bảng bên trái có đủ mọi đơn vị."
        )
        write_value(ws, formats, 3, 2 * len(percent_rows) + 3, text, PLAIN)
        return
    charts = formats.book.add_worksheet(charts_name)
    _charts_sheet(charts, formats, percent_rows, results, province)


def _unit_results(
    spec: FormSpec, percent_rows: list[RowSpec], result: ConsolidationResult
) -> Results:
    """Each unit's name and its result on each of ``percent_rows``."""
    added = result.data.indicators[spec.code]
    names = result.data.unit_names
    by_key = {r.key: r for r in spec.rows}
    typed = all(
        by_key[part].kind != "percent" and not by_key[part].parts
        for r in percent_rows
        for part in r.ratio_of
    )
    results: Results = []
    for unit, table_ in added.per_unit.items():
        if typed:
            # Each percent is of two typed rows, which compute_indicators leaves as they are: the
            # same figures as computing the whole form, without computing it for every unit.
            actuals: list[Any] = [
                ratio(*(table_.get((part, "actual")) for part in r.ratio_of)) for r in percent_rows
            ]
        else:
            computed = compute_indicators(spec, table_)
            actuals = [computed.get((r.key, "actual")) for r in percent_rows]
        results.append((names.get(unit, unit), actuals))
    return results


def _completion_table(
    ws: Worksheet,
    formats: Formats,
    percent_rows: list[RowSpec],
    figures: Results,
    charts_name: str,
) -> None:
    """The table: a row per unit (and the province), a result and a completion ratio per
    percentage row; under the title, how the ratio is computed and where the charts are."""
    header = ["Đơn vị"]
    for row in percent_rows:
        header += [
            f"Chỉ tiêu {row.key}: thực hiện (%)",
            f"Chỉ tiêu {row.key}: tỷ lệ hoàn thành (%)",
        ]
    rows = []
    for name, values in figures:
        cells: list[Any] = [name]
        for row, actual in zip(percent_rows, values, strict=True):
            cells += [actual, _completion(row, actual)]
        rows.append(cells)
    table(
        ws,
        formats,
        "TỶ LỆ THỰC HIỆN VÀ TỶ LỆ HOÀN THÀNH CÁC CHỈ TIÊU TỶ LỆ THEO ĐƠN VỊ",
        header,
        rows,
        [40, *([13] * (2 * len(percent_rows)))],
        ratios=True,
    )
    note = (FONT, 11, False, True)
    ws.write_string(
        1,
        0,
        "Tỷ lệ hoàn thành (%) = thực hiện / chỉ tiêu × 100; biểu đồ từng chỉ tiêu ở trang «"
        f"{charts_name}».",
        formats((note, None, False, None, None, False)),
    )


def _completion(row: RowSpec, actual: Any) -> float | None:
    target = row.target
    if target is None or not isinstance(target.value, (int, float)) or not target.value:
        return None
    return ratio(actual, target.value)


def _charts_sheet(
    charts: Worksheet,
    formats: Formats,
    percent_rows: list[RowSpec],
    results: Results,
    province: list[Any],
) -> None:
    """A chart a printed page, one per percentage row, their data beside them."""
    charts.write_string(
        0,
        0,
        "BIỂU ĐỒ TỶ LỆ THỰC HIỆN CÁC CHỈ TIÊU TỶ LỆ THEO ĐƠN VỊ (đơn vị xếp từ cao xuống thấp;"
        " đường đỏ là chỉ tiêu)",
        formats(TITLE),
    )
    for index, row in enumerate(percent_rows):
        column = _DATA_COLUMN + 4 * index
        _chart(charts, formats, row, index, results, province[index], column)
    last = 2 + CHART_ROWS * len(percent_rows)
    charts.print_area(0, 0, last, _DATA_COLUMN - 2)
    charts.set_landscape()
    charts.set_paper(A4)
    charts.fit_to_pages(1, 0)
    # A chart a page, never one cut across two.
    charts.set_h_pagebreaks(list(range(2 + CHART_ROWS, last, CHART_ROWS)))


def _chart(
    ws: Worksheet,
    formats: Formats,
    row: RowSpec,
    index: int,
    results: Results,
    province: Any,
    column: int,
) -> None:
    """One indicator's chart: a bar per unit that reported it, highest first, and the target
    as a line across; its data sorted beside the table (outside the printed area)."""
    assert row.target is not None
    reported = sorted(
        ((name, values[index]) for name, values in results if _is_figure(values[index])),
        key=lambda item: -float(item[1] or 0),
    )
    target = row.target.value if isinstance(row.target.value, (int, float)) else None
    _chart_data(ws, formats, row, reported, target, column)
    if not reported:
        return
    bars = _bars(ws, formats, column, 2 + len(reported), target is not None)
    whole = f"; toàn tỉnh {vn_number(float(province), 2)} %" if _is_figure(province) else ""
    name = row.name if len(row.name) <= 80 else row.name[:79].rstrip() + "…"
    bars.set_title(
        {
            "name": f"{row.key}. {name} (chỉ tiêu {row.target.text} %{whole})",
            "name_font": {"size": 11, "bold": True},
        }
    )
    bars.set_x_axis({"num_font": {"size": 8, "rotation": -45}})
    bars.set_y_axis({"name": "%", "min": 0, "major_gridlines": {"visible": True}})
    bars.set_legend({"position": "bottom"})
    width, height = CHART_CM
    bars.set_size({"width": round(width * CM), "height": round(height * CM)})
    ws.insert_chart(2 + CHART_ROWS * index, 0, bars)


def _chart_data(
    ws: Worksheet,
    formats: Formats,
    row: RowSpec,
    reported: list[tuple[str, Any]],
    target: float | None,
    column: int,
) -> None:
    """A chart's data: its units' names (cut to fit under a bar), results and the target."""
    assert row.target is not None
    head = formats(HEAD)
    ws.write_string(2, column, f"Chỉ tiêu {row.key}", head)
    ws.write_string(2, column + 1, "Thực hiện (%)", head)
    ws.write_string(2, column + 2, f"Chỉ tiêu ({row.target.text} %)", head)
    for line, (name, value) in enumerate(reported, start=3):
        label = name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"
        ws.write_string(line, column, xml_safe(label))
        ws.write_number(line, column + 1, float(value or 0))
        if target is not None:
            ws.write_number(line, column + 2, float(target))
    set_width(ws, column, 30)


def _bars(ws: Worksheet, formats: Formats, column: int, last: int, target: bool) -> Any:
    """The bars of a chart's results (rows 4 to ``last`` + 1), with the target's line."""
    bars = formats.book.add_chart({"type": "column"})
    assert bars is not None
    look = {"fill": {"color": "#4472C4"}, "gap": 40}
    bars.add_series(_series(ws, column, column + 1, last, look))
    if target:
        line = formats.book.add_chart({"type": "line"})
        assert line is not None
        look = {"line": {"color": "#C00000", "width": 2.25}, "marker": {"type": "none"}}
        line.add_series(_series(ws, column, column + 2, last, look))
        bars.combine(line)
    return bars


def _series(
    ws: Worksheet, labels: int, values: int, last: int, look: dict[str, Any]
) -> dict[str, Any]:
    """A series of a chart's data: its name in the header row (3), the units' names in the
    ``labels`` column, its figures in the ``values`` column, down to row ``last`` + 1."""
    return {
        "name": [ws.name, 2, values],
        "categories": [ws.name, 3, labels, last, labels],
        "values": [ws.name, 3, values, last, values],
        **look,
    }


def _is_figure(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
