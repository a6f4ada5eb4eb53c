#!/usr/bin/env python3
"""Generate the Bình Định 2024 example: the digital-transformation report of 32 units.

Every reporting unit of the roster (TINH, S01-S20, H01-H11) fills *copies* of the
province's blank forms BIEU01.xlsx (Biểu 01, indicators) and BIEU02.xlsx (Biểu 02,
tasks and funding) the way a real unit would: it loads the form, writes its name on
the "Đơn vị báo cáo:" line and types its figures into the input cells, following the
forms' README (who fills which row).  A few units carry realistic but valid quirks
(numbers typed as Vietnamese text, one file per form, renamed sheets, a task row
added to a group, formulas in the money totals of a file re-saved by LibreOffice,
name variants, a name in decomposed Unicode).

The figures are invented but plausible for a province of about 1.5 million people;
they come from a fixed seed.  The generator also writes ``expected.json``: the
province's figures added up by the README's rules from the values it typed (an
oracle independent of ctmtcntt; its shape is described in README.md).

Usage:
    python generate.py [--forms DIR] [--roster CSV] [--out DIR] [--no-libreoffice] [--only CODE]

The output is deterministic: a fixed seed, fixed document properties and fixed zip
timestamps, so re-running gives byte-identical files (the LibreOffice-saved workbook
is normalised the same way; its content depends on the installed LibreOffice).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import io
import json
import random
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_FORMS = ROOT / "tests" / "fixtures" / "forms" / "cds-2024"
DEFAULT_ROSTER = ROOT / "examples" / "binh-dinh-2020" / "roster.csv"


def _load_2020_helpers() -> ModuleType:
    """The 2020 generator, for its workbook helpers (sheet copy, row insert, zip, LibreOffice)."""
    path = ROOT / "examples" / "binh-dinh-2020" / "generate.py"
    spec = importlib.util.spec_from_file_location("_binh_dinh_2020_generate", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    # This private copy of the module stamps the zip members with this report's date.
    module.FIXED_ZIP_TIME = FIXED_ZIP_TIME
    return module


SEED = 2024
NBSP = "\u00a0"
FIXED_ZIP_TIME = (2025, 2, 14, 0, 0, 0)
FORMS_CREATED = dt.datetime(2025, 1, 6, 8, 0, 0)
H = _load_2020_helpers()
Unit = H.Unit  # a roster entry: code, roster_name, level, communes
read_roster = H.read_roster

FORM_SET = "cds-2024"
FORM01, FORM02 = "BIEU01", "BIEU02"

# ---------------------------------------------------------------------------
# The forms' rules (README of the form set), as data
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """How one numbered row of Biểu 01 is filled and added up."""

    who: str  # "all" | "tinh" | "so" | "huyen" | "nobody"
    kind: str  # "ratio" (a/b parts) | "percent" | "score" | "yesno" | "count" | "heading"
    operator: str | None = None  # "≥" | "≤" (lower is better) | "Có" (yes/no: must be Có)
    target: float | bool | None = None


BIEU01_RULES: dict[str, Rule] = {
    "1": Rule("tinh", "ratio", "≥", 80),
    "2": Rule("all", "ratio", "≥", 50),
    "3": Rule("nobody", "heading"),
    "3.1": Rule("so", "ratio", "≥", 90),
    "3.2": Rule("huyen", "ratio", "≥", 80),
    "3.3": Rule("huyen", "ratio", "≥", 60),
    "4": Rule("all", "ratio", "≤", 5),  # lower is better
    "5": Rule("tinh", "yesno", "Có", True),
    "6": Rule("all", "ratio", "≥", 100),
    "7": Rule("all", "count"),
    "8": Rule("tinh", "percent", "≥", 15),
    "9": Rule("tinh", "ratio", "≥", 80),
    "10": Rule("tinh", "score"),
}
RATIO_ROWS = tuple(stt for stt, r in BIEU01_RULES.items() if r.kind == "ratio")
HEADINGS01 = ("I", "II", "III")

# Biểu 01 columns.
C01_PLAN, C01_ACTUAL, C01_RATIO, C01_ASSESS, C01_NOTE = "D", "E", "F", "G", "H"
FIRST_DATA_ROW = 9

# Biểu 02 columns (the form's column numbers) and rows of the blank form.
C02 = {
    "stt": "A",
    "name": "B",
    "lead": "C",
    "decision": "D",
    "5": "E",
    "6": "F",
    "7": "G",
    "8": "H",
    "9": "I",
    "10": "J",
    "11": "K",
    "status": "L",
    "product": "M",
    "note": "N",
}
MONEY_COLS = ("5", "6", "7", "8", "9", "10")
TOTAL_ROW02 = 9
GROUP_ROW02 = {"I": 10, "II": 14, "III": 18}
SLOTS_PER_GROUP = 3
GROUPS = {"I": "Chính quyền số", "II": "Kinh tế số", "III": "Xã hội số"}
STATUSES = ("Hoàn thành", "Đang thực hiện", "Chưa triển khai")


def allowed(who: str, code: str, level: str) -> bool:
    """Whether a unit (roster code and level) may fill a row of the given `who`."""
    if who == "all":
        return True
    if who == "tinh":
        return code == "TINH"
    if who in ("so", "huyen"):
        return level == who
    return False


def rule_of(stt: str) -> Rule:
    """The rule of a row or of its part a/b."""
    return BIEU01_RULES[stt.removesuffix(".a").removesuffix(".b")]


# ---------------------------------------------------------------------------
# The figures each unit reports (Biểu 01)
# ---------------------------------------------------------------------------

# Administrative dossiers (hồ sơ TTHC) received in 2024, row 2.a; None: row left empty.
# Districts report for themselves and their communes.
DOSSIERS: dict[str, int | None] = {
    "TINH": None,
    "S01": 420,
    "S02": 2850,
    "S03": 24600,
    "S04": 13900,
    "S05": 1350,
    "S06": 15800,
    "S07": 6400,
    "S08": 41200,
    "S09": 3900,
    "S10": 52700,
    "S11": 1150,
    "S12": 9800,
    "S13": 1700,
    "S14": 760,
    "S15": 640,
    "S16": 7300,
    "S17": 11400,
    "S18": None,
    "S19": 45,
    "S20": 380,
    "H01": 118500,
    "H02": 14200,
    "H03": 61300,
    "H04": 29800,
    "H05": 54600,
    "H06": 13100,
    "H07": 48900,
    "H08": 57200,
    "H09": 63400,
    "H10": 52100,
    "H11": 9600,
}

# Province-wide rows, typed by TINH only (marked (*) in the form).
TINH_ROWS: dict[str, object] = {
    "1.a": 1462,  # procedures eligible for full online service
    "1.b": 1318,  # full online services provided
    "5": "Có",
    "8": 12.35,  # share of the digital economy in GRDP, % (Cục Thống kê)
    "9.a": 452310,  # households
    "9.b": 371846,  # households with fibre broadband
    "10": 0.5138,  # DTI 2023 score
}
# TINH also reports what belongs to no unit of the roster: the systems of the
# provincial shared platforms (row 6) and the bodies outside the roster connected to
# the specialised network (row 7: Tỉnh ủy, Đoàn ĐBQH và HĐND, UBMTTQ, ...).
TINH_SYSTEMS = (14, 11)
TINH_AGENCIES = 6
TINH_NOTES = {"8": "Số liệu ước tính của Cục Thống kê tỉnh", "10": "Bộ TTTT công bố năm 2024"}


def bieu01_values(units: list[Unit], rng: random.Random) -> dict[str, dict[str, object]]:
    """Unit code -> {STT path: value typed in column (5)}; drawn in roster order."""
    typed: dict[str, dict[str, object]] = {}
    for u in units:
        v: dict[str, object] = {}

        def pair(stt: str, a: int, b: int, v: dict[str, object] = v) -> None:
            assert 0 <= b <= a, (stt, a, b)
            v[f"{stt}.a"], v[f"{stt}.b"] = a, b

        received = DOSSIERS[u.code]
        if received is not None:
            online = rng.uniform(0.55, 0.92) if u.level == "so" else rng.uniform(0.40, 0.66)
            pair("2", received, round(received * online))
            resolved = round(received * rng.uniform(0.93, 0.99))
            pair("4", resolved, round(resolved * rng.uniform(0.002, 0.04)))
        if u.level == "so":
            files = rng.randrange(1500, 16000)
            pair("3.1", files, round(files * rng.uniform(0.89, 0.99)))
        if u.level == "huyen":
            assert u.communes is not None
            files = rng.randrange(6000, 22000) * (2 if u.code == "H01" else 1)
            pair("3.2", files, round(files * rng.uniform(0.80, 0.92)))
            files = u.communes * rng.randrange(900, 2200)
            pair("3.3", files, round(files * rng.uniform(0.40, 0.68)))
        if u.code == "TINH":
            pair("6", *TINH_SYSTEMS)
            v["7"] = TINH_AGENCIES
            v.update(TINH_ROWS)
        else:
            if u.code != "S19":  # Ban Dân tộc runs no information system of its own
                systems = rng.randint(1, 7) if u.level == "so" else rng.randint(2, 5)
                pair("6", systems, max(0, systems - rng.choice((0, 0, 1, 2))))
            if u.level == "so":
                v["7"] = rng.choice((1, 1, 1, 2, 3))
            else:
                assert u.communes is not None
                v["7"] = 1 + u.communes + rng.randint(2, 6)
        for stt in v:
            assert allowed(rule_of(stt).who, u.code, u.level), (u.code, stt)
        typed[u.code] = v
    return typed


# ---------------------------------------------------------------------------
# The tasks and projects (Biểu 02), money in million đồng
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One task or project of Biểu 02, as its reporting units type it."""

    group: str
    name: str
    lead: str
    decision: str
    central: int  # (6) allocated from the central budget
    local: int  # (7) allocated from the local budget
    central_spent: int  # (9)
    local_spent: int  # (10)
    status: str
    product: str
    units: tuple[str, ...]  # the units that report it (two: one shared task)
    partner_note: str | None = None  # what a reporting unit other than the first notes

    def money(self) -> dict[str, int]:
        """The form's money columns (5)-(10), million đồng."""
        return {
            "5": self.central + self.local,
            "6": self.central,
            "7": self.local,
            "8": self.central_spent + self.local_spent,
            "9": self.central_spent,
            "10": self.local_spent,
        }


