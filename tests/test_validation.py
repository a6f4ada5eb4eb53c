"""Validation of unit workbooks filled on the Ministry's forms.

Two tables of golden workbooks: planted mistakes, each reported with its code, severity, sheet
and exact cell in a Vietnamese message (exit 1 for errors, 0 for warnings only); and well-formed
workbooks carrying the quirks real units add, each passing with exit 0, no error, and its values
read from the right cells.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from builders import (
    NBSP,
    PROVINCE,
    Book,
    CellKey,
    Project,
    add_sheet,
    both,
    clear_row,
    delete_numbering_row,
    delete_row,
    drop_blank_project_rows,
    fill_pl01,
    fill_pl02,
    hide_column,
    hide_rows,
    insert_column,
    insert_row_before,
    letterhead,
    libreoffice_resave,
    nfd,
    project_stt,
    rename_sheet,
    save_with_xlsxwriter,
    to_nfd,
    unit_in_next_cell,
    unmerge_headers,
)
from ctmtcntt.findings import Finding
from ctmtcntt.forms.roster import load_roster
from ctmtcntt.read.submission import read_grids
from ctmtcntt.read.values import inputs, projects
from ctmtcntt.read.workbook import read_workbook
from ctmtcntt.workflows import ValidationResult, validate

VIETNAMESE = re.compile("[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


def is_vietnamese(text: str) -> bool:
    """Text a civil servant reads: NFC Vietnamese with its diacritics."""
    return unicodedata.is_normalized("NFC", text) and bool(VIETNAMESE.search(text.lower()))


def check(paths: Sequence[Path], roster: Path | None) -> ValidationResult:
    """Validate as the CLI does, with the example roster when given."""
    return validate(paths, roster=load_roster(roster) if roster else None)


def codes(findings: Sequence[Finding]) -> set[str]:
    """The finding codes, for comparing what was found with what was planted."""
    return {f.code for f in findings}


# ---------------------------------------------------------------------------------------------
# Typical fillings

# A department: percent rows (.a denominators, .b numerators) and row 11.
DEPARTMENT: dict[tuple[str, int], object] = {
    ("2.a", 5): 2,
    ("2.b", 5): 1,
    ("3.a", 5): 2693,
    ("3.b", 5): 319,
    ("4.a", 5): 116,
    ("4.b", 5): 109,
    ("5.a", 5): 1453,
    ("5.b", 5): 1311,
    ("11", 5): 1,
    ("12.a", 5): 1,
    ("12.b", 5): 1,
}
# A district also fills rows 9 and 10: (4) target, (5) actual.
DISTRICT = {**DEPARTMENT, ("9", 4): 1, ("9", 5): 1, ("10", 4): 10, ("10", 5): 10, ("11", 5): 2}
# The province-wide unit (TINH) fills the (*) rows.
PROVINCE_ROWS: dict[tuple[str, int], object] = {
    ("1", 5): "Có",
    ("6.a", 5): 1519,
    ("6.b", 5): 383,
    ("6.c", 5): 179,
    ("7", 5): 52,
    ("8", 5): 1144,
    ("11", 5): 2,
    ("13", 5): "Có",
    ("14", 5): 96,
    ("14.a", 5): 12,
    ("15", 5): 400,
}
PROJECT = Project(
    "I",
    "Đầu tư nâng cấp hạ tầng kỹ thuật và ứng dụng của mô hình Chính quyền điện tử",
    {
        3: "Sở Thông tin và Truyền thông",
        4: "2018-2020",
        5: "QĐ số 3871/QĐ-UBND ngày 30/10/2017",
        6: 45000,
        7: 30000,
        8: 15000,
        10: 15000,
        11: 0,
        12: 15000,
        14: 15000,
        16: 15000,
    },
)


def pl01(
    changes: Mapping[tuple[str, int], object],
    base: Mapping[tuple[str, int], object] = DEPARTMENT,
    unit: str | None = "Sở Tài chính",
) -> Callable[[], Book]:
    """A builder of a department's PL01 with ``changes`` typed over ``base``."""
    return lambda: fill_pl01({**base, **changes}, unit=unit)


def pl02(
    *projects_: Project,
    typed: Mapping[tuple[str, int], object] | None = None,
    unit: str | None = "Sở Tài chính",
) -> Callable[[], Book]:
    """A builder of a PL02 with ``projects_`` and values typed on its fixed rows."""
    return lambda: fill_pl02(projects_, unit=unit, typed=typed)


def many_projects(counts: Mapping[str, int]) -> list[Project]:
    """``counts[group]`` projects in each group, each consistent on its own."""
    return [
        Project(group, f"Dự án {group}.{n}", {7: 100 * n, 8: 10, 11: 50 * n, 15: 25 * n})
        for group, count in counts.items()
        for n in range(1, count + 1)
    ]


# ---------------------------------------------------------------------------------------------
# Planted mistakes


@dataclass(frozen=True)
class Planted:
    """A workbook with one mistake, and the finding it must produce."""

    build: Callable[[], Book | None]
    code: str
    severity: str
    at: tuple[str, str, int] | str | None  # (form, row key, column) | "unit" (its line) | None
    exit_code: int
    also: frozenset[str] = frozenset()  # other codes the same mistake rightly brings
    roster: bool = False


