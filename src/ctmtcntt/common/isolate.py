"""Run a function over many items in worker processes, so one bad item harms only itself.

Native spreadsheet readers do not fail politely on hostile files: python-calamine raises
``pyo3_runtime.PanicException`` (a ``BaseException``), and on a few files it aborts the whole
process or allocates without bound. Only a separate process with limits survives that.
:func:`map_isolated` keeps a handful of long-lived workers, feeds them one item at a time over
a pipe, and turns every failure of an item (exception, crash, timeout, memory blow-up) into an
:class:`Outcome` with a Vietnamese error, replacing a worker that died or overran.

Workers start with ``fork`` on Linux when the parent is single-threaded (cheapest), otherwise
with ``forkserver`` (Linux, threaded parent: forking threads can deadlock) or ``spawn``
(Windows, macOS). Under those two, ``func`` must be picklable, i.e. defined at the top level
of an importable module, and the main script needs the usual ``if __name__ == "__main__":``.

A worker's memory is bounded by ``RLIMIT_AS`` where the platform has rlimits; elsewhere
(Windows) this process watches each busy worker's resident memory (psutil) a few times a second
and stops the worker that grows past its allowance.

Two environment switches run the Windows code paths on any platform (the tests use them):

- ``CTMT_START_METHOD=spawn`` (or ``fork``, ``forkserver``) forces how workers start;
- ``CTMT_SIMULATE_WINDOWS=1`` behaves as on Windows: workers spawn (unless the first switch
  says otherwise) and their memory is watched, not limited by rlimits.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any, Final, Generic, Literal, TypeVar

from ..errors import CtmtError
from . import interrupt
from .numbers import vn_number as _vn

__all__ = ["DEFAULT_MAX_WORKERS", "Outcome", "map_isolated"]

T = TypeVar("T")

#: Upper bound of the default number of workers.
DEFAULT_MAX_WORKERS: Final = 4

_log = logging.getLogger(__name__)

StartMethod = Literal["fork", "forkserver", "spawn"]

#: Environment switches, see the module docstring.
START_METHOD_ENV: Final = "CTMT_START_METHOD"
SIMULATE_WINDOWS_ENV: Final = "CTMT_SIMULATE_WINDOWS"
# How often a watched worker's resident memory is looked at (no rlimits: Windows).
_WATCH_INTERVAL: Final = 0.05

# Marks in what a worker printed to stderr just before dying of an allocation failure.
_OOM_MARKS: Final = (
    "memory allocation of",  # Rust's default alloc error handler, then abort()
    "memoryerror",
    "cannot allocate memory",
    "out of memory",
    "bad_alloc",
)
_STDERR_EXCERPT: Final = 4096
# A worker's first message, before any job: it started and set its limits.
_READY: Final = (-1, True, None, False)
# How long a worker may take to start (spawn imports the caller's modules) before its first
# item's own timeout begins.
_START_ALLOWANCE: Final = 60.0
# Items a worker holds at once: the one it reads and the next, so that it goes on while this
# process takes in the last answer; more while ``meanwhile`` keeps this process busy.
_AHEAD: Final = 2
_AHEAD_MEANWHILE: Final = 8
# How long an interrupted run waits for ``meanwhile`` before going on stopping.
_HELPER_GRACE: Final = 1.0
# How often the wait for answers looks whether the program was asked to stop.
_INTERRUPT_POLL: Final = 0.2


@dataclass(frozen=True, kw_only=True)
class Outcome(Generic[T]):
    """The result of one item: ``value`` when ``error`` is None, else a Vietnamese ``error``.

    Test ``ok`` (or ``error is None``), not ``value``: ``func`` may legitimately return None.
    """

    item: str
    value: T | None
    error: str | None
    #: Why the worker gave no answer, when it did not: "timeout", "memory" or "crash"
    #: (None for an answer, or an error the worker itself returned).
    cause: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _msg_crash(exitcode: int | None) -> str:
    detail = ""
    if exitcode is not None and exitcode < 0:
        try:
            detail = f"; {signal.Signals(-exitcode).name}"
        except ValueError:
            detail = f"; tín hiệu {-exitcode}"
    elif exitcode:
        detail = f"; mã thoát {exitcode}"
    return f"Trình đọc bị dừng khi mở tệp này (tệp có thể bị hỏng{detail})"


def _msg_timeout(timeout: float) -> str:
    seconds = f"{timeout:g}".replace(".", ",")  # Vietnamese decimal comma
    return f"Đọc tệp quá {seconds} giây nên đã bị dừng (tệp quá lớn hoặc bị hỏng)"


def _msg_memory(memory_mb: int) -> str:
    return f"Tệp cần quá nhiều bộ nhớ (hơn {_vn(memory_mb)} MB) nên đã bị dừng"


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, Exception):
        # The caller's own exceptions usually carry a message meant for staff: keep it as is.
        return text or type(exc).__name__
    # PanicException and friends: a reader bug, not something staff can act on by its text.
    return f"Trình đọc gặp lỗi nội bộ ({type(exc).__name__}): {text}".rstrip(": ")


# --- worker side --------------------------------------------------------------------------------


def _simulating_windows() -> bool:
    return os.environ.get(SIMULATE_WINDOWS_ENV, "").strip() not in ("", "0")


def _has_rlimits() -> bool:
    """Whether workers can bound their own memory (``resource``); else the parent watches."""
    if _simulating_windows():
        return False
    try:
        import resource  # noqa: F401
    except ImportError:  # Windows
        return False
    return True


def _limit_memory(extra_bytes: int) -> None:
    """Cap the address space at the current size plus ``extra_bytes`` and turn off core
    dumps, where the platform has rlimits (elsewhere the parent watches the worker)."""
    if not _has_rlimits():
        return
    import resource

    baseline = 0
    # A forked worker already maps everything the parent mapped; count only what is new.
    with contextlib.suppress(OSError, ValueError, IndexError), open("/proc/self/statm") as statm:
        baseline = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = baseline + extra_bytes
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    with contextlib.suppress(ValueError, OSError):
        # A reader aborting on a hostile file must not leave a 1.5 GB core file behind.
        _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))


def _worker_main(
    conn: Connection,
    func: Callable[[str], Any],
    extra_bytes: int,
    stderr_path: str | None,
    close_fds: tuple[int, ...],
) -> None:
    """Serve ``(index, item)`` jobs until told to stop (None) or the parent goes away."""
    _detach(close_fds)
    redirected = stderr_path is not None and _redirect_stderr(stderr_path)
    # Nobody reads a worker's backtraces, and symbolising one takes seconds per panic.
    os.environ["RUST_BACKTRACE"] = "0"
    # What the worker inherited stays as it is: collections walk only its own objects (and do
    # not copy the parent's pages by touching them), also when the parent paused collecting.
    gc.freeze()
    gc.enable()
    _limit_memory(extra_bytes)
    try:
        # Tells the parent that a later death is the item's doing, not a failed start.
        conn.send(_READY)
    except (OSError, EOFError):
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        if redirected:
            with contextlib.suppress(OSError):
                os.ftruncate(2, 0)
        if not _serve(conn, func, *job):
            return


def _detach(close_fds: tuple[int, ...]) -> None:
    """Close what a fork inherited and leave the parent's signal handling to the parent."""
    for fd in close_fds:
        # Inherited by fork: our own and siblings' parent ends would hide the parent's exit.
        with contextlib.suppress(OSError):
            os.close(fd)
    with contextlib.suppress(ValueError, OSError):
        # Ctrl-C reaches the whole process group; the parent stops us in its own time.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        # A forked worker inherits the parent's handlers (``ctmt`` unwinds on these): a worker
        # told to stop just ends.
        with contextlib.suppress(ValueError, OSError, AttributeError):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _redirect_stderr(stderr_path: str) -> bool:
    """Readers print panics and warnings to fd 2: keep them out of the console and keep the
    last words of a crash for the parent to classify. Whether fd 2 now goes to the log."""
    try:
        fd = os.open(stderr_path, os.O_WRONLY | os.O_APPEND)
        os.dup2(fd, 2)
        os.close(fd)
    except OSError:
        return False
    if faulthandler.is_enabled():
        # An inherited handler (pytest enables one) writes to its own copy of the console,
        # and sys.stderr may be a capture file (pytest's) rather than fd 2: name the fd.
        with contextlib.suppress(Exception):
            faulthandler.enable(file=2)
    return True


