"""Shared fixtures: the Ministry's forms, the example roster, and golden workbooks in tmp_path.

Nothing here writes inside the repository: every workbook is built or copied into ``tmp_path``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import builders


def _coverage_data_beside_the_runs() -> None:
    """Under ``pytest --cov``, every measured process writes its coverage data where this run's
    data is, also a reading worker forked after a test changed directory (by default it would
    write a ``.coverage.*`` file into that directory: left beside the test's outputs, and missing
    from the total)."""
    try:
        import coverage
    except ImportError:  # the tests run without coverage too
        return
    current = coverage.Coverage.current()
    if current is not None:
        os.environ.setdefault("COVERAGE_FILE", os.path.abspath(current.config.data_file))


_coverage_data_beside_the_runs()


def _needs_forms(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)
    if module is None:
        return False
    names = vars(module)
    # A module that imports the builders, or anything from them, fills the Ministry's forms.
    return (
        "builders" in names
        or "SHARED" in names
        or any(
            value is builders.FORMS
            or getattr(value, "__module__", None) in ("builders", "hostile", "_province")
            for value in names.values()
        )
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


# How the reading workers start: as on this platform, forced to spawn (as on Windows and
# macOS), and as on Windows altogether (spawn, and memory watched instead of rlimits). The
# switches are those documented in ctmtcntt.common.isolate; workers inherit the environment.
WORKER_STARTS = {
    "default": {},
    "spawn": {"CTMT_START_METHOD": "spawn"},
    "windows": {"CTMT_SIMULATE_WINDOWS": "1"},
}


def _started(name: str) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CTMT_START_METHOD", raising=False)
        patch.delenv("CTMT_SIMULATE_WINDOWS", raising=False)
        for variable, value in WORKER_STARTS[name].items():
            patch.setenv(variable, value)
        yield name


@pytest.fixture(scope="module", params=["default", "spawn"])
def worker_start(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test twice: workers started as on this platform, then with spawn."""
    yield from _started(request.param)


@pytest.fixture(scope="module", params=list(WORKER_STARTS))
def worker_platform(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test three times: as on this platform, with spawn, and as on Windows."""
    yield from _started(request.param)


@pytest.fixture(scope="session")
def soffice() -> str:
    """The LibreOffice command; the test is skipped when LibreOffice is not installed."""
    command = builders.soffice()
    if command is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return command
