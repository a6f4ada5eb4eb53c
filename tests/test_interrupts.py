"""The real ``ctmt`` program stopped from outside: Ctrl+C (SIGINT), a service stopping it
(SIGTERM), killed outright (SIGKILL), its stdout closed. Each ends with exit code 4 and a short
Vietnamese line, never a traceback, and leaves no temporary file behind: neither beside the
output nor in the temporary folder."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from builders import EXAMPLE

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="watches worker processes through /proc"
)

EXIT_UNFINISHED = 4
ROOT = Path(__file__).resolve().parents[1]


def _program() -> list[str]:
    """The installed ``ctmt`` entry point, else the same entry through ``python -m``."""
    script = Path(sys.executable).with_name("ctmt")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "ctmtcntt"]


@pytest.fixture
def setting(tmp_path: Path) -> dict[str, str]:
    """A private temporary folder (worker logs go there) and the source on the path."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "TMPDIR": str(temporary), "PYTHONPATH": path}


@pytest.fixture
def submissions(tmp_path: Path) -> Path:
    folder = Path(shutil.copytree(EXAMPLE, tmp_path / "nop"))
    return folder


@pytest.fixture
def output(tmp_path: Path) -> Path:
    """An earlier province workbook, which an interrupted run must leave as it was."""
    path = tmp_path / "ket qua" / "tinh.xlsx"
    path.parent.mkdir()
    path.write_bytes(b"earlier output")
    return path


def _start(args: Sequence[str], env: dict[str, str], **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [*_program(), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _wait_for_workers(process: subprocess.Popen[str]) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        workers = _children(process.pid)
        if workers:
            return workers
        time.sleep(0.01)
    raise AssertionError("the reading workers never started")


def _leftovers(env: dict[str, str], output: Path) -> list[str]:
    logs = sorted(os.listdir(env["TMPDIR"]))
    hidden = sorted(p.name for p in output.parent.iterdir() if p.name.startswith("."))
    return logs + hidden


def _gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.mark.parametrize("sent", ["SIGINT", "SIGTERM"])
def test_stopped_while_reading(
    sent: str, setting: dict[str, str], submissions: Path, output: Path
) -> None:
    """Stopped while the workers read: "Đã dừng.", exit 4, every worker and log gone, the
    earlier output as it was."""
    process = _start(["consolidate", str(submissions), "-o", str(output)], setting)
    workers = _wait_for_workers(process)
    process.send_signal(getattr(signal, sent))
    _, stderr = process.communicate(timeout=60)
    _gone(workers)
    assert (EXIT_UNFINISHED, "Đã dừng.") == (process.returncode, stderr.strip()), stderr
    assert b"earlier output" == output.read_bytes()
    assert [] == _leftovers(setting, output)


def test_stopped_while_the_output_is_written(
    setting: dict[str, str], submissions: Path, output: Path
) -> None:
    """SIGTERM once the hidden temporary output exists: it is removed, the earlier output
    stays, exit 4."""
    hook = (
        "import os, signal, sys\n"
        "import ctmtcntt.common.saving as writing\n"
        "real = writing._temporary\n"
        "def hooked(target):\n"
        "    name = real(target)\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    return name\n"
        "writing._temporary = hooked\n"
        "from ctmtcntt._entry import run\n"
        f"sys.argv = ['ctmt', 'consolidate', {str(submissions)!r}, '-o', {str(output)!r}]\n"
        "run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", hook], env=setting, capture_output=True, text=True, timeout=120
    )
    assert (EXIT_UNFINISHED, "Đã dừng.") == (done.returncode, done.stderr.strip()), done.stderr
    assert b"earlier output" == output.read_bytes()
    assert [] == _leftovers(setting, output)


def test_ctrl_c_while_the_command_line_is_imported(
    tmp_path: Path, setting: dict[str, str], submissions: Path
) -> None:
    """Ctrl+C at the very start (while click is being imported): no traceback, exit 4."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(
        "import os, signal, sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'click':\n"
        "            sys.meta_path.remove(self)\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Interrupt())\n"
    )
    env = {**setting, "PYTHONPATH": os.pathsep.join([str(hooks), setting["PYTHONPATH"]])}
    process = _start(["validate", str(submissions)], env)
    stdout, stderr = process.communicate(timeout=60)
    assert (EXIT_UNFINISHED, "Đã dừng.", "") == (process.returncode, stderr.strip(), stdout)


def test_a_killed_run_leaves_no_worker_log(
    setting: dict[str, str], submissions: Path, output: Path
) -> None:
    """Killed outright (SIGKILL: no clean-up can run), once its workers are at work: the
    temporary folder holds nothing of it, and its workers end."""
    process = _start(["consolidate", str(submissions), "-o", str(output)], setting)
    workers = _wait_for_workers(process)
    deadline = time.monotonic() + 5
    while os.listdir(setting["TMPDIR"]) and time.monotonic() < deadline:
        time.sleep(0.01)  # the logs' names go once the workers have them open
    process.kill()
    process.communicate(timeout=60)
    _gone(workers)
    assert [] == os.listdir(setting["TMPDIR"])
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def test_stdout_closed(setting: dict[str, str], submissions: Path, output: Path) -> None:
    """``ctmt … >&-``: said on stderr, exit 4, nothing done (no traceback)."""
    done = subprocess.run(
        [*_program(), "consolidate", str(submissions), "-o", str(output)],
        env=setting,
        stdout=None,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.close(1),
    )
    assert EXIT_UNFINISHED == done.returncode, done.stderr
    assert "đầu ra chuẩn (stdout) đã bị đóng" in done.stderr
    assert "Traceback" not in done.stderr
    assert b"earlier output" == output.read_bytes()


def test_stdout_closed_by_its_reader(setting: dict[str, str], submissions: Path) -> None:
    """The reader of stdout goes away (``ctmt … | head -0``): exit 4, no traceback."""
    process = _start(["validate", str(submissions), "--format", "json"], setting)
    assert process.stdout is not None
    process.stdout.close()
    _, stderr = process.communicate(timeout=120)
    assert EXIT_UNFINISHED == process.returncode, stderr
    assert "Traceback" not in stderr
    assert "không in hết được kết quả" in stderr