def _no_form() -> None:
    return None


def changed(build: Callable[[], Book], *variants: Callable[[Book], Book]) -> Callable[[], Book]:
    """A builder whose workbook is then changed by each variant in turn."""

    def _build() -> Book:
        book = build()
        for variant in variants:
            book = variant(book)
        return book

    return _build


def fill_cell(book: Book, form: str, key: str, column: int, value: object) -> Book:
    """One more value typed after the other changes."""
    book.sheet(form).write(key, column, value)
    return book


PLANTED = {
    "text-in-number-cell": Planted(
        pl01({("3.a", 5): "khoảng 2.700"}), "text-not-number", "error", ("PL01", "3.a", 5), 1
    ),
    "text-in-district-target": Planted(
        pl01({("9", 4): "một"}, DISTRICT, "UBND huyện An Lão"),
        "text-not-number",
        "error",
        ("PL01", "9", 4),
        1,
    ),
    "text-in-money-cell": Planted(
        pl02(Project("I", "Phần mềm một cửa", {7: "ba trăm", 8: 100})),
        "text-not-number",
        "error",
        ("PL02", "I.1", 7),
        1,
    ),
    "negative-count": Planted(
        pl01({("11", 5): -3}), "negative-value", "error", ("PL01", "11", 5), 1
    ),
    "negative-count-as-text": Planted(
        pl01({("4.a", 5): "-116", ("4.b", 5): None}),
        "negative-value",
        "error",
        ("PL01", "4.a", 5),
        1,
    ),
    "negative-money": Planted(
        pl02(Project("II", "Giám sát an toàn thông tin", {8: -100})),
        "negative-value",
        "error",
        ("PL02", "II.1", 8),
        1,
    ),
    "numerator-above-denominator": Planted(
        pl01({("5.a", 5): 100, ("5.b", 5): 120}),
        "numerator-above-denominator",
        "error",
        ("PL01", "5.b", 5),
        1,
    ),
    "numerator-above-denominator-as-text": Planted(
        pl01({("3.a", 5): "1.200", ("3.b", 5): "1.519"}),
        "numerator-above-denominator",
        "error",
        ("PL01", "3.b", 5),
        1,
    ),
    "typed-percent-above-100": Planted(
        pl01({("5", 5): 120}),
        "percent-out-of-range",
        "error",
        ("PL01", "5", 5),
        1,
        also=frozenset({"computed-cell-differs"}),
    ),
    "typed-percent-below-0": Planted(
        pl01({("5", 5): "-5%"}),
        "percent-out-of-range",
        "error",
        ("PL01", "5", 5),
        1,
        also=frozenset({"computed-cell-differs", "negative-value"}),
    ),
    "negative-completion-rate": Planted(
        pl01({("5", 6): "-5%"}),
        "negative-value",
        "error",
        ("PL01", "5", 6),
        1,
        also=frozenset({"computed-cell-differs"}),
    ),
    "disbursement-rate-above-100": Planted(
        pl02(Project("I", "Dự án A", {7: 100, 11: 100, 15: 50, 18: "150%"})),
        "percent-out-of-range",
        "error",
        ("PL02", "I.1", 18),
        1,
        also=frozenset({"computed-cell-differs"}),
    ),
    "province-row-filled-by-department": Planted(
        pl01({("7", 5): 10}), "province-only-row", "warning", ("PL01", "7", 5), 0
    ),
    "province-yes-no-filled-by-district": Planted(
        pl01({("1", 5): "Có"}, DISTRICT, "UBND huyện An Lão"),
        "province-only-row",
        "warning",
        ("PL01", "1", 5),
        0,
    ),
    "total-investment-not-sum-of-sources": Planted(
        pl02(Project("I", "Dự án A", {6: 100, 7: 50, 8: 40})),
        "total-not-sum-of-sources",
        "error",
        ("PL02", "I.1", 6),
        1,
    ),
    "allocated-total-not-sum-of-sources": Planted(
        pl02(Project("III", "Dự án C", {7: 100, 10: "1.000", 11: 900, 12: "90"})),
        "total-not-sum-of-sources",
        "error",
        ("PL02", "III.1", 10),
        1,
        also=frozenset({"allocated-above-investment"}),
    ),
    "disbursed-above-allocated": Planted(
        pl02(Project("I", "Dự án A", {7: 200, 11: 100, 15: 150})),
        "disbursed-above-allocated",
        "error",
        ("PL02", "I.1", 14),
        1,
    ),
    "disbursed-above-allocated-second-project": Planted(
        pl02(PROJECT, Project("I", "Dự án B", {8: 200, 12: 100, 16: "100,5"})),
        "disbursed-above-allocated",
        "error",
        ("PL02", "I.2", 14),
        1,
    ),
    "allocated-above-investment": Planted(
        pl02(Project("I", "Dự án A", {7: 100, 11: 150, 15: 100})),
        "allocated-above-investment",
        "warning",
        ("PL02", "I.1", 10),
        0,
    ),
    "group-row-disagrees": Planted(
        pl02(Project("I", "Dự án A", {7: 100}), typed={("I", 6): 999}),
        "computed-cell-differs",
        "warning",
        ("PL02", "I", 6),
        0,
    ),
    "total-row-disagrees": Planted(
        pl02(Project("II", "Dự án A", {9: 100, 13: 60}), typed={("TOTAL", 10): 100}),
        "computed-cell-differs",
        "warning",
        ("PL02", "TOTAL", 10),
        0,
    ),
    "pl01-total-row-disagrees": Planted(
        pl01({("6", 5): 2000}, PROVINCE_ROWS, PROVINCE),
        "computed-cell-differs",
        "warning",
        ("PL01", "6", 5),
        0,
    ),
    "pl01-percent-disagrees": Planted(
        pl01({("5", 5): "50%"}), "computed-cell-differs", "warning", ("PL01", "5", 5), 0
    ),
    "pl01-assessment-disagrees": Planted(
        pl01({("3", 7): "Đạt"}), "computed-cell-differs", "warning", ("PL01", "3", 7), 0
    ),
    "no-unit-name": Planted(pl01({}, unit=None), "missing-unit-name", "error", "unit", 1),
    "no-unit-name-pl02": Planted(pl02(unit=None), "missing-unit-name", "error", "unit", 1),
    "unit-not-in-roster": Planted(
        pl01({}, unit="Sở Khoa học Viễn tưởng"),
        "unit-not-in-roster",
        "error",
        "unit",
        1,
        roster=True,
    ),
    "formula-without-value-in-input": Planted(
        pl01({("3.a", 5): "=2000+693"}), "formula-without-value", "error", ("PL01", "3.a", 5), 1
    ),
    "formula-without-value-in-money": Planted(
        pl02(Project("I", "Dự án A", {7: "=30*1000"})),
        "formula-without-value",
        "error",
        ("PL02", "I.1", 7),
        1,
    ),
    "formula-without-value-in-district-target": Planted(
        pl01({("10", 4): "=5+5"}, DISTRICT, "UBND huyện An Lão"),
        "formula-without-value",
        "error",
        ("PL01", "10", 4),
        1,
    ),
    # A district has as many communes as the roster says: 12 of its 10 is no figure at all.
    "district-above-its-communes": Planted(
        pl01({("10", 5): 12, ("10", 6): 120, ("10", 7): "Đạt"}, DISTRICT, "UBND huyện An Lão"),
        "above-own-target",
        "error",
        ("PL01", "10", 5),
        1,
        roster=True,
    ),
    "no-form": Planted(_no_form, "no-form", "error", None, 1),
    # Mistakes in workbooks that also carry quirks: the cell named is where the value is now.
    "text-in-number-cell-after-extra-column-a": Planted(
        changed(pl01({("3.a", 5): "hai nghìn"}), lambda b: insert_column(b, "PL01", 1)),
        "text-not-number",
        "error",
        ("PL01", "3.a", 5),
        1,
    ),
    "negative-count-below-inserted-rows": Planted(
        changed(
            pl01({("10", 5): -1}, DISTRICT, "UBND huyện An Lão"),
            lambda b: insert_row_before(b, "PL01", "9"),
            lambda b: letterhead(b, "PL01", ["UBND HUYỆN AN LÃO"]),
        ),
        "negative-value",
        "error",
        ("PL01", "10", 5),
        1,
    ),
    "numerator-above-denominator-renamed-nfd-unmerged": Planted(
        changed(
            pl01({("12.a", 5): "1", ("12.b", 5): "2"}),
            lambda b: rename_sheet(b, "PL01", "Biểu 01"),
            to_nfd,
            unmerge_headers,
        ),
        "numerator-above-denominator",
        "error",
        ("PL01", "12.b", 5),
        1,
    ),
    "disbursed-above-allocated-pl02-first-shifted": Planted(
        changed(
            lambda: both(
                fill_pl01(DEPARTMENT), fill_pl02(many_projects({"III": 5})), pl02_first=True
            ),
            lambda b: insert_column(b, "PL02", 1),
            lambda b: insert_row_before(b, "PL02", "III"),
            lambda b: fill_cell(b, "PL02", "III.5", 16, 999),
        ),
        "disbursed-above-allocated",
        "error",
        ("PL02", "III.5", 14),
        1,
    ),
    "formula-without-value-hidden-column": Planted(
        changed(
            pl01({("9", 4): "=1", ("9", 5): 1}, DISTRICT, "UBND huyện An Lão"),
            lambda b: hide_column(b, "PL01", 4),
        ),
        "formula-without-value",
        "error",
        ("PL01", "9", 4),
        1,
    ),
}


