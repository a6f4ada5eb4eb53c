"""The shipped Bình Định example reproduces every figure of the province's report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import ctmtcntt
from _support import EXAMPLE, recalculate, sheet_values
from ctmtcntt.cli import main

# (STT path, field, value) as the province's report states them (DOMAIN.md).
PL01_FIGURES = [
    ("6.a", "actual", 1519),
    ("6.b", "actual", 383),
    ("6.c", "actual", 179),
    ("6", "actual", 2081),
    ("7", "actual", 52),
    ("8", "actual", 1144),
    ("9", "plan", 11),
    ("9", "actual", 11),
    ("10", "plan", 159),
    ("10", "actual", 159),
    ("11", "actual", 48),
    ("1", "actual", True),
    ("13", "actual", True),
    ("14", "actual", 96),
    ("14.a", "actual", 12),
    ("15", "actual", 400),
    ("3", "assessment", "Không đạt"),
    ("5", "assessment", "Đạt"),
]
PROJECT_NAME = (
    "Đầu tư nâng cấp hạ tầng kỹ thuật và ứng dụng của mô hình Chính quyền điện tử "
    "tỉnh Bình Định giai đoạn 2016 – 2020"
)
PL02_GROUP_I = {
    "6": 45000,
    "7": 30000,
    "8": 15000,
    "10": 15000,
    "11": 0,
    "12": 15000,
    "14": 15000,
    "18": 100,
}


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory: pytest.TempPathFactory, worker_start: str) -> dict[str, object]:
    """The example consolidated through the CLI, as JSON, with its workbook written; once with
    the reading workers started as on this platform, once with spawn."""
    output = tmp_path_factory.mktemp("example") / "tinh.xlsx"
    result = CliRunner().invoke(
        main,
        [
            "consolidate",
            str(EXAMPLE),
            "--roster",
            str(EXAMPLE / "roster.csv"),
            "-o",
            str(output),
            "--format",
            "json",
            "--name",
            "UBND tỉnh Bình Định",
        ],
    )
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.output)
    return document


@pytest.mark.parametrize(("row", "field", "expected"), PL01_FIGURES)
def test_pl01_figure(consolidated: dict, row: str, field: str, expected: object) -> None:
    """Each PL01 figure of the report comes out of the consolidated JSON."""
    assert expected == consolidated["PL01"][row][field]


def test_percent_rows_from_summed_parts(consolidated: dict) -> None:
    """Electronic documents are just over 90 % (Σb/Σa) and level-4 processing is under 30 %."""
    pl01 = consolidated["PL01"]
    assert 90 < pl01["5"]["actual"] < 91
    assert pl01["5"]["actual"] == round(pl01["5.b"]["actual"] / pl01["5.a"]["actual"] * 100, 2)
    assert pl01["3"]["actual"] < 30


def test_every_unit_received(consolidated: dict) -> None:
    """All 32 units of the roster are received; none missing, unknown, duplicate or rejected."""
    units = consolidated["units"]
    assert 32 == units["expected"]
    assert 32 == len(units["received"])
    assert [] == units["missing"] + units["unknown"] + units["duplicate"] + units["rejected"]


def test_the_project(consolidated: dict) -> None:
    """The 45-billion project: 30 central never allocated, 15 local allocated and spent."""
    pl02 = consolidated["PL02"]
    [project] = pl02["projects"]
    assert PROJECT_NAME == project["name"]
    for column, value in PL02_GROUP_I.items():
        assert value == pl02["groups"]["I"][column]
        assert value == pl02["total"][column]
        assert value == project[column]


def test_library_call_matches(consolidated: dict) -> None:
    """ctmtcntt.consolidate gives the same figures as DataFrames, the folder's roster.csv used."""
    result = ctmtcntt.consolidate(EXAMPLE)
    assert 2081 == result.pl01.loc["6", "actual"]
    assert "Đạt" == result.pl01.loc["5", "assessment"]
    assert 32 == result.breakdown.shape[1]
    assert result.findings.empty


def test_workbook_shows_the_same_after_libreoffice(consolidated: dict, tmp_path: Path) -> None:
    """The written PL01 shows the JSON's figures to calamine and after LibreOffice recalculates."""
    output = Path(str(consolidated["output"]))
    [recalculated] = recalculate([output], tmp_path / "lo")
    for path in (output, recalculated):
        grid = sheet_values(path, "Phụ lục 01")
        by_stt: dict[str, list[object]] = {}
        parent = ""
        for line in grid[8:]:
            label = str(line[0]).removesuffix(".0") if line[0] != "" else ""
            if label.isdigit():
                parent = label
                by_stt[label] = line
            elif len(label) == 1 and label.isalpha() and label.islower():
                by_stt[f"{parent}.{label}"] = line
        for row, field, expected in PL01_FIGURES:
            column = {"plan": 3, "actual": 4, "assessment": 6}[field]
            shown = by_stt[row][column]
            if isinstance(expected, bool):
                expected = "Có" if expected else "Không"
            assert expected == shown, (path.name, row, field)
