"""ctmtcntt: check, compute and consolidate the appendices evaluating the IT target programme.

>>> import ctmtcntt
>>> result = ctmtcntt.consolidate("examples/binh-dinh-2020")  # doctest: +SKIP
>>> result.pl01.loc["5", "assessment"]  # doctest: +SKIP
'Đạt'
"""

from __future__ import annotations

from .errors import CtmtError as CtmtError
from .errors import OutputError as OutputError
from .errors import SpecError as SpecError
from .errors import UsageError as UsageError
from .errors import WorkbookError as WorkbookError

__version__ = "0.1.0"

# Nothing heavier than our own errors here: ``ctmt`` handles Ctrl+C only once this package
# is imported (see _entry), and typing alone takes milliseconds to import.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any as _Any

    from .findings import Finding as Finding
    from .forms.roster import Roster as Roster
    from .forms.roster import load_roster as load_roster
    from .read.submission import UnitReport as UnitReport
    from .workflows import CellWrite as CellWrite
    from .workflows import ConsolidationResult as ConsolidationResult
    from .workflows import FillResult as FillResult
    from .workflows import ValidationResult as ValidationResult
    from .workflows import consolidate as consolidate
    from .workflows import fill as fill
    from .workflows import fill_cells as fill_cells
    from .workflows import read_workbook as read_workbook
    from .workflows import template as template
    from .workflows import validate as validate

# ``import ctmtcntt`` stays light (``ctmt --version``, the Excel add-in starting up); each name
# imports its module on first use: pandas, pandera and openpyxl only when a workflow needs them.
_LAZY = {
    "UnitReport": ".read.submission",
    "Finding": ".findings",
    "Roster": ".forms.roster",
    "load_roster": ".forms.roster",
    **dict.fromkeys(
        (
            "CellWrite",
            "ConsolidationResult",
            "FillResult",
            "ValidationResult",
            "consolidate",
            "fill",
            "fill_cells",
            "read_workbook",
            "template",
            "validate",
        ),
        ".workflows",
    ),
}


def __getattr__(name: str) -> _Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY} - {"TYPE_CHECKING"})


__all__ = [
    "CellWrite",
    "ConsolidationResult",
    "CtmtError",
    "FillResult",
    "Finding",
    "OutputError",
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