def _no_form_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Báo cáo"
    ws["A1"] = "Báo cáo tình hình ứng dụng công nghệ thông tin năm 2020"
    ws["A3"], ws["B3"], ws["C3"] = "STT", "Nội dung", "Số lượng"
    ws["A4"], ws["B4"], ws["C4"] = 1, "Máy tính", 120
    wb.save(path)
    return path


@pytest.mark.parametrize("case", PLANTED.values(), ids=PLANTED.keys())
def test_planted_mistake_is_reported_at_its_cell(
    case: Planted, tmp_path: Path, roster: Path
) -> None:
    """A planted mistake gives its code and severity at the exact sheet and cell, in Vietnamese."""
    book = case.build()
    path = tmp_path / "unit.xlsx"
    if book is None:
        _no_form_workbook(path)
    else:
        book.save(path)
    result = check([path], roster if case.roster else None)
    findings = result.files[0].findings
    if case.at is None:
        where: tuple[str | None, str | None] = (None, None)
        row = None
    elif case.at == "unit":
        assert book is not None
        where = book.unit_where(next(iter(book.sheets)))
        row = None
    else:
        assert book is not None
        where = book.where(*case.at)
        row = case.at[1]
    planted = [f for f in findings if f.code == case.code]
    assert [(case.code, case.severity, *where, row)] == [
        (f.code, f.severity, f.sheet, f.cell, f.row) for f in planted
    ]
    assert {case.code} | case.also == codes(findings)
    assert case.exit_code == result.exit_code
    message = planted[0].message
    assert is_vietnamese(message), message
    if row is not None:
        label = "TỔNG SỐ" if row == "TOTAL" else row
        assert f"dòng {label}".casefold() in message.casefold(), message


