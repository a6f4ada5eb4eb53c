"""The Bình Định 2024 example: reproducible, filled by its forms' rules, and its oracle right.

The example (``examples/binh-dinh-2024``) is 32 units' Biểu 01 and Biểu 02 of the province's
2024 digital-transformation report, written by its ``generate.py``, with ``expected.json``: the
province's figures by the rules of the forms' README. Here the files are read back with
python-calamine and everything is recomputed from what they hold, with the README's rules
written out again below, so neither the generator's memory nor ctmtcntt is trusted.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

import ctmtcntt
from _support import ROOT, recalculate, soffice

EXAMPLE = ROOT / "examples" / "binh-dinh-2024"
BLANKS = ROOT / "tests" / "fixtures" / "forms" / "cds-2024"
LIBREOFFICE_FILE = "S04 - So KHDT.xlsx"
NOT_GENERATED = {"README.md", "generate.py"}

# The forms' README, written out again: who fills each numbered row of Biểu 01, and its kind.
# "ratio": the unit types parts a and b, the province figure is Σb/Σa×100 over the units
# allowed; "direct": the unit types the row itself (a count is summed, the rest taken from TINH).
WHO = {
    "1": "tinh",
    "2": "all",
    "3": "nobody",
    "3.1": "so",
    "3.2": "huyen",
    "3.3": "huyen",
    "4": "all",
    "5": "tinh",
    "6": "all",
    "7": "all",
    "8": "tinh",
    "9": "tinh",
    "10": "tinh",
}
RATIO_ROWS = {"1", "2", "3.1", "3.2", "3.3", "4", "6", "9"}
SUMMED_ROWS = {"7"}
STATUSES = {"Hoàn thành", "Đang thực hiện", "Chưa triển khai"}
MONEY = ("5", "6", "7", "8", "9", "10")
# Biểu 02 columns (0-based) of the form's column numbers.
COL02 = {"5": 4, "6": 5, "7": 6, "8": 7, "9": 8, "10": 9, "11": 10}


def may_fill(who: str, code: str, level: str) -> bool:
    return who == "all" or (who == "tinh" and code == "TINH") or who == level


def top_of(stt: str) -> str:
    """The numbered row of a part: "3.1.a" -> "3.1", "2.b" -> "2", "7" -> "7"."""
    return stt if stt in WHO else stt.rsplit(".", 1)[0]


def is_input(stt: str) -> bool:
    """Whether units type this row: the parts of a ratio row, or a row typed directly."""
    top = top_of(stt)
    return WHO[top] != "nobody" and (stt != top) == (top in RATIO_ROWS)


def same(first: object, second: object) -> bool:
    """Equal, floats within a relative 1e-9 (sums in another order), ints equal to floats."""
    if isinstance(first, dict) and isinstance(second, dict):
        return first.keys() == second.keys() and all(same(first[k], second[k]) for k in first)
    if isinstance(first, list) and isinstance(second, list):
        return len(first) == len(second) and all(map(same, first, second))
    numeric = (int, float)
    if isinstance(first, numeric) and isinstance(second, numeric):
        if isinstance(first, bool) or isinstance(second, bool):
            return first is second
        return math.isclose(first, second, rel_tol=1e-9)
    return first == second


def number(value: object) -> float | None:
    """A cell as a number, read the way Vietnamese clerks type it ("1.234", "12,35", NBSP)."""
    if value in ("", None):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).replace("\u00a0", " ").strip()
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        return float(text.replace(".", ""))
    if re.fullmatch(r"\d+(,\d+)?", text):
        return float(text.replace(",", "."))
    raise AssertionError(f"not a number: {value!r}")


def label(value: object) -> str:
    return str(value).removesuffix(".0").strip() if value not in ("", None) else ""


def nfc(text: object) -> str:
    return unicodedata.normalize("NFC", str(text))


@dataclass
class Sheet:
    """One form as a unit sent it: the file, the unit's name line and the rows by key."""

    path: Path
    name: str
    grid: list[list[object]] = field(repr=False)
    rows: dict[str, list[object]] = field(default_factory=dict, repr=False)


