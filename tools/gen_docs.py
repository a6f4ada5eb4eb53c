"""Write the catalogue of finding codes into docs/huong-dan-su-dung.md, from schemas/findings.yaml.

    python tools/gen_docs.py          # rewrite the section between the markers
    python tools/gen_docs.py --check  # exit 1 when the section is not what the catalogue says

The section sits between ``<!-- findings:start -->`` and ``<!-- findings:end -->``; the rest of
the guide is written by hand.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "huong-dan-su-dung.md"
START = "<!-- findings:start -->"
END = "<!-- findings:end -->"
# The placeholders of a message template, as staff read them in the guide.
WORDS = {
    "value": "‹giá trị trong ô›",
    "row": "‹dòng›",
    "column": "‹cột›",
    "other": "‹dòng hoặc cột so sánh›",
    "other_value": "‹giá trị so sánh›",
    "expected": "‹giá trị đúng›",
    "detail": "‹chi tiết›",
}


def catalogue_section() -> str:
    """The generated Markdown: one table row per code, errors first, in the file's order."""
    sys.path.insert(0, str(ROOT / "src"))
    from ctmtcntt.findings import SEVERITY_LABEL
    from ctmtcntt.forms.spec import FindingSpec

    # This tree's catalogue, whichever copy of the package is installed.
    entries = yaml.safe_load((ROOT / "schemas" / "findings.yaml").read_text(encoding="utf-8"))
    findings = [FindingSpec(code=code, **entry) for code, entry in entries.items()]
    ordered = sorted(findings, key=lambda f: f.severity != "error")
    lines = [
        START,
        "<!-- Phần này do tools/gen_docs.py sinh ra từ schemas/findings.yaml; đừng sửa tay. -->",
        "",
        "| Mã | Mức độ | Ý nghĩa | Nội dung thông báo |",
        "|---|---|---|---|",
    ]
    for finding in ordered:
        message = re.sub(r"\{(\w+)\}", lambda m: WORDS.get(m.group(1), m.group(0)), finding.message)
        cells = (f"`{finding.code}`", SEVERITY_LABEL[finding.severity], finding.title, message)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", END]
    return "\n".join(lines)


def render(text: str) -> str:
    """The guide with its catalogue section replaced by the generated one."""
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{GUIDE} has no {START} … {END} section")
    section = catalogue_section()
    return pattern.sub(lambda _: section, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    current = GUIDE.read_text(encoding="utf-8")
    wanted = render(current)
    if args.check:
        if wanted != current:
            print(f"{GUIDE} is out of date: run python tools/gen_docs.py", file=sys.stderr)
            return 1
        return 0
    GUIDE.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
