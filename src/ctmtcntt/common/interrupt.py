"""Stopping the ``ctmt`` program cleanly on Ctrl+C or a service's SIGTERM.

Python raises ``KeyboardInterrupt`` wherever the main thread happens to be, also inside the
import system's or logging's own callbacks, which swallow it ("Exception ignored in …") and may
leave a lock held that a thread importing pandas then waits on forever. So the program's
handler only takes note; the program stops at the points that call :func:`check` (the loop
that waits for the reading workers, before and after a command, before an output is renamed
into place), where nothing is half done, and the usual unwinding cleans up: workers stopped,
their logs and a half-written output removed. Should the program not reach such a point soon,
or a second signal come, it ends at once.

Only the program installs the handler (:func:`install`); the library called from another
program leaves that program's signals alone, and :func:`check` does nothing there.
"""

from __future__ import annotations

import os
import signal
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # imported for the annotations only: this module is imported first of all
    from types import FrameType

#: Exit code of a run that could not finish (``errors.EXIT_UNFINISHED``; this module is imported
#: before anything else of the package).
EXIT_UNFINISHED = 4
STOPPED = "Đã dừng."
# SIGBREAK: Ctrl+Break in a Windows console.
_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK")
# How long the program may take to reach a point where it stops cleanly.
_GRACE_S = 5.0

_requested = False


def requested() -> bool:
    """Whether the program was asked to stop."""
    return _requested


def check() -> None:
    """Raise ``KeyboardInterrupt`` when the program was asked to stop."""
    if _requested:
        raise KeyboardInterrupt


def say_stopped() -> None:
    """Say on stderr that the run was stopped (the caller exits with code 4)."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(STOPPED + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass


def _note(signum: int, frame: FrameType | None) -> None:
    global _requested
    if _requested:
        _now(signum, frame)
    _requested = True
    for name in (*_SIGNALS, "SIGALRM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _now)
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, _GRACE_S)


def _now(signum: int, frame: FrameType | None) -> None:
    say_stopped()
    os._exit(EXIT_UNFINISHED)


def install() -> None:
    """Take note of Ctrl+C, SIGTERM, SIGHUP (and Ctrl+Break) instead of raising where they land."""
    for name in _SIGNALS:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _note)
