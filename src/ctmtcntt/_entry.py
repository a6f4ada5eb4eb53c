"""The ``ctmt`` program's first steps: interruptions and standard streams, before any import.

Imported first and importing nothing heavy, so that Ctrl+C while the command line itself is
being imported ends in "Đã dừng." and exit code 4 too, never in a traceback (see
common/interrupt.py).
"""

from __future__ import annotations

import contextlib
import os
import sys

from .common import interrupt

_STDOUT_CLOSED = (
    "Lỗi: đầu ra chuẩn (stdout) đã bị đóng nên không in được kết quả; chưa làm gì. Hãy chạy lại"
    " và chuyển kết quả vào một tệp (> ket-qua.txt) hoặc bỏ đi (> /dev/null, trên Windows > NUL)."
)


def run() -> None:
    """The ``ctmt`` program."""
    try:
        interrupt.install()
        if sys.stdout is None:
            # Started with stdout closed (``ctmt … >&-``): every result would be lost.
            with contextlib.suppress(Exception):
                print(_STDOUT_CLOSED, file=sys.stderr, flush=True)
            os._exit(interrupt.EXIT_UNFINISHED)
        from .cli import run as command_line

        interrupt.check()
        command_line()
    except KeyboardInterrupt:
        interrupt.say_stopped()
        os._exit(interrupt.EXIT_UNFINISHED)
