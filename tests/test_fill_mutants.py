"""``fill`` over a few hundred seeded mutants of the example's workbooks, in one run.

Each mutant is one of the example's files changed at the level where readers break: a sheet's
XML edited (a cell far away, a row numbered "<", control characters, absurd numbers, bytes
cut or repeated), a part removed or replaced by garbage, the zip itself cut or its bytes
flipped. Every file must come out filled (a whole workbook) or refused by its name in
Vietnamese; the program filling them must end normally, print no traceback, and stay under
1,5 GB (itself and every worker). The seed is fixed (set ``CTMT_MUTANT_SEED`` to explore).
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from builders import EXAMPLE
from hostile import VIETNAMESE

SEED = int(os.environ.get("CTMT_MUTANT_SEED", "20261206"))
COUNT = 300
MEMORY_BOUND_KB = 1536 * 1024
ROOT = Path(__file__).resolve().parents[1]

Mutation = Callable[[random.Random, dict[str, bytes]], None]

_HOSTILE_REFS = (
    "XFD1048576",
    "<",
    "A0",
    "ZZZZ1",
    "A99999999999",
    "-1",
    "",
    "A1\x01",
    "B\x00",
    "A1048577",
    "XFE1",
)
_HOSTILE_NUMBERS = ("1e308", "-1e308", "inf", "NaN", "1e999", "0x10", "", "1,5", "9" * 400)


def _sheet(rng: random.Random, parts: dict[str, bytes]) -> str:
    sheets = sorted(n for n in parts if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    return rng.choice(sheets or sorted(parts))


def _cell_ref(rng: random.Random, parts: dict[str, bytes]) -> None:
    name = _sheet(rng, parts)
    refs = list(re.finditer(rb'<c r="([A-Z]+[0-9]+)"', parts[name]))
    if refs:
        found = rng.choice(refs)
        new = rng.choice(_HOSTILE_REFS).replace("<", "&lt;").encode()
        data = parts[name]
        parts[name] = data[: found.start(1)] + new + data[found.end(1) :]


def _row_number(rng: random.Random, parts: dict[str, bytes]) -> None:
    name = _sheet(rng, parts)
    rows = list(re.finditer(rb'<row r="([0-9]+)"', parts[name]))
    if rows:
        found = rng.choice(rows)
        new = rng.choice(("&lt;", "0", "1048576", "4294967297", "-3", "1.5", "\x02")).encode()
        data = parts[name]
        parts[name] = data[: found.start(1)] + new + data[found.end(1) :]


def _far_cell(rng: random.Random, parts: dict[str, bytes]) -> None:
    name = _sheet(rng, parts)
    cell = rng.choice(("XFD1048576", "A1048576", "XFD1", "AMJ65536"))
    row = re.sub("^[A-Z]+", "", cell)
    far = f'<row r="{row}"><c r="{cell}"><v>1</v></c></row>'.encode()
    parts[name] = parts[name].replace(b"</sheetData>", far + b"</sheetData>")


def _control(rng: random.Random, parts: dict[str, bytes]) -> None:
    name = rng.choice(sorted(parts))
    data = bytearray(parts[name])
    for _ in range(rng.randint(1, 5)):
        data.insert(rng.randrange(len(data) + 1), rng.choice(b"\x00\x01\x08\x0b\x1b\x7f"))
    parts[name] = bytes(data)


def _number(rng: random.Random, parts: dict[str, bytes]) -> None:
    name = _sheet(rng, parts)
    values = list(re.finditer(rb"<v>([^<]*)</v>", parts[name]))
    if values:
        found = rng.choice(values)
        data = parts[name]
        new = rng.choice(_HOSTILE_NUMBERS).encode()
        parts[name] = data[: found.start(1)] + new + data[found.end(1) :]


def _splice(rng: random.Random, parts: dict[str, bytes]) -> None:
    name = rng.choice(sorted(parts))
    data = parts[name]
    if not data:
        return
    start = rng.randrange(len(data))
    end = min(len(data), start + rng.randint(1, 400))
    how = rng.choice(("cut", "repeat", "noise"))
    if how == "cut":
        parts[name] = data[:start] + data[end:]
    elif how == "repeat":
        parts[name] = data[:end] + data[start:end] * rng.randint(2, 50) + data[end:]
    else:
        noise = bytes(rng.randrange(256) for _ in range(end - start))
        parts[name] = data[:start] + noise + data[end:]


def _drop(rng: random.Random, parts: dict[str, bytes]) -> None:
    del parts[rng.choice(sorted(parts))]


def _garbage(rng: random.Random, parts: dict[str, bytes]) -> None:
    name = rng.choice(sorted(parts))
    parts[name] = rng.choice(
        (
            b"",
            b"not xml at all",
            parts[name][: len(parts[name]) // 2],
            b'<?xml version="1.0" encoding="UTF-16"?><a/>',
            b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
        )
    )


def _encoding(rng: random.Random, parts: dict[str, bytes]) -> None:
    name = _sheet(rng, parts)
    text = parts[name].decode("utf-8", "replace")
    parts[name] = text.encode(rng.choice(("utf-16", "utf-16-be", "latin-1")), "replace")


XML_MUTATIONS: tuple[Mutation, ...] = (
    _cell_ref,
    _row_number,
    _far_cell,
    _control,
    _number,
    _splice,
    _drop,
    _garbage,
    _encoding,
)


def _zip(parts: dict[str, bytes], target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)


def _raw(rng: random.Random, data: bytes) -> bytes:
    """The zip's own bytes: cut, flipped (declared sizes and offsets included), or repeated."""
    how = rng.choice(("cut", "flip", "flip-directory"))
    if how == "cut":
        return data[: rng.randrange(len(data))]
    flipped = bytearray(data)
    start = data.rfind(b"PK\x01\x02") if how == "flip-directory" else 0
    for _ in range(rng.randint(1, 8)):
        flipped[rng.randrange(max(0, start), len(data))] ^= 1 << rng.randrange(8)
    return bytes(flipped)


