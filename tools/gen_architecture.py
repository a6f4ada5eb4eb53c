"""Regenerate the import diagram and the module table of ``docs/kien-truc.md`` from the sources.

The note's prose is written by hand; the parts between the ``<!-- generated:… -->`` markers are
this script's output, and ``tests/test_architecture.py`` fails when they no longer match the code.

    python tools/gen_architecture.py          # rewrite the note
    python tools/gen_architecture.py --check  # exit 1 if the note is out of date
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "ctmtcntt"
NOTE = ROOT / "docs" / "kien-truc.md"

# The stages in the order data flows through them, then the parts every stage uses.
STAGES = ("sniff", "read", "check", "compute", "consolidation", "write")
SHARED = ("forms", "findings", "common", "errors")
# Used by (nearly) every part: their arrows would hide the others, so the diagram leaves them out.
EVERYWHERE = ("common", "errors")


def node_of(module: tuple[str, ...]) -> str:
    """The diagram's box for a module: its sub-package, or the module itself at the top level."""
    return module[0]


def modules() -> Iterator[tuple[tuple[str, ...], Path]]:
    """Every module of the package as its dotted parts under ``ctmtcntt``, in a stable order."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        yield parts, path


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(child) for child in ast.walk(node))
    return inside


def imports_of(parts: tuple[str, ...], path: Path) -> set[tuple[str, ...]]:
    """The package's modules (or sub-packages) a module imports when it runs.

    Imports under ``if TYPE_CHECKING:`` are left out: they name a type for the checker and run
    nothing. Imports inside functions count: they run when called; so do the modules a ``_LAZY``
    table names for ``importlib`` to import on first use.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    package = list(parts[:-1])
    found: set[tuple[str, ...]] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
            elif node.module and node.module.split(".")[0] == "ctmtcntt":
                base, module = [], node.module.split(".")[1:]
                found.update(_targets(base + module, node))
                continue
            else:
                continue
            found.update(_targets(base + (node.module.split(".") if node.module else []), node))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "ctmtcntt" and alias.name != "ctmtcntt":
                    found.add(tuple(alias.name.split(".")[1:]))
    found.update(_lazy_imports(tree, package))
    return found


def _lazy_imports(tree: ast.Module, package: list[str]) -> set[tuple[str, ...]]:
    """Modules named in a ``_LAZY`` table (imported on first use with ``importlib``)."""
    found: set[tuple[str, ...]] = set()
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "_LAZY" for t in node.targets)
        ):
            continue
        for const in ast.walk(node.value):
            if isinstance(const, ast.Constant) and isinstance(const.value, str):
                dots = len(const.value) - len(const.value.lstrip("."))
                if dots and const.value[dots:]:
                    base = package[: len(package) - (dots - 1)]
                    found.add(tuple(base + const.value[dots:].split(".")))
    return found


def _targets(target: list[str], node: ast.ImportFrom) -> set[tuple[str, ...]]:
    if target:
        return {tuple(target)}
    # ``from . import a, b`` at the top level: each name is a module (or a package attribute).
    return {(alias.name,) for alias in node.names}


def graph() -> dict[str, set[str]]:
    """Box -> the boxes it imports (itself excluded); attributes of ``__init__`` left out."""
    known = {node_of(parts) for parts, _ in modules()}
    edges: dict[str, set[str]] = {}
    for parts, path in modules():
        me = node_of(parts)
        for target in imports_of(parts, path):
            box = target[0]
            if box != me and box in known:
                edges.setdefault(me, set()).add(box)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle between boxes (each found once, from its smallest box)."""
    found: list[list[str]] = []

    def walk(start: str, here: str, path: list[str]) -> None:
        for nxt in sorted(edges.get(here, ())):
            if nxt == start:
                found.append([*path, start])
            elif nxt > start and nxt not in path:
                walk(start, nxt, [*path, nxt])

    for start in sorted(edges):
        walk(start, start, [start])
    return found


def _label(box: str) -> str:
    return box if (PACKAGE / box).is_dir() else f"{box}.py"


def diagram() -> str:
    """The boxes and arrows as a Mermaid flowchart (GitHub draws it; it reads as text too)."""
    edges = graph()
    boxes = sorted({node_of(parts) for parts, _ in modules()})
    fronts = [b for b in boxes if b not in STAGES and b not in SHARED]
    lines = ["```mermaid", "flowchart TD"]
    lines.append('  subgraph fronts["Cửa vào: dòng lệnh, Excel, thư viện"]')
    lines += [f'    {_id(b)}["{_label(b)}"]' for b in fronts]
    lines.append("  end")
    lines.append('  subgraph stages["Các bước, theo dòng dữ liệu"]')
    lines += [f'    {_id(b)}["{_label(b)}"]' for b in STAGES if b in boxes]
    lines.append("  end")
    lines.append('  subgraph shared["Dùng chung"]')
    lines += [f'    {_id(b)}["{_label(b)}"]' for b in SHARED if b in boxes]
    lines.append("  end")
    for source in sorted(edges):
        for target in sorted(edges[source]):
            if target not in EVERYWHERE:
                lines.append(f"  {_id(source)} --> {_id(target)}")
    lines.append("```")
    return "\n".join(lines)


def _id(box: str) -> str:
    return "m_" + box.strip("_")


def _docstring_line(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return " ".join(doc.split("\n\n")[0].split())


def table() -> str:
    """One row per module: where it lives and the first paragraph of its docstring."""
    rows = ["| Tệp | Việc của tệp |", "|---|---|"]
    for parts, path in modules():
        if parts[-1] == "__init__" and len(parts) == 1:
            name = "`__init__.py`"
        else:
            name = "`" + "/".join(parts) + ".py`"
        job = _docstring_line(path).replace("|", "\\|")
        rows.append(f"| {name} | {job} |")
    return "\n".join(rows)


def render(note: str) -> str:
    """The note with both generated parts replaced by what the sources say now."""
    for key, body in (("diagram", diagram()), ("modules", table())):
        pattern = re.compile(
            rf"(<!-- generated:{key} -->\n)(?:.*?\n)?(<!-- /generated:{key} -->)", re.DOTALL
        )
        if not pattern.search(note):
            raise SystemExit(f"{NOTE}: missing <!-- generated:{key} --> markers")
        note = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), note)
    return note


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the note is out of date")
    args = parser.parse_args(argv)
    current = NOTE.read_text(encoding="utf-8")
    fresh = render(current)
    if args.check:
        if fresh != current:
            print(f"{NOTE} is out of date: run python tools/gen_architecture.py", file=sys.stderr)
            return 1
        return 0
    NOTE.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
