"""Helpers shared by the lead's tests: paths, LibreOffice, reading workbooks as values."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLE = ROOT / "examples" / "binh-dinh-2020"
FIXTURES = ROOT / "tests" / "fixtures"
# The Ministry's blank forms, the roster and the cds-2024 form set, kept in the repository.
FORMS = Path(os.environ.get("CTMT_FORMS") or FIXTURES / "forms")
# Real-world spreadsheets: the full corpus (~1,250 files, outside the repository) when it sits
# at ../shared/corpus or CTMT_CORPUS names it, else the slice kept in tests/fixtures/corpus
# (tools/slice_corpus.py), so that a fresh clone tests the reader against real files too.
SLICE = FIXTURES / "corpus"
CORPUS = Path(
    os.environ.get("CTMT_CORPUS") or (SHARED / "corpus" if (SHARED / "corpus").is_dir() else SLICE)
)
FULL_CORPUS = CORPUS.resolve() != SLICE.resolve()


def load_tool(name: str) -> ModuleType:
    """The script ``tools/<name>.py`` as a module (the tools are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def soffice() -> str:
    """The LibreOffice binary; skip when absent, unless CI demands it (CTMT_REQUIRE_LIBREOFFICE)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("CTMT_REQUIRE_LIBREOFFICE"):
        pytest.fail("LibreOffice (soffice) is required here but not installed")
    pytest.skip("LibreOffice (soffice) is not installed")


def recalculate(paths: list[Path], outdir: Path) -> list[Path]:
    """Open workbooks in LibreOffice headless, recalculate, save as .xlsx in ``outdir``."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / "lo-profile"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(outdir),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return [outdir / (p.stem + ".xlsx") for p in paths]


def sheet_values(path: Path, sheet: str) -> list[list[object]]:
    """A sheet's cached values from A1, as python-calamine reads them."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
