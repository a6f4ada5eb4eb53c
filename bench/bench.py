#!/usr/bin/env python3
"""Benchmark: consolidate N unit workbooks end to end, against a plain loop and the floor.

    python bench/bench.py [--units 1000] [--keep DIR] [--repeat 1] [--validate-repeat 5]

From one run it prints:

- ours: ``python -m ctmtcntt consolidate DIR -o OUT.xlsx`` as a subprocess, as staff run it
  (interpreter start, imports, isolated reading, validation, adding up, the province workbook);
- plain: the loop a capable analyst writes, ``pd.read_excel(f, sheet_name=None,
  engine="openpyxl")`` over every file, summing the numbers (a subprocess too);
- floor: only unzipping the same files and parsing their sheets' XML (ElementTree, one process);
- peak memory of ours: the largest single process (``ru_maxrss``) and the whole process tree
  (the main process and its reading workers, sampled from /proc every 20 ms);
- ``python -m ctmtcntt validate ONE.xlsx`` against a bare ``python -c "import pandas, pandera"``
  (medians of ``--validate-repeat`` runs, taken in turns);
- the ratios against the targets, and the load average: other work on the machine slows ours
  (two processes reading at once) more than the one-process plain loop and floor.

The N workbooks are copies of the Bình Định example's unit files (``examples/binh-dinh-2020``):
each gets its own unit name on the "Đơn vị báo cáo:" line of every sheet and its numbers (typed
as numbers or as Vietnamese text) times a whole factor, which keeps every check true (b ≤ a,
totals = sums of their sources), so every file is valid and every unit distinct. File 0 is the
province-wide unit (TINH), which alone fills the (*) rows. A ``roster.csv`` lists them all, as
a province's folder holds one, each at the level of the unit it was copied from; a district's
copy keeps its figures (factor 1), since its rows 9 and 10 may not pass its roster target.
The sources run are ``src/`` of this checkout (``--src``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import fromstring
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "binh-dinh-2020"
PROVINCE_SEED = "TINH - So TTTT.xlsx"
PROVINCE_LINE = "TINH,Sở Thông tin và Truyền thông (số liệu chung toàn tỉnh),tinh,52,"

TARGET_PLAIN = 10.0  # at least this many times faster than the plain loop
TARGET_FLOOR = 3.0  # within this multiple of the floor
TARGET_IMPORT = 1.3  # one workbook validated within this multiple of importing pandas + pandera

_UNIT_LINE = re.compile("(Đơn vị báo cáo:)[^<]*".encode())
# A number cell (no type or t="n") and its value; column A (STT) is left alone.
_NUMBER = re.compile(rb'(<c r="[B-Z][A-Z]?[0-9]+"(?: s="[0-9]+")?(?: t="n")?>)<v>([^<]+)</v>')
# A whole number typed as Vietnamese text ("62.640", stray spaces kept), columns D onwards.
_TEXT_NUMBER = re.compile(
    '(<c r="[D-Z][A-Z]?[0-9]+"[^>]*t="inlineStr"[^>]*><is><t[^>]*>)'
    "([\\s\u00a0]*)([0-9]{1,3}(?:\\.[0-9]{3})*)([\\s\u00a0]*)(</t>)".encode()
)
_PLACES = (
    "An Bình Cát Chánh Đại Đông Đức Hải Hành Hòa Hoài Hưng Khánh Lâm Lộc Long Minh Mỹ Nghĩa Nhơn"
    " Phong Phú Phước Quang Sơn Tài Tam Tân Thạnh Thành Thắng Thịnh Thọ Thuận Tiến Trung Trường"
    " Tường Văn Vinh Xuân Yên Bắc Nam Tây Định Hội Lợi Lương"
)

# --- generating the folder ----------------------------------------------------------------------


def unit_names(count: int) -> list[str]:
    """Distinct commune-level names: "UBND xã An Bình", "UBND phường An Cát", ..."""
    words = _PLACES.split(" ")
    pairs = [f"{a} {b}" for i, a in enumerate(words) for b in words[i + 1 :]]
    kinds = ("UBND xã", "UBND phường", "UBND thị trấn")
    names = []
    for index in range(count):
        suffix = f" {index // len(pairs) + 1}" if index >= len(pairs) else ""
        names.append(f"{kinds[index % len(kinds)]} {pairs[index % len(pairs)]}{suffix}")
    return names


def _times_number(factor: int) -> Callable[[re.Match[bytes]], bytes]:
    def replace(match: re.Match[bytes]) -> bytes:
        try:
            number = float(match.group(2)) * factor
        except ValueError:
            return match.group(0)
        text = repr(int(number)) if number.is_integer() else repr(number)
        return match.group(1) + b"<v>" + text.encode() + b"</v>"

    return replace


def _times_text(factor: int) -> Callable[[re.Match[bytes]], bytes]:
    def replace(match: re.Match[bytes]) -> bytes:
        number = int(match.group(3).replace(b".", b"")) * factor
        grouped = f"{number:,}".replace(",", ".").encode()
        return match.group(1) + match.group(2) + grouped + match.group(4) + match.group(5)

    return replace


@dataclass(frozen=True)
class Seed:
    name: str
    infos: list[zipfile.ZipInfo]
    members: dict[str, bytes]


def seeds() -> list[Seed]:
    """The example's single-file unit workbooks, unzipped, the province-wide one first."""
    paths = sorted(EXAMPLE.glob("*.xlsx"), key=lambda p: (p.name != PROVINCE_SEED, p.name))
    found = []
    for path in paths:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            found.append(Seed(path.name, infos, {i.filename: zf.read(i) for i in infos}))
    return found