def make_mutants(folder: Path, count: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    sources = sorted(EXAMPLE.rglob("*.xlsx"))
    mutants = []
    for number in range(count):
        source = rng.choice(sources)
        target = folder / f"{number:03d}-{source.stem}.xlsx"
        if rng.random() < 0.15:
            target.write_bytes(_raw(rng, source.read_bytes()))
        else:
            with zipfile.ZipFile(source) as zf:
                parts = {name: zf.read(name) for name in zf.namelist()}
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                if parts:
                    rng.choice(XML_MUTATIONS)(rng, parts)
            _zip(parts, target)
        mutants.append(target)
    return mutants


# Runs in a child Python: what a run of ``fill`` over every mutant does, with its peak memory.
_CHILD = """
import json, resource, sys
from pathlib import Path
from ctmtcntt.errors import WorkbookError
from ctmtcntt.write.filling import fill_files

jobs = json.loads(sys.stdin.read())
outcomes = []
for (source, output), result in zip(jobs, fill_files(jobs)):
    if isinstance(result, WorkbookError):
        outcomes.append({"source": source, "refused": result.path, "reason": result.reason})
    else:
        outcomes.append({"source": source, "filled": result.output})
peak = {
    "self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}
print(json.dumps({"outcomes": outcomes, "peak_kb": peak}))
"""


def test_fill_survives_every_mutant(tmp_path: Path) -> None:
    """Every mutant filled into a whole workbook or refused by name in Vietnamese; the run
    ends normally, without a traceback, under 1,5 GB in every process."""
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    outputs.mkdir()
    mutants = make_mutants(inputs, COUNT, SEED)
    jobs = [[str(m), str(outputs / m.name)] for m in mutants]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert 0 == done.returncode, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    assert report["peak_kb"]["self"] < MEMORY_BOUND_KB, report["peak_kb"]
    assert report["peak_kb"]["workers"] < MEMORY_BOUND_KB, report["peak_kb"]
    outcomes = report["outcomes"]
    assert [m for m, _ in jobs] == [o["source"] for o in outcomes]
    filled = refused = 0
    for outcome in outcomes:
        if "refused" in outcome:
            refused += 1
            assert outcome["source"] == outcome["refused"]
            assert VIETNAMESE.search(outcome["reason"]), outcome
            assert "Traceback" not in outcome["reason"]
            assert not (outputs / Path(outcome["source"]).name).exists()
        else:
            filled += 1
            with zipfile.ZipFile(outcome["filled"]) as zf:
                assert zf.testzip() is None
                assert "xl/workbook.xml" in zf.namelist() or any(
                    n.endswith("workbook.xml") for n in zf.namelist()
                )
    # The mutants are of both kinds: a run where all are refused proves little.
    assert filled > COUNT // 10, (filled, refused)
    assert refused > COUNT // 10, (filled, refused)
    assert [] == [p.name for p in tmp_path.iterdir() if p.name.startswith("ctmtcntt-")]
