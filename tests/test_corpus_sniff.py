"""The reference corpus of real spreadsheets, some broken or hostile (the full ~1,250 files of
../shared/corpus when present, else the slice in tests/fixtures/corpus): sniff answers fast for
every file, and calamine reads every file sniff calls readable without one file harming the
batch, when run through map_isolated."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from _support import CORPUS, FULL_CORPUS
from ctmtcntt.common.isolate import map_isolated
from ctmtcntt.sniff import Sniffed, sniff

# The slice keeps every file that is not an ordinary workbook, and licence files besides, so
# fewer of its files are workbooks than in the full corpus.
MIN_FILES = 1000 if FULL_CORPUS else 100
MIN_READABLE_SHARE = 0.9 if FULL_CORPUS else 0.6
# Of the files sniff lets through, the few calamine still refuses are all in the slice.
MIN_READ_SHARE = 0.98 if FULL_CORPUS else 0.9


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file())


def read_with_calamine(path: str) -> int:
    """Open a workbook and materialise every sheet; return the number of rows."""
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(path)
    return sum(
        len(workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
        for name in workbook.sheet_names
    )


def test_sniff_answers_every_corpus_file_within_a_second() -> None:
    files = corpus_files()
    assert len(files) > MIN_FILES
    kinds: Counter[str] = Counter()
    slow: list[tuple[float, str]] = []
    for path in files:
        started = time.perf_counter()
        result = sniff(path)  # must not raise
        elapsed = time.perf_counter() - started
        assert isinstance(result, Sniffed)
        assert result.readable == (result.message is None), path
        if elapsed > 1.0:
            slow.append((elapsed, str(path)))
        kinds[result.kind] += 1
    assert slow == []
    print(f"\nsniff over {len(files)} corpus files: {dict(kinds.most_common())}")
    # Most of the corpus is ordinary workbooks; the refusals are the deliberately odd files.
    readable = sum(kinds[k] for k in ("xlsx", "xls", "xlsb", "ods"))
    assert readable > MIN_READABLE_SHARE * len(files)
    assert kinds["encrypted"] >= 10


@pytest.mark.parametrize(
    ("relative", "kind"),
    [
        ("phpspreadsheet/tests/data/Reader/XLS/oleloop.xls", "corrupt"),
        ("calamine/tests/pass_protected.xlsx", "encrypted"),
        ("calamine/tests/issue_385.xls", "encrypted"),
        ("python_calamine/tests/data/empty_file.ods", "empty"),
        ("closedxml/ClosedXML.Tests/Resource/TryToLoad/~$LoadPivotTables.xlsx", "lock"),
        ("calamine/tests/too_small.xls", "text"),
        ("phpspreadsheet/tests/data/Reader/Ods/nomimetype.ods", "corrupt"),
        ("phpspreadsheet/tests/data/Reader/XLSX/Zip-Windows-Directory-Separator.xlsx", "xlsx"),
        ("calamine/tests/minimal_package.xlsx", "xlsx"),
    ],
)
def test_known_odd_corpus_files(relative: str, kind: str) -> None:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"missing {relative}")
    assert sniff(path).kind == kind


def classify(error: str | None) -> str:
    if error is None:
        return "succeeded"
    if error.startswith("Trình đọc bị dừng"):
        return "crashed"
    if error.startswith("Đọc tệp quá"):
        return "timed out"
    if error.startswith("Tệp cần quá nhiều bộ nhớ"):
        return "out of memory"
    return "error"


def test_calamine_reads_every_readable_corpus_file_in_isolation() -> None:
    """The demonstration: the whole corpus through calamine, one bad file harming only itself."""
    pytest.importorskip("python_calamine")
    started = time.perf_counter()
    readable = [str(p) for p in corpus_files() if sniff(p).readable]
    sniffed = time.perf_counter()
    outcomes = list(map_isolated(read_with_calamine, readable, timeout=10, memory_mb=1536))
    finished = time.perf_counter()

    assert [o.item for o in outcomes] == readable
    tally = Counter(classify(o.error) for o in outcomes)
    print(
        f"\ncalamine over {len(readable)} readable corpus files: {dict(tally)};"
        f" sniff {sniffed - started:.1f} s, read {finished - sniffed:.1f} s"
    )
    for outcome in outcomes:
        if not outcome.ok:
            print(f"  {Path(outcome.item).relative_to(CORPUS)}: {outcome.error}")
    # Sniff keeps the process-killers (OLE loop, encrypted files) away from the reader.
    assert tally["crashed"] + tally["out of memory"] + tally["timed out"] == 0
    assert tally["succeeded"] > MIN_READ_SHARE * len(readable)
    assert finished - started < 60


def test_quick_look_at_xml_members_agrees_with_the_full_look(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sniffing reads each XML member's first kilobyte straight from the file; through
    zipfile's own reader (the full look) every corpus file gets the same verdict."""
    from ctmtcntt.sniff import xmlcheck

    packages = [p for p in corpus_files() if p.read_bytes()[:2] == b"PK"]
    assert len(packages) > (100 if FULL_CORPUS else 50)
    quick = {p: sniff(p) for p in packages}
    monkeypatch.setattr(xmlcheck, "quick_xml_safety", lambda *a, **k: xmlcheck.UNDECIDED)
    for path in packages:
        full = sniff(path)
        assert (quick[path].kind, quick[path].message) == (full.kind, full.message), path
        assert quick[path].formulas == full.formulas, path


def test_sniffing_a_file_read_whole_agrees_with_sniffing_it_on_disk() -> None:
    """The reader sniffs small files from their bytes (read once for sniffing, reading and
    hashing): every corpus file gets the verdict it gets on disk."""
    from ctmtcntt.sniff import sniff_data

    for path in corpus_files():
        data = path.read_bytes()
        on_disk, whole = sniff(path), sniff_data(path, data)
        assert (on_disk.kind, on_disk.message) == (whole.kind, whole.message), path
        assert on_disk.formulas == whole.formulas, path