TASKS: tuple[Task, ...] = (
    Task(
        "I",
        "Triển khai ứng dụng dữ liệu dân cư, định danh và xác thực điện tử (Đề án 06) trên "
        "địa bàn tỉnh",
        "Công an tỉnh",
        "QĐ số 512/QĐ-UBND ngày 20/02/2024",
        3000,
        2000,
        2100,
        1600,
        "Đang thực hiện",
        "Kết nối CSDL quốc gia về dân cư với Hệ thống thông tin giải quyết TTHC tỉnh",
        ("TINH",),
    ),
    Task(
        "I",
        "Nâng cấp phần mềm quản lý văn bản và điều hành",
        "Văn phòng UBND tỉnh",
        "QĐ số 874/QĐ-UBND ngày 14/3/2024",
        0,
        1950,
        0,
        1950,
        "Hoàn thành",
        "Ký số, liên thông văn bản 4 cấp chính quyền",
        ("S01",),
    ),
    Task(
        "I",
        "Xây dựng cơ sở dữ liệu đất đai tỉnh Bình Định (giai đoạn 2)",
        "Sở Tài nguyên và Môi trường",
        "QĐ số 986/QĐ-UBND ngày 22/3/2024",
        18000,
        7500,
        11200,
        4900,
        "Đang thực hiện",
        "Cơ sở dữ liệu đất đai của 4 huyện, thị xã được đưa vào vận hành",
        ("S10", "H07"),
        partner_note="Phối hợp thực hiện trên địa bàn huyện",
    ),
    Task(
        "I",
        "Nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính tỉnh",
        "Sở Thông tin và Truyền thông",
        "QĐ số 1125/QĐ-UBND ngày 05/4/2024",
        0,
        6800,
        0,
        6450,
        "Hoàn thành",
        "Hệ thống được nâng cấp, kết nối Cổng Dịch vụ công quốc gia",
        ("S11",),
    ),
    Task(
        "I",
        "Trung tâm giám sát, điều hành thông minh tỉnh (IOC) giai đoạn 2",
        "Sở Thông tin và Truyền thông",
        "QĐ số 2310/QĐ-UBND ngày 28/6/2024",
        0,
        14500,
        0,
        5200,
        "Đang thực hiện",
        "Bổ sung 6 dịch vụ giám sát, điều hành",
        ("S11",),
    ),
    Task(
        "I",
        "Giám sát, bảo đảm an toàn thông tin (SOC) cho Trung tâm dữ liệu tỉnh",
        "Sở Thông tin và Truyền thông",
        "QĐ số 3046/QĐ-UBND ngày 26/8/2024",
        0,
        3200,
        0,
        0,
        "Chưa triển khai",
        "Đã phê duyệt đề cương, dự toán",
        ("S11",),
    ),
    Task(
        "I",
        "Duy trì, vận hành Trung tâm dữ liệu tỉnh",
        "Sở Thông tin và Truyền thông",
        "QĐ số 215/QĐ-UBND ngày 19/01/2024",
        0,
        2400,
        0,
        2400,
        "Hoàn thành",
        "Trung tâm dữ liệu vận hành ổn định, 99,9 % thời gian",
        ("S11",),
    ),
    Task(
        "I",
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính cấp huyện, cấp xã",
        "UBND thành phố Quy Nhơn",
        "QĐ số 4512/QĐ-UBND ngày 12/3/2024",
        0,
        2350,
        0,
        2180,
        "Hoàn thành",
        "Số hóa 185.000 hồ sơ, kết quả giải quyết TTHC",
        ("H01",),
    ),
    Task(
        "II",
        "Hỗ trợ doanh nghiệp nhỏ và vừa chuyển đổi số năm 2024",
        "Sở Kế hoạch và Đầu tư",
        "QĐ số 1587/QĐ-UBND ngày 10/5/2024",
        1200,
        800,
        900,
        650,
        "Đang thực hiện",
        "120 doanh nghiệp được tư vấn, hỗ trợ giải pháp số",
        ("S04",),
    ),
    Task(
        "II",
        "Đưa sản phẩm OCOP lên sàn thương mại điện tử",
        "Sở Công Thương",
        "QĐ số 1342/QĐ-UBND ngày 19/4/2024",
        0,
        650,
        0,
        612,
        "Hoàn thành",
        "146 sản phẩm OCOP bán trên sàn Postmart, Voso",
        ("S06",),
    ),
    Task(
        "II",
        "Xây dựng hệ thống du lịch thông minh Bình Định (giai đoạn 1)",
        "Sở Du lịch",
        "QĐ số 2744/QĐ-UBND ngày 31/7/2024",
        0,
        4200,
        0,
        0,
        "Chưa triển khai",
        "Hoàn thiện hồ sơ mời thầu",
        ("S14",),
    ),
    Task(
        "III",
        "Học bạ số và chuyển đổi số trong trường học",
        "Sở Giáo dục và Đào tạo",
        "QĐ số 1956/QĐ-UBND ngày 03/6/2024",
        0,
        2750,
        0,
        2310,
        "Đang thực hiện",
        "100 % trường trung học phổ thông dùng học bạ số",
        ("S16",),
    ),
    Task(
        "III",
        "Triển khai hồ sơ sức khỏe điện tử",
        "Sở Y tế",
        "QĐ số 1203/QĐ-UBND ngày 09/4/2024",
        2500,
        1500,
        2500,
        1320,
        "Hoàn thành",
        "1,12 triệu người dân có hồ sơ sức khỏe điện tử",
        ("S17",),
    ),
    Task(
        "III",
        "Phổ cập kỹ năng số cho người dân",
        "UBND thị xã Hoài Nhơn",
        "QĐ số 2087/QĐ-UBND ngày 15/5/2024",
        0,
        410,
        0,
        385,
        "Hoàn thành",
        "8.400 người dân được hướng dẫn kỹ năng số cơ bản",
        ("H03",),
    ),
    Task(
        "III",
        "Tập huấn Tổ công nghệ số cộng đồng",
        "UBND huyện Phù Cát",
        "QĐ số 3320/QĐ-UBND ngày 02/7/2024",
        0,
        320,
        0,
        320,
        "Hoàn thành",
        "Tập huấn cho 1.260 thành viên tổ công nghệ số cộng đồng",
        ("H08",),
    ),
)


