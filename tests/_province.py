"""A province the code has never seen, built from the example's files, and its true figures.

The hold-out check consolidates another province's units: numbers typed as Vietnamese text,
files saved by LibreOffice, one file per form, a unit missing, a workbook sent twice, an Excel
lock file, a department filling a province-only row, a project name that looks like a formula.
``make_province`` builds such a folder from ``examples/binh-dinh-2020``: every unit renamed to
Phú Yên, every number changed (scaled per unit) and typed as text, and the awkward cases added.

The truth is computed here, independently of the package: a small openpyxl reader of the
Ministry's layout and the rules of DOMAIN.md written out plainly (sums over units received, TINH
included; percent rows Σb/Σa×100; (*) rows from TINH only; values with an error left out).
"""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "binh-dinh-2020"
NBSP = "\u00a0"

# PL01 rows: what units type, by form column number ((4) plan, (5) actual).
SUM_ROWS = {
    "2.a": (5,),
    "2.b": (5,),
    "3.a": (5,),
    "3.b": (5,),
    "4.a": (5,),
    "4.b": (5,),
    "5.a": (5,),
    "5.b": (5,),
    "9": (4, 5),
    "10": (4, 5),
    "11": (5,),
    "12.a": (5,),
    "12.b": (5,),
}
PROVINCE_ROWS = {"6.a", "6.b", "6.c", "7", "8", "14", "14.a", "15"}
YESNO_ROWS = {"1", "13"}
PERCENT_ROWS = {
    "2": ("2.b", "2.a"),
    "3": ("3.b", "3.a"),
    "4": ("4.b", "4.a"),
    "5": ("5.b", "5.a"),
    "12": ("12.b", "12.a"),
}
TARGETS = {"2": (">", 50), "3": ("≥", 30), "4": (">", 50), "5": ("≥", 90), "12": (">", 80)}
PLAN_ROWS = ("9", "10")
MONEY = tuple(str(n) for n in range(6, 18))
SOURCES = {"6": ("7", "8", "9"), "10": ("11", "12", "13"), "14": ("15", "16", "17")}
PL02_GROUPS = ("I", "II", "III")

# The Phú Yên roster: TINH, the twenty departments, nine districts (with their communes).
DISTRICTS = {
    "H01": ("PYH1", "UBND thành phố Tuy Hòa", 16, "UBND TP Tuy Hòa", "Thành phố Tuy Hòa"),
    "H02": ("PYH2", "UBND thị xã Sông Cầu", 14, "UBND TX. Sông Cầu", None),
    "H03": ("PYH3", "UBND thị xã Đông Hòa", 10, "Thị xã Đông Hòa", None),
    "H04": ("PYH4", "UBND huyện Đồng Xuân", 11, "UBND HUYỆN ĐỒNG XUÂN", None),
    "H05": ("PYH5", "UBND huyện Tuy An", 16, "Ủy ban nhân dân huyện Tuy An", None),
    "H06": ("PYH6", "UBND huyện Sơn Hòa", 14, "UBND huyện Sơn Hòa", None),
    "H07": ("PYH7", "UBND huyện Sông Hinh", 11, "UBND huyện Sông Hinh", None),
    "H08": ("PYH8", "UBND huyện Tây Hòa", 11, "UBND huyện Tây Hoà", None),
    "H09": ("PYH9", "UBND huyện Phú Hòa", 9, "UBND huyện Phú Hòa", None),
}
MISSING = "H09"  # in the roster, no file
NOT_OF_THIS_PROVINCE = ("H10", "H11")
LIBREOFFICE_SAVED = "H02"
TWICE_IDENTICAL = "S05"
TWICE_DIFFERENT = "S06"
PROVINCE_ROW_BY_DEPARTMENT = ("S02", "6.a", 50)
TEXT_NOT_NUMBER = ("H07", "11", "khoảng 5")
NUMERATOR_ABOVE = ("H08", "12.b", "12.a")
FORMULA_NAME = '=HYPERLINK("http://attt.phuyen.gov.vn","Hệ thống giám sát ATTT")'
DASH_NAME = "- Nâng cấp phần mềm Một cửa điện tử"
UNKNOWN_NAME = "Ban Quản lý Khu kinh tế tỉnh Phú Yên"