@pytest.mark.parametrize(
    ("key", "name"),
    [("3.a", "Tổng số hồ sơ thủ tục hành chính"), ("11", "Số cơ quan, đơn vị kết nối")],
)
def test_message_names_row_by_stt_and_name(key: str, name: str, save: Callable[..., Path]) -> None:
    """A PL01 message names the row as the form prints it: its STT and its indicator."""
    path = save(fill_pl01({**DEPARTMENT, (key, 5): "không rõ"}))
    (finding,) = check([path], None).files[0].findings
    assert f"dòng {key} ({name}" in finding.message


def test_computed_cells_with_uncached_formulas_are_not_reported(save: Callable[..., Path]) -> None:
    """Formulas without a value in computed cells (ratios, totals, groups) are not findings."""
    formulas = {
        ("3", 5): "=E16/E15*100",
        ("3", 6): "=E14/30*100",
        ("3", 7): '=IF(F14>=100,"Đạt","Không đạt")',
        ("9", 6): "=E29/D29*100",
        ("9", 7): '=IF(E29>=D29,"Đạt","Không đạt")',
    }
    pl01_book = fill_pl01({**DISTRICT, **formulas}, unit="UBND huyện An Lão")
    money = {
        6: "=SUM(G11:I11)",
        7: 100,
        10: "=SUM(K11:M11)",
        11: 80,
        14: "=SUM(O11:Q11)",
        15: 40,
        18: "=N11/J11*100",
    }
    pl02_book = fill_pl02(
        [Project("I", "Dự án A", money)],
        unit="UBND huyện An Lão",
        typed={
            ("I", 6): "=SUM(F11:F13)",
            ("TOTAL", 6): "=F10+F14+F18",
            ("TOTAL", 18): "=N9/J9*100",
        },
    )
    result = check([save(both(pl01_book, pl02_book))], None)
    assert [] == list(result.files[0].findings)
    assert 0 == result.exit_code


def test_read_grids_from_values_in_memory() -> None:
    """Sheets given as values (a workbook open in Excel) read like a file, cells included."""
    book = fill_pl01({**DEPARTMENT, **TEXT_NUMBERS}, unit=nfd("Sở Tài chính"))
    insert_column(book, "PL01", 1)
    ws = book.sheet("PL01").ws
    report = read_grids({ws.title: [list(row) for row in ws.iter_rows(values_only=True)]}, "mở")
    form = report.forms["PL01"]
    assert ("Sở Tài chính", ws.title) == (report.unit, form.sheet)
    row = form.row("3.a")
    assert row is not None
    assert (2693.0, book.where("PL01", "3.a", 5)[1]) == (
        inputs(form)["3.a", "actual"],
        row.values["actual"].cell,
    )


def test_one_mistake_per_unit_in_a_batch(tmp_path: Path) -> None:
    """In a batch each finding stays with its own file; the clean file stays valid."""
    good = fill_pl01(DEPARTMENT).save(tmp_path / "good.xlsx")
    bad_book = fill_pl01({**DEPARTMENT, ("2.b", 5): 3}, unit="Sở Công Thương")
    bad = bad_book.save(tmp_path / "bad.xlsx")
    result = check([good, bad], None)
    assert [True, False] == [f.valid for f in result.files]
    assert [("numerator-above-denominator", *bad_book.where("PL01", "2.b", 5))] == [
        (f.code, f.sheet, f.cell) for f in result.files[1].findings
    ]
    assert 1 == result.exit_code


def test_units_differ_between_sheets(save: Callable[..., Path]) -> None:
    """Two forms of one file naming different units is an error on the second form's line."""
    book = both(fill_pl01(DEPARTMENT), fill_pl02(unit="Sở Y tế"))
    (finding,) = check([save(book)], None).files[0].findings
    assert ("units-differ", "error", *book.unit_where("PL02")) == (
        finding.code,
        finding.severity,
        finding.sheet,
        finding.cell,
    )