def tasks_of(code: str) -> list[Task]:
    """The tasks a unit reports, in the order of TASKS."""
    return [t for t in TASKS if code in t.units]


# ---------------------------------------------------------------------------
# How each unit sends its workbook
# ---------------------------------------------------------------------------


@dataclass
class UnitStyle:
    """How a unit fills and sends its forms (file name, quirks)."""

    file: str  # workbook file name, or sub-folder name when split
    split: bool = False  # one file per form, in the sub-folder `file`
    name: str | None = None  # name written on "Đơn vị báo cáo:" (None: roster name)
    name02: str | None = None  # a different variant on the Biểu 02 sheet
    sheet_names: tuple[str, str] | None = None  # renamed sheets (Biểu 01, Biểu 02)
    bieu02_first: bool = False  # sheet order swapped
    text_numbers: frozenset[str] = frozenset()  # STT paths, or "money", typed as text
    text_format: bool = False  # cells holding text numbers formatted as Text ("@")
    thousands_format: bool = False  # number cells formatted "#,##0"
    nbsp_agencies: bool = False  # row 7 typed as " n " with non-breaking spaces
    hide_column: str | None = None  # column hidden in Biểu 01
    group_totals: bool = False  # also types the (correct) group and TỔNG CỘNG rows
    no_totals: bool = False  # leaves (5) and (8) of its tasks empty (computed cells)
    typed_ratio: bool = False  # types (11) of its tasks where it is exact
    libreoffice: bool = False  # re-saved by LibreOffice Calc, (5) and (8) as formulas
    nfd_name: bool = False  # name typed in decomposed Unicode (NFD)