def unit_code(path: Path) -> str:
    """The roster code of an example file, from its name ("S19 - PL01.xlsx", "Sở Y tế …")."""
    head = path.stem.split(" - ")[0].strip()
    return "S17" if head.startswith("Sở Y tế") else head


def factor(code: str) -> int:
    """How much a unit's numbers are scaled by (1, 2 or 3): b ≤ a stays true."""
    if code == "TINH":
        return 2
    return 1 + int(code[1:]) % 3


def read_number(raw: object) -> float | None:
    """A typed value as a number, the way the example types them ("1.519", " 4 ", 45000)."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    text = str(raw).replace(NBSP, " ").strip()
    if not text:
        return None
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    text = text.replace(".", "").replace(",", ".") if "," in text else text
    try:
        return float(text)
    except ValueError:
        return None


def vn_text(number: float) -> str:
    """A number as Vietnamese staff type it: "1.519", "45,5", "1.200,25"."""
    whole = int(number)
    grouped = f"{whole:,}".replace(",", ".")
    if number == whole:
        return grouped
    decimals = f"{number:.6f}".split(".")[1].rstrip("0")
    return f"{grouped},{decimals}"


def round_half_up(value: Decimal | float, digits: int = 2) -> float:
    """Round as the Ministry's forms print: half away from zero."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


@dataclass
class FormSheet:
    """A form's table in a sheet: its numbering row, columns by form number, rows by key."""

    form: str
    ws: Worksheet
    columns: dict[int, int]
    rows: dict[str, int]
    projects: list[tuple[str, int]]
    unit_cell: tuple[int, int] | None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def locate(ws: Worksheet) -> FormSheet | None:
    """Find a form's table by its numbering row "(1) (2) …", independently of the package."""
    for r in range(1, min(ws.max_row, 30) + 1):
        marks = {
            c: _text(ws.cell(r, c).value)
            for c in range(1, ws.max_column + 1)
            if _text(ws.cell(r, c).value).startswith("(")
        }
        if "(1)" not in marks.values():
            continue
        columns = {}
        for c, mark in marks.items():
            found = re.match(r"\((\d+)\)", mark)
            if found:
                columns.setdefault(int(found.group(1)), c)
        form = "PL02" if 19 in columns else "PL01"
        unit_cell = next(
            (
                (ur, uc)
                for ur in range(1, r)
                for uc in range(1, ws.max_column + 1)
                if _text(ws.cell(ur, uc).value).startswith("Đơn vị báo cáo")
            ),
            None,
        )
        rows: dict[str, int] = {}
        projects: list[tuple[str, int]] = []
        parent = group = ""
        for line in range(r + 1, ws.max_row + 1):
            stt = _text(ws.cell(line, columns[1]).value)
            name = _text(ws.cell(line, columns[2]).value)
            if stt.startswith("Ghi chú") or name.startswith("Ghi chú"):
                break
            if form == "PL02":
                if name.startswith("TỔNG SỐ"):
                    rows["TOTAL"] = line
                elif stt in PL02_GROUPS:
                    group = stt
                    rows[group] = line
                elif group and stt:
                    projects.append((group, line))
            elif stt in ("I", "II", "III"):
                rows[stt] = line
            elif stt.isdigit():
                parent = stt
                rows[stt] = line
            elif len(stt) == 1 and stt.isalpha():
                rows[f"{parent}.{stt}"] = line
        return FormSheet(form, ws, columns, rows, projects, unit_cell)
    return None


@dataclass
class Project:
    """A project of PL02 as typed: its unit, group, name and money by column number."""

    unit: str
    group: str
    name: str
    money: dict[str, float]


