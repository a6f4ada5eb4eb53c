#!/usr/bin/env python3
"""Generate the Bình Định 2020 example: 32 unit workbooks filled on the Ministry's forms.

Every reporting unit of the roster (TINH, S01-S20, H01-H11) fills *copies* of the
Ministry's blank forms PL01.xlsx / PL02.xlsx the way a real unit would: it loads the
form, writes its name on the "Đơn vị báo cáo:" line and types values into the input
cells.  A few units carry realistic but valid quirks (numbers typed as Vietnamese
text, one file per form, renamed sheets, an inserted blank row, a hidden column,
unmerged header cells, a file re-saved by LibreOffice, name variants).

Consolidating all units (sums over units, TINH included; percent rows as
Σb/Σa×100; (*) rows from TINH only) reproduces the figures of the province's
report of September 2021 (see README.md).

Usage:
    python generate.py [--forms DIR] [--roster CSV] [--out DIR] [--no-libreoffice]

The output is deterministic: no randomness, fixed document properties and fixed
zip timestamps, so re-running gives byte-identical files (the LibreOffice-saved
workbook is normalised the same way; its content depends on the installed
LibreOffice version).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
DEFAULT_FORMS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "forms"
ROSTER_NAME = "roster-binh-dinh-2020.csv"

NBSP = "\u00a0"
FIXED_ZIP_TIME = (2021, 9, 30, 0, 0, 0)
FORMS_CREATED = dt.datetime(2021, 9, 16, 8, 0, 0)

# ---------------------------------------------------------------------------
# Form layout (positions in the Ministry's blank forms; units may shift them)
# ---------------------------------------------------------------------------

# PL01: STT path -> row in the blank form.
PL01_ROW = {
    "1": 10,
    "2": 11,
    "2.a": 12,
    "2.b": 13,
    "3": 14,
    "3.a": 15,
    "3.b": 16,
    "4": 17,
    "4.a": 18,
    "4.b": 19,
    "5": 20,
    "5.a": 21,
    "5.b": 22,
    "6": 23,
    "6.a": 24,
    "6.b": 25,
    "6.c": 26,
    "7": 27,
    "8": 28,
    "9": 29,
    "10": 30,
    "11": 31,
    "12": 33,
    "12.a": 34,
    "12.b": 35,
    "13": 36,
    "14": 38,
    "14.a": 39,
    "15": 40,
}
PL01_PLAN_COL = "D"  # (4)
PL01_ACTUAL_COL = "E"  # (5)
PL01_NOTE_COL = "H"  # (8)
PL01_HEADER_ROWS = (6, 7)

# PL02: rows in the blank form and the columns of the capital figures.
PL02_TOTAL_ROW = 9
PL02_GROUP_ROW = {"I": 10, "II": 14, "III": 18}
PL02_FIRST_PROJECT_ROW = {"I": 11, "II": 15, "III": 19}
PL02_COL = {
    "name": "B",
    "investor": "C",
    "period": "D",
    "decision": "E",
    "6": "F",
    "7": "G",
    "8": "H",
    "9": "I",
    "10": "J",
    "11": "K",
    "12": "L",
    "13": "M",
    "14": "N",
    "15": "O",
    "16": "P",
    "17": "Q",
    "18": "R",
    "19": "S",
}
PL02_HEADER_ROWS = (6, 7)

PERCENT_ROWS = ("2", "3", "4", "5", "12")

# ---------------------------------------------------------------------------
# The data each unit reports
# ---------------------------------------------------------------------------

# Percent rows, in the order of PERCENT_ROWS: (a, b) = (denominator, numerator) typed in
# column E of the .a and .b rows; None = the unit leaves both rows empty.
# Row 2: information systems to connect with national databases / connected;
# row 3: dossiers received / processed online at level 4;
# row 4: inter-agency dossiers / exchanged online;
# row 5: outgoing documents / sent electronically;
# row 12: level-3+ information systems / applying the security plan.
Pair = tuple[int, int] | None
# fmt: off
PERCENT_DATA: dict[str, tuple[Pair, Pair, Pair, Pair, Pair]] = {
    #        row 2      row 3            row 4          row 5             row 12
    "TINH": ((7, 5),    None,            None,          None,             (6, 5)),
    "S01":  ((2, 1),    (2262, 192),     None,          (3450, 3280),     None),
    "S02":  (None,      (3142, 218),     (230, 212),    (4894, 4560),     (1, 1)),
    "S03":  ((3, 1),    (10951, 2028),   None,          (2256, 2048),     (2, 2)),
    "S04":  ((1, 1),    (15573, 1955),   None,          (7927, 7213),     None),
    "S05":  ((2, 2),    (2693, 319),     (116, 109),    (1453, 1311),     None),
    "S06":  ((4, 2),    (7246, 932),     None,          (3180, 2746),     None),
    "S07":  ((2, 1),    (8257, 1926),    None,          (1817, 1621),     (1, 1)),
    "S08":  ((3, 1),    (30800, 2211),   (832, 765),    (8425, 7355),     None),
    "S09":  ((1, 1),    (3759, 379),     None,          (5617, 4988),     (1, 1)),
    "S10":  ((1, 1),    (11783, 2972),   None,          (3696, 3280),     (1, 0)),
    "S11":  ((1, 1),    (3043, 192),     None,          (1535, 1378),     None),
    "S12":  ((3, 2),    (6272, 1083),    None,          (1940, 1704),     (1, 0)),
    "S13":  ((2, 2),    (2205, 421),     None,          (4102, 3678),     (1, 0)),
    "S14":  ((4, 1),    (1523, 226),     (116, 84),     (1572, 1488),     (2, 2)),
    "S15":  ((1, 1),    (1922, 393),     (88, 69),      (4697, 4337),     (1, 1)),
    "S16":  ((1, 1),    (4103, 280),     (253, 216),    (5662, 5123),     None),
    "S17":  ((1, 1),    (9807, 2026),    (594, 379),    (5003, 4489),     (2, 2)),
    "S18":  ((1, 1),    (407, 99),       None,          (1510, 1349),     (2, 2)),
    "S19":  (None,      (290, 37),       None,          (3795, 3595),     (1, 1)),
    "S20":  ((2, 1),    (999, 66),       None,          (1637, 1570),     None),
    "H01":  ((2, 1),    (62640, 8428),   (8670, 5355),  (30073, 26848),   (1, 1)),
    "H02":  ((2, 1),    (10226, 1149),   (1679, 1373),  (4736, 4339),     None),
    "H03":  ((3, 2),    (27609, 2069),   (4545, 2774),  (15741, 13896),   None),
    "H04":  ((1, 1),    (14852, 1220),   (3098, 2227),  (7325, 6528),     (1, 1)),
    "H05":  ((1, 1),    (20232, 3542),   (3626, 3071),  (9601, 8845),     (2, 2)),
    "H06":  ((1, 1),    (9497, 1408),    (1499, 1211),  (4925, 4652),     (2, 2)),
    "H07":  ((2, 2),    (22863, 1646),   (2804, 2181),  (11647, 10934),   None),
    "H08":  ((1, 1),    (24718, 1858),   (3367, 2887),  (12615, 11567),   (1, 1)),
    "H09":  ((1, 1),    (26774, 2362),   (3589, 2547),  (10645, 9846),    (2, 2)),
    "H10":  ((3, 1),    (22935, 2216),   (2365, 1703),  (10136, 8723),    (2, 2)),
    "H11":  ((2, 2),    (7657, 1410),    (958, 791),    (3040, 2667),     (2, 2)),
}
# fmt: on

# Row 11: agencies of the unit connected to the specialised data network (TSLCD cấp II).
# TINH counts the provincial bodies outside the roster (Văn phòng Tỉnh ủy, Văn phòng
# Đoàn ĐBQH và HĐND tỉnh).  Sum = 48.
NETWORK_AGENCIES = {
    "TINH": 2,
    **{f"S{i:02d}": 1 for i in range(1, 21)},
    "H01": 4,
    "H02": 2,
    "H03": 3,
    "H04": 2,
    "H05": 3,
    "H06": 2,
    "H07": 3,
    "H08": 2,
    "H09": 2,
    "H10": 2,
    "H11": 1,
}

# Rows filled only by TINH (province-wide figures, marked (*) in the form).
TINH_PL01 = {
    "1": "Có",
    "6.a": 1519,
    "6.b": 383,
    "6.c": 179,  # row 6 itself is left empty (computed)
    "7": 52,
    "8": 1144,
    "13": "Có",
    "14": 96,
    "14.a": 12,
    "15": 400,
}
TINH_PL01_NOTES = {
    "1": "Hoàn thành giai đoạn 1",
    "14": "Số liệu ước tính",
}

# The one project of the programme in Bình Định (PL02, group I), typed by TINH.
PROJECT = {
    "name": (
        "Đầu tư nâng cấp hạ tầng kỹ thuật và ứng dụng của mô hình Chính quyền "
        "điện tử tỉnh Bình Định giai đoạn 2016 – 2020"
    ),
    "investor": "Sở Thông tin và Truyền thông",
    "period": "2018-2020",
    "decision": "QĐ số 3871/QĐ-UBND ngày 30/10/2017",
    "6": 45000,
    "7": 30000,
    "8": 15000,
    "9": None,
    "10": 15000,
    "11": 0,
    "12": 15000,
    "13": None,
    "14": 15000,
    "15": 0,
    "16": 15000,
    "17": None,
    "18": None,  # computed: 100
}
PROJECT_MONEY_COLS = ("6", "7", "8", "10", "11", "12", "14", "15", "16")


# ---------------------------------------------------------------------------
# How each unit sends its workbook
# ---------------------------------------------------------------------------


@dataclass
class UnitStyle:
    """How a unit fills and sends its forms (file name, quirks)."""

    file: str  # workbook file name, or sub-folder name when split
    split: bool = False  # one file per form, in the sub-folder `file`
    name: str | None = None  # name written on "Đơn vị báo cáo:" (None: roster name)
    name_pl02: str | None = None  # a different variant on the PL02 sheet
    sheet_names: tuple[str, str] | None = None  # renamed sheets (PL01, PL02)
    pl02_first: bool = False  # sheet order swapped
    text_numbers: frozenset[str] = frozenset()  # STT paths (or "11") typed as text
    text_format: bool = False  # cells holding text numbers formatted as Text ("@")
    thousands_format: bool = False  # number cells formatted "#,##0"
    nbsp_network: bool = False  # row 11 typed as " n " with non-breaking spaces
    insert_blank_row_before: str | None = None  # STT before which a blank row is inserted
    hide_column: str | None = None  # column hidden in PL01
    unmerge_header: bool = False
    libreoffice: bool = False  # re-saved by LibreOffice Calc
    nfd_name: bool = False  # name typed in decomposed Unicode (NFD)
    notes: list[str] = field(default_factory=list)  # extra words for the summary


UNIT_STYLES: dict[str, UnitStyle] = {
    "TINH": UnitStyle("TINH - So TTTT.xlsx", text_numbers=frozenset({"6.a", "8", "PL02:6"})),
    "S01": UnitStyle("S01 - Van phong UBND tinh.xlsx"),
    "S02": UnitStyle("S02 - So Noi vu.xlsx"),
    "S03": UnitStyle("So Tu phap", split=True),
    "S04": UnitStyle("S04 - So KHDT.xlsx", libreoffice=True),
    "S05": UnitStyle("S05 - So Tai chinh.xlsx", name="Sở Tài chính tỉnh Bình Định"),
    "S06": UnitStyle("S06 - So Cong Thuong.xlsx", text_numbers=frozenset({"3.a"})),
    "S07": UnitStyle(
        "S07 - So NN va PTNT.xlsx", name="Sở Nông nghiệp và Phát triển nông thôn tỉnh Bình Định"
    ),
    "S08": UnitStyle(
        "S08 - So GTVT.xlsx",
        sheet_names=("Phu luc 1", "Phu luc 2"),
        text_numbers=frozenset({"3.a", "3.b", "5.a"}),
        text_format=True,
    ),
    "S09": UnitStyle("So Xay dung", split=True),
    "S10": UnitStyle("S10 - So TNMT.xlsx", hide_column="C"),
    "S11": UnitStyle("S11 - So Thong tin va Truyen thong.xlsx"),
    "S12": UnitStyle("S12 - So LDTBXH.xlsx", name="Sở Lao động – Thương binh và Xã hội"),
    "S13": UnitStyle("S13 - So VHTT.xlsx", name="Sở Văn hoá và Thể thao"),
    "S14": UnitStyle("So Du lich", split=True),
    "S15": UnitStyle("S15 - So KHCN.xlsx", unmerge_header=True),
    "S16": UnitStyle("S16 - So GDDT.xlsx", nfd_name=True),
    "S17": UnitStyle("Sở Y tế - báo cáo CTMT.xlsx", name="SỞ Y TẾ"),
    "S18": UnitStyle("S18 - Thanh tra tinh.xlsx"),
    "S19": UnitStyle("Ban Dan toc", split=True),
    "S20": UnitStyle("S20 - So Ngoai vu.xlsx", pl02_first=True),
    "H01": UnitStyle(
        "H01 - UBND TP Quy Nhon.xlsx",
        name="UBND TP Quy Nhơn",
        name_pl02="Thành phố Quy Nhơn",
        nbsp_network=True,
        text_numbers=frozenset({"3.a", "3.b", "5.a", "5.b"}),
    ),
    "H02": UnitStyle("H02 - UBND huyen An Lao.xlsx", sheet_names=("PL01", "PL02")),
    "H03": UnitStyle(
        "UBND TX Hoai Nhon", split=True, name="UBND TX. Hoài Nhơn", text_numbers=frozenset({"3.a"})
    ),
    "H04": UnitStyle("H04 - UBND huyen Hoai An.xlsx", insert_blank_row_before="9"),
    "H05": UnitStyle("H05 - UBND huyen Phu My.xlsx", name="Ủy ban nhân dân huyện Phù Mỹ"),
    "H06": UnitStyle("UBND huyen Vinh Thanh", split=True),
    "H07": UnitStyle(
        "H07 - UBND huyen Tay Son.xlsx", name="UBND HUYỆN TÂY SƠN", thousands_format=True
    ),
    "H08": UnitStyle("H08 - UBND huyện Phù Cát.xlsx"),
    "H09": UnitStyle(
        "H09 - TX An Nhon.xlsx",
        name="Thị xã An Nhơn",
        sheet_names=("Biểu 01", "Biểu 02"),
        text_numbers=frozenset({"10"}),
    ),
    "H10": UnitStyle(
        "H10 - UBND huyen Tuy Phuoc.xlsx", text_numbers=frozenset({"3.a", "4.a", "5.a"})
    ),
    "H11": UnitStyle("H11 - UBND huyen Van Canh.xlsx"),
}


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def vn_number(n: int) -> str:
    """An integer as a Vietnamese clerk types it: dot as thousands separator."""
    return f"{n:,}".replace(",", ".")


@dataclass
class Unit:
    code: str
    roster_name: str
    level: str
    communes: int | None


def read_roster(path: Path) -> list[Unit]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Unit(r["code"], r["name"], r["level"], int(r["communes"]) if r["communes"] else None)
        for r in rows
    ]


def copy_cell_style(src, dst) -> None:
    dst.font = copy(src.font)
    dst.border = copy(src.border)
    dst.fill = copy(src.fill)
    dst.number_format = src.number_format
    dst.protection = copy(src.protection)
    dst.alignment = copy(src.alignment)


def copy_sheet(src: Worksheet, dst: Worksheet) -> None:
    """Recreate `src` (from another workbook) in `dst`: values, styles, merges, sizes, setup."""
    for row in src.iter_rows():
        for cell in row:
            if cell.__class__.__name__ == "MergedCell":
                continue
            target = dst.cell(row=cell.row, column=cell.column, value=cell.value)
            if cell.has_style:
                copy_cell_style(cell, target)
    for rng in src.merged_cells.ranges:
        dst.merge_cells(str(rng))
    # Borders of the merged (covered) cells, as the form has them.
    for row in src.iter_rows():
        for cell in row:
            if cell.__class__.__name__ == "MergedCell" and cell.has_style:
                dst.cell(row=cell.row, column=cell.column).border = copy(cell.border)
    for key, dim in src.column_dimensions.items():
        d = dst.column_dimensions[key]
        d.width = dim.width
        d.hidden = dim.hidden
    for key, dim in src.row_dimensions.items():
        if dim.height is not None:
            dst.row_dimensions[key].height = dim.height
    dst.freeze_panes = src.freeze_panes
    dst.sheet_format = copy(src.sheet_format)
    dst.sheet_properties.pageSetUpPr = copy(src.sheet_properties.pageSetUpPr)
    dst.page_setup.orientation = src.page_setup.orientation
    dst.page_setup.paperSize = src.page_setup.paperSize
    dst.page_setup.fitToWidth = src.page_setup.fitToWidth
    dst.page_setup.fitToHeight = src.page_setup.fitToHeight
    dst.page_margins = copy(src.page_margins)
    if src.print_title_rows:
        dst.print_title_rows = src.print_title_rows


def insert_blank_row(ws: Worksheet, idx: int) -> None:
    """Insert an empty, bordered row at `idx`, keeping merges and row heights in place.

    openpyxl's insert_rows moves cells only: merged ranges and row heights below are
    shifted here by hand, as Excel would.
    """
    below = [r for r in ws.merged_cells.ranges if r.min_row >= idx]
    coords = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in below]
    for r in below:
        ws.unmerge_cells(str(r))
    heights = {k: d.height for k, d in ws.row_dimensions.items() if k >= idx and d.height}
    for k in heights:
        ws.row_dimensions[k].height = None
    ws.insert_rows(idx)
    for k, h in heights.items():
        ws.row_dimensions[k + 1].height = h
    for min_row, min_col, max_row, max_col in coords:
        ws.merge_cells(
            start_row=min_row + 1, start_column=min_col, end_row=max_row + 1, end_column=max_col
        )
    for col in range(1, ws.max_column + 1):
        copy_cell_style(ws.cell(row=idx - 1, column=col), ws.cell(row=idx, column=col))


def unmerge_header(ws: Worksheet, rows: tuple[int, int]) -> None:
    """Unmerge the two-row header as a user would; freed cells keep the header's look."""
    for rng in [r for r in ws.merged_cells.ranges if r.min_row >= rows[0] and r.max_row <= rows[1]]:
        top_left = ws.cell(row=rng.min_row, column=rng.min_col)
        cells = list(rng.cells)
        ws.unmerge_cells(str(rng))
        for r, c in cells[1:]:
            copy_cell_style(top_left, ws.cell(row=r, column=c))