UNIT_STYLES: dict[str, UnitStyle] = {
    "TINH": UnitStyle(
        "TINH - So TTTT.xlsx", text_numbers=frozenset({"8", "9.a", "9.b"}), group_totals=True
    ),
    "S01": UnitStyle("S01 - Van phong UBND tinh.xlsx"),
    "S02": UnitStyle("S02 - So Noi vu.xlsx"),
    "S03": UnitStyle("So Tu phap", split=True, text_numbers=frozenset({"2.a", "2.b"})),
    "S04": UnitStyle("S04 - So KHDT.xlsx", libreoffice=True),
    "S05": UnitStyle("S05 - So Tai chinh.xlsx", name="Sở Tài chính tỉnh Bình Định"),
    "S06": UnitStyle("S06 - So Cong Thuong.xlsx", text_numbers=frozenset({"2.a"})),
    "S07": UnitStyle(
        "S07 - So NN va PTNT.xlsx", name="Sở Nông nghiệp và Phát triển nông thôn tỉnh Bình Định"
    ),
    "S08": UnitStyle(
        "S08 - So GTVT.xlsx",
        sheet_names=("Bieu01", "Bieu02"),
        text_numbers=frozenset({"2.a", "2.b", "4.a"}),
        text_format=True,
    ),
    "S09": UnitStyle("S09 - So Xay dung.xlsx"),
    "S10": UnitStyle(
        "S10 - So TNMT.xlsx", hide_column="C", text_numbers=frozenset({"money"}), group_totals=True
    ),
    "S11": UnitStyle("S11 - So Thong tin va Truyen thong.xlsx", group_totals=True),
    "S12": UnitStyle("S12 - So LDTBXH.xlsx", name="Sở Lao động – Thương binh và Xã hội"),
    "S13": UnitStyle("S13 - So VHTT.xlsx", name="Sở Văn hoá và Thể thao"),
    "S14": UnitStyle("So Du lich", split=True),
    "S15": UnitStyle("S15 - So KHCN.xlsx"),
    "S16": UnitStyle("S16 - So GDDT.xlsx", nfd_name=True),
    "S17": UnitStyle("Sở Y tế - báo cáo CĐS 2024.xlsx", name="SỞ Y TẾ", typed_ratio=True),
    "S18": UnitStyle("S18 - Thanh tra tinh.xlsx"),
    "S19": UnitStyle("Ban Dan toc", split=True),
    "S20": UnitStyle("S20 - So Ngoai vu.xlsx", bieu02_first=True),
    "H01": UnitStyle(
        "H01 - UBND TP Quy Nhon.xlsx",
        name="UBND TP Quy Nhơn",
        name02="Thành phố Quy Nhơn",
        nbsp_agencies=True,
        text_numbers=frozenset({"2.a", "2.b", "3.3.a", "3.3.b"}),
    ),
    "H02": UnitStyle("H02 - UBND huyen An Lao.xlsx", sheet_names=("BC01", "BC02")),
    "H03": UnitStyle("UBND TX Hoai Nhon", split=True, name="UBND TX. Hoài Nhơn"),
    "H04": UnitStyle("H04 - UBND huyen Hoai An.xlsx"),
    "H05": UnitStyle("H05 - UBND huyen Phu My.xlsx", name="Ủy ban nhân dân huyện Phù Mỹ"),
    "H06": UnitStyle("H06 - UBND huyen Vinh Thanh.xlsx"),
    "H07": UnitStyle(
        "H07 - UBND huyen Tay Son.xlsx", name="UBND HUYỆN TÂY SƠN", thousands_format=True
    ),
    "H08": UnitStyle("H08 - UBND huyện Phù Cát.xlsx", no_totals=True),
    "H09": UnitStyle("H09 - TX An Nhon.xlsx", name="Thị xã An Nhơn"),
    "H10": UnitStyle(
        "H10 - UBND huyen Tuy Phuoc.xlsx", text_numbers=frozenset({"2.a", "4.a", "3.3.a"})
    ),
    "H11": UnitStyle("H11 - UBND huyen Van Canh.xlsx"),
}