def _serve(conn: Connection, func: Callable[[str], Any], index: int, item: str) -> bool:
    """Work out one item and send the answer; False when the worker should end."""
    retire = False
    try:
        reply: tuple[int, bool, Any, bool] = (index, True, func(item), False)
    except MemoryError:
        # The heap may be left fragmented or half-freed: finish with a fresh worker.
        reply = (index, False, None, True)
        retire = True
    except BaseException as exc:  # panics are BaseException: report them and carry on
        reply = (index, False, _describe(exc), False)
    try:
        conn.send(reply)
    except (OSError, EOFError):
        return False
    except BaseException as exc:  # an unpicklable or too large result
        retire = isinstance(exc, MemoryError)
        try:
            conn.send((index, False, f"Không gửi được kết quả về: {_describe(exc)}", retire))
        except BaseException:
            return False
    return not retire


# --- parent side --------------------------------------------------------------------------------


class _Worker:
    __slots__ = ("conn", "deadline", "process", "queue", "ready", "stderr_fd", "stderr_path")

    def __init__(
        self, process: BaseProcess, conn: Connection, stderr_fd: int, stderr_path: str | None
    ) -> None:
        self.process = process
        self.conn = conn
        # The worker's stderr file, read through this process's own descriptor: its name is
        # removed as soon as the worker has opened it, so that no run, even one killed outright,
        # leaves a log file behind in the temporary folder.
        self.stderr_fd = stderr_fd
        self.stderr_path = stderr_path
        # Items sent and not yet answered, in the order the worker takes them: the first is
        # the one it is working on, the others wait in the pipe so it never idles between two.
        self.queue: deque[int] = deque()
        self.deadline = 0.0
        self.ready = False

    @property
    def index(self) -> int | None:
        """The item the worker is working on, None when it has none."""
        return self.queue[0] if self.queue else None

    def last_words(self) -> str:
        """What the worker printed to stderr during its current item (start and end)."""
        if self.stderr_fd < 0:
            return ""
        try:
            os.lseek(self.stderr_fd, 0, os.SEEK_SET)
            head = os.read(self.stderr_fd, _STDERR_EXCERPT)
            size = os.lseek(self.stderr_fd, 0, os.SEEK_END)
            os.lseek(self.stderr_fd, max(len(head), size - _STDERR_EXCERPT), os.SEEK_SET)
            tail = os.read(self.stderr_fd, _STDERR_EXCERPT)
        except OSError:
            return ""
        return (head + (b"\n...\n" if tail else b"") + tail).decode("utf-8", "replace")

    def stop(self, *, kill: bool) -> None:
        if kill:
            with contextlib.suppress(Exception):
                self.process.kill()
        else:
            with contextlib.suppress(Exception):
                self.conn.send(None)
        with contextlib.suppress(Exception):
            self.conn.close()

    def reap(self, grace: float) -> None:
        self.process.join(grace)
        if self.process.exitcode is None:
            with contextlib.suppress(Exception):
                self.process.kill()
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.process.close()
        if self.stderr_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.stderr_fd)
            self.stderr_fd = -1
        self.forget_log()

    def forget_log(self) -> None:
        """Remove the log's name (the descriptors keep the file while they are open)."""
        if self.stderr_path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.stderr_path)
                self.stderr_path = None