def read_form_sheets(folder: Path) -> Iterator[tuple[str, Sheet]]:
    """("Biểu 01" | "Biểu 02", sheet) for every sheet of every workbook below `folder`."""
    for path in sorted(folder.rglob("*.xlsx")):
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            form = nfc(grid[0][0])
            line = nfc(grid[3][0])
            assert line.startswith("Đơn vị báo cáo:"), (path.name, name)
            yield form, Sheet(path, line.removeprefix("Đơn vị báo cáo:").strip(), grid)


def index_bieu01(sheet: Sheet) -> None:
    """Rows by STT path ("1", "1.a", "3.1.b"), from the numbering row on."""
    parent = ""
    for row in sheet.grid[8:]:
        stt = label(row[0])
        if stt in ("I", "II", "III") or not stt:
            continue
        if stt[0].isdigit():
            parent = stt
            sheet.rows[stt] = row
        elif stt in ("a", "b"):
            sheet.rows[f"{parent}.{stt}"] = row


@dataclass
class Unit:
    code: str
    level: str
    bieu01: Sheet | None = None
    bieu02: Sheet | None = None


@pytest.fixture(scope="module")
def units() -> dict[str, Unit]:
    """Every roster unit with its two forms, matched by the name on "Đơn vị báo cáo"."""
    with (EXAMPLE / "roster.csv").open(encoding="utf-8", newline="") as fh:
        found = {r["code"]: Unit(r["code"], r["level"]) for r in csv.DictReader(fh)}
    roster = ctmtcntt.load_roster(EXAMPLE / "roster.csv")
    for form, sheet in read_form_sheets(EXAMPLE):
        matched = roster.match(sheet.name)
        assert matched is not None, (sheet.path.name, sheet.name)
        unit = found[matched.code]
        attr = {"Biểu 01": "bieu01", "Biểu 02": "bieu02"}[form]
        assert getattr(unit, attr) is None, f"{unit.code} sent {form} twice"
        setattr(unit, attr, sheet)
        if form == "Biểu 01":
            index_bieu01(sheet)
    return found


@pytest.fixture(scope="module")
def expected() -> dict[str, object]:
    document: dict[str, object] = json.loads((EXAMPLE / "expected.json").read_text("utf-8"))
    return document


@pytest.fixture(scope="module")
def blank01() -> dict[str, list[object]]:
    grid = CalamineWorkbook.from_path(str(BLANKS / "BIEU01.xlsx")).get_sheet_by_index(0)
    sheet = Sheet(BLANKS, "", grid.to_python(skip_empty_area=False))
    index_bieu01(sheet)
    return sheet.rows


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_generate_2024", EXAMPLE / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_generator_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Running the generator again gives the committed files byte for byte.

    The workbook LibreOffice re-saves is written here by openpyxl and compared in the next test.
    """
    assert 0 == load_generator().main(["--out", str(tmp_path), "--no-libreoffice"])
    capsys.readouterr()
    committed = {
        p.relative_to(EXAMPLE).as_posix()
        for p in EXAMPLE.rglob("*")
        if p.is_file() and p.name not in NOT_GENERATED and "__pycache__" not in p.parts
    }
    regenerated = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert committed == regenerated
    for name in sorted(committed - {LIBREOFFICE_FILE}):
        assert (EXAMPLE / name).read_bytes() == (tmp_path / name).read_bytes(), name


@pytest.mark.slow
def test_libreoffice_saved_workbook_is_reproducible(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The unit re-saved through LibreOffice comes out byte for byte the same again."""
    soffice()
    assert 0 == load_generator().main(["--out", str(tmp_path), "--only", "S04"])
    assert LIBREOFFICE_FILE == capsys.readouterr().out.strip()
    assert (EXAMPLE / LIBREOFFICE_FILE).read_bytes() == (tmp_path / LIBREOFFICE_FILE).read_bytes()