# ---------------------------------------------------------------------------------------------
# Well-formed workbooks with the quirks of real units


@dataclass(frozen=True)
class Quirky:
    """A well-formed submission (one or more files), and values that must be read from it."""

    build: Callable[[], Sequence[Book]]
    values: Mapping[CellKey, object] = field(default_factory=dict)
    unit: str = "Sở Tài chính"
    writer: str = "openpyxl"  # openpyxl | xlsxwriter | libreoffice
    warnings: frozenset[str] = frozenset()


def one(build: Callable[[], Book], *variants: Callable[[Book], Book]) -> Callable[[], list[Book]]:
    """One workbook: built, then changed by each variant in turn."""
    return lambda: [changed(build, *variants)()]


TEXT_NUMBERS = {
    ("3.a", 5): "2.693",
    ("3.b", 5): f"{NBSP}319{NBSP}",
    ("5.a", 5): "1.453,0",
    ("5.b", 5): " 1 311 ",
    ("11", 5): "1",
}
PROVINCE_TEXT = {
    **PROVINCE_ROWS,
    ("1", 5): "x",
    ("6.a", 5): "1.519",
    ("8", 5): "1.144",
    ("13", 5): "có",
    ("14", 5): f"{NBSP}96",
    ("15", 5): "1.234,5",
}
TYPED_COMPUTED = {  # computed cells typed by the unit, agreeing with the computation
    ("5.a", 5): 1000,
    ("5.b", 5): 900,
    ("5", 5): "90%",
    ("5", 6): 100,
    ("5", 7): "Đạt",
    ("3", 5): "11,85",
    ("3", 7): "không đạt",
}
PROJECTS = (
    PROJECT,
    Project(
        "I", "Phần mềm quản lý văn bản", {8: "1.234,5", 12: "1.000", 16: "900,25", 18: "90,03%"}
    ),
    Project("II", "Trung tâm giám sát an toàn thông tin (SOC)", {7: 500, 9: 500, 11: 800, 15: 800}),
    Project("III", "Khu công nghệ thông tin tập trung", {8: "2.000", 12: 0}),
)
GROUPS = {
    ("I", 6): 46234.5,
    ("I", 10): 16000,
    ("II", 6): "1.000",
    ("III", 6): 2000,
    ("TOTAL", 6): "49.234,5",
    ("TOTAL", 10): 16800,
    ("TOTAL", 14): 16700.25,
}
ALL_GROUPS_VALUES = {
    ("PL02", "I.1", 6): 45000.0,
    ("PL02", "I.2", 8): 1234.5,
    ("PL02", "I.2", 16): 900.25,
    ("PL02", "II.1", 9): 500.0,
    ("PL02", "III.1", 8): 2000.0,
}
PROVINCE_VALUES = {
    ("PL01", "1", 5): True,
    ("PL01", "6.a", 5): 1519.0,
    ("PL01", "8", 5): 1144.0,
    ("PL01", "13", 5): True,
    ("PL01", "14", 5): 96.0,
    ("PL01", "15", 5): 1234.5,
}
TEXT_VALUES = {
    ("PL01", "3.a", 5): 2693.0,
    ("PL01", "3.b", 5): 319.0,
    ("PL01", "5.a", 5): 1453.0,
    ("PL01", "5.b", 5): 1311.0,
    ("PL01", "11", 5): 1.0,
}
DEPARTMENT_VALUES = {("PL01", key, column): float(v) for (key, column), v in DEPARTMENT.items()}
DISTRICT_VALUES = {("PL01", "9", 4): 1.0, ("PL01", "10", 4): 10.0, ("PL01", "10", 5): 10.0}


def split_files() -> list[Book]:
    """One file per form, as several units send them."""
    return [
        fill_pl01(DISTRICT, unit="UBND huyện An Lão"),
        fill_pl02(many_projects({"I": 2}), unit="UBND huyện An Lão"),
    ]


def with_percent_format() -> Book:
    """(5) of row 5 typed as 0.9 with the "%" number format (Excel shows 90%)."""
    book = fill_pl01({**DEPARTMENT, ("5.a", 5): 1000, ("5.b", 5): 900, ("5", 5): 0.9})
    sheet = book.sheet("PL01")
    sheet.ws[sheet.cell("5", 5)].number_format = "0%"
    return book