# ---------------------------------------------------------------------------
# Filling the forms
# ---------------------------------------------------------------------------


@dataclass
class Filled:
    """What one unit sent, for the summary and the oracle."""

    code: str
    files: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    shown_name: str = ""
    quirks: list[str] = field(default_factory=list)


def vn_decimal(x: float) -> str:
    """A decimal as a Vietnamese clerk types it: comma as the decimal mark."""
    return f"{x}".replace(".", ",")


def unit_name(unit: Unit, style: UnitStyle, form: str = FORM01) -> str:
    name = style.name or unit.roster_name
    if form == FORM02 and style.name02:
        name = style.name02
    if style.nfd_name:
        name = unicodedata.normalize("NFD", name)
    return name


def stt_rows(ws: Worksheet) -> dict[str, int]:
    """STT path -> sheet row of a Biểu 01 sheet, read from its column A."""
    rows: dict[str, int] = {}
    parent = ""
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        label = ws.cell(row=r, column=1).value
        if not isinstance(label, str) or label in HEADINGS01:
            continue
        if label[0].isdigit():
            parent = label
            rows[label] = r
        elif len(label) == 1 and label.islower():
            rows[f"{parent}.{label}"] = r
    return rows


def typed_number(value: object, key: str, style: UnitStyle) -> object:
    """A number as this unit types it (Vietnamese text, NBSP) for the row or column `key`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if key in style.text_numbers:
        return H.vn_number(value) if isinstance(value, int) else vn_decimal(value)
    if key == "7" and style.nbsp_agencies:
        return f"{NBSP}{value}{NBSP}"
    return value


def fill_bieu01(ws: Worksheet, unit: Unit, style: UnitStyle, values: dict[str, object]) -> None:
    ws["A4"] = f"Đơn vị báo cáo: {unit_name(unit, style, FORM01)}"
    rows = stt_rows(ws)
    assert set(rows) == set(BIEU01_RULES) | {f"{s}.{p}" for s in RATIO_ROWS for p in "ab"}, (
        "the blank Biểu 01 does not have the rows this generator knows"
    )
    for stt, value in values.items():
        cell = ws[f"{C01_ACTUAL}{rows[stt]}"]
        shown = typed_number(value, stt, style)
        if isinstance(shown, str) and style.text_format:
            cell.number_format = "@"
        elif isinstance(shown, int) and style.thousands_format:
            cell.number_format = "#,##0"
        elif stt == "10":
            cell.number_format = "0.0000"
        cell.value = shown
    if unit.code == "TINH":
        for stt, note in TINH_NOTES.items():
            ws[f"{C01_NOTE}{rows[stt]}"] = note


def fill_bieu02(
    ws: Worksheet, unit: Unit, style: UnitStyle, formulas: bool, filled: Filled
) -> None:
    """Type the unit's tasks under their groups, adding rows where a group has no room."""
    ws["A4"] = f"Đơn vị báo cáo: {unit_name(unit, style, FORM02)}"
    shift = 0
    for group in GROUPS:
        tasks = [t for t in tasks_of(unit.code) if t.group == group]
        group_row = GROUP_ROW02[group] + shift
        for i, task in enumerate(tasks):
            row = group_row + 1 + i
            if i >= SLOTS_PER_GROUP:
                H.insert_blank_row(ws, row)
                ws[f"{C02['stt']}{row}"] = str(i + 1)
                shift += 1
                filled.quirks.append(
                    f"Biểu 02: thêm dòng {row} cho nhiệm vụ thứ {i + 1} nhóm {group}"
                )
            write_task(ws, row, task, unit, style, formulas)
        if style.group_totals and tasks:
            write_sums(ws, group_row, tasks, style)
    if style.group_totals and tasks_of(unit.code):
        write_sums(ws, TOTAL_ROW02, tasks_of(unit.code), style)