def test_every_unit_sends_both_forms_under_its_roster_name(
    units: dict[str, Unit], expected: dict
) -> None:
    """Each of the 32 units is recognised by the name it wrote, once per form, in its files."""
    assert 32 == len(units)
    received = {u["code"]: set(u["files"]) for u in expected["units"]["received"]}
    for unit in units.values():
        assert unit.bieu01 is not None, unit.code
        assert unit.bieu02 is not None, unit.code
        files = {s.path.relative_to(EXAMPLE).as_posix() for s in (unit.bieu01, unit.bieu02)}
        assert received[unit.code] == files


def test_bieu01_inputs_follow_who_fills(
    units: dict[str, Unit], blank01: dict[str, list[object]]
) -> None:
    """A unit types only rows it may fill, parts a and b together with b ≤ a; targets untouched."""
    assert set(WHO) | {f"{r}.{p}" for r in RATIO_ROWS for p in "ab"} == set(blank01)
    filled_by: dict[str, int] = {}
    for unit in units.values():
        assert unit.bieu01 is not None
        assert set(blank01) == set(unit.bieu01.rows), unit.code
        for stt, row in unit.bieu01.rows.items():
            where = (unit.code, stt)
            assert blank01[stt][3] == row[3], where  # (4) plan: the printed target
            assert ("", "") == (row[5], row[6]), where  # (6), (7) are computed
            if row[4] == "":
                continue
            assert is_input(stt), where
            assert may_fill(WHO[top_of(stt)], unit.code, unit.level), where
            filled_by[stt] = filled_by.get(stt, 0) + 1
            if stt == "5":
                assert row[4] in ("Có", "Không"), where
            else:
                value = number(row[4])
                assert value is not None, where
                assert value >= 0, where
        for top in RATIO_ROWS:
            a, b = (number(unit.bieu01.rows[f"{top}.{p}"][4]) for p in "ab")
            assert (a is None) == (b is None), (unit.code, top)
            if a is not None and b is not None:
                assert b <= a, (unit.code, top)
    assert {s for s in blank01 if is_input(s)} == set(filled_by)  # somebody fills each


def typed_tasks(unit: Unit) -> Iterator[tuple[str, list[object]]]:
    """(group, row) of each task row a unit typed in Biểu 02, checking group and total rows."""
    assert unit.bieu02 is not None
    group, seen, sums = "", [], {}
    for row in unit.bieu02.grid[8:]:
        stt, name = label(row[0]), nfc(row[1]).strip()
        if name.startswith("TỔNG CỘNG"):
            sums["total"] = row
        elif stt in ("I", "II", "III"):
            group = stt
            sums[group] = row
        elif stt.isdigit() and name:
            seen.append((group, row))
            yield group, row
        elif stt.isdigit():
            assert all(v == "" for v in row[1:]), (unit.code, "an empty task row holds values")
    for key, row in sums.items():
        for col in MONEY:
            typed = number(row[COL02[col]])
            if typed is not None:
                mine = [r for g, r in seen if key in ("total", g)]
                assert sum(task_money(r)[col] for r in mine) == typed, (unit.code, key, col)


def task_money(row: list[object]) -> dict[str, float]:
    """(5)-(10) of a task row; (5), (8) from their sources when the unit left them empty."""
    money = {col: number(row[COL02[col]]) for col in MONEY}
    sources = {"5": ("6", "7"), "8": ("9", "10")}
    for total, (first, second) in sources.items():
        parts = (money[first] or 0.0) + (money[second] or 0.0)
        if money[total] is None:
            money[total] = parts
        assert parts == money[total], (row[1], total)
    return {k: v or 0.0 for k, v in money.items()}


def test_bieu02_rows_follow_the_rules(units: dict[str, Unit]) -> None:
    """Tasks have a status from the list, a product, disbursed ≤ allocated, sums that add up."""
    count = 0
    for unit in units.values():
        for _group, row in typed_tasks(unit):
            count += 1
            money = task_money(row)
            assert nfc(row[11]) in STATUSES, (unit.code, row[1])
            assert nfc(row[12]).strip(), (unit.code, row[1])
            assert money["9"] <= money["6"], (unit.code, row[1])
            assert money["10"] <= money["7"], (unit.code, row[1])
            if number(row[COL02["11"]]) is not None:
                assert number(row[COL02["11"]]) == pytest.approx(money["8"] * 100 / money["5"])
    assert count == 16  # 15 tasks, one of them reported by two units