@dataclass
class Province:
    """The folder built, and what a correct consolidation of it must say."""

    folder: Path
    roster: list[dict[str, str]]
    inputs: dict[str, dict[tuple[str, int], float | bool]] = field(default_factory=dict)
    projects: list[Project] = field(default_factory=list)
    files: dict[str, list[Path]] = field(default_factory=dict)
    copies: dict[str, Path] = field(default_factory=dict)
    lock: Path | None = None
    unknown: Path | None = None

    def code(self, example_code: str) -> str:
        """The Phú Yên roster code of an example unit."""
        if example_code in DISTRICTS:
            return DISTRICTS[example_code][0]
        return example_code if example_code == "TINH" else f"PY{example_code[1:]}"

    def counted(self) -> dict[str, dict[tuple[str, int], float | bool]]:
        """Each unit's values that enter the sums: errors and differing copies left out."""
        kept = {code: dict(values) for code, values in self.inputs.items()}
        kept[TWICE_DIFFERENT] = {}
        unit, row, _ = TEXT_NOT_NUMBER
        kept[unit].pop((row, 5), None)
        unit, top, bottom = NUMERATOR_ABOVE
        kept[unit].pop((top, 5), None)
        kept[unit].pop((bottom, 5), None)
        unit, row, _ = PROVINCE_ROW_BY_DEPARTMENT
        kept[unit].pop((row, 5), None)
        return kept

    def expected_pl01(self) -> dict[str, dict[str, object]]:
        """The province's PL01 as DOMAIN.md defines it, row by row."""
        counted = self.counted()
        result: dict[str, dict[str, object]] = {}

        def summed(row: str, column: int) -> float | None:
            values = [v[(row, column)] for v in counted.values() if (row, column) in v]
            return float(sum(values)) if values else None  # type: ignore[arg-type]

        for row, columns in SUM_ROWS.items():
            result[row] = {
                "plan": summed(row, 4) if 4 in columns else None,
                "actual": summed(row, 5),
            }
        for row in PROVINCE_ROWS | YESNO_ROWS:
            result[row] = {"actual": counted["TINH"].get((row, 5))}
        parts = [result[k]["actual"] for k in ("6.a", "6.b", "6.c")]
        result["6"] = {"actual": float(sum(p for p in parts if p is not None))}  # type: ignore[misc]
        for row, (top, bottom) in PERCENT_ROWS.items():
            b, a = result[top]["actual"], result[bottom]["actual"]
            percent = round_half_up(Decimal(int(b)) / Decimal(int(a)) * 100)  # type: ignore[arg-type]
            op, bound = TARGETS[row]
            met = percent > bound if op == ">" else percent >= bound
            result[row] = {
                "plan": float(bound),
                "actual": percent,
                "ratio": round_half_up(Decimal(repr(percent)) / Decimal(bound) * 100),
                "assessment": "Đạt" if met else "Không đạt",
            }
        for row in PLAN_ROWS:
            plan, actual = result[row]["plan"], result[row]["actual"]
            result[row]["ratio"] = round_half_up(Decimal(repr(actual)) / Decimal(repr(plan)) * 100)
            result[row]["assessment"] = "Đạt" if actual >= plan else "Không đạt"  # type: ignore[operator]
        for row in YESNO_ROWS:
            yes = result[row]["actual"]
            result[row].update(
                plan=True, ratio=100.0 if yes else 0.0, assessment="Đạt" if yes else "Không đạt"
            )
        return result

    def expected_pl02(self) -> dict[str, dict[str, float | None]]:
        """TỔNG SỐ and each group: sums of the projects, (18) from the sums."""
        groups: dict[str, dict[str, float | None]] = {}
        for group in PL02_GROUPS:
            members = [p for p in self.projects if p.group == group]
            groups[group] = {k: float(sum(p.money.get(k, 0.0) for p in members)) for k in MONEY}
        groups["TOTAL"] = {k: sum(groups[g][k] for g in PL02_GROUPS) for k in MONEY}  # type: ignore[misc]
        for values in groups.values():
            allocated, spent = values["10"], values["14"]
            values["18"] = (
                round_half_up(Decimal(repr(spent)) / Decimal(repr(allocated)) * 100)
                if allocated
                else None
            )
        return groups


def _write_text(ws: Worksheet, row: int, column: int, text: str) -> None:
    cell = ws.cell(row, column)
    cell.value = text
    cell.data_type = "s"  # "=HYPERLINK(…)" typed as a name stays text, as in Excel with '
    cell.number_format = "@"