QUIRKS: dict[str, Quirky] = {
    "plain-department": Quirky(one(pl01({})), DEPARTMENT_VALUES),
    "numbers-as-vietnamese-text": Quirky(one(pl01(TEXT_NUMBERS)), TEXT_VALUES),
    "province-text-yes-no-x": Quirky(
        one(pl01({}, PROVINCE_TEXT, PROVINCE)), PROVINCE_VALUES, unit=PROVINCE
    ),
    "yes-no-written-out": Quirky(
        one(
            pl01(
                {("1", 5): "Đã triển khai", ("13", 5): "CÓ", ("15", 5): "45,5"},
                PROVINCE_ROWS,
                PROVINCE,
            )
        ),
        {("PL01", "1", 5): True, ("PL01", "13", 5): True, ("PL01", "15", 5): 45.5},
        unit=PROVINCE,
    ),
    "computed-cells-typed-and-agreeing": Quirky(
        one(pl01(TYPED_COMPUTED)), {("PL01", "5.a", 5): 1000.0, ("PL01", "5.b", 5): 900.0}
    ),
    "percent-as-fraction-formatted": Quirky(one(with_percent_format), {("PL01", "5.b", 5): 900.0}),
    "completion-rate-above-100": Quirky(
        one(pl01({("4", 5): "93,97", ("4", 6): 187.93, ("4", 7): "Đạt", ("2", 6): "100%"})),
        DEPARTMENT_VALUES,
    ),
    "completion-rate-as-fraction-formatted": Quirky(
        one(pl01({("4", 5): 0.9397, ("4", 6): 1.8793, ("2", 5): 0.5, ("2", 6): 1})),
        DEPARTMENT_VALUES,
    ),
    "dash-in-province-rows": Quirky(
        one(pl01({("1", 5): "-", ("7", 5): "-", ("8", 5): "–", ("15", 5): "-"})), DEPARTMENT_VALUES
    ),
    "district-rows-9-10": Quirky(
        one(pl01({}, DISTRICT, "UBND huyện An Lão")), DISTRICT_VALUES, unit="UBND huyện An Lão"
    ),
    "nfd-unit-name": Quirky(
        one(pl01({}, unit=nfd("Sở Giáo dục và Đào tạo"))),
        DEPARTMENT_VALUES,
        unit="Sở Giáo dục và Đào tạo",
    ),
    "nfd-everywhere": Quirky(
        one(pl01(TEXT_NUMBERS, unit="Sở Giáo dục và Đào tạo"), to_nfd),
        TEXT_VALUES,
        unit="Sở Giáo dục và Đào tạo",
    ),
    "inserted-row-before-9": Quirky(
        one(pl01({}, DISTRICT, "UBND huyện An Lão"), lambda b: insert_row_before(b, "PL01", "9")),
        DISTRICT_VALUES,
        unit="UBND huyện An Lão",
    ),
    "inserted-rows-in-the-table": Quirky(
        one(
            pl01({}),
            lambda b: insert_row_before(b, "PL01", "I"),
            lambda b: insert_row_before(b, "PL01", "3.b"),
            lambda b: insert_row_before(b, "PL01", "12"),
        ),
        DEPARTMENT_VALUES,
    ),
    "deleted-province-row": Quirky(
        one(pl01({}), lambda b: delete_row(b, "PL01", "6.c")),
        DEPARTMENT_VALUES,
        warnings=frozenset({"missing-row"}),
    ),
    "cleared-province-row": Quirky(
        one(pl01({}), lambda b: clear_row(b, "PL01", "7")),
        DEPARTMENT_VALUES,
        warnings=frozenset({"missing-row"}),
    ),
    "extra-column-a": Quirky(
        one(pl01({}), lambda b: insert_column(b, "PL01", 1)), DEPARTMENT_VALUES
    ),
    "extra-column-inside-table": Quirky(
        one(pl01({}), lambda b: insert_column(b, "PL01", 6, header="Ghi chú của đơn vị")),
        DEPARTMENT_VALUES,
    ),
    "letterhead-above-the-title": Quirky(
        one(pl01({}), lambda b: letterhead(b, "PL01", ["UBND TỈNH BÌNH ĐỊNH", "SỞ TÀI CHÍNH"])),
        DEPARTMENT_VALUES,
    ),
    "numbering-row-deleted": Quirky(
        one(pl01({}), lambda b: delete_numbering_row(b, "PL01")), DEPARTMENT_VALUES
    ),
    "numbering-row-deleted-pl02": Quirky(
        one(pl02(*PROJECTS, typed=GROUPS), lambda b: delete_numbering_row(b, "PL02")),
        ALL_GROUPS_VALUES,
    ),
    "other-sheets-beside-the-form": Quirky(
        one(
            pl01({}),
            lambda b: add_sheet(b, "Ghi chú", "Số liệu lấy từ phần mềm quản lý văn bản"),
            lambda b: add_sheet(b, "Sheet3", hidden=True),
        ),
        DEPARTMENT_VALUES,
    ),
    "hidden-column": Quirky(one(pl01({}), lambda b: hide_column(b, "PL01", 3)), DEPARTMENT_VALUES),
    "hidden-province-rows": Quirky(
        one(pl01({}), lambda b: hide_rows(b, "PL01", ["6", "6.a", "6.b", "6.c", "7", "8"])),
        DEPARTMENT_VALUES,
    ),
    "unit-name-in-the-next-cell": Quirky(
        one(pl01({}, unit=None), lambda b: unit_in_next_cell(b, "PL01", "Sở Tài chính")),
        DEPARTMENT_VALUES,
    ),
    "unit-name-on-a-new-line": Quirky(one(pl01({}, unit="\nSở Tài chính")), DEPARTMENT_VALUES),
    "hidden-input-column": Quirky(
        one(pl01({}, DISTRICT, "UBND huyện An Lão"), lambda b: hide_column(b, "PL01", 4)),
        DISTRICT_VALUES,
        unit="UBND huyện An Lão",
    ),
    "unmerged-headers": Quirky(one(pl01({}), unmerge_headers), DEPARTMENT_VALUES),
    "renamed-sheet": Quirky(
        one(pl01({}), lambda b: rename_sheet(b, "PL01", "Sheet1")), DEPARTMENT_VALUES
    ),
    "both-forms-one-workbook": Quirky(
        one(lambda: both(fill_pl01(DEPARTMENT), fill_pl02(PROJECTS, typed=GROUPS))),
        {**DEPARTMENT_VALUES, **ALL_GROUPS_VALUES},
    ),
    "pl02-first-renamed": Quirky(
        one(
            lambda: both(fill_pl01(DEPARTMENT), fill_pl02(PROJECTS), pl02_first=True),
            lambda b: rename_sheet(b, "PL01", "Biểu 01"),
            lambda b: rename_sheet(b, "PL02", "Biểu 02"),
        ),
        {**DEPARTMENT_VALUES, **ALL_GROUPS_VALUES},
    ),
    "one-file-per-form": Quirky(
        split_files, {**DISTRICT_VALUES, ("PL02", "I.2", 7): 200.0}, unit="UBND huyện An Lão"
    ),
    "pl02-no-project": Quirky(one(pl02())),
    "pl02-one-project": Quirky(one(pl02(PROJECT)), {("PL02", "I.1", 6): 45000.0}),
    "pl02-five-projects-in-a-group": Quirky(
        one(pl02(*many_projects({"I": 5}), typed={("I", 7): 1500, ("TOTAL", 7): 1500})),
        {("PL02", "I.4", 7): 400.0, ("PL02", "I.5", 15): 125.0},
    ),
    "pl02-projects-in-every-group": Quirky(
        one(pl02(*many_projects({"I": 1, "II": 4, "III": 2}))),
        {("PL02", "II.4", 7): 400.0, ("PL02", "III.2", 11): 100.0},
    ),
    "pl02-typed-groups-and-total": Quirky(one(pl02(*PROJECTS, typed=GROUPS)), ALL_GROUPS_VALUES),
    "pl02-twelve-projects-odd-stt": Quirky(
        one(
            pl02(*many_projects({"II": 12})),
            lambda b: project_stt(
                b, lambda g, n: None if n % 3 == 0 else f"{n}." if n % 2 else "-"
            ),
        ),
        {("PL02", "II.12", 7): 1200.0, ("PL02", "II.3", 15): 75.0},
    ),
    "pl02-blank-project-rows-deleted": Quirky(
        one(pl02(*PROJECTS, typed=GROUPS), drop_blank_project_rows), ALL_GROUPS_VALUES
    ),
    "pl02-zero-totals-without-projects": Quirky(
        one(pl02(typed={("TOTAL", 6): 0, ("I", 6): 0, ("II", 6): "0", ("III", 6): "-"}))
    ),
    "xlsxwriter": Quirky(
        one(lambda: both(fill_pl01(TEXT_NUMBERS), fill_pl02(PROJECTS))),
        {**TEXT_VALUES, **ALL_GROUPS_VALUES},
        writer="xlsxwriter",
    ),
    "libreoffice": Quirky(
        one(lambda: both(fill_pl01(TEXT_NUMBERS), fill_pl02(PROJECTS))),
        {**TEXT_VALUES, **ALL_GROUPS_VALUES},
        writer="libreoffice",
    ),
    "libreoffice-recalculates-input-formula": Quirky(
        one(
            pl01(
                {
                    ("3.a", 5): "=2000+693",
                    ("3", 5): "=E16/E15*100",
                    ("3", 6): "=E14/30*100",
                    ("3", 7): '=IF(F14>=100,"Đạt","Không đạt")',
                }
            )
        ),
        {("PL01", "3.a", 5): 2693.0},
        writer="libreoffice",
    ),
    # A few quirks together.
    "column-a-renamed-nfd-unmerged": Quirky(
        one(
            pl01(TEXT_NUMBERS, unit="Sở Giáo dục và Đào tạo"),
            lambda b: insert_column(b, "PL01", 1),
            lambda b: rename_sheet(b, "PL01", "PL01"),
            to_nfd,
            unmerge_headers,
        ),
        TEXT_VALUES,
        unit="Sở Giáo dục và Đào tạo",
    ),
    "row-inserted-hidden-column-province": Quirky(
        one(
            pl01({}, PROVINCE_TEXT, PROVINCE),
            lambda b: insert_row_before(b, "PL01", "6"),
            lambda b: hide_column(b, "PL01", 3),
            lambda b: insert_column(b, "PL01", 9, "Nguồn số liệu"),
        ),
        PROVINCE_VALUES,
        unit=PROVINCE,
    ),
    "both-forms-shifted-xlsxwriter": Quirky(
        one(
            lambda: both(
                fill_pl01(DISTRICT, unit="UBND huyện An Lão"),
                fill_pl02(many_projects({"I": 4, "III": 1}), unit="UBND huyện An Lão"),
            ),
            lambda b: insert_column(b, "PL02", 1),
            lambda b: insert_row_before(b, "PL01", "2"),
            unmerge_headers,
        ),
        {**DISTRICT_VALUES, ("PL02", "I.4", 11): 200.0},
        unit="UBND huyện An Lão",
        writer="xlsxwriter",
    ),
    "both-forms-shifted-libreoffice": Quirky(
        one(
            lambda: both(
                fill_pl01(TEXT_NUMBERS, unit=nfd("Sở Giáo dục và Đào tạo")),
                fill_pl02(PROJECTS, typed=GROUPS, unit="Sở Giáo dục và Đào tạo"),
                pl02_first=True,
            ),
            lambda b: insert_column(b, "PL01", 1),
            lambda b: rename_sheet(b, "PL02", "PL02"),
            lambda b: insert_row_before(b, "PL02", "II"),
            unmerge_headers,
        ),
        {**TEXT_VALUES, **ALL_GROUPS_VALUES},
        unit="Sở Giáo dục và Đào tạo",
        writer="libreoffice",
    ),
}
LIBREOFFICE = [name for name, case in QUIRKS.items() if case.writer == "libreoffice"]