def _patched(seed: Seed, member: str, name: str | None, factor: int) -> bytes:
    data = seed.members[member]
    sheet = member.startswith("xl/worksheets/")
    if name is not None and (sheet or member.endswith("sharedStrings.xml")):
        line = b" " + escape(name).encode()
        data = _UNIT_LINE.sub(lambda m: m.group(1) + line, data)
    if factor != 1 and sheet:
        data = _NUMBER.sub(_times_number(factor), data)
        data = _TEXT_NUMBER.sub(_times_text(factor), data)
    return data


def generate(folder: Path, count: int) -> Path:
    """Write ``count`` unit workbooks and their roster.csv into ``folder``; return one of them."""
    folder.mkdir(parents=True, exist_ok=True)
    pool = seeds()
    names = unit_names(count)
    roster = ["code,name,level,ma_dvhc,communes"]
    with (EXAMPLE / "roster.csv").open(encoding="utf-8", newline="") as source:
        levels = {row["code"]: (row["level"], row["communes"]) for row in csv.DictReader(source)}
    written = []
    for index in range(count):
        if index == 0:
            seed, code, name, factor = pool[0], "TINH", None, 1
            roster.append(PROVINCE_LINE)
        else:
            seed, code = pool[1 + (index - 1) % (len(pool) - 1)], f"X{index:04d}"
            # The level of the unit the copy comes from, so that its rows are its to report; a
            # district keeps its figures (row 9 is at most 1, row 10 at most its communes).
            level, communes = levels.get(seed.name.split(" ")[0], ("so", ""))
            name, factor = names[index - 1], 1 if level == "huyen" else 1 + index % 5
            roster.append(f"{code},{name},{level},,{communes}")
        target = folder / f"{code} - {seed.name}"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
            for info in seed.infos:
                data = _patched(seed, info.filename, name, factor)
                out.writestr(info, data, zipfile.ZIP_DEFLATED)
        written.append(target)
    (folder / "roster.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
    return written[1] if count > 1 else written[0]


# --- measuring ----------------------------------------------------------------------------------

# Runs a command and times it from inside (the runner's own start-up is not counted); samples the
# memory of the command's whole process tree. Prints one JSON object.
_RUNNER = r"""
import json, os, resource, subprocess, sys, threading, time

def tree_rss(root):
    children, page = {}, os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append((int(entry), int(fields[21])))
            except (OSError, IndexError, ValueError):
                pass
    total, todo = 0, [root]
    while todo:
        for child, rss in children.get(todo.pop(), ()):
            total += rss * page
            todo.append(child)
    try:
        with open(f"/proc/{root}/stat", "rb") as f:
            total += int(f.read().rsplit(b")", 1)[1].split()[21]) * page
    except (OSError, IndexError, ValueError):
        pass
    return total

command, sample = json.loads(sys.argv[1]), sys.argv[2] == "1"
peak, stop = [0], threading.Event()
start = time.perf_counter()
proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
def sampler():
    while not stop.wait(0.02):
        peak[0] = max(peak[0], tree_rss(proc.pid))
if sample and os.path.isdir("/proc"):
    threading.Thread(target=sampler, daemon=True).start()
out, err = proc.communicate()
seconds = time.perf_counter() - start
stop.set()
print(json.dumps({
    "seconds": seconds,
    "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    "tree_kb": peak[0] // 1024,
    "returncode": proc.returncode,
    "stdout": out.decode("utf-8", "replace")[-2000:],
    "stderr": err.decode("utf-8", "replace")[-2000:],
}))
"""

_PLAIN = r"""
import sys
from pathlib import Path
import pandas as pd

total = 0.0
files = sorted(p for p in Path(sys.argv[1]).iterdir() if p.suffix == ".xlsx")
for f in files:
    for frame in pd.read_excel(f, sheet_name=None, engine="openpyxl").values():
        total += pd.to_numeric(frame.stack(), errors="coerce").sum()
print(len(files), total)
"""


@dataclass(frozen=True)
class Run:
    seconds: float
    maxrss_kb: int
    tree_kb: int
    returncode: int
    stdout: str
    stderr: str


def run(command: list[str], source: Path, *, sample: bool = False) -> Run:
    """Run ``command`` once with ``source`` on PYTHONPATH: wall time, peak memory, output."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, json.dumps(command), "1" if sample else "0"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return Run(**json.loads(done.stdout))


def floor(folder: Path) -> float:
    """Seconds to unzip every workbook and parse its sheets' XML and shared strings."""
    files = sorted(folder.glob("*.xlsx"))
    start = time.perf_counter()
    for path in files:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                    fromstring(zf.read(name))
    return time.perf_counter() - start


def machine() -> str:
    """CPUs, CPU model, memory, Python and system, as the README shows them."""
    cpu, ram = platform.processor() or "?", "?"
    try:
        models = [
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = models[0] if models else cpu
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPU ({cpu}), {ram} RAM, Python {platform.python_version()},"
        f" {platform.system()} {platform.release()}"
    )


def load() -> str:
    """The load average (1, 5, 15 minutes)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1000, help="unit workbooks to generate")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--repeat", type=int, default=1, help="runs of ours and floor (median)")
    parser.add_argument("--validate-repeat", type=int, default=5, help="runs of validate, import")
    parser.add_argument("--skip-plain", action="store_true", help="leave the plain loop out")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="ctmtcntt sources to run")
    args = parser.parse_args()
    source = args.src.resolve()
    python = sys.executable

    work = Path(tempfile.mkdtemp(prefix="ctmt-bench-"))
    folder = args.keep or work / "units"
    if folder.exists():
        shutil.rmtree(folder)
    try:
        started = time.perf_counter()
        one = generate(folder, args.units)
        print(f"machine: {machine()}")
        print(f"sources: {source}")
        took = time.perf_counter() - started
        print(f"generated {args.units} workbooks in {took:.1f} s: {folder}")
        print(f"load average before: {load()}")
        output = work / "tinh.xlsx"

        ours_runs = []
        command = [python, "-m", "ctmtcntt", "consolidate", str(folder), "-o", str(output)]
        for _ in range(args.repeat):
            output.unlink(missing_ok=True)
            ours_runs.append(run(command, source))
        # Memory from one more run: sampling the process tree every 20 ms takes CPU that the
        # timed runs should not share with the workers.
        output.unlink(missing_ok=True)
        sampled = run(command, source, sample=True)
        last = sampled
        if last.returncode not in (0, 1) or not output.exists():
            print(f"consolidate failed ({last.returncode}): {last.stderr}", file=sys.stderr)
            return 1
        said = [line for line in last.stdout.splitlines() if line.startswith(("Đơn vị", "Kiểm"))]
        print("ours said: " + " / ".join(said))
        ours = statistics.median(r.seconds for r in ours_runs)
        maxrss = max(r.maxrss_kb for r in (*ours_runs, sampled)) / 1024
        tree = sampled.tree_kb / 1024

        floor_s = statistics.median(floor(folder) for _ in range(args.repeat))

        plain = None
        if not args.skip_plain:
            plain_run = run([python, "-c", _PLAIN, str(folder)], source)
            if plain_run.returncode != 0:
                print(f"plain loop failed: {plain_run.stderr}", file=sys.stderr)
                return 1
            plain = plain_run.seconds

        validate_s, import_s = [], []
        for _ in range(args.validate_repeat):
            validate_s.append(run([python, "-m", "ctmtcntt", "validate", str(one)], source).seconds)
            import_s.append(run([python, "-c", "import pandas, pandera"], source).seconds)
        validate_m, import_m = statistics.median(validate_s), statistics.median(import_s)
        print(f"load average after: {load()}")

        n = args.units
        print()
        print(f"{'':34}{'seconds':>9}{'ms/file':>9}")
        print(f"{'ours (ctmt consolidate)':34}{ours:9.2f}{ours / n * 1000:9.2f}")
        if plain is not None:
            print(f"{'plain (pandas + openpyxl loop)':34}{plain:9.2f}{plain / n * 1000:9.2f}")
        print(f"{'floor (unzip + parse XML)':34}{floor_s:9.2f}{floor_s / n * 1000:9.2f}")
        print(f"{'validate one workbook':34}{validate_m:9.3f}")
        print(f"{'import pandas, pandera':34}{import_m:9.3f}")
        print(f"peak memory of ours: {maxrss:.0f} MB largest process, {tree:.0f} MB process tree")
        print()
        checks = [("ours / floor", ours / floor_s, "<=", TARGET_FLOOR)]
        if plain is not None:
            checks.insert(0, ("plain / ours", plain / ours, ">=", TARGET_PLAIN))
        checks.append(("validate / import", validate_m / import_m, "<=", TARGET_IMPORT))
        for label, ratio, op, target in checks:
            met = ratio >= target if op == ">=" else ratio <= target
            verdict = "met" if met else "NOT MET"
            print(f"{label:20}{ratio:7.2f}   target {op} {target:<5g} {verdict}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
