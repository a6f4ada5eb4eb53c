"""The forms as data: ``schemas/`` agrees with the Ministry's forms and survives pandera's YAML."""

from __future__ import annotations

import dataclasses
import gc
import re
import string
import weakref
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from builders import FORMS
from ctmtcntt.forms.pandera_checks import REGISTERED
from ctmtcntt.forms.spec import (
    FormSpec,
    load_catalogue,
    load_schema,
    parse_target,
    per_form,
    schemas_folder,
)

ROMAN = {"I", "II", "III"}
PANDERA_FILES = sorted(p.name for p in schemas_folder().glob("*.pandera.yaml"))
PL01_PATHS = [
    "1",
    "2",
    "2.a",
    "2.b",
    "3",
    "3.a",
    "3.b",
    "4",
    "4.a",
    "4.b",
    "5",
    "5.a",
    "5.b",
    "6",
    "6.a",
    "6.b",
    "6.c",
    "7",
    "8",
    "9",
    "10",
    "11",
    "12",
    "12.a",
    "12.b",
    "13",
    "14",
    "14.a",
    "15",
]


def text(value: object) -> str:
    """A cell's text as printed (None is empty)."""
    return "" if value is None else str(value).strip()


@cache
def printed(form: str) -> dict[str, Any]:
    """What a blank form prints: header texts, numbering, rows (path, name, unit, target)."""
    ws = openpyxl.load_workbook(FORMS / f"{form}.xlsx").worksheets[0]
    numbering = next(r for r in range(1, ws.max_row + 1) if text(ws.cell(r, 1).value) == "(1)")
    top = next(r for r in range(1, numbering) if text(ws.cell(r, 1).value) == "STT")
    columns = []
    for column in range(1, ws.max_column + 1):
        label = text(ws.cell(numbering, column).value)
        if not label:
            continue
        # The column's own header is the lowest text above the numbering row (under a group title).
        headers = [text(ws.cell(r, column).value) for r in range(top, numbering)]
        columns.append((label, [h for h in headers if h][-1]))
    rows = []
    parent = ""
    for r in range(numbering + 1, ws.max_row + 1):
        stt, name = text(ws.cell(r, 1).value), text(ws.cell(r, 2).value)
        if stt.startswith("Ghi chú") or not (stt or name):
            break
        if stt in ROMAN or not stt:
            key = stt or "TOTAL"
        elif stt.isdigit():
            key = parent = stt
        else:
            key = f"{parent}.{stt}"
        rows.append((key, name, text(ws.cell(r, 3).value), text(ws.cell(r, 4).value)))
    headers = {
        text(ws.cell(r, c).value)
        for r in range(top, numbering)
        for c in range(1, ws.max_column + 1)
    }
    titles = {
        (r, c): text(ws.cell(r, c).value)
        for r in range(1, top)
        for c in range(1, ws.max_column + 1)
        if text(ws.cell(r, c).value)
    }
    return {"columns": columns, "rows": rows, "headers": headers - {""}, "titles": titles}


def spec(form: str) -> FormSpec:
    """The form's spec as the package loads it."""
    return load_catalogue().forms[form]


def test_catalogue_loads_both_forms() -> None:
    """schemas/ holds PL01 and PL02 and the findings catalogue."""
    catalogue = load_catalogue()
    assert ["PL01", "PL02"] == sorted(catalogue.forms)
    assert {"error", "warning"} >= {f.severity for f in catalogue.findings.values()}


@pytest.mark.parametrize("name", PANDERA_FILES)
def test_pandera_schemas_load(name: str) -> None:
    """Every pandera schema loads, with at least one check."""
    assert load_schema(name).checks


def test_every_pl01_stt_path_of_the_form_is_in_the_spec() -> None:
    """PL01's rows are the form's rows, in the form's order: "1", "2", "2.a", … "14.a", "15"."""
    form_keys = [key for key, *_ in printed("PL01")["rows"] if key not in ROMAN]
    assert PL01_PATHS == form_keys
    assert [key for key, *_ in printed("PL01")["rows"]] == [r.key for r in spec("PL01").rows]


@pytest.mark.parametrize("form", ["PL01", "PL02"])
def test_rows_names_and_units_match_the_form(form: str) -> None:
    """Each fixed row's name (and PL01's unit of measure) is the form's text."""
    rows = spec(form).rows
    expected = [
        (key, name, unit)
        for key, name, unit, _ in printed(form)["rows"]
        if key in spec(form).by_key
    ]
    assert expected == [(r.key, r.name, r.unit if form == "PL01" else "") for r in rows]


@pytest.mark.parametrize("form", ["PL01", "PL02"])
def test_columns_match_the_form_in_order(form: str) -> None:
    """Every column of the form, in order: its numbering "(6)=(5)/(4)x100" and its header."""
    expected = printed(form)["columns"]
    assert expected == [(c.numbering, c.header) for c in spec(form).columns]
    assert list(range(1, len(expected) + 1)) == [c.number for c in spec(form).columns]


@pytest.mark.parametrize("form", ["PL01", "PL02"])
def test_recognised_texts_are_printed_on_the_form(form: str) -> None:
    """The texts that identify a form's table are in its printed header."""
    assert set(spec(form).recognise) <= printed(form)["headers"]


@pytest.mark.parametrize("form", ["PL01", "PL02"])
def test_title_block_matches_the_form(form: str) -> None:
    """The spec's title block is the Ministry's: form name, title, letter, unit line."""
    drawn = {
        (line, item.column): item.text
        for line, row in enumerate(spec(form).layout.title, start=1)
        for item in row
    }
    assert printed(form)["titles"] == drawn