def recompute(units: dict[str, Unit], blank01: dict[str, list[object]]) -> dict[str, object]:
    """The province's figures from the files, by the README's rules."""
    order = list(units)

    def total(stt: str) -> float | None:
        values = [
            number(u.bieu01.rows[stt][4])  # type: ignore[union-attr]
            for u in units.values()
            if may_fill(WHO[top_of(stt)], u.code, u.level)
        ]
        present = [v for v in values if v is not None]
        return sum(present) if present else None

    bieu01: dict[str, dict[str, object]] = {}
    for stt in blank01:
        target = nfc(blank01[stt][3]).strip()
        # The README: "≤" is lower-is-better; a bare number ("100") is reached from below.
        op = {"Có": "Có", "": None}.get(target, "≤" if target.startswith("≤") else "≥")
        plan: object = True if op == "Có" else (number(target.lstrip("≥≤ ")) if op else None)
        if stt in RATIO_ROWS:
            a, b = total(f"{stt}.a"), total(f"{stt}.b")
            actual: object = b * 100 / a if a and b is not None else None
        elif stt.endswith((".a", ".b")) or stt in SUMMED_ROWS:
            actual = total(stt)
        elif WHO[stt] == "tinh":
            cell = units["TINH"].bieu01.rows[stt][4]  # type: ignore[union-attr]
            actual = (cell == "Có") if stt == "5" else number(cell)
        else:
            actual = None
        ratio = None
        if isinstance(plan, float) and isinstance(actual, float):
            ratio = actual * 100 / plan
        assessment = None
        if op == "Có":
            assessment = "Đạt" if actual is True else "Không đạt"
        elif op and isinstance(actual, float) and isinstance(plan, float):
            met = actual <= plan if op == "≤" else actual >= plan
            assessment = "Đạt" if met else "Không đạt"
        bieu01[stt] = {
            "plan": plan,
            "actual": actual,
            "ratio": ratio,
            "assessment": assessment,
            "operator": op,
        }

    tasks: dict[tuple[str, str, str], dict[str, object]] = {}
    for code in order:
        for group, row in typed_tasks(units[code]):
            key = (group, nfc(row[1]).strip().casefold(), nfc(row[3]).strip())
            money = task_money(row)
            if key in tasks:
                task = tasks[key]
                assert all(task[c] == money[c] for c in MONEY), key  # the same task
                task["units"].append(code)  # type: ignore[attr-defined]
                continue
            tasks[key] = {
                "group": group,
                "name": nfc(row[1]).strip(),
                "lead": nfc(row[2]).strip(),
                "decision": nfc(row[3]).strip(),
                "status": nfc(row[11]),
                "product": nfc(row[12]).strip(),
                "units": [code],
                **money,
            }

    def with_ratio(money: dict[str, float]) -> dict[str, object]:
        return {**money, "11": money["8"] * 100 / money["5"] if money["5"] else None}

    listed = sorted(tasks.values(), key=lambda t: ["I", "II", "III"].index(str(t["group"])))
    groups = {
        g: with_ratio({c: sum(t[c] for t in listed if t["group"] == g) for c in MONEY})  # type: ignore[misc]
        for g in ("I", "II", "III")
    }
    return {
        "BIEU01": bieu01,
        "BIEU02": {
            "total": with_ratio({c: sum(t[c] for t in listed) for c in MONEY}),  # type: ignore[misc]
            "groups": groups,
            "tasks": [{**t, **with_ratio({c: t[c] for c in MONEY})} for t in listed],  # type: ignore[misc]
        },
    }


def test_oracle_equals_a_recomputation_from_the_files(
    units: dict[str, Unit], blank01: dict[str, list[object]], expected: dict
) -> None:
    """expected.json holds the figures the README's rules give on what the files hold."""
    again = recompute(units, blank01)
    assert expected["BIEU01"].keys() == again["BIEU01"].keys()
    for stt, row in expected["BIEU01"].items():
        assert same(row, again["BIEU01"][stt]), (stt, row, again["BIEU01"][stt])
    for key in ("total", "groups", "tasks"):
        assert same(expected["BIEU02"][key], again["BIEU02"][key]), key


