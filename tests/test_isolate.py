"""map_isolated: a failing item (exception, panic, abort, hang, memory blow-up) fails alone."""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from ctmtcntt.common import isolate as _isolate
from ctmtcntt.common.isolate import Outcome, map_isolated
from ctmtcntt.errors import CtmtError

# Workers run these, so they live at module level (spawn pickles them by name).

# Changed by a test in this process: a forked worker sees the change, a spawned one does not.
MARKER = "as imported"


class FakePanic(BaseException):
    """Stands in for pyo3_runtime.PanicException, which is a BaseException."""


def behave(item: str) -> str:
    """Do what the item says; otherwise answer with the item and this worker's pid."""
    if item == "raise":
        raise ValueError("giá trị không hợp lệ")
    if item == "panic":
        raise FakePanic("called `Option::unwrap()` on a `None` value")
    if item == "exit":
        sys.exit(3)
    if item == "abort":
        os.abort()
    if item == "hard-exit":
        os._exit(7)
    if item == "sleep":
        time.sleep(60)
    if item == "allocate":
        hog = bytearray(3 * 1024**3)  # 3 GB, far past the limit the tests set
        return str(len(hog))
    if item == "grow":
        # Touched memory, 16 MB at a time up to 2 GB in about 2.5 s, far past the limit the
        # tests set: what a reader building a huge sheet does, and what only watching the
        # worker can stop on Windows (the watch looks every 50 ms; the rest is slack for a
        # busy machine).
        held = []
        for _ in range(128):
            held.append(b"\x01" * (16 * 1024**2))
            time.sleep(0.02)
        return str(len(held))
    if item == "rlimit":
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        return "unlimited" if soft == resource.RLIM_INFINITY else "limited"
    if item == "marker":
        return MARKER
    if item == "none":
        return None  # type: ignore[return-value]
    if item == "unpicklable":
        return lambda: None  # type: ignore[return-value]
    return f"{item}:{os.getpid()}"


def echo(item: str) -> str:
    return item


def pid(item: str) -> int:
    return os.getpid()