def write_task(
    ws: Worksheet, row: int, task: Task, unit: Unit, style: UnitStyle, formulas: bool
) -> None:
    money = task.money()
    texts = {
        "name": task.name,
        "lead": task.lead,
        "decision": task.decision,
        "status": task.status,
        "product": task.product,
    }
    if unit.code != task.units[0] and task.partner_note:
        texts["note"] = task.partner_note
    for key, text in texts.items():
        ws[f"{C02[key]}{row}"] = text
    for key, value in money.items():
        if key in ("5", "8") and style.no_totals:
            continue
        cell = ws[f"{C02[key]}{row}"]
        if formulas and key in ("5", "8"):
            first, second = ("6", "7") if key == "5" else ("9", "10")
            cell.value = f"={C02[first]}{row}+{C02[second]}{row}"
        else:
            cell.value = typed_number(value, "money", style)
            if style.thousands_format:
                cell.number_format = "#,##0"
    if style.typed_ratio and money["5"] and (money["8"] * 10000) % money["5"] == 0:
        ws[f"{C02['11']}{row}"] = money["8"] * 100 / money["5"]


def write_sums(ws: Worksheet, row: int, tasks: list[Task], style: UnitStyle) -> None:
    """A group's or the total's money as the sum of the unit's own tasks, typed."""
    for key in MONEY_COLS:
        total = sum(t.money()[key] for t in tasks)
        ws[f"{C02[key]}{row}"] = typed_number(total, "money", style)


class Blanks:
    """The blank forms, read once: each form alone, and both in one workbook."""

    def __init__(self, forms: Path) -> None:
        self._data = {f: (forms / f"{f}.xlsx").read_bytes() for f in (FORM01, FORM02)}
        both = self.load(FORM01)
        src02 = self.load(FORM02).worksheets[0]
        H.copy_sheet(src02, both.create_sheet(src02.title))
        buffer = io.BytesIO()
        both.save(buffer)
        self._data["both"] = buffer.getvalue()

    def load(self, key: str) -> openpyxl.Workbook:
        """A fresh copy of a blank: FORM01, FORM02 or "both"."""
        return openpyxl.load_workbook(io.BytesIO(self._data[key]))


def unit_modified(ordinal: int) -> dt.datetime:
    """When the unit last saved its workbook (fixed, for reproducible files)."""
    return dt.datetime(2025, 1, 15, 8, 0, 0) + dt.timedelta(hours=7 * ordinal)


def save(wb: openpyxl.Workbook, path: Path, unit: Unit, ordinal: int) -> None:
    wb.properties.creator = "Sở Thông tin và Truyền thông tỉnh Bình Định"
    wb.properties.lastModifiedBy = unit.code
    wb.properties.created = FORMS_CREATED
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    H.normalise_zip(path, FORMS_CREATED, unit_modified(ordinal))


def build_unit(
    unit: Unit,
    style: UnitStyle,
    values: dict[str, object],
    blanks: Blanks,
    out: Path,
    ordinal: int,
    use_libreoffice: bool,
) -> Filled:
    filled = Filled(unit.code, shown_name=unit_name(unit, style))
    if style.split:
        wb01, wb02 = blanks.load(FORM01), blanks.load(FORM02)
        ws01, ws02 = wb01.worksheets[0], wb02.worksheets[0]
    else:
        wb01 = wb02 = blanks.load("both")
        ws01, ws02 = wb01.worksheets

    resave = style.libreoffice and use_libreoffice
    fill_bieu01(ws01, unit, style, values)
    fill_bieu02(ws02, unit, style, resave, filled)
    if style.hide_column:
        ws01.column_dimensions[style.hide_column].hidden = True
        filled.quirks.append(f"Biểu 01: ẩn cột {style.hide_column}")
    if style.sheet_names:
        ws01.title, ws02.title = style.sheet_names
        filled.quirks.append(f"đổi tên sheet: {style.sheet_names[0]!r}, {style.sheet_names[1]!r}")
    if style.bieu02_first:
        wb01.move_sheet(ws02, offset=-wb01.index(ws02))
        wb01.active = 0
        filled.quirks.append("sheet Biểu 02 đứng trước Biểu 01")

    if style.split:
        folder = out / style.file
        p01, p02 = folder / f"{unit.code} - Bieu 01.xlsx", folder / f"{unit.code} - Bieu 02.xlsx"
        save(wb01, p01, unit, ordinal)
        save(wb02, p02, unit, ordinal)
        filled.files = [f"{style.file}/{p01.name}", f"{style.file}/{p02.name}"]
        filled.sheets = [ws01.title, ws02.title]
        filled.quirks.append("mỗi biểu một tệp, trong thư mục con")
    else:
        path = out / style.file
        save(wb01, path, unit, ordinal)
        filled.files = [style.file]
        filled.sheets = list(wb01.sheetnames)
        if style.libreoffice:
            if resave and H.libreoffice_resave(path):
                H.normalise_zip(path, FORMS_CREATED, unit_modified(ordinal))
                filled.quirks.append("lưu lại bằng LibreOffice Calc; cột (5), (8) là công thức")
            else:
                filled.quirks.append("(chưa lưu lại bằng LibreOffice: tệp do openpyxl ghi)")

    if style.name02:
        filled.quirks.append(f"tên đơn vị ở Biểu 02 khác Biểu 01: {style.name02}")
    if style.nfd_name:
        filled.quirks.append("tên đơn vị gõ dạng Unicode tổ hợp (NFD)")
    if style.text_numbers:
        filled.quirks.append("số gõ dạng chữ: " + ", ".join(sorted(style.text_numbers)))
    if style.text_format:
        filled.quirks.append("ô số gõ dạng chữ định dạng Text (@)")
    if style.nbsp_agencies:
        filled.quirks.append("STT 7 gõ có khoảng trắng không ngắt (NBSP)")
    if style.thousands_format:
        filled.quirks.append("định dạng số #,##0")
    if style.group_totals and tasks_of(unit.code):
        filled.quirks.append("Biểu 02: tự gõ dòng nhóm và TỔNG CỘNG (đúng)")
    if style.no_totals and tasks_of(unit.code):
        filled.quirks.append("Biểu 02: để trống cột (5), (8) (ô tính toán)")
    if style.typed_ratio and tasks_of(unit.code):
        filled.quirks.append("Biểu 02: tự gõ tỷ lệ giải ngân (11)")
    if not style.file.isascii():
        filled.quirks.append("tên tệp có dấu tiếng Việt")
    shared = [t for t in tasks_of(unit.code) if len(t.units) > 1]
    if shared:
        filled.quirks.append(
            "Biểu 02: nhiệm vụ chung với " + ", ".join(c for c in shared[0].units if c != unit.code)
        )
    return filled


