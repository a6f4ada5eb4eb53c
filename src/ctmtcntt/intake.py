"""Taking submissions in: finding the workbooks, reading them in isolation, checking them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._isolate import map_isolated
from .errors import CtmtError, UsageError
from .loading import read_workbook
from .reading import UnitReport
from .report import Finding, make_finding
from .roster import Roster
from .validation import validate_reports

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"})
# A hostile file may make the native reader spin or balloon; a real submission reads in < 0.1 s.
READ_TIMEOUT_S = 30.0
READ_MEMORY_MB = 1024


@dataclass(frozen=True, kw_only=True)
class Refused:
    """A file that is not a readable report workbook, with the Vietnamese reason."""

    path: str
    reason: str


def is_lock_file(path: Path) -> bool:
    """Excel's owner file ``~$name.xlsx``, present while someone has the workbook open."""
    return path.name.startswith("~$")


def workbook_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The workbooks named: files as given, folders searched with their sub-folders.

    Excel lock files are skipped; in folders only spreadsheet file names are taken.
    """
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not is_lock_file(p)
            )
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(f"Không có tệp hoặc thư mục: {path}")
    return found


def _read_one(path: str) -> UnitReport | Refused:
    # Runs in a worker process: the native reader may abort on a hostile file.
    try:
        return read_workbook(path)
    except CtmtError as exc:
        reason = getattr(exc, "reason", str(exc))
        return Refused(path=path, reason=reason)


def read_reports(paths: Sequence[Path]) -> Iterator[UnitReport | Refused]:
    """Read every workbook in isolated worker processes, in the order given."""
    for outcome in map_isolated(
        _read_one, [str(p) for p in paths], timeout=READ_TIMEOUT_S, memory_mb=READ_MEMORY_MB
    ):
        if outcome.error is not None or outcome.value is None:
            yield Refused(path=outcome.item, reason=outcome.error or "Không đọc được tệp.")
        else:
            yield outcome.value


@dataclass(frozen=True, kw_only=True)
class FileResult:
    """One file checked: its unit, its forms and its findings."""

    path: str
    unit: str | None
    forms: tuple[str, ...]
    findings: tuple[Finding, ...]
    readable: bool = True

    @property
    def valid(self) -> bool:
        """No error (warnings allowed)."""
        return self.readable and not any(f.is_error for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the contract."""
        return {
            "path": self.path,
            "unit": self.unit,
            "forms": list(self.forms),
            "valid": self.valid,
            "findings": [f.to_dict() for f in self.findings],
        }


def refused_result(refused: Refused) -> FileResult:
    """A file that could not be read, as a result with one error finding."""
    finding = make_finding("unreadable-file", file=refused.path, detail=refused.reason)
    return FileResult(path=refused.path, unit=None, forms=(), findings=(finding,), readable=False)


def check_reports(reports: Sequence[UnitReport], roster: Roster | None = None) -> list[FileResult]:
    """Validate reports already read (from files or from an open workbook) in one pass."""
    findings = validate_reports(reports, roster=roster)
    return [
        FileResult(
            path=report.path,
            unit=report.unit,
            forms=tuple(report.forms),
            findings=tuple(found),
        )
        for report, found in zip(reports, findings, strict=True)
    ]