def calamine_rows(path: str) -> int:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(path)
    return sum(
        len(workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
        for name in workbook.sheet_names
    )


def run(items: list[str], **options: object) -> list[Outcome[str]]:
    return list(map_isolated(behave, items, **options))  # type: ignore[arg-type]


def check_survivors(outcomes: list[Outcome[str]], items: list[str], bad: str) -> Outcome[str]:
    """Order kept, every item but ``bad`` succeeded; return the bad item's outcome."""
    assert [o.item for o in outcomes] == items
    for outcome in outcomes:
        if outcome.item != bad:
            assert outcome.ok, outcome
            assert outcome.value is not None
            assert outcome.value.startswith(f"{outcome.item}:")
    (failed,) = [o for o in outcomes if o.item == bad]
    assert not failed.ok
    assert failed.value is None
    assert failed.error
    return failed


ITEMS_AROUND = ["a", "b", "c", "{bad}", "d", "e", "f"]


def around(bad: str) -> list[str]:
    return [bad if x == "{bad}" else x for x in ITEMS_AROUND]


def test_values_come_back_in_input_order() -> None:
    items = [f"item{i}" for i in range(50)]
    outcomes = list(map_isolated(echo, items, workers=3))
    assert [o.item for o in outcomes] == items
    assert [o.value for o in outcomes] == items
    assert all(o.ok and o.error is None for o in outcomes)


def test_exception_becomes_error_and_worker_survives() -> None:
    outcomes = run(around("raise"), workers=1)
    failed = check_survivors(outcomes, around("raise"), "raise")
    assert failed.error == "giá trị không hợp lệ"
    pids = {o.value.split(":")[1] for o in outcomes if o.ok and o.value}
    assert len(pids) == 1, "one worker served every item: the exception did not kill it"


def test_base_exception_like_pyo3_panic_is_caught_and_worker_survives() -> None:
    outcomes = run(around("panic"), workers=1)
    failed = check_survivors(outcomes, around("panic"), "panic")
    assert failed.error is not None
    assert "FakePanic" in failed.error
    assert "Option::unwrap()" in failed.error
    assert len({o.value.split(":")[1] for o in outcomes if o.ok and o.value}) == 1


def test_system_exit_in_func_is_an_error_not_an_exit() -> None:
    outcomes = run(around("exit"), workers=1)
    failed = check_survivors(outcomes, around("exit"), "exit")
    assert "SystemExit" in (failed.error or "")


@pytest.mark.parametrize("bad", ["abort", "hard-exit"])
def test_crashing_worker_fails_only_its_item(bad: str) -> None:
    outcomes = run(around(bad), workers=2)
    failed = check_survivors(outcomes, around(bad), bad)
    assert failed.error is not None
    assert failed.error.startswith("Trình đọc bị dừng khi mở tệp này")
    if bad == "abort":
        assert "SIGABRT" in failed.error


def test_hanging_item_times_out_alone() -> None:
    started = time.monotonic()
    outcomes = run(around("sleep"), workers=2, timeout=0.5)
    elapsed = time.monotonic() - started
    failed = check_survivors(outcomes, around("sleep"), "sleep")
    assert failed.error == "Đọc tệp quá 0,5 giây nên đã bị dừng (tệp quá lớn hoặc bị hỏng)"
    assert elapsed < 10


@pytest.mark.skipif(sys.platform == "win32", reason="no RLIMIT_AS on Windows")
def test_memory_blow_up_fails_alone() -> None:
    outcomes = run(around("allocate"), workers=2, memory_mb=256)
    failed = check_survivors(outcomes, around("allocate"), "allocate")
    assert failed.error == "Tệp cần quá nhiều bộ nhớ (hơn 256 MB) nên đã bị dừng"


@pytest.mark.skipif(sys.platform == "win32", reason="no RLIMIT_AS on Windows")
def test_native_reader_abort_on_forged_workbook_is_contained(tmp_path: Path) -> None:
    """python-calamine aborts the process (not an exception) on a cell at XFD1048576."""
    pytest.importorskip("python_calamine")
    import openpyxl

    good = tmp_path / "good.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "xin chào"  # type: ignore[index]
    workbook.active["B2"] = 1  # type: ignore[index]
    workbook.save(good)
    forged = tmp_path / "forged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(forged, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                # A1 and XFD1048576 span 17 billion cells, which calamine allocates at once.
                data = data.replace(b'r="B2"', b'r="XFD1048576"').replace(
                    b'<row r="2"', b'<row r="1048576"'
                )
            target.writestr(info, data)
    items = [str(good), str(forged), str(good)]
    outcomes = list(map_isolated(calamine_rows, items, workers=1, memory_mb=1536))
    assert [o.item for o in outcomes] == items
    assert [o.value for o in outcomes] == [2, None, 2]
    assert not outcomes[1].ok
    assert outcomes[1].error == "Tệp cần quá nhiều bộ nhớ (hơn 1.536 MB) nên đã bị dừng"


def test_everything_at_once_keeps_order() -> None:
    items = ["a", "raise", "b", "panic", "abort", "c", "sleep", "allocate", "d", "hard-exit", "e"]
    outcomes = run(items, workers=2, timeout=1.0, memory_mb=256)
    assert [o.item for o in outcomes] == items
    ok = {o.item for o in outcomes if o.ok}
    assert ok == {"a", "b", "c", "d", "e"}


def test_none_result_is_success_and_unpicklable_result_is_error() -> None:
    outcomes = run(["none", "unpicklable", "a"], workers=1)
    assert outcomes[0].ok
    assert outcomes[0].value is None
    assert not outcomes[1].ok
    assert (outcomes[1].error or "").startswith("Không gửi được kết quả về")
    assert outcomes[2].ok


def test_single_item_still_runs_in_another_process() -> None:
    (outcome,) = map_isolated(pid, ["only"])
    assert outcome.ok
    assert outcome.value != os.getpid()


def test_zero_workers_means_one_isolated_worker() -> None:
    outcomes = list(map_isolated(pid, ["x", "y"], workers=0))
    assert all(o.ok for o in outcomes)
    assert len({o.value for o in outcomes}) == 1
    assert os.getpid() not in {o.value for o in outcomes}


def test_no_items_no_workers() -> None:
    assert list(map_isolated(pid, [])) == []


def test_bad_arguments_are_refused_at_call_time() -> None:
    with pytest.raises(ValueError, match="timeout"):
        map_isolated(pid, ["x"], timeout=0)
    with pytest.raises(ValueError, match="memory_mb"):
        map_isolated(pid, ["x"], memory_mb=0)


def test_closing_early_stops_the_workers() -> None:
    results = map_isolated(behave, ["a", "sleep", "sleep", "b"], workers=3, timeout=60)
    first = next(results)
    assert first.ok
    started = time.monotonic()
    results.close()  # type: ignore[attr-defined]
    assert time.monotonic() - started < 5
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(
    ("environment", "method"),
    [
        ({"CTMT_START_METHOD": "spawn"}, "spawn"),
        ({"CTMT_START_METHOD": "forkserver"}, "forkserver"),
        ({"CTMT_SIMULATE_WINDOWS": "1"}, "spawn"),
        ({"CTMT_SIMULATE_WINDOWS": "1", "CTMT_START_METHOD": "fork"}, "fork"),
    ],
)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux start methods")
def test_switches_choose_how_workers_start(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], method: str
) -> None:
    """The documented switches force the start method (a single-threaded parent forks)."""
    monkeypatch.delenv("CTMT_START_METHOD", raising=False)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert "fork" == _isolate._default_start_method()
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert method == _isolate._default_start_method()