# ---------------------------------------------------------------------------
# The oracle: the province's figures by the README's rules
# ---------------------------------------------------------------------------


def percent(part: float, whole: float) -> float | None:
    return None if whole == 0 else part * 100 / whole


def assess(rule: Rule, actual: object) -> str | None:
    if rule.operator is None or actual is None:
        return None
    if rule.operator == "Có":
        met = actual is True
    elif rule.operator == "≥":
        met = actual >= rule.target  # type: ignore[operator]
    else:
        met = actual <= rule.target  # type: ignore[operator]
    return "Đạt" if met else "Không đạt"


def expected_figures(
    units: list[Unit], typed: dict[str, dict[str, object]], filled: dict[str, Filled]
) -> dict[str, object]:
    """The province's Biểu 01 and Biểu 02 from what the units typed, by the README's rules."""

    def total(stt: str) -> int | float | None:
        """Σ over the units allowed to fill the row; None when nobody did."""
        found = [
            typed[u.code][stt]
            for u in units
            if stt in typed[u.code] and allowed(rule_of(stt).who, u.code, u.level)
        ]
        return sum(found) if found else None  # type: ignore[arg-type]

    bieu01: dict[str, dict[str, object]] = {}
    for stt, rule in BIEU01_RULES.items():
        plan: object = rule.target
        if isinstance(plan, int) and not isinstance(plan, bool):
            plan = float(plan)
        if rule.kind == "ratio":
            a, b = total(f"{stt}.a"), total(f"{stt}.b")
            actual: object = None if a is None or b is None else percent(b, a)
        elif rule.kind == "yesno":
            actual = {"Có": True, "Không": False}.get(str(typed["TINH"].get(stt)))
        elif rule.kind == "heading":
            actual = None
        else:
            actual = total(stt)
        ratio = None
        if isinstance(plan, int | float) and not isinstance(plan, bool) and actual is not None:
            ratio = percent(actual, plan)  # type: ignore[arg-type]
        bieu01[stt] = {
            "plan": plan,
            "actual": actual,
            "ratio": ratio,
            "assessment": assess(rule, actual),
            "operator": rule.operator,
        }
        if rule.kind == "ratio":
            for part in ("a", "b"):
                bieu01[f"{stt}.{part}"] = {
                    "plan": None,
                    "actual": total(f"{stt}.{part}"),
                    "ratio": None,
                    "assessment": None,
                    "operator": None,
                }

    def with_ratio(money: dict[str, int]) -> dict[str, object]:
        return {**money, "11": percent(money["8"], money["5"])}

    tasks = [t for t in TASKS if any(c in filled for c in t.units)]  # each task once
    groups = {
        g: with_ratio({k: sum(t.money()[k] for t in tasks if t.group == g) for k in MONEY_COLS})
        for g in GROUPS
    }
    bieu02 = {
        "total": with_ratio({k: sum(t.money()[k] for t in tasks) for k in MONEY_COLS}),
        "groups": groups,
        "tasks": [
            {
                "group": t.group,
                "name": t.name,
                "lead": t.lead,
                "decision": t.decision,
                "status": t.status,
                "product": t.product,
                "units": list(t.units),
                **with_ratio(t.money()),
            }
            for t in tasks
        ],
    }
    return {
        "form_set": FORM_SET,
        "units": {
            "expected": len(units),
            "received": [
                {"code": u.code, "name": u.roster_name, "files": filled[u.code].files}
                for u in units
            ],
        },
        FORM01: bieu01,
        FORM02: bieu02,
    }