def _transform(path: Path, target: Path, code: str, province: Province) -> None:
    book = openpyxl.load_workbook(path)
    scale = factor(code)
    values = province.inputs.setdefault(code, {})
    for ws in book.worksheets:
        sheet = locate(ws)
        if sheet is None:
            continue
        if sheet.unit_cell is not None:
            if code in DISTRICTS:
                _, _, _, written, pl02_written = DISTRICTS[code]
                name = pl02_written if sheet.form == "PL02" and pl02_written else written
            else:
                name = str(ws.cell(*sheet.unit_cell).value).split(":", 1)[1].strip()
                name = name.replace("Bình Định", "Phú Yên")
            ws.cell(*sheet.unit_cell).value = f"Đơn vị báo cáo: {name}"
        if sheet.form == "PL01":
            for row, line in sheet.rows.items():
                if row in YESNO_ROWS:
                    typed = _text(ws.cell(line, sheet.columns[5]).value)
                    if typed:
                        values[row, 5] = typed == "Có"
                    continue
                columns = SUM_ROWS.get(row, (5,) if row in PROVINCE_ROWS else ())
                for column in columns:
                    number = read_number(ws.cell(line, sheet.columns[column]).value)
                    if number is None:
                        continue
                    # Row 9 stays one district of one: a district is a district.
                    new = number if row == "9" else number * scale
                    if row == "10" and code in DISTRICTS:
                        # A district's target is its communes (the roster's), and no more of
                        # them than it has can use the software.
                        communes = float(DISTRICTS[code][2])
                        new = communes if column == 4 else min(new, communes)
                    values[row, column] = new
                    text = vn_text(new)
                    text = f" {text}{NBSP}" if len(values) % 4 == 0 else text
                    _write_text(ws, line, sheet.columns[column], text)
        else:
            for group, line in sheet.projects:
                name = _text(ws.cell(line, sheet.columns[2]).value)
                money: dict[str, float] = {}
                for column in MONEY:
                    number = read_number(ws.cell(line, sheet.columns[int(column)]).value)
                    if number is not None:
                        money[column] = number * scale
                        _write_text(ws, line, sheet.columns[int(column)], vn_text(number * scale))
                if name or money:
                    province.projects.append(Project(code, group, name, _with_totals(money)))
            for row in ("TOTAL", *PL02_GROUPS):
                for column in MONEY:
                    cell = ws.cell(sheet.rows[row], sheet.columns[int(column)])
                    number = read_number(cell.value)
                    if number is not None:
                        cell.value = number * scale
    _specials(book, code, province)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)


def _with_totals(money: dict[str, float]) -> dict[str, float]:
    result = dict(money)
    for total, parts in SOURCES.items():
        present = [money[p] for p in parts if p in money]
        if present:
            result[total] = float(sum(present))
    return result


def _pl01(book: openpyxl.Workbook) -> FormSheet | None:
    return next(
        (s for s in map(locate, book.worksheets) if s is not None and s.form == "PL01"), None
    )


def _pl02(book: openpyxl.Workbook) -> FormSheet | None:
    return next(
        (s for s in map(locate, book.worksheets) if s is not None and s.form == "PL02"), None
    )


def _specials(book: openpyxl.Workbook, code: str, province: Province) -> None:
    values = province.inputs[code]
    pl01, pl02 = _pl01(book), _pl02(book)
    unit, row, number = PROVINCE_ROW_BY_DEPARTMENT
    if code == unit and pl01 is not None:
        _write_text(pl01.ws, pl01.rows[row], pl01.columns[5], str(number))
        values[row, 5] = float(number)
    unit, row, text = TEXT_NOT_NUMBER
    if code == unit and pl01 is not None:
        _write_text(pl01.ws, pl01.rows[row], pl01.columns[5], text)
        values[row, 5] = 5.0  # what the clerk meant; it is not counted
    unit, top, bottom = NUMERATOR_ABOVE
    if code == unit and pl01 is not None:
        above = float(values[bottom, 5]) + 3
        _write_text(pl01.ws, pl01.rows[top], pl01.columns[5], vn_text(above))
        values[top, 5] = above
    if code == "H05" and pl02 is not None:
        _project(
            pl02,
            "II",
            province,
            code,
            FORMULA_NAME,
            "UBND huyện Tuy An",
            {"7": 1200.5, "8": 800, "11": 1000, "12": 500, "15": 900, "16": 400.25},
        )
    if code == "H01" and pl02 is not None:
        _project(
            pl02,
            "I",
            province,
            code,
            DASH_NAME,
            "UBND thành phố Tuy Hòa",
            {"8": 2500, "12": 2500, "16": 1875},
        )


