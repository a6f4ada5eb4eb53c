"""Shared fixtures: the Ministry's forms, the example roster, and golden workbooks in tmp_path.

Nothing here writes inside the repository: every workbook is built or copied into ``tmp_path``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import builders


def _needs_forms(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    if module is None:
        return False
    names = vars(module)
    # A module that imports the builders, or anything from them, fills the Ministry's forms.
    return "builders" in names or "SHARED" in names or any(
        value is builders.FORMS
        or getattr(value, "__module__", None) in ("builders", "hostile", "_province")
        for value in names.values()
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Without the Ministry's blank forms (``../shared``) the tests that fill them are skipped,
    saying why; the rest still run."""
    if not (builders.FORMS / "PL01.xlsx").is_file():
        skip = pytest.mark.skip(reason=f"the Ministry's forms are not in {builders.FORMS}")
        for item in items:
            if _needs_forms(item):
                item.add_marker(skip)


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    """A copy of the Bình Định roster (TINH, S01–S20, H01–H11)."""
    return Path(shutil.copy(builders.ROSTER, tmp_path / "roster.csv"))


@pytest.fixture
def save(tmp_path: Path) -> Callable[[builders.Book, str], Path]:
    """Save a built workbook with openpyxl under ``tmp_path`` and return its path."""

    def _save(book: builders.Book, name: str = "unit.xlsx") -> Path:
        return book.save(tmp_path / name)

    return _save


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of ``examples/binh-dinh-2020`` (38 valid workbooks and its roster)."""
    return Path(shutil.copytree(builders.EXAMPLE, tmp_path / "binh-dinh-2020"))


@pytest.fixture(scope="session")
def soffice() -> str:
    """The LibreOffice command; the test is skipped when LibreOffice is not installed."""
    command = builders.soffice()
    if command is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return command
