"""What travels back from the reading workers is what was read, and what the forms worked out."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from _support import EXAMPLE
from builders import Project, both, fill_pl01, fill_pl02
from ctmtcntt.check.batch import _read_one
from ctmtcntt.check.transport import PackedRows, decode
from ctmtcntt.check.validation import unit_frames
from ctmtcntt.forms.spec import FormSpec, load_catalogue
from ctmtcntt.read.submission import FormData, UnitReport
from ctmtcntt.read.values import (
    _inputs,
    _projects,
    inputs,
    notes,
    project_entries,
    projects,
    work_out,
)
from ctmtcntt.read.workbook import read_workbook

EXAMPLES = sorted(EXAMPLE.rglob("*.xlsx"))


def _odd_unit(tmp_path: Path) -> Path:
    """Text numbers, a lone dash, unreadable text, a Có, a typed ratio, a project."""
    pl01 = fill_pl01(
        {
            ("1", 4): "1.519",
            ("1", 5): "-",
            ("2.a", 5): 120,
            ("2.b", 5): "một trăm",
            ("3", 5): "Có",
            ("2", 5): "80%",
        }
    )
    pl02 = fill_pl02([Project("I", '=HYPERLINK("x")', {3: "Sở TTTT", 7: "1.200,5"})])
    path = tmp_path / "don-vi.xlsx"
    both(pl01, pl02).save(path)
    return path


@pytest.fixture(params=[*EXAMPLES[:6], "odd"], ids=lambda p: getattr(p, "name", p))
def workbook(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return _odd_unit(tmp_path) if request.param == "odd" else request.param


def test_report_comes_back_equal_with_its_inputs_worked_out(workbook: Path) -> None:
    here = read_workbook(workbook)
    received = decode(_read_one(str(workbook)))
    assert isinstance(received, UnitReport)
    assert received == here
    for code, form in received.forms.items():
        assert [r.values for r in form.rows] == [r.values for r in here.forms[code].rows]
        if form.spec.has_projects:
            assert form.memo["projects"] == _projects(here.forms[code])
            assert project_entries(form) == project_entries(here.forms[code])
            continue
        assert form.memo["inputs"] == _inputs(here.forms[code])
        assert inputs(form) == _inputs(here.forms[code])


def test_inputs_gathered_while_checking_match_inputs_worked_out_alone(workbook: Path) -> None:
    report = read_workbook(workbook)
    unit_frames(report)
    for form in report.forms.values():
        if not form.spec.has_projects:
            assert form.memo["inputs"] == _inputs(form)


def test_drops_leave_out_only_their_cells(tmp_path: Path) -> None:
    form = read_workbook(_odd_unit(tmp_path)).forms["PL01"]
    full = inputs(form)
    first = next(iter(full))
    kept = inputs(form, [("PL01", *first)])
    assert first not in kept
    assert kept == {k: v for k, v in full.items() if k != first}
    kept[("x", "y")] = 1  # a caller's table is its own
    assert ("x", "y") not in inputs(form)


def test_a_received_report_travels_again_unchanged(workbook: Path) -> None:
    """Received once (rows not yet built), pickled again, received again: the same report."""
    received = decode(_read_one(str(workbook)))
    again = pickle.loads(pickle.dumps(received))
    assert again == read_workbook(workbook)
    for form in again.forms.values():
        assert form == read_workbook(workbook).forms[form.spec.code]
        assert form.memo == received.forms[form.spec.code].memo


def test_projects_and_their_entries_say_the_same(tmp_path: Path) -> None:
    """projects() (rows, for checking and filling) and project_entries() (for adding up) come
    from one table; drops leave the same values out of both."""
    form = read_workbook(_odd_unit(tmp_path)).forms["PL02"]
    listed = projects(form)
    assert listed, "the odd unit has a project"
    entries = project_entries(form)
    assert [(g, v) for g, _, v in listed] == [(g, v) for g, _, v in entries]
    # The name was written as a formula never calculated: no text, rather than "None".
    assert "name" not in entries[0][1]
    assert entries[0][1]["investor"] == "Sở TTTT"
    _, row, values = listed[0]
    dropped = [("PL02", row.key, key) for key in values]
    assert all(not v for _, _, v in projects(form, dropped)[:1])
    assert all(not v for _, _, v in project_entries(form, dropped)[:1])


def test_blank_project_rows_are_left_out_and_a_zero_is_not_blank(tmp_path: Path) -> None:
    """A project row with only spaces is blank (dropped, no finding); one with a 0 is a
    project (kept, and said to lack its name)."""
    spaces = fill_pl02([Project("I", None, {3: "   "})])
    spaces.save(tmp_path / "spaces.xlsx")
    report = read_workbook(tmp_path / "spaces.xlsx")
    assert [r for r in report.forms["PL02"].rows if r.kind == "project"] == []
    assert not any(f.code == "project-without-name" for f in report.findings)
    zero = fill_pl02([Project("I", None, {7: 0})])
    zero.save(tmp_path / "zero.xlsx")
    report = read_workbook(tmp_path / "zero.xlsx")
    assert [r.key for r in report.forms["PL02"].rows if r.kind == "project"] == ["I.1"]
    assert any(f.code == "project-without-name" for f in report.findings)


def test_reports_and_forms_are_plain_dataclasses() -> None:
    """How a report travels from the workers is the transport's business: reports and forms
    carry no pickling or attribute hooks of their own, and pickle as plain dataclasses."""
    hooks = {"__reduce__", "__reduce_ex__", "__getstate__", "__setstate__", "__getattr__"}
    for kind in (UnitReport, FormData, FormSpec):
        assert set() == hooks & set(vars(kind)), kind.__name__
    here = read_workbook(EXAMPLES[0])
    again = pickle.loads(pickle.dumps(here))
    assert here == again
    assert all(isinstance(form.rows, tuple) for form in again.forms.values())


def test_adding_up_a_received_form_leaves_its_rows_packed(workbook: Path) -> None:
    """What adding up reads was worked out by the worker: the rows stay as they were sent
    until someone reads them, and are then the rows read here."""
    received = decode(_read_one(str(workbook)))
    assert isinstance(received, UnitReport)
    here = read_workbook(workbook)
    for code, form in received.forms.items():
        rows = form.rows
        assert isinstance(rows, PackedRows)
        if form.spec.has_projects:
            project_entries(form)
        else:
            inputs(form)
            notes(form)
        assert rows._rows is None
        assert tuple(here.forms[code].rows) == tuple(rows)
        assert rows == here.forms[code].rows
        assert len(here.forms[code].rows) == len(rows)


def test_a_form_spec_is_left_as_loaded_by_reading(workbook: Path) -> None:
    """Tables worked out from a form spec for reading are kept beside it, never set on it."""
    catalogue = load_catalogue()
    before = {code: dict(vars(spec)) for code, spec in catalogue.forms.items()}
    report = read_workbook(workbook)
    unit_frames(report)
    for form in report.forms.values():
        work_out(form)
    for code, spec in catalogue.forms.items():
        added = set(vars(spec)) - set(before[code]) - {"pairs"}  # a documented cached_property
        assert set() == added, code