def _default_start_method() -> StartMethod:
    methods = multiprocessing.get_all_start_methods()
    forced = os.environ.get(START_METHOD_ENV, "").strip()
    if forced:
        if forced not in methods:
            raise CtmtError(
                f"Biến môi trường {START_METHOD_ENV}={forced!r} không hợp lệ: trên máy này chỉ"
                f" dùng được {', '.join(methods)}."
            )
        return forced  # type: ignore[return-value]
    if _simulating_windows():
        return "spawn"
    if sys.platform.startswith("linux") and "fork" in methods:
        # Forking a multi-threaded parent can deadlock the child on a lock some thread held.
        if threading.active_count() == 1:
            return "fork"
        if "forkserver" in methods:
            return "forkserver"
    return "spawn"


def map_isolated(
    func: Callable[[str], T],
    items: Sequence[str],
    *,
    workers: int | None = None,
    timeout: float = 30.0,
    memory_mb: int = 1536,
    start_method: StartMethod | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[Outcome[T]]:
    """Apply ``func`` to every item in worker processes; yield one Outcome per item, in input order.

    - ``workers``: number of worker processes, default ``min(os.cpu_count(), len(items), 4)``.
      Never fewer than one: even a single item runs in a child process, since a native reader
      may abort the process it runs in.
    - ``timeout``: seconds one item may take; the worker is then killed and replaced.
    - ``memory_mb``: address space one worker may add to what it had when it started
      (``RLIMIT_AS``; on Windows, where ``resource`` does not exist, its resident memory is
      watched instead and the worker is stopped once it grows past that much).
    - ``start_method``: override the choice described in the module docstring.
    - ``meanwhile``: called once, in a thread of this process, as soon as the workers have their
      first items, for work of the caller's own to overlap with theirs (importing what comes
      next) while answers keep coming in; what it raises propagates once it is done, after the
      outcomes received so far. Workers are replaced (forked) only after it returns.

    A worker that dies on an item (abort, segfault, allocation failure, ``os._exit``) or overruns
    the timeout is replaced and only that item gets an error. An exception raised by ``func``,
    including ``BaseException`` such as pyo3's ``PanicException`` or ``SystemExit``, becomes that
    item's error (its text, unchanged for ``Exception``) and the worker carries on. Results
    travel back pickled. Outcomes are buffered so that they come out in input order while the
    workers run ahead. Closing the iterator early, or an exception in the caller (Ctrl-C), stops
    all workers.
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")
    if memory_mb <= 0:
        raise ValueError(f"memory_mb must be positive, got {memory_mb!r}")
    items = list(items)
    if not items:
        return iter(())
    count = workers if workers is not None else min(os.cpu_count() or 1, DEFAULT_MAX_WORKERS)
    count = max(1, min(count, len(items)))
    ctx = multiprocessing.get_context(start_method or _default_start_method())
    watch = None if _has_rlimits() else _MemoryWatch(memory_mb * 1024 * 1024)
    return _run(func, items, count, timeout, memory_mb, ctx, meanwhile, watch)


class _MemoryWatch:
    """Where rlimits do not exist (Windows): the resident memory of each worker, looked at
    from this process, against what it had when it became ready plus the allowance."""

    def __init__(self, extra_bytes: int) -> None:
        import psutil

        self._psutil = psutil
        self.extra_bytes = extra_bytes
        self._limits: dict[int, tuple[Any, int]] = {}  # pid -> (psutil.Process, limit)

    def _rss(self, process: Any) -> int:
        try:
            return int(process.memory_info().rss)
        except (self._psutil.Error, OSError):  # gone, or not ours to look at
            return 0

    def ready(self, pid: int | None) -> None:
        """The worker is ready: what it holds now is its baseline."""
        if pid is None:
            return
        try:
            process = self._psutil.Process(pid)
        except (self._psutil.Error, OSError):
            return
        self._limits[pid] = (process, self._rss(process) + self.extra_bytes)

    def over(self, pid: int | None) -> bool:
        """Whether the worker holds more than its baseline plus the allowance."""
        watched = self._limits.get(pid) if pid is not None else None
        return watched is not None and self._rss(watched[0]) > watched[1]

    def forget(self, pid: int | None) -> None:
        if pid is not None:
            self._limits.pop(pid, None)


class _Helper:
    """The caller's ``meanwhile`` work, run in a thread of this process while the workers read.

    What it raises is kept and raised in the caller's thread by :meth:`settle`.
    """

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._failed: list[BaseException] = []

    @property
    def running(self) -> bool:
        """Whether the work was started and not yet joined."""
        return self._thread is not None

    def begin(self, task: Callable[[], object]) -> None:
        def run() -> None:
            try:
                task()
            except BaseException as exc:  # raised in the caller's thread by settle()
                self._failed.append(exc)

        self._thread = threading.Thread(target=run, name="ctmtcntt-meanwhile", daemon=True)
        self._thread.start()

    def settle(self, *, wait_for_it: bool) -> None:
        """Join the thread once it is done (or now), and raise what the work raised."""
        if self._thread is not None and (wait_for_it or not self._thread.is_alive()):
            self._thread.join()
            self._thread = None
        if self._failed:
            raise self._failed.pop()

    def abandon(self) -> None:
        """Interrupted or failed: the work is no longer wanted, and it may wait on a lock the
        interruption left held; do not wait for it long."""
        if self._thread is not None:
            self._thread.join(_HELPER_GRACE)
            self._thread = None

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()


class _Pool(Generic[T]):
    """The workers of one :func:`map_isolated` run, the items they hold and the answers in."""

    def __init__(
        self,
        func: Callable[[str], T],
        items: list[str],
        timeout: float,
        memory_mb: int,
        ctx: BaseContext,
        watch: _MemoryWatch | None,
    ) -> None:
        self.func = func
        self.items = items
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.ctx = ctx
        self.watch = watch
        self.forking = ctx.get_start_method() == "fork"
        self.workers: list[_Worker] = []
        self.done: dict[int, Outcome[T]] = {}
        self.todo: deque[int] = deque(range(len(items)))
        self.helper = _Helper()

    # --- workers come and go -------------------------------------------------------------------

    def start(self) -> _Worker:
        if self.forking:
            # Forking while the helper imports could leave the child waiting on an import
            # lock the helper held: let it finish first (this happens only on replacements).
            self.helper.settle(wait_for_it=True)
        parent_end, child_end = self.ctx.Pipe()
        fd, stderr_path = tempfile.mkstemp(prefix="ctmtcntt-worker-", suffix=".log")
        close_fds = self._fds_to_close(parent_end, fd) if self.forking else ()
        for stream in (sys.stdout, sys.stderr):
            # A forked child would flush the parent's pending output a second time.
            with contextlib.suppress(Exception):
                stream.flush()
        process = self.ctx.Process(  # type: ignore[attr-defined]
            target=_worker_main,
            args=(child_end, self.func, self.memory_mb * 1024 * 1024, stderr_path, close_fds),
            name="ctmtcntt-isolate",
            daemon=True,
        )
        try:
            process.start()
        except BaseException:
            parent_end.close()
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(stderr_path)
            raise
        finally:
            child_end.close()
        return _Worker(process, parent_end, fd, stderr_path)

    def _fds_to_close(self, parent_end: Connection, fd: int) -> tuple[int, ...]:
        """What a forked child inherits and must close: this end and the siblings' ends."""
        return (
            parent_end.fileno(),
            fd,
            *(w.conn.fileno() for w in self.workers if not w.conn.closed),
            *(w.stderr_fd for w in self.workers if w.stderr_fd >= 0),
        )

    def replace(self, worker: _Worker, *, kill: bool) -> None:
        # What the worker held beyond its current item goes to the others, in its turn.
        self.todo.extendleft(reversed(worker.queue))
        worker.queue.clear()
        if self.watch is not None:
            self.watch.forget(worker.process.pid)
        worker.stop(kill=kill)
        worker.reap(0.0 if kill else 1.0)
        self.workers.remove(worker)
        if self.todo:
            self.workers.append(self.start())

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop(kill=bool(worker.queue))
        for worker in self.workers:
            worker.reap(1.0)

    # --- answers ---------------------------------------------------------------------------------

    def finish(self, worker: _Worker, outcome: Outcome[T]) -> None:
        index = worker.queue.popleft()
        self.done[index] = outcome
        if worker.queue:
            worker.deadline = time.monotonic() + self.timeout  # the next item starts now

    def fail(self, worker: _Worker, error: str, cause: str | None = None) -> None:
        """The worker's current item ends with an error."""
        item = self.items[worker.queue[0]]
        self.finish(worker, Outcome(item=item, value=None, error=error, cause=cause))

    def died(self, worker: _Worker) -> None:
        worker.process.join(1.0)
        exitcode = worker.process.exitcode
        if not worker.ready:
            _log.error("worker failed to start (exit %s): %s", exitcode, worker.last_words())
            raise CtmtError(
                f"Không khởi động được tiến trình đọc tệp (mã thoát {exitcode}); với cách khởi"
                " động spawn/forkserver, hàm xử lý phải định nghĩa ở cấp mô-đun."
            )
        if worker.index is not None:
            words = worker.last_words()
            _log.debug("worker died on %r (exit %s): %s", self.items[worker.index], exitcode, words)
            lowered = words.lower()
            out_of_memory = exitcode == -getattr(signal, "SIGKILL", 9) or any(
                mark in lowered for mark in _OOM_MARKS
            )
            if out_of_memory:
                self.fail(worker, _msg_memory(self.memory_mb), "memory")
            else:
                self.fail(worker, _msg_crash(exitcode), "crash")
        self.replace(worker, kill=True)

    def take(self, worker: _Worker) -> bool:
        """Take in every answer waiting from a worker, in order; False once it is replaced.

        All of them, before its death is judged: a worker that answered two items and died on
        a third has both answers in the pipe, and only the third is to blame.
        """
        while worker.queue:
            try:
                if not worker.conn.poll():
                    return True
                index, ok, payload, retire = worker.conn.recv()
            except (EOFError, OSError):
                self.died(worker)
                return False
            except Exception as exc:  # the result itself could not be unpickled
                self.fail(worker, f"Không nhận được kết quả: {_describe(exc)}")
                continue
            if index < 0:
                self._ready(worker)
                continue
            item = self.items[index]
            if ok:
                outcome: Outcome[T] = Outcome(item=item, value=payload, error=None)
            elif payload is not None:
                outcome = Outcome(item=item, value=None, error=payload)
            else:
                outcome = Outcome(
                    item=item, value=None, error=_msg_memory(self.memory_mb), cause="memory"
                )
            self.finish(worker, outcome)
            if retire:
                self.replace(worker, kill=False)
                return False
        return True

    def _ready(self, worker: _Worker) -> None:
        worker.ready = True
        if self.watch is not None:
            self.watch.ready(worker.process.pid)
        worker.forget_log()  # the worker has its log open: the name can go
        worker.deadline = time.monotonic() + self.timeout  # the item starts now

    # --- one turn of the loop ------------------------------------------------------------------

    def dispatch(self, ahead: int) -> None:
        for worker in self.workers:
            while len(worker.queue) < ahead and self.todo:
                index = self.todo.popleft()
                if not worker.queue:
                    allowance = (
                        self.timeout if worker.ready else max(self.timeout, _START_ALLOWANCE)
                    )
                    worker.deadline = time.monotonic() + allowance
                worker.queue.append(index)
                # A dead worker fails the send; its sentinel reports it below.
                with contextlib.suppress(OSError):
                    worker.conn.send((index, self.items[index]))

    def turn(self) -> None:
        """Hand out items, wait a little for answers, take them in, stop what overran."""
        self.helper.settle(wait_for_it=False)
        # While the helper holds this process, answers come in late: hand out more.
        ahead = _AHEAD_MEANWHILE if self.helper.running else _AHEAD
        self.dispatch(ahead)
        busy = [w for w in self.workers if w.queue]
        wait_for = max(0.0, min(w.deadline for w in busy) - time.monotonic())
        if self.watch is not None:
            wait_for = min(wait_for, _WATCH_INTERVAL)
        # Ctrl-C in the ``ctmt`` program is noted, not raised: look at it now and then.
        wait_for = min(wait_for, _INTERRUPT_POLL)
        waited = [w.conn for w in busy] + [w.process.sentinel for w in self.workers]
        ready = set(wait(waited, wait_for))
        now = time.monotonic()
        for worker in list(self.workers):
            if worker.conn in ready or worker.process.sentinel in ready:
                if not self.take(worker):
                    continue  # it died or retired, and is replaced
                if worker.process.sentinel in ready:
                    # Every answer it gave is taken in: what it held first killed it.
                    self.died(worker)
                    continue
            self._enforce_limits(worker, now)
        interrupt.check()
        # Free workers get their next item before the caller spends time on the answers.
        self.dispatch(ahead)

    def _enforce_limits(self, worker: _Worker, now: float) -> None:
        if worker.queue and now >= worker.deadline:
            if not worker.ready:
                raise CtmtError(
                    "Tiến trình đọc tệp không khởi động được sau"
                    f" {_vn(round(_START_ALLOWANCE))} giây."
                )
            self.fail(worker, _msg_timeout(self.timeout), "timeout")
            self.replace(worker, kill=True)
        elif self.watch is not None and worker.queue and self.watch.over(worker.process.pid):
            self.fail(worker, _msg_memory(self.memory_mb), "memory")
            self.replace(worker, kill=True)


def _run(
    func: Callable[[str], T],
    items: list[str],
    count: int,
    timeout: float,
    memory_mb: int,
    ctx: BaseContext,
    meanwhile: Callable[[], object] | None = None,
    watch: _MemoryWatch | None = None,
) -> Iterator[Outcome[T]]:
    pool = _Pool(func, items, timeout, memory_mb, ctx, watch)
    next_out = 0
    try:
        for _ in range(count):
            pool.workers.append(pool.start())
        if meanwhile is not None:
            pool.helper.begin(meanwhile)
        while next_out < len(items):
            pool.turn()
            while next_out in pool.done:
                yield pool.done.pop(next_out)
                next_out += 1
        pool.helper.settle(wait_for_it=True)
    except BaseException:
        pool.helper.abandon()
        raise
    finally:
        pool.helper.join()
        pool.stop_all()