def _project(
    sheet: FormSheet,
    group: str,
    province: Province,
    code: str,
    name: str,
    investor: str,
    money: dict[str, float],
) -> None:
    line = next(line for g, line in sheet.projects if g == group)
    _write_text(sheet.ws, line, sheet.columns[2], name)
    _write_text(sheet.ws, line, sheet.columns[3], investor)
    _write_text(sheet.ws, line, sheet.columns[4], "2019-2020")
    for column, number in money.items():
        _write_text(sheet.ws, line, sheet.columns[int(column)], vn_text(float(number)))
    typed = {k: float(v) for k, v in money.items()}
    province.projects.append(Project(code, group, name, _with_totals(typed)))


def roster_rows() -> list[dict[str, str]]:
    """The Phú Yên roster: TINH, departments PY01–PY20, districts PYH1–PYH9."""
    rows = [
        {
            "code": "TINH",
            "name": "Sở Thông tin và Truyền thông (số liệu chung toàn tỉnh)",
            "level": "tinh",
            "communes": "",
        }
    ]
    with (EXAMPLE / "roster.csv").open(encoding="utf-8") as handle:
        for unit in csv.DictReader(handle):
            if unit["code"].startswith("S"):
                rows.append(
                    {
                        "code": f"PY{unit['code'][1:]}",
                        "name": unit["name"],
                        "level": "so",
                        "communes": "",
                    }
                )
    for code, name, communes, _, _ in DISTRICTS.values():
        rows.append({"code": code, "name": name, "level": "huyen", "communes": str(communes)})
    return rows


def make_province(folder: Path, resave: object) -> Province:
    """Build the Phú Yên folder from the example; ``resave(paths, outdir)`` is LibreOffice's."""
    folder.mkdir(parents=True, exist_ok=True)
    province = Province(folder=folder, roster=roster_rows())
    with (folder / "roster.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["code", "name", "level", "communes"])
        writer.writeheader()
        writer.writerows(province.roster)
    for path in sorted(EXAMPLE.rglob("*.xlsx")):
        code = unit_code(path)
        if code == MISSING or code in NOT_OF_THIS_PROVINCE:
            continue
        target = folder / path.relative_to(EXAMPLE)
        _transform(path, target, code, province)
        province.files.setdefault(code, []).append(target)
    # A workbook opened and saved again in LibreOffice Calc.
    [original] = province.files[LIBREOFFICE_SAVED]
    converted = resave([original], folder.parent / "lo-saved")  # type: ignore[operator]
    shutil.copyfile(converted[original], original)
    # The same workbook sent twice, and a second version with different numbers.
    [first] = province.files[TWICE_IDENTICAL]
    province.copies[TWICE_IDENTICAL] = first.with_name(f"{first.stem} (1).xlsx")
    shutil.copyfile(first, province.copies[TWICE_IDENTICAL])
    [second] = province.files[TWICE_DIFFERENT]
    book = openpyxl.load_workbook(second)
    pl01 = _pl01(book)
    assert pl01 is not None
    changed = float(province.inputs[TWICE_DIFFERENT]["5.a", 5]) + 10
    _write_text(pl01.ws, pl01.rows["5.a"], pl01.columns[5], vn_text(changed))
    province.copies[TWICE_DIFFERENT] = second.with_name(f"{second.stem} - ban sua.xlsx")
    book.save(province.copies[TWICE_DIFFERENT])
    # Excel's lock file beside the workbook someone has open.
    province.lock = first.with_name(f"~${first.name}")
    province.lock.write_bytes(b"\x0bNguyen Van A" + b"\x00" * 150)
    # A unit that is not in the roster.
    book = openpyxl.load_workbook(folder / "S13 - So VHTT.xlsx")
    for ws in book.worksheets:
        sheet = locate(ws)
        if sheet is not None and sheet.unit_cell is not None:
            ws.cell(*sheet.unit_cell).value = f"Đơn vị báo cáo: {UNKNOWN_NAME}"
    province.unknown = folder / "BQL KKT.xlsx"
    book.save(province.unknown)
    return province