_CORE_DATE = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:)")


def normalise_zip(path: Path, created: dt.datetime, modified: dt.datetime) -> None:
    """Make the bytes reproducible: fixed member timestamps, fixed core.xml dates.

    openpyxl (and LibreOffice) stamp the save time into docProps/core.xml; it is
    replaced by the unit's fixed dates.
    """
    stamps = {b"created": created, b"modified": modified}

    def fix_date(m: re.Match) -> bytes:
        return m.group(1) + stamps[m.group(2)].strftime("%Y-%m-%dT%H:%M:%SZ").encode() + m.group(3)

    with zipfile.ZipFile(path) as zin:
        members = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zout:
        for name, data in members:
            if name == "docProps/core.xml":
                data = _CORE_DATE.sub(fix_date, data)
            zi = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zout.writestr(zi, data)
    tmp.replace(path)


def libreoffice_resave(path: Path) -> bool:
    """Open and re-save `path` with LibreOffice Calc (headless). False if unavailable."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return False
    with tempfile.TemporaryDirectory(prefix="ctmt-lo-") as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "in" / path.name
        src.parent.mkdir()
        shutil.copyfile(path, src)
        outdir = tmpdir / "out"
        cmd = [
            soffice,
            f"-env:UserInstallation={(tmpdir / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            str(src),
        ]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=300)
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"  ! LibreOffice conversion failed ({exc}); keeping the openpyxl file")
            return False
        converted = outdir / path.name
        if not converted.exists():
            print("  ! LibreOffice produced no file; keeping the openpyxl file")
            return False
        shutil.copyfile(converted, path)
    return True


# ---------------------------------------------------------------------------
# Filling the forms
# ---------------------------------------------------------------------------


@dataclass
class Filled:
    """What one unit typed, for the summary and the checks."""

    code: str
    pl01: dict[str, dict[str, object]] = field(default_factory=dict)  # stt -> {col: value}
    quirks: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    shown_name: str = ""


def unit_name(unit: Unit, style: UnitStyle, sheet: str = "PL01") -> str:
    name = style.name or unit.roster_name
    if sheet == "PL02" and style.name_pl02:
        name = style.name_pl02
    if style.nfd_name:
        name = unicodedata.normalize("NFD", name)
    return name


def write_unit_line(ws: Worksheet, name: str) -> None:
    ws["A4"] = f"Đơn vị báo cáo: {name}"


def pl01_values(unit: Unit) -> dict[str, dict[str, object]]:
    """STT path -> {column: value} that the unit types into PL01."""
    values: dict[str, dict[str, object]] = {}
    for row, pair in zip(PERCENT_ROWS, PERCENT_DATA[unit.code], strict=True):
        if pair is None:
            continue
        a, b = pair
        assert 0 <= b <= a, (unit.code, row, pair)
        values[f"{row}.a"] = {PL01_ACTUAL_COL: a}
        values[f"{row}.b"] = {PL01_ACTUAL_COL: b}
    if unit.level == "huyen":
        values["9"] = {PL01_PLAN_COL: 1, PL01_ACTUAL_COL: 1}
        values["10"] = {PL01_PLAN_COL: unit.communes, PL01_ACTUAL_COL: unit.communes}
    values["11"] = {PL01_ACTUAL_COL: NETWORK_AGENCIES[unit.code]}
    if unit.code == "TINH":
        for stt, v in TINH_PL01.items():
            values[stt] = {PL01_ACTUAL_COL: v}
        for stt, note in TINH_PL01_NOTES.items():
            values.setdefault(stt, {})[PL01_NOTE_COL] = note
    return values


def fill_pl01(ws: Worksheet, unit: Unit, style: UnitStyle, filled: Filled) -> None:
    write_unit_line(ws, unit_name(unit, style, "PL01"))
    values = pl01_values(unit)
    filled.pl01 = values
    for stt, cols in values.items():
        row = PL01_ROW[stt]
        for col, value in cols.items():
            cell = ws[f"{col}{row}"]
            if isinstance(value, int) and stt in style.text_numbers:
                value = vn_number(value)
                if style.text_format:
                    cell.number_format = "@"
            elif isinstance(value, int) and stt == "11" and style.nbsp_network:
                value = f"{NBSP}{value}{NBSP}"
            elif isinstance(value, int) and style.thousands_format:
                cell.number_format = "#,##0"
            cell.value = value


def fill_pl02(ws: Worksheet, unit: Unit, style: UnitStyle) -> None:
    write_unit_line(ws, unit_name(unit, style, "PL02"))
    if unit.code != "TINH":
        return  # no project: only the "Đơn vị báo cáo" line
    row = PL02_FIRST_PROJECT_ROW["I"]
    for key, col in PL02_COL.items():
        value = PROJECT.get(key)
        if value is None:
            continue
        if isinstance(value, int) and f"PL02:{key}" in style.text_numbers:
            value = vn_number(value)
        ws[f"{col}{row}"] = value
    # TINH also types the (correct) group I and TỔNG SỐ rows; II and III stay empty.
    for total_row in (PL02_GROUP_ROW["I"], PL02_TOTAL_ROW):
        for key in PROJECT_MONEY_COLS:
            ws[f"{PL02_COL[key]}{total_row}"] = PROJECT[key]


def apply_layout_quirks(ws01: Worksheet, ws02: Worksheet, style: UnitStyle, filled: Filled) -> None:
    if style.insert_blank_row_before:
        idx = PL01_ROW[style.insert_blank_row_before]
        insert_blank_row(ws01, idx)
        filled.quirks.append(
            f"PL01: dòng trống chèn trước STT {style.insert_blank_row_before} (dòng {idx})"
        )
    if style.hide_column:
        ws01.column_dimensions[style.hide_column].hidden = True
        filled.quirks.append(f"PL01: ẩn cột {style.hide_column}")
    if style.unmerge_header:
        unmerge_header(ws01, PL01_HEADER_ROWS)
        unmerge_header(ws02, PL02_HEADER_ROWS)
        filled.quirks.append("bỏ gộp ô tiêu đề bảng (PL01, PL02)")


def unit_modified(ordinal: int) -> dt.datetime:
    """When the unit last saved its workbook (fixed, for reproducible files)."""
    return dt.datetime(2021, 9, 20, 8, 0, 0) + dt.timedelta(hours=7 * ordinal)


def set_properties(wb: openpyxl.Workbook, unit: Unit, ordinal: int) -> None:
    wb.properties.creator = "Bộ Thông tin và Truyền thông"
    wb.properties.lastModifiedBy = unit.code
    wb.properties.created = FORMS_CREATED
    wb.properties.modified = unit_modified(ordinal)  # openpyxl overwrites it on save


def save(wb: openpyxl.Workbook, path: Path, ordinal: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    normalise_zip(path, FORMS_CREATED, unit_modified(ordinal))


def build_unit(
    unit: Unit, style: UnitStyle, forms: Path, out: Path, ordinal: int, use_libreoffice: bool
) -> Filled:
    filled = Filled(unit.code)
    filled.shown_name = unit_name(unit, style, "PL01")
    wb01 = openpyxl.load_workbook(forms / "PL01.xlsx")
    ws01 = wb01.worksheets[0]
    if style.split:
        wb02 = openpyxl.load_workbook(forms / "PL02.xlsx")
        ws02 = wb02.worksheets[0]
    else:
        src02 = openpyxl.load_workbook(forms / "PL02.xlsx").worksheets[0]
        ws02 = wb01.create_sheet(src02.title)
        copy_sheet(src02, ws02)
        wb02 = wb01

    fill_pl01(ws01, unit, style, filled)
    fill_pl02(ws02, unit, style)
    apply_layout_quirks(ws01, ws02, style, filled)

    if style.sheet_names:
        ws01.title, ws02.title = style.sheet_names
        filled.quirks.append(f"đổi tên sheet: {style.sheet_names[0]!r}, {style.sheet_names[1]!r}")
    if style.pl02_first:
        wb01.move_sheet(ws02, offset=-wb01.index(ws02))
        wb01.active = 0
        filled.quirks.append("sheet PL02 đứng trước PL01")

    set_properties(wb01, unit, ordinal)
    if style.split:
        set_properties(wb02, unit, ordinal)
        folder = out / style.file
        p01, p02 = folder / f"{unit.code} - PL01.xlsx", folder / f"{unit.code} - PL02.xlsx"
        save(wb01, p01, ordinal)
        save(wb02, p02, ordinal)
        filled.files = [f"{style.file}/{p01.name}", f"{style.file}/{p02.name}"]
        filled.sheets = [ws01.title, ws02.title]
        filled.quirks.append("mỗi phụ lục một tệp, trong thư mục con")
    else:
        path = out / style.file
        save(wb01, path, ordinal)
        filled.files = [style.file]
        filled.sheets = list(wb01.sheetnames)
        if style.libreoffice:
            if use_libreoffice and libreoffice_resave(path):
                normalise_zip(path, FORMS_CREATED, unit_modified(ordinal))
                filled.quirks.append("lưu lại bằng LibreOffice Calc")
            else:
                filled.quirks.append("(chưa lưu lại bằng LibreOffice: tệp do openpyxl ghi)")

    if style.name_pl02:
        filled.quirks.append(f"tên đơn vị ở PL02 khác PL01: {style.name_pl02}")
    if style.nfd_name:
        filled.quirks.append("tên đơn vị gõ dạng Unicode tổ hợp (NFD)")
    if style.text_numbers:
        filled.quirks.append("số gõ dạng chữ: " + ", ".join(sorted(style.text_numbers)))
    if style.nbsp_network:
        filled.quirks.append("STT 11 gõ có khoảng trắng không ngắt (NBSP)")
    if style.thousands_format:
        filled.quirks.append("định dạng số #,##0")
    if not style.file.isascii():
        filled.quirks.append("tên tệp có dấu tiếng Việt")
    return filled


# ---------------------------------------------------------------------------
# Expected figures
# ---------------------------------------------------------------------------


def consolidate(units: list[Unit], filled: dict[str, Filled]) -> dict[str, object]:
    """Consolidate what the units typed (in memory) by the domain's rules."""

    def total(stt: str, col: str = PL01_ACTUAL_COL, tinh_only: bool = False) -> int:
        s = 0
        for u in units:
            if tinh_only and u.code != "TINH":
                continue
            v = filled[u.code].pl01.get(stt, {}).get(col)
            if v is not None:
                s += int(v)
        return s

    res: dict[str, object] = {}
    for row in PERCENT_ROWS:
        a, b = total(f"{row}.a"), total(f"{row}.b")
        res[f"{row}.a"], res[f"{row}.b"], res[row] = a, b, 100.0 * b / a
    for stt in ("6.a", "6.b", "6.c", "7", "8", "14", "14.a", "15"):
        res[stt] = total(stt, tinh_only=True)
    res["6"] = res["6.a"] + res["6.b"] + res["6.c"]
    for stt in ("1", "13"):
        res[stt] = filled["TINH"].pl01[stt][PL01_ACTUAL_COL]
    for stt in ("9", "10"):
        res[f"{stt} (4)"] = total(stt, PL01_PLAN_COL)
        res[f"{stt} (5)"] = total(stt)
    res["11"] = total("11")
    return res


