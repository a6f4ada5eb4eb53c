"""Taking submissions in: finding the workbooks, reading them in isolation, checking them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Final

from ..common import gc_pause
from ..common.isolate import map_isolated
from ..common.numbers import normalize_text
from ..errors import CtmtError, SpecError, UsageError
from ..findings import Finding, make_finding
from ..forms.roster import Roster
from ..forms.spec import Catalogue, load_catalogue, load_schema
from ..read.submission import UnitReport
from .transport import decode, encode

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"})
# A hostile file may make the native reader spin or balloon; a real submission reads in < 0.1 s
# and under 100 MB (every file of the reference corpus does: 0.25 s and 75 MB at most).
READ_TIMEOUT_S = 20.0
READ_MEMORY_MB = 512
# Said after what the isolation layer reports (a crash, a timeout, memory): what staff can do.
_ISOLATION_ADVICE = (
    ". Hãy mở tệp bằng Excel, xóa các dòng, cột thừa ở rất xa bảng (nếu có), Lưu thành Sổ làm"
    " việc Excel (.xlsx) mới rồi gửi lại; nếu vẫn lỗi, hãy xin đơn vị gửi lại tệp."
)


@dataclass(frozen=True, kw_only=True)
class Refused:
    """A file that is not a readable report workbook, with the Vietnamese reason, and what the
    reader said of it (``detail``, often English: for whoever looks into the file)."""

    path: str
    reason: str
    detail: str | None = None
    #: The finding code naming the kind of refusal (``schemas/findings.yaml``).
    code: str = "unreadable-file"


def is_lock_file(path: Path) -> bool:
    """Excel's owner file ``~$name.xlsx`` (or LibreOffice's ``.~lock.name#``), present while
    someone has the workbook open: never a report, whatever it holds."""
    name = path.name
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def workbook_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The workbooks named: files as given, folders searched with their sub-folders.

    Excel lock files are skipped, also when named (a shell's ``*.xlsx`` takes them in while
    a workbook is open); in folders only spreadsheet file names are taken.
    """
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.suffix.lower() in WORKBOOK_SUFFIXES and not is_lock_file(p) and p.is_file()
            )
        elif path.exists():
            if not is_lock_file(path):
                found.append(path)
        else:
            raise UsageError(f"Không có tệp hoặc thư mục: {path}")
    return found


def _read_one(path: str, forms: str | None = None) -> bytes:
    # Runs in a worker process: the native reader may abort on a hostile file. The worker
    # imports the reader itself, while this process imports what checking needs.
    from ..read.values import work_out
    from ..read.workbook import read_workbook
    from .validation import unit_frames

    try:
        report = read_workbook(path, load_catalogue(None if forms is None else Path(forms)))
        # Checking's per-cell work runs here, in parallel, rather than after all reading, and
        # so does understanding the inputs that the province adds up (kept in each form).
        result: UnitReport | Refused = replace(report, prepared=unit_frames(report))
        for form in report.forms.values():
            work_out(form)
    except CtmtError as exc:
        reason = getattr(exc, "reason", str(exc))
        code = getattr(exc, "code", "unreadable-file")
        # Readers quote the file's own bytes in their errors: keep the text writable.
        detail = getattr(exc, "detail", None)
        result = Refused(
            path=path,
            reason=normalize_text(reason),
            detail=None if detail is None else normalize_text(detail),
            code=code,
        )
    except MemoryError:
        raise  # the isolation layer says so and replaces this worker
    except Exception as exc:  # our own reading tripped over odd content: refuse, in Vietnamese
        result = Refused(
            path=path, reason=MSG_INTERNAL, detail=normalize_text(f"{type(exc).__name__}: {exc}")
        )
    return encode(result)


MSG_INTERNAL = (
    "Chương trình gặp lỗi khi đọc nội dung tệp (cấu trúc bên trong tệp bất thường). Hãy mở tệp"
    " bằng Excel, Lưu thành Sổ làm việc Excel (.xlsx) mới rồi thử lại; nếu vẫn lỗi, hãy gửi tệp"
    " này cho bộ phận kỹ thuật."
)


