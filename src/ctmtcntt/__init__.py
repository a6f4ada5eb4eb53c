"""ctmtcntt: check, compute and consolidate the appendices evaluating the IT target programme.

    >>> import ctmtcntt
    >>> result = ctmtcntt.consolidate("examples/binh-dinh-2020")  # doctest: +SKIP
    >>> result.pl01.loc["5", "assessment"]  # doctest: +SKIP
    'Đạt'
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import CtmtError as CtmtError
from .errors import SpecError as SpecError
from .errors import UsageError as UsageError
from .errors import WorkbookError as WorkbookError
from .loading import read_workbook as read_workbook
from .reading import UnitReport as UnitReport
from .report import Finding as Finding
from .roster import Roster as Roster
from .roster import load_roster as load_roster
from .workflows import CellWrite as CellWrite
from .workflows import ConsolidationResult as ConsolidationResult
from .workflows import FillResult as FillResult
from .workflows import ValidationResult as ValidationResult
from .workflows import consolidate as consolidate
from .workflows import fill as fill
from .workflows import fill_cells as fill_cells
from .workflows import template as template
from .workflows import validate as validate

__all__ = [
    "CellWrite",
    "ConsolidationResult",
    "CtmtError",
    "FillResult",
    "Finding",
    "Roster",
    "SpecError",
    "UnitReport",
    "UsageError",
    "ValidationResult",
    "WorkbookError",
    "__version__",
    "consolidate",
    "fill",
    "fill_cells",
    "load_roster",
    "read_workbook",
    "template",
    "validate",
]
