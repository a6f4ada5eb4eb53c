"""Copy a small slice of the shared real-world corpus into ``tests/fixtures/corpus``.

    python tools/slice_corpus.py [--corpus ../shared/corpus] [--out tests/fixtures/corpus]

The full corpus (about 1,250 spreadsheets, 44 MB, from 17 projects' test suites) lives outside
the repository; the tests use it when it sits at ``../shared/corpus``. Without it they run over
this slice, which the repository keeps so that a fresh clone tests the reader against real files
too. The slice holds:

- every corpus file a test names (the hostile files, the encrypted ones, the odd packages);
- every file that is not an ordinary workbook (encrypted, corrupt, empty, lock files, text,
  Numbers, archives, raw BIFF), as sniffing sees them;
- a deterministic sample of ordinary workbooks: per project and kind (xlsx, xls, ods, xlsb),
  every n-th file under 30 KB, so that each program that wrote them is represented;
- each project's licence files, and a README with the table of projects, commits and licences.

Only files under the size cap are sampled; the slice stays near 3.5 MB.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ctmtcntt.sniff import sniff  # noqa: E402

SAMPLE_MAX_BYTES = 30_000
PER_KIND = 3
ORDINARY = ("xlsx", "xls", "ods", "xlsb")
# Files the tests name; kept whatever their size.
NAMED = re.compile(r'"((?:[a-z_]+)/[^"]+\.(?:xlsx|xls|xlsm|xlsb|ods|numbers))"')


def is_licence(path: Path) -> bool:
    return path.name.upper().startswith(("LICEN", "COPYING"))


def named_in_tests() -> set[str]:
    names: set[str] = set()
    for test in (ROOT / "tests").glob("*.py"):
        names.update(NAMED.findall(test.read_text(encoding="utf-8")))
    return names


def choose(corpus: Path) -> list[Path]:
    named = named_in_tests()
    chosen: set[Path] = set()
    pools: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        relative = path.relative_to(corpus)
        if relative.parts[0] == "README.md" or is_licence(path):
            continue
        kind = sniff(path).kind
        if relative.as_posix() in named or kind not in ORDINARY:
            chosen.add(path)
        elif path.stat().st_size <= SAMPLE_MAX_BYTES:
            pools[(relative.parts[0], kind)].append(path)
    for pool in pools.values():
        step = max(1, len(pool) // PER_KIND)
        chosen.update(pool[::step][:PER_KIND])
    return sorted(chosen)


def readme(corpus: Path, projects: set[str], count: int, size: int) -> str:
    rows = [
        line
        for line in (corpus / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `") and line.split("`")[1].rstrip("/") in projects
    ]
    return "\n".join(
        [
            "# A slice of the real-world corpus",
            "",
            f"{count} spreadsheets ({size / 1e6:.1f} MB) chosen by `tools/slice_corpus.py`",
            "from the test suites of public spreadsheet projects: every file a test names, every",
            "file that is not an ordinary workbook (encrypted, corrupt, empty, lock files, …) and",
            "a sample of ordinary ones per project. The tests use the full corpus (about 1,250",
            "files) when it sits at `../shared/corpus`, and this slice otherwise. Each folder",
            "keeps its project's licence file(s); the files are unchanged copies.",
            "",
            "| folder | repository | commit | files in the full corpus | licence |",
            "|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "fixtures" / "corpus")
    args = parser.parse_args(argv)
    files = choose(args.corpus)
    if args.out.exists():
        shutil.rmtree(args.out)
    projects = {p.relative_to(args.corpus).parts[0] for p in files}
    for project in projects:
        for licence in (args.corpus / project).iterdir():
            if licence.is_file() and is_licence(licence):
                (args.out / project).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(licence, args.out / project / licence.name)
    for path in files:
        target = args.out / path.relative_to(args.corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    size = sum(p.stat().st_size for p in files)
    text = readme(args.corpus, projects, len(files), size)
    (args.out / "README.md").write_text(text, encoding="utf-8")
    print(f"Wrote {len(files)} files ({size / 1e6:.1f} MB) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