@pytest.mark.slow
def test_oracle_equals_libreoffice_sums(
    units: dict[str, Unit], expected: dict, tmp_path: Path
) -> None:
    """LibreOffice, given the typed values and SUMIF formulas, adds up to expected.json."""
    soffice()
    book = openpyxl.Workbook()
    values = book.active
    values.title = "values"
    for unit in units.values():
        for stt, row in unit.bieu01.rows.items():  # type: ignore[union-attr]
            v = number(row[4]) if stt != "5" else None
            if v is not None and may_fill(WHO[top_of(stt)], unit.code, unit.level):
                values.append([unit.code, stt, v])
    sums = book.create_sheet("sums")
    checks: list[tuple[str, float]] = []
    for i, stt in enumerate(sorted(RATIO_ROWS), start=1):
        part = 'SUMIF(values!B:B,"{}",values!C:C)'
        sums[f"A{i}"] = f"=100*{part.format(stt + '.b')}/{part.format(stt + '.a')}"
        checks.append((f"A{i}", expected["BIEU01"][stt]["actual"]))
    sums["B1"] = '=SUMIF(values!B:B,"7",values!C:C)'
    checks.append(("B1", expected["BIEU01"]["7"]["actual"]))
    # Biểu 02: each distinct task row once (name and decision), the groups by SUMIF.
    tasks = book.create_sheet("tasks")
    seen: set[tuple[str, str]] = set()
    for code in units:
        for group, row in typed_tasks(units[code]):
            key = (nfc(row[1]).strip().casefold(), nfc(row[3]).strip())
            if key not in seen:
                seen.add(key)
                money = task_money(row)
                tasks.append([group, *(money[c] for c in MONEY)])
    for j, col in enumerate(MONEY):
        letter = "BCDEFG"[j]
        sums[f"C{j + 1}"] = f"=SUM(tasks!{letter}:{letter})"
        checks.append((f"C{j + 1}", expected["BIEU02"]["total"][col]))
        for k, group in enumerate(("I", "II", "III")):
            cell = f"{'DEF'[k]}{j + 1}"
            sums[cell] = f'=SUMIF(tasks!A:A,"{group}",tasks!{letter}:{letter})'
            checks.append((cell, expected["BIEU02"]["groups"][group][col]))
    sums["G1"] = "=100*C4/C1"
    checks.append(("G1", expected["BIEU02"]["total"]["11"]))
    source = tmp_path / "oracle.xlsx"
    book.save(source)
    [recalculated] = recalculate([source], tmp_path / "lo")
    shown = openpyxl.load_workbook(recalculated, data_only=True)["sums"]
    for cell, value in checks:
        assert value == pytest.approx(shown[cell].value), cell


def vn(value: float, decimals: int = 0) -> str:
    """A figure as the README prints it: dot for thousands, comma for decimals."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def test_readme_shows_the_oracle(expected: dict) -> None:
    """The example's README prints the figures of expected.json (Σb/Σa, ratios, money)."""
    readme = (EXAMPLE / "README.md").read_text("utf-8")
    bieu01 = expected["BIEU01"]
    for stt in sorted(RATIO_ROWS):
        a, b, row = bieu01[f"{stt}.a"]["actual"], bieu01[f"{stt}.b"]["actual"], bieu01[stt]
        shown = f"| {vn(b)}/{vn(a)} = {vn(row['actual'], 2)} % "
        assert shown in readme, stt
        assert f"| {vn(row['ratio'], 2)} | {row['assessment']} |" in readme, stt
    bieu02 = expected["BIEU02"]
    for label, money in [("TỔNG CỘNG", bieu02["total"]), *bieu02["groups"].items()]:
        cells = " | ".join([*(vn(money[c]) for c in MONEY), vn(money["11"], 2)])
        assert f" | {cells} |" in readme, label
