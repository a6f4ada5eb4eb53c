"""One exception root for the package, branched by cause.

Wrong *data* is never an exception: it is a finding in a report. An exception means the
work cannot continue (no such file, not a workbook, a broken form description).
"""

from __future__ import annotations

#: Exit codes of ``ctmt``, the same for every command (README, user guide).
EXIT_OK = 0
#: Some workbook has errors (findings): the run finished, the data needs fixing.
EXIT_FINDINGS = 1
#: The command line was wrong (unknown option, missing argument, impossible request).
EXIT_USAGE = 2
#: Some input file could not be read at all (the others are still checked and reported).
EXIT_UNREADABLE = 3
#: The run could not finish: interrupted, an output that could not be written (open in Excel,
#: read-only, disk full), output that could not be printed, or an unexpected failure.
EXIT_UNFINISHED = 4


class CtmtError(Exception):
    """Root of every error raised by ctmtcntt; its text is a Vietnamese message for staff."""


class SpecError(CtmtError):
    """A form description in ``schemas/`` is missing or inconsistent."""


class UnreadableError(CtmtError):
    """An input file cannot be read (a workbook, a report template): exit code 3."""


class WorkbookError(UnreadableError):
    """A file cannot be read as a report workbook; the message names the file.

    ``reason`` says in Vietnamese what the file is and what to do; ``detail`` keeps what a
    reader said of it (often English, for whoever looks into it), never shown as the reason;
    ``code`` is the finding code that names the kind of refusal (``schemas/findings.yaml``).
    """

    def __init__(
        self,
        path: object,
        message: str,
        *,
        detail: str | None = None,
        code: str = "unreadable-file",
    ) -> None:
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.reason = message
        self.detail = detail
        self.code = code


class OutputError(CtmtError):
    """An output could not be written (open in Excel, read-only, disk full); the message names
    the output the user asked for, never a temporary file."""

    def __init__(self, path: object, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.reason = message


class UsageError(CtmtError):
    """The caller asked for something impossible (bad option, output over an input)."""
