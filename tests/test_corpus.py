"""Validation over every real-world spreadsheet of the corpus (the ~1,250 files from 17
projects' test suites in ../shared/corpus when present, else the slice in tests/fixtures/corpus;
written by many programs, some broken, encrypted or hostile): each file is read or refused with a
Vietnamese reason, none crashes the batch, none hits the per-file time limit, and the whole
corpus goes through one ``validate`` call in parallel workers.

Measured on 2 cores: about 3-5 s for the whole corpus (1,190 read, 60 refused); the bound below
leaves room for slow machines. Every file is checked, so no sampling is needed.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pytest

from _support import CORPUS, FULL_CORPUS
from ctmtcntt.check.batch import FileResult, is_lock_file, workbook_paths
from ctmtcntt.workflows import validate
from hostile import REFUSAL_CODES

# A real report reads in 0.1 s; no corpus file needs more than 0.25 s (measured).
PER_FILE_TIMEOUT_S = 5.0
TOTAL_LIMIT_S = 240.0
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
# What the isolation layer says of a file that crashed the reader, overran or ran out of memory.
ISOLATION = ("Trình đọc bị dừng", "Đọc tệp quá", "Tệp cần quá nhiều bộ nhớ")
# Files that abort python-calamine (the OLE loop takes it to SIGABRT after 2 GB), or that are
# known to be encrypted, empty or not workbooks: each must be refused, with these words.
KNOWN = {
    "phpspreadsheet/tests/data/Reader/XLS/oleloop.xls": "hỏng",
    "calamine/tests/OOM_alloc3.xls": "hỏng",
    "calamine/tests/issue_594_dos.ods": "quá lớn",
    "calamine/tests/pass_protected.xlsx": "mật khẩu",
    "calamine/tests/issue_385.xls": "mã hóa",
    "python_calamine/tests/data/empty_file.ods": "rỗng",
    "exceljs/spec/integration/data/numbers.numbers": "Numbers",
    "phpspreadsheet/tests/data/Reader/Ods/RepeatedDataCells.ods": "LibreOffice",
}
# Odd but sound packages the reader opens (backslash separators, no workbook.xml by that name).
READABLE = (
    "phpspreadsheet/tests/data/Reader/XLSX/Zip-Windows-Directory-Separator.xlsx",
    "calamine/tests/minimal_package.xlsx",
    "calamine/tests/issue_530.xlsx",
)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Path], dict[str, FileResult], float]:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    started = time.perf_counter()
    result = validate(files, read_timeout=PER_FILE_TIMEOUT_S)
    elapsed = time.perf_counter() - started
    tally = Counter("read" if f.readable else "refused" for f in result.files)
    print(f"\nvalidate over {len(files)} corpus files: {elapsed:.1f} s, {dict(tally)}")
    return files, {f.path: f for f in result.files}, elapsed


@pytest.mark.slow
def test_every_corpus_file_is_read_or_refused_with_a_reason(
    corpus: tuple[list[Path], dict[str, FileResult], float],
) -> None:
    files, results, elapsed = corpus
    assert len(files) > (1000 if FULL_CORPUS else 100)
    # Every file given comes back once, in order; only Excel's lock files are passed over.
    assert [str(p) for p in workbook_paths(files)] == list(results)
    skipped = [p for p in files if str(p) not in results]
    assert skipped == [p for p in files if is_lock_file(p)]
    for path, result in results.items():
        assert result.path == path
        if result.readable:
            # Read: the forms found (none, in this corpus) and what validation says of that.
            assert all(f.file == path for f in result.findings)
            assert result.forms or any(f.code == "no-form" for f in result.findings), path
            continue
        (finding,) = result.findings
        assert ("error", path) == (finding.severity, finding.file)
        assert finding.code in REFUSAL_CODES, (path, finding.code)
        assert VIETNAMESE.search(finding.message), (path, finding.message)
        assert "Traceback" not in finding.message
    assert elapsed < TOTAL_LIMIT_S


@pytest.mark.slow
def test_no_corpus_file_crashes_the_reader_or_overruns(
    corpus: tuple[list[Path], dict[str, FileResult], float],
) -> None:
    """Sniffing and the reader's own checks refuse the hostile files before they crash it."""
    _files, results, _elapsed = corpus
    stopped = {
        path: result.findings[0].message
        for path, result in results.items()
        if not result.readable and any(mark in result.findings[0].message for mark in ISOLATION)
    }
    assert stopped == {}


@pytest.mark.slow
@pytest.mark.parametrize(("relative", "words"), sorted(KNOWN.items()))
def test_known_hostile_files_are_refused_with_the_right_words(
    corpus: tuple[list[Path], dict[str, FileResult], float], relative: str, words: str
) -> None:
    _files, results, _elapsed = corpus
    path = str(CORPUS / relative)
    if path not in results:
        pytest.skip(f"missing {relative}")
    result = results[path]
    assert not result.readable
    assert words.lower() in result.findings[0].message.lower(), result.findings[0].message


@pytest.mark.slow
@pytest.mark.parametrize("relative", READABLE)
def test_odd_but_sound_packages_are_read(
    corpus: tuple[list[Path], dict[str, FileResult], float], relative: str
) -> None:
    _files, results, _elapsed = corpus
    path = str(CORPUS / relative)
    if path not in results:
        pytest.skip(f"missing {relative}")
    assert results[path].readable, results[path].findings