def test_targets_as_printed_with_their_operators() -> None:
    """Each target is the form's text; "> 50" is strict, "≥ 30" is not, "Có" means yes."""
    targets = {key: target for key, _, _, target in printed("PL01")["rows"] if target}
    rows = spec("PL01").by_key
    assert targets == {k: r.target.text for k, r in rows.items() if r.target and r.target.text}
    ops = {k: (r.target.op, r.target.value) for k, r in rows.items() if r.target}
    assert {
        "1": ("=", True),
        "2": (">", 50.0),
        "3": ("≥", 30.0),
        "4": (">", 50.0),
        "5": ("≥", 90.0),
        "9": ("plan", None),
        "10": ("plan", None),
        "12": (">", 80.0),
        "13": ("=", True),
    } == ops


@pytest.mark.parametrize(
    ("target", "actual", "plan", "met"),
    [
        ("> 50", 50.0, None, False),
        ("> 50", 50.01, None, True),
        ("≥ 30", 30.0, None, True),
        ("≥ 30", 29.99, None, False),
        (">= 90", 90.0, None, True),
        ("Có", True, None, True),
        ("Có", False, None, False),
        ("plan", 11.0, 11.0, True),
        ("plan", 10.0, 11.0, False),
        ("> 50", None, None, None),
    ],
)
def test_target_operator_decides(
    target: str, actual: float | bool | None, plan: float | None, met: bool | None
) -> None:
    """A target is met by the operator printed on the form."""
    parsed = parse_target(target)
    assert parsed is not None
    assert met == parsed.met(actual, plan)


def _raw_checks(document: dict[str, Any]) -> list[tuple[str, str | None, dict[str, Any]]]:
    found = []
    for check in document.get("checks") or []:
        options = check.get("options", {})
        statistics = {k: v for k, v in check.items() if k != "options"}
        found.append((options["check_name"], options.get("error"), statistics))
    return found


def _checks(schema: Any) -> list[tuple[str, str | None, dict[str, Any]]]:
    return [(c.name, c.error, dict(c.statistics)) for c in schema.checks]


def _columns(schema: Any) -> dict[str, tuple[str, bool, list[tuple[str, dict[str, Any]]]]]:
    return {
        name: (
            str(column.dtype),
            column.nullable,
            [(c.name, dict(c.statistics)) for c in column.checks],
        )
        for name, column in schema.columns.items()
    }


@pytest.mark.parametrize("name", PANDERA_FILES)
def test_pandera_yaml_round_trip_keeps_every_check(name: str) -> None:
    """load → dump → load keeps every check's name, error and statistics, and every column."""
    from pandera.pandas import DataFrameSchema

    document = yaml.safe_load((schemas_folder() / name).read_text(encoding="utf-8"))
    loaded = load_schema(name)
    again = DataFrameSchema.from_yaml(loaded.to_yaml())
    assert _raw_checks(document) == _checks(loaded)
    assert _checks(loaded) == _checks(again)
    assert _columns(loaded) == _columns(again)
    assert list(document["columns"]) == list(again.columns)
    assert [i["name"] for i in document["index"]] == list(again.index.names)


@pytest.mark.parametrize("name", PANDERA_FILES)
def test_pandera_checks_are_registered(name: str) -> None:
    """Every custom check a schema names is registered, so pandera's YAML keeps it."""
    document = yaml.safe_load((schemas_folder() / name).read_text(encoding="utf-8"))
    assert {check for check, _, _ in _raw_checks(document)} <= set(REGISTERED)


@pytest.mark.parametrize("name", PANDERA_FILES)
def test_every_error_code_is_a_finding(name: str) -> None:
    """Each check's `error` in a pandera YAML is a code of findings.yaml."""
    document = yaml.safe_load((schemas_folder() / name).read_text(encoding="utf-8"))
    errors = {error for _, error, _ in _raw_checks(document)}
    for column in document["columns"].values():
        errors |= {
            c.get("options", {}).get("error") for c in (column or {}).get("checks", []) or []
        }
    errors.discard(None)
    assert errors
    assert errors <= set(load_catalogue().findings)


PLACEHOLDERS = {"value", "row", "column", "other", "other_value", "expected", "detail"}


def test_finding_messages_are_vietnamese_with_known_placeholders() -> None:
    """Each finding has a kebab-case code, a severity and a Vietnamese message with known fields."""
    for code, finding in load_catalogue().findings.items():
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", code), code
        fields = {f for _, f, _, _ in string.Formatter().parse(finding.message) if f}
        assert fields <= PLACEHOLDERS, code
        assert re.search(
            "[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", finding.message.lower()
        )


def test_forms_folder_holds_the_ministry_forms() -> None:
    """The tests fill the Ministry's own forms, not templates drawn by the package."""
    assert {"PL01.xlsx", "PL02.xlsx"} <= {p.name for p in Path(FORMS).iterdir()}


def test_what_is_worked_out_from_a_form_is_worked_out_once_per_form() -> None:
    """A table derived from a spec is worked out on its first use and kept for that spec; a
    changed copy of the spec gets its own, and keeping the table does not keep the spec alive."""
    seen: list[str] = []

    @per_form
    def code_of(form: FormSpec) -> str:
        seen.append(form.code)
        return form.code

    spec = load_catalogue().forms["PL01"]
    assert ["PL01", "PL01"] == [code_of(spec), code_of(spec)]
    changed = dataclasses.replace(spec, code="PL01-copy")
    assert "PL01-copy" == code_of(changed)
    assert ["PL01", "PL01-copy"] == seen
    gone = weakref.ref(changed)
    del changed
    gc.collect()
    assert gone() is None
