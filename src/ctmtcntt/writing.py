"""Saving workbooks safely: atomically, never over an input, unit text never a formula."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .numbers import looks_like_formula

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell


# The control characters no XML 1.0 document may hold (openpyxl refuses them, Excel too).
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(text: str) -> str:
    """``text`` without the control characters a file name or a cell may carry, which no
    workbook can hold."""
    return _NOT_IN_XML.sub("", text)


def same_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file (also through links and case-insensitive disks)."""
    try:
        return first.exists() and second.exists() and os.path.samefile(first, second)
    except OSError:
        return first.resolve() == second.resolve()


def atomic_save(book: Any, output: Path) -> None:
    """Save an openpyxl workbook to a temporary file beside ``output``, then rename it over.

    A crash or a full disk leaves the old file intact, never half a workbook.
    """
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{output.stem}-", suffix=output.suffix, dir=output.parent
    )
    os.close(handle)
    try:
        book.save(temporary)
        with open(temporary, "rb") as stream:
            os.fsync(stream.fileno())
        os.chmod(temporary, _mode(output))
        os.replace(temporary, output)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _mode(output: Path) -> int:
    """The permissions the output should have: those of the file it replaces, else the
    default for a new file (mkstemp's private 0600 is for the temporary name only)."""
    try:
        return output.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def put_text(cell: Cell, text: str | None) -> None:
    """Write a unit's text as text: "=HYPERLINK(…)" typed as a project name stays words.

    openpyxl turns any string beginning with "=" into a formula; forcing the string type and
    Excel's quote prefix keeps it inert, also after someone edits the cell in Excel.
    """
    if text is not None:
        text = xml_safe(text)
    cell.value = text
    if text is not None:
        cell.data_type = "s"
        if looks_like_formula(text):
            cell.quotePrefix = True