def worker_bounds() -> dict[str, Any]:
    """The time and memory one file may take in a worker (``map_isolated`` keywords)."""
    return {"timeout": READ_TIMEOUT_S, "memory_mb": READ_MEMORY_MB}


#: The finding code of a file whose worker gave no answer, by the cause ``map_isolated`` saw.
_ISOLATION_CODES: Final[dict[str, str]] = {
    "timeout": "read-timed-out",
    "memory": "out-of-memory",
    "crash": "reader-crashed",
}


def isolation_refusal(error: str | None) -> str:
    """Why a file is refused when its worker crashed, overran or ran out of memory, and what
    staff can do about it."""
    return (error or "Không đọc được tệp").rstrip(". ") + _ISOLATION_ADVICE


def _prepare_validation(forms: Catalogue | None = None) -> None:
    # Checking comes next: import pandas and pandera and load the schemas while workers read.
    # A broken schema is reported by the check itself, as it would be without this head start.
    with contextlib.suppress(SpecError):
        for form in (forms or load_catalogue()).forms.values():
            for name in form.checks:
                load_schema(name)
        from .validation import warm_up

        warm_up()


def _both(forms: Catalogue, then: Callable[[], object] | None) -> Callable[[], None]:
    def prepare() -> None:
        _prepare_validation(forms)
        if then is not None:
            then()

    return prepare


def read_reports(
    paths: Sequence[Path],
    *,
    timeout: float | None = None,
    meanwhile: Callable[[], object] | None = None,
    prepare: bool = True,
    forms: Catalogue | None = None,
) -> Iterator[UnitReport | Refused]:
    """Read every workbook in isolated worker processes, in the order given.

    ``timeout`` is the seconds one file may take (default :data:`READ_TIMEOUT_S`); a file that
    overruns it, crashes the reader or needs more than :data:`READ_MEMORY_MB` is refused.
    While the workers read, this process gets the validation that follows ready, and runs
    ``meanwhile`` (what the caller does next, e.g. importing the workbook writer); with
    ``prepare`` false, only that (the caller checks nothing). ``forms`` is the form set to
    read (the default set when None).
    """
    # Loaded once, before the workers start: they inherit it where they can.
    forms = forms or load_catalogue()
    # What the answers unpickle into, imported here rather than raced for by the thread that
    # imports pandas meanwhile (pandas-free: cheap, and the forked workers inherit it).
    from . import validation  # noqa: F401

    outcomes = map_isolated(
        partial(_read_one, forms=str(forms.folder)),
        [str(p) for p in paths],
        timeout=READ_TIMEOUT_S if timeout is None else timeout,
        memory_mb=READ_MEMORY_MB,
        meanwhile=_both(forms, meanwhile) if prepare else meanwhile,
    )
    with gc_pause.paused():
        for outcome in outcomes:
            if outcome.error is not None or outcome.value is None:
                reason = isolation_refusal(outcome.error)
                code = _ISOLATION_CODES.get(outcome.cause or "", "unreadable-file")
                yield Refused(path=outcome.item, reason=reason, code=code)
                continue
            try:
                received = decode(outcome.value)
            except Exception as exc:  # as map_isolated says of an answer it cannot unpickle
                received = Refused(path=outcome.item, reason=f"Không nhận được kết quả: {exc}")
            yield received


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
    # The finding's value keeps what the reader said (English); its message is Vietnamese.
    finding = make_finding(
        refused.code, file=refused.path, detail=refused.reason, value=refused.detail
    )
    return FileResult(path=refused.path, unit=None, forms=(), findings=(finding,), readable=False)


def check_reports(reports: Sequence[UnitReport], roster: Roster | None = None) -> list[FileResult]:
    """Validate reports already read (from files or from an open workbook) in one pass."""
    from .validation import validate_reports  # pandas: imported when checking, not before

    with gc_pause.paused():  # tables of every unit's cells, nothing cyclic: as while reading
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
