"""The layout a newcomer reads: the architecture note matches the imports, arrows go one way."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from _support import ROOT


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_architecture", ROOT / "tools" / "gen_architecture.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


arch = _tool()
FRONTS = {"__init__", "__main__", "_entry", "cli", "excel", "render", "result", "workflows"}


def test_the_note_matches_the_sources() -> None:
    """docs/kien-truc.md's diagram and module table are what the imports and docstrings say."""
    note = arch.NOTE.read_text(encoding="utf-8")
    assert arch.render(note) == note, "run: python tools/gen_architecture.py"


def test_the_note_shows_every_box_and_arrow() -> None:
    """The generated diagram names every sub-package and each import between boxes."""
    note = arch.NOTE.read_text(encoding="utf-8")
    for stage in arch.STAGES:
        assert f"m_{stage}" in note
    edges = arch.graph()
    assert "read" in edges["check"]
    assert "m_check --> m_read" in note
    assert "sniff" in edges["read"]
    assert "m_read --> m_sniff" in note


def test_no_import_cycle_between_boxes() -> None:
    assert arch.cycles(arch.graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check above can fail: a made-up graph with a loop is caught."""
    assert arch.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_stages_and_shared_parts_never_import_a_front() -> None:
    """Fronts parse, call and render; nothing below them reaches back up."""
    edges = arch.graph()
    for box in (*arch.STAGES, *arch.SHARED):
        assert not (edges.get(box, set()) & FRONTS), (box, edges.get(box))


def test_type_only_imports_are_not_arrows(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from .read import submission\n"
        "if TYPE_CHECKING:\n"
        "    from .result import ConsolidationResult\n"
        "def later():\n"
        "    from .write import drafting\n",
        encoding="utf-8",
    )
    assert arch.imports_of(("m",), source) == {("read",), ("write",)}


@pytest.mark.parametrize(
    "path", sorted(arch.PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(arch.PACKAGE))
)
def test_every_module_says_its_job(path: Path) -> None:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc, path
    assert len(doc.split("\n\n")[0]) >= 20, path


def test_lazy_tables_are_arrows(tmp_path: Path) -> None:
    """A module named in a ``_LAZY`` table is imported on first use: it is an arrow too."""
    source = tmp_path / "m.py"
    source.write_text('_LAZY = {"fill": (".write.filling", "fill"), "x": ".read"}\n')
    assert arch.imports_of(("m",), source) == {("write", "filling"), ("read",)}


# --- size: a module a newcomer can read, functions that fit on a screen --------------------------

MAX_FUNCTION_LINES = 60
MIN_MAINTAINABILITY = 20.0
# Functions allowed to be longer, each with the reason (keep this list short and honest).
LONG_FUNCTIONS: dict[str, str] = {}


def _functions() -> list[tuple[str, int]]:
    found = []
    for path in sorted(arch.PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(arch.PACKAGE).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                found.append((f"{where}:{node.name}", node.end_lineno - node.lineno + 1))
    return found


def test_no_function_longer_than_a_screen() -> None:
    long = {name: lines for name, lines in _functions() if lines > MAX_FUNCTION_LINES}
    assert set(long) <= set(LONG_FUNCTIONS), long


def test_every_module_is_maintainable() -> None:
    """radon's maintainability index (the one ``radon mi`` prints) of every module, at least 20."""
    from radon.metrics import mi_visit

    low = {}
    for path in sorted(arch.PACKAGE.rglob("*.py")):
        score = mi_visit(path.read_text(encoding="utf-8"), multi=True)
        if score < MIN_MAINTAINABILITY:
            low[path.relative_to(arch.PACKAGE).as_posix()] = round(score, 1)
    assert low == {}
