"""Write the expected province workbook of the Bình Định example, on purpose.

    python tools/regen_golden.py

``tests/test_golden.py`` compares a fresh consolidation of ``examples/binh-dinh-2020`` with
``tests/golden/binh-dinh-2020.xlsx`` cell by cell and style by style. When the province
workbook is meant to change (a new column, another format), run this, look at the new file in
Excel, and commit it with the change that explains it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "binh-dinh-2020.xlsx"
#: The command's arguments, run from the repository root (the sources sheet names the files by
#: these relative paths).
ARGS = ("consolidate", "examples/binh-dinh-2020", "--name", "UBND tỉnh Bình Định")


def main() -> int:
    command = [sys.executable, "-m", "ctmtcntt", *ARGS, "--output", str(GOLDEN)]
    done = subprocess.run(command, cwd=ROOT, check=False)
    if done.returncode != 0:
        return done.returncode
    print(f"written: {GOLDEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
