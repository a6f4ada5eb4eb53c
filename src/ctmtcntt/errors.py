"""One exception root for the package, branched by cause.

Wrong *data* is never an exception: it is a finding in a report. An exception means the
work cannot continue (no such file, not a workbook, a broken form description).
"""

from __future__ import annotations


class CtmtError(Exception):
    """Root of every error raised by ctmtcntt; its text is a Vietnamese message for staff."""


class SpecError(CtmtError):
    """A form description in ``schemas/`` is missing or inconsistent."""


class WorkbookError(CtmtError):
    """A file cannot be read as a report workbook; the message names the file."""

    def __init__(self, path: object, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.reason = message


class UsageError(CtmtError):
    """The caller asked for something impossible (bad option, output over an input)."""