def _write(case: Quirky, books: Sequence[Book], folder: Path, name: str) -> list[Path]:
    paths = []
    for index, book in enumerate(books):
        path = folder / f"{name}-{index}.xlsx"
        if case.writer == "xlsxwriter":
            save_with_xlsxwriter(book, path)
        else:
            book.save(path)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory, soffice: str) -> dict[str, list[Path]]:
    """Every LibreOffice case written by openpyxl, then opened and saved by one soffice run."""
    folder = tmp_path_factory.mktemp("openpyxl")
    written = {
        name: _write(QUIRKS[name], QUIRKS[name].build(), folder, name) for name in LIBREOFFICE
    }
    converted = libreoffice_resave(
        [p for paths in written.values() for p in paths], tmp_path_factory.mktemp("libreoffice")
    )
    return {name: [converted[p] for p in paths] for name, paths in written.items()}


def _paths(
    name: str, case: Quirky, books: Sequence[Book], tmp_path: Path, request: pytest.FixtureRequest
) -> list[Path]:
    if case.writer == "libreoffice":
        return list(request.getfixturevalue("resaved")[name])
    return _write(case, books, tmp_path, name)


@pytest.mark.parametrize("name", QUIRKS)
def test_well_formed_workbook_passes(
    name: str, tmp_path: Path, roster: Path, request: pytest.FixtureRequest
) -> None:
    """A well-formed workbook with a real unit's quirks has no error and exits 0."""
    case = QUIRKS[name]
    paths = _paths(name, case, case.build(), tmp_path, request)
    result = check(paths, roster)
    found = [(f.code, f.sheet, f.cell) for item in result.files for f in item.findings]
    assert case.warnings == {code for code, _, _ in found}, found
    assert [case.unit] * len(paths) == [item.unit for item in result.files]
    assert 0 == result.exit_code