def check_expected(res: dict[str, object]) -> None:
    """The example shows both outcomes: these assessments are part of its design."""
    b01 = res[FORM01]
    want = {
        "1": "Đạt",
        "2": "Đạt",
        "3.1": "Đạt",
        "3.2": "Đạt",
        "3.3": "Không đạt",
        "4": "Đạt",
        "5": "Đạt",
        "6": "Không đạt",
        "8": "Không đạt",
        "9": "Đạt",
    }
    got = {stt: b01[stt]["assessment"] for stt in want}  # type: ignore[index]
    assert want == got, got
    for task in TASKS:
        m = task.money()
        assert task.status in STATUSES
        assert m["9"] <= m["6"], task.name
        assert m["10"] <= m["7"], task.name
        assert (task.status == "Chưa triển khai") == (m["8"] == 0), task.name
    counts = [sum(t.group == g for t in tasks_of(c)) for c in UNIT_STYLES for g in GROUPS]
    assert max(counts) > SLOTS_PER_GROUP, "one unit should need an extra task row"
    assert sum(len(t.units) > 1 for t in TASKS) == 1, "exactly one shared task"


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def fmt(x: object) -> str:
    if isinstance(x, float) and x < 1:
        return vn_decimal(x)
    if isinstance(x, float):
        return f"{x:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if isinstance(x, int) and not isinstance(x, bool):
        return H.vn_number(x)
    return str(x)


def print_summary(units: list[Unit], filled: dict[str, Filled], res: dict[str, object]) -> None:
    print(f"{'Mã':<5} {'Tệp':<46} {'Sheet':<22} Đơn vị báo cáo (ghi trong biểu)")
    for unit in units:
        f = filled[unit.code]
        shown = unicodedata.normalize("NFC", f.shown_name)
        if shown == unit.roster_name:
            shown += "  (đúng danh sách)"
        for i, file in enumerate(f.files):
            sheets = ", ".join(f.sheets) if len(f.files) == 1 else f.sheets[i]
            code, name = (unit.code, shown) if i == 0 else ("", "")
            print(f"{code:<5} {file:<46} {sheets:<22} {name}".rstrip())
        for q in f.quirks:
            print(f"{'':<5}   - {q}")
    b01: dict[str, dict[str, object]] = res[FORM01]  # type: ignore[assignment]
    print("\nBiểu 01 (tổng hợp toàn tỉnh):")
    for stt, row in b01.items():
        if "." in stt and stt[-1] in "ab":
            continue
        parts = ""
        if f"{stt}.a" in b01:
            parts = f"  = {fmt(b01[stt + '.b']['actual'])}/{fmt(b01[stt + '.a']['actual'])}"
        print(
            f"  {stt:>4}: {fmt(row['actual']):>10}{parts}  kế hoạch {fmt(row['plan'])}"
            f"  tỷ lệ {fmt(row['ratio'])}  {row['assessment'] or ''}"
        )
    b02: dict[str, dict[str, object]] = res[FORM02]  # type: ignore[assignment]
    print("Biểu 02 (triệu đồng):")
    for label, money in [("TỔNG CỘNG", b02["total"]), *b02["groups"].items()]:  # type: ignore[attr-defined]
        cols = "  ".join(f"({k}) {fmt(v)}" for k, v in money.items())
        print(f"  {label:<9} {cols}")
    print(f"  {len(b02['tasks'])} nhiệm vụ, dự án")  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument(
        "--forms",
        type=Path,
        default=DEFAULT_FORMS,
        help="folder holding BIEU01.xlsx and BIEU02.xlsx (default: %(default)s)",
    )
    ap.add_argument(
        "--roster", type=Path, default=DEFAULT_ROSTER, help="roster CSV (default: %(default)s)"
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
    ap.add_argument(
        "--only",
        action="append",
        metavar="CODE",
        help="write only this unit's workbooks (repeatable); nothing else is written or removed",
    )
    args = ap.parse_args(argv)
    forms: Path = args.forms
    out: Path = args.out
    for p in (forms / f"{FORM01}.xlsx", forms / f"{FORM02}.xlsx", args.roster):
        if not p.is_file():
            ap.error(f"missing {p}")

    units = read_roster(args.roster)
    codes = [u.code for u in units]
    assert sorted(codes) == sorted(UNIT_STYLES) == sorted(DOSSIERS), "roster and data disagree"
    assert all(c in codes for t in TASKS for c in t.units)
    only = set(args.only or codes)
    if only - set(codes):
        ap.error(f"not in the roster: {', '.join(sorted(only - set(codes)))}")

    out.mkdir(parents=True, exist_ok=True)
    if not args.only:
        H.clean_output(out, UNIT_STYLES)
    use_lo = not args.no_libreoffice
    if use_lo and not (shutil.which("soffice") or shutil.which("libreoffice")):
        print("note: LibreOffice (soffice) not found: writing that unit with openpyxl")
        use_lo = False

    typed = bieu01_values(units, random.Random(SEED))
    blanks = Blanks(forms)
    filled: dict[str, Filled] = {}
    for i, unit in enumerate(units):
        if unit.code in only:
            filled[unit.code] = build_unit(
                unit, UNIT_STYLES[unit.code], typed[unit.code], blanks, out, i, use_lo
            )
    if args.only:
        print("\n".join(f for code in args.only for f in filled[code].files))
        return 0
    shutil.copyfile(args.roster, out / "roster.csv")

    res = expected_figures(units, typed, filled)
    check_expected(res)
    text = json.dumps(res, ensure_ascii=False, indent=1) + "\n"
    (out / "expected.json").write_text(text, encoding="utf-8")
    print_summary(units, filled, res)
    print("roster.csv, expected.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