def test_unknown_start_method_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTMT_START_METHOD", "thread")
    with pytest.raises(CtmtError, match="CTMT_START_METHOD"):
        map_isolated(echo, ["a"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks by default on Linux")
def test_forced_spawn_really_spawns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers started with spawn import this module afresh: they miss the parent's change."""
    monkeypatch.setattr(sys.modules[__name__], "MARKER", "changed here")
    assert ["changed here"] == [o.value for o in run(["marker"])]
    monkeypatch.setenv("CTMT_START_METHOD", "spawn")
    assert ["as imported"] == [o.value for o in run(["marker"])]


@pytest.mark.skipif(sys.platform == "win32", reason="rlimits are what Windows lacks")
def test_simulated_windows_watches_memory_instead_of_limiting_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no rlimits a growing worker is stopped by watching it, and only its item fails."""
    assert ["limited"] == [o.value for o in run(["rlimit"], memory_mb=1024)]
    monkeypatch.setenv("CTMT_SIMULATE_WINDOWS", "1")
    assert ["unlimited"] == [o.value for o in run(["rlimit"], memory_mb=1024)]
    outcomes = run(around("grow"), workers=2, memory_mb=200)
    failed = check_survivors(outcomes, around("grow"), "grow")
    assert failed.error == "Tệp cần quá nhiều bộ nhớ (hơn 200 MB) nên đã bị dừng"


def test_spawn_start_method_works_with_a_top_level_function() -> None:
    items = ["a", "raise", "abort", "b"]
    outcomes = run(items, workers=2, start_method="spawn")
    assert [o.ok for o in outcomes] == [True, False, False, True]


def test_per_item_overhead_is_well_under_a_millisecond() -> None:
    items = [str(i) for i in range(1000)]
    started = time.perf_counter()
    outcomes = list(map_isolated(echo, items, workers=2))
    per_item = (time.perf_counter() - started) / len(items)
    assert [o.value for o in outcomes] == items
    # Measured about 0.05 ms per item on a 2-core machine, worker start-up included.
    assert per_item < 0.001, f"{per_item * 1000:.3f} ms per item"


def test_error_texts_are_vietnamese() -> None:
    outcomes = run(["abort", "sleep"], workers=2, timeout=0.3)
    for outcome in outcomes:
        assert outcome.error is not None
        assert re.search(r"[ảạẽệổộờợừữ]|Đ|đ", outcome.error)


def test_worker_that_cannot_start_raises_instead_of_blaming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under spawn the child imports func's module; if it cannot, no file is at fault."""
    module = tmp_path / "vanishing_module.py"
    module.write_text("def work(item):\n    return item\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import vanishing_module  # type: ignore[import-not-found]

    module.unlink()  # the parent can still pickle the function by name; the child cannot import
    for cached in tmp_path.glob("__pycache__/*"):
        cached.unlink()
    try:
        with pytest.raises(CtmtError, match="Không khởi động được"):
            list(map_isolated(vanishing_module.work, ["a", "b"], start_method="spawn"))
    finally:
        sys.modules.pop("vanishing_module", None)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("bad", ["abort", "sleep"])
def test_items_waiting_behind_a_dying_item_are_read_by_the_next_worker(bad: str) -> None:
    """A worker holds its next item before it is done with this one: when it dies or is
    killed, what it held goes to its replacement, not lost and not blamed."""
    items = ["a", bad, "b", "c", "d"]
    outcomes = run(items, workers=1, timeout=0.5)
    check_survivors(outcomes, items, bad)


def test_answers_come_in_while_meanwhile_runs() -> None:
    received = threading.Event()

    def meanwhile() -> None:
        # Would time out if this process waited for meanwhile before taking answers in.
        assert received.wait(30), "no answer was taken in while meanwhile ran"

    outcomes = []
    for outcome in map_isolated(echo, [str(i) for i in range(40)], workers=2, meanwhile=meanwhile):
        received.set()
        outcomes.append(outcome)
    assert [o.value for o in outcomes] == [str(i) for i in range(40)]


def test_what_meanwhile_raises_reaches_the_caller_and_stops_the_workers() -> None:
    def meanwhile() -> None:
        raise RuntimeError("nhập mô-đun thất bại")

    with pytest.raises(RuntimeError, match="nhập mô-đun thất bại"):
        list(map_isolated(behave, ["a", "sleep", "b"], workers=2, meanwhile=meanwhile))
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


def test_answers_given_before_a_death_are_kept_and_only_the_killer_is_blamed() -> None:
    """The worker holds several items (while meanwhile runs); the caller is slow to come back,
    so the answers to "b" and "c" and the death on "abort" wait together."""
    items = ["a", "b", "c", "abort", "d"]
    outcomes = []
    results = map_isolated(behave, items, workers=1, meanwhile=lambda: time.sleep(0.3))
    for outcome in results:
        if not outcomes:
            time.sleep(1.0)  # b, c answered and abort died meanwhile
        outcomes.append(outcome)
    check_survivors(outcomes, items, "abort")


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_leave_nothing_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    """A worker writes no file where the program was started (no log, nor the data of a
    coverage run measuring it)."""
    monkeypatch.chdir(tmp_path)
    outcomes = run(["a", "b"], workers=2, start_method=method)
    assert [None, None] == [o.error for o in outcomes]
    assert [] == sorted(os.listdir(tmp_path))