@pytest.mark.parametrize("name", QUIRKS)
def test_well_formed_values_are_read_from_their_cells(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Each typed value is read as its number (or Có/Không) from the cell it was typed in."""
    case = QUIRKS[name]
    books = case.build()
    paths = _paths(name, case, books, tmp_path, request)
    read: dict[CellKey, object] = {}
    cells: dict[CellKey, tuple[str, str]] = {}
    for path in paths:
        report = read_workbook(path)
        assert unicodedata.normalize("NFC", case.unit) == report.unit
        for code, form in report.forms.items():
            if form.spec.has_projects:
                table = {
                    (row.key, key): value
                    for _, row, found in projects(form)
                    for key, value in found.items()
                }
            else:
                table = inputs(form)
            for (key, column), value in table.items():
                number = form.spec.column_by_key[column].number
                read[code, key, number] = value
                row = form.row(key)
                assert row is not None
                cells[code, key, number] = (form.sheet, row.values[column].cell)
    expected_cells = {
        key: book.where(*key) for book in books for key in case.values if key[0] in book.sheets
    }
    assert dict(case.values) == {key: read.get(key) for key in case.values}
    assert expected_cells == {key: cells.get(key) for key in case.values}


@pytest.mark.parametrize("name", [n for n, c in QUIRKS.items() if c.writer == "openpyxl"])
def test_builders_put_values_where_they_say(name: str, tmp_path: Path) -> None:
    """Each typed value sits at the cell the builder reports, as openpyxl reads it back."""
    for index, book in enumerate(QUIRKS[name].build()):
        path = book.save(tmp_path / f"{index}.xlsx")
        wb = openpyxl.load_workbook(path)
        found = {key: wb[sheet][cell].value for key, (sheet, cell) in book.landed().items()}
        assert dict(book.typed) == found


def test_warm_up_checks_rows_shaped_as_the_real_ones() -> None:
    """The made-up cell and relation checked while files are read fit both schemas: the
    warm-up exercises the same columns and types as a real check, and finds nothing."""
    from ctmtcntt.check.validation import warm_up

    assert warm_up() == []