def check_expected(res: dict[str, object]) -> None:
    assert res["1"] == "Có"
    assert res["13"] == "Có"
    assert (res["6.a"], res["6.b"], res["6.c"], res["6"]) == (1519, 383, 179, 2081)
    assert (res["7"], res["8"]) == (52, 1144)
    assert (res["14"], res["14.a"], res["15"]) == (96, 12, 400)
    assert (res["9 (4)"], res["9 (5)"]) == (11, 11)
    assert (res["10 (4)"], res["10 (5)"]) == (159, 159)
    assert res["11"] == 48
    assert res["2"] > 50, res["2"]
    assert res["3"] < 30, res["3"]
    assert res["4"] > 50, res["4"]
    assert 90.0 < res["5"] < 91.0, res["5"]
    assert res["12"] > 80, res["12"]
    p = PROJECT
    assert p["6"] == p["7"] + p["8"]
    assert p["10"] == p["11"] + p["12"]
    assert p["14"] == p["15"] + p["16"]
    assert p["14"] <= p["10"] <= p["6"]


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def clean_output(out: Path, styles: dict[str, UnitStyle]) -> None:
    """Remove workbooks from a previous run (only .xlsx files and the split folders)."""
    for p in out.glob("*.xlsx"):
        p.unlink()
    for style in styles.values():
        folder = out / style.file
        if style.split and folder.is_dir():
            for p in folder.glob("*.xlsx"):
                p.unlink()
            if not any(folder.iterdir()):
                folder.rmdir()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--forms",
        type=Path,
        default=DEFAULT_FORMS,
        help="folder holding PL01.xlsx and PL02.xlsx (default: %(default)s)",
    )
    ap.add_argument(
        "--roster", type=Path, default=None, help=f"roster CSV (default: FORMS/{ROSTER_NAME})"
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=HERE,
        help="output folder; its .xlsx files are replaced (default: this script's folder)",
    )
    ap.add_argument(
        "--no-libreoffice",
        action="store_true",
        help="do not re-save the LibreOffice unit's workbook with soffice",
    )
    args = ap.parse_args(argv)
    forms: Path = args.forms
    roster_path: Path = args.roster or forms / ROSTER_NAME
    out: Path = args.out
    for p in (forms / "PL01.xlsx", forms / "PL02.xlsx", roster_path):
        if not p.is_file():
            ap.error(f"missing {p}")

    units = read_roster(roster_path)
    codes = [u.code for u in units]
    assert (
        sorted(codes) == sorted(UNIT_STYLES) == sorted(PERCENT_DATA) == sorted(NETWORK_AGENCIES)
    ), "roster and example data disagree on the unit codes"
    assert len(codes) == 32

    out.mkdir(parents=True, exist_ok=True)
    clean_output(out, UNIT_STYLES)
    use_lo = not args.no_libreoffice
    if use_lo and not (shutil.which("soffice") or shutil.which("libreoffice")):
        print("note: LibreOffice (soffice) not found: writing that unit with openpyxl")
        use_lo = False

    filled: dict[str, Filled] = {}
    for i, unit in enumerate(units):
        filled[unit.code] = build_unit(unit, UNIT_STYLES[unit.code], forms, out, i, use_lo)
    shutil.copyfile(roster_path, out / "roster.csv")

    # Summary table.
    print(f"{'Mã':<5} {'Tệp':<46} {'Sheet':<24} Đơn vị báo cáo (ghi trong biểu)")
    for unit in units:
        f = filled[unit.code]
        shown = unicodedata.normalize("NFC", f.shown_name)
        if shown == unit.roster_name:
            shown += "  (đúng danh sách)"
        for i, file in enumerate(f.files):
            sheets = ", ".join(f.sheets) if i == 0 and len(f.files) == 1 else f.sheets[i]
            first = i == 0
            code = unit.code if first else ""
            line = f"{code:<5} {file:<46} {sheets:<24} {shown if first else ''}"
            print(line.rstrip())
        for q in f.quirks:
            print(f"{'':<5}   - {q}")
    print(f"roster.csv (bản sao của {roster_path})")

    res = consolidate(units, filled)
    check_expected(res)
    print("\nSố liệu tổng hợp mong đợi (Phụ lục 01):")
    print(f"  1 LGSP: {res['1']}; 13 giám sát Cổng TTĐT: {res['13']}")
    print(
        f"  6 = {res['6']} (6.a {res['6.a']}, 6.b {res['6.b']}, 6.c {res['6.c']}); "
        f"7 = {res['7']}; 8 = {res['8']}"
    )
    print(
        f"  9: {res['9 (5)']}/{res['9 (4)']}; 10: {res['10 (5)']}/{res['10 (4)']}; 11 = {res['11']}"
    )
    print(f"  14 = {res['14']}, 14.a = {res['14.a']}, 15 = {res['15']} tỷ đồng")
    targets = {"2": "> 50", "3": "≥ 30", "4": "> 50", "5": "≥ 90", "12": "> 80"}
    for row in PERCENT_ROWS:
        print(
            f"  {row:>2}: Σb/Σa = {res[row + '.b']:>7}/{res[row + '.a']:<7} = {res[row]:6.2f} %"
            f"  (chỉ tiêu {targets[row]})"
        )
    print(
        "Phụ lục 02: 1 dự án nhóm I (TINH): TMĐT 45.000 = 30.000 NSTW + 15.000 NSĐP; "
        "bố trí 15.000 (NSĐP); giải ngân 15.000 -> 100 %"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
