"""Build the offline installer for Windows: everything a clerk's PC needs, no Internet there.

    python tools/build_windows_bundle.py [FOLDER]     # default: dist/

Run it on any machine that reaches the package index (Linux too), in the project's development
environment (``pip install ".[test]"``: it rebuilds the macro workbook with xlwings). It writes
``FOLDER/ctmtcntt-windows/`` and ``FOLDER/ctmtcntt-windows.zip`` holding:

- ``wheels/``: the project's wheel and a Windows wheel (``win_amd64``) of every package it needs
  with Excel (``ctmtcntt[excel]``), for CPython 3.11, 3.12 and 3.13;
- ``ctmtcntt.xlsm``: the macro workbook, its ``xlwings.conf`` sheet naming the Python that
  ``cai-dat.bat`` installs (``%LOCALAPPDATA%\\ctmtcntt\\venv\\Scripts\\pythonw.exe``);
- ``ctmtcntt.xlam``: the add-in, and ``ctmtcntt.conf``, its settings file naming that Python
  (``cai-dat.bat`` copies it to ``%USERPROFILE%\\.ctmtcntt\\``; written here, so that no
  user's folder name, which may hold Vietnamese letters, passes through cmd.exe into it);
- ``cai-dat.bat``: the installer (no administrator rights; steps in docs/huong-dan-su-dung.md);
- ``huong-dan-su-dung.md``: the staff guide, and ``vi-du/``, a unit's workbook for the first
  click on a button.

pip evaluates environment markers for the machine it runs on, not for ``--platform``: a
dependency only Windows needs (xlwings' pywin32, click's colorama) is silently left out of a
download made on Linux. So after pip's download, every wheel's requirements are evaluated again
as Windows would (:func:`unmet_on_windows`) and what is missing is downloaded by name, until
nothing is; the tests use the same check on the finished bundle.
"""

from __future__ import annotations

import argparse
import email.message
import email.parser
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import deque
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ("3.11", "3.12", "3.13")
PLATFORM = "win_amd64"
NAME = "ctmtcntt-windows"
ROOT_REQUIREMENT = "ctmtcntt[excel]"
# Where cai-dat.bat puts the virtual environment; xlwings expands the variable when a button runs.
INTERPRETER = r"%LOCALAPPDATA%\ctmtcntt\venv\Scripts\pythonw.exe"
INSTALLER = ROOT / "tools" / "windows" / "cai-dat.bat"
GUIDE = ROOT / "docs" / "huong-dan-su-dung.md"
MAX_ROUNDS = 5
EXAMPLE = ROOT / "examples" / "binh-dinh-2020" / "S05 - So Tai chinh.xlsx"
# What pip prints when the package index cannot be reached at all (not a problem of the bundle).
UNREACHABLE = (
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Max retries exceeded",
    "ProxyError",
    "Connection refused",
)


class BuildError(RuntimeError):
    """A step of the build failed; ``unreachable`` when the package index could not be reached."""

    def __init__(self, command: list[str], output: str) -> None:
        tail = "\n".join(output.strip().splitlines()[-15:])
        super().__init__(f"{' '.join(command)}\n{tail}")
        self.unreachable = any(mark in output for mark in UNREACHABLE)


def run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BuildError(command, done.stdout + done.stderr)


def windows_environment(python: str) -> dict[str, str]:
    """Marker variables as CPython ``python`` on 64-bit Windows has them."""
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "os_name": "nt",
        "platform_machine": "AMD64",
        "platform_python_implementation": "CPython",
        "platform_release": "10",
        "platform_system": "Windows",
        "platform_version": "10.0.19045",
        "python_full_version": f"{python}.0",
        "python_version": python,
        "sys_platform": "win32",
    }


def supported_tags(python: str) -> set[Tag]:
    version = tuple(int(part) for part in python.split("."))
    return {
        *cpython_tags(python_version=version, platforms=[PLATFORM]),
        *compatible_tags(
            python_version=version, interpreter=f"cp{version[0]}{version[1]}", platforms=[PLATFORM]
        ),
    }


def wheels_for(folder: Path, python: str) -> dict[str, list[tuple[Version, Path]]]:
    """The wheels in ``folder`` that CPython ``python`` on Windows can install, by name."""
    tags = supported_tags(python)
    found: dict[str, list[tuple[Version, Path]]] = {}
    for path in sorted(folder.glob("*.whl")):
        name, version, _build, wheel_tags = parse_wheel_filename(path.name)
        if wheel_tags & tags:
            found.setdefault(name, []).append((version, path))
    for candidates in found.values():
        candidates.sort(reverse=True)
    return found


def metadata_of(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        member = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.BytesParser().parsebytes(archive.read(member), headersonly=True)


def fits_python(wheel: Path, python: str) -> bool:
    """Whether the wheel's Requires-Python admits CPython ``python``."""
    needed = metadata_of(wheel).get("Requires-Python")
    return needed is None or SpecifierSet(needed).contains(f"{python}.0", prereleases=True)


def requirements_of(wheel: Path) -> list[Requirement]:
    return [Requirement(text) for text in metadata_of(wheel).get_all("Requires-Dist") or []]


def resolve_on_windows(
    folder: Path, python: str, root: str = ROOT_REQUIREMENT
) -> tuple[dict[str, Path], list[str]]:
    """Install ``root`` from ``folder`` on paper, as on Windows with CPython ``python``.

    Every requirement whose marker holds on Windows (extras included) is satisfied by the
    newest wheel in the folder that fits (tags, Requires-Python). Returns the wheel chosen for
    each name and the unmet requirements without their markers, ready for ``pip download``
    (none when the folder is complete for that Python).
    """
    environment = windows_environment(python)
    available = wheels_for(folder, python)
    chosen: dict[str, Path] = {}
    unmet: list[str] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    queue: deque[Requirement] = deque([Requirement(root)])
    while queue:
        requirement = queue.popleft()
        name = canonicalize_name(requirement.name)
        choice = next(
            (
                (version, path)
                for version, path in available.get(name, [])
                if requirement.specifier.contains(version, prereleases=True)
                and fits_python(path, python)
            ),
            None,
        )
        if choice is None:
            wanted = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
            unmet.append(f"{requirement.name}{wanted}{requirement.specifier}")
            continue
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        chosen[name] = choice[1]
        for needed in requirements_of(choice[1]):
            extras = {"", *requirement.extras}
            if needed.marker is None or any(
                needed.marker.evaluate({**environment, "extra": extra}) for extra in extras
            ):
                queue.append(needed)
    return chosen, sorted(set(unmet))


def unmet_on_windows(folder: Path, python: str, root: str = ROOT_REQUIREMENT) -> list[str]:
    """What installing ``root`` from ``folder`` on Windows with CPython ``python`` would miss."""
    return resolve_on_windows(folder, python, root)[1]


def pip_download(requirements: list[str], python: str, folder: Path) -> None:
    command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q"]
    command += ["--platform", PLATFORM, "--python-version", python, "--implementation", "cp"]
    command += ["--only-binary=:all:", "--dest", str(folder), *requirements]
    run(command)


def project_wheel(folder: Path) -> Path:
    """Build the project's own wheel into ``folder``."""
    command = [sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "-q"]
    run([*command, "--no-deps", "--wheel-dir", str(folder), str(ROOT)])
    (wheel,) = folder.glob("ctmtcntt-*.whl")
    return wheel


def download_wheels(folder: Path) -> None:
    """The project's wheel and every wheel it needs on Windows, for each CPython of PYTHONS."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        built = project_wheel(Path(tmp))
        wheel = Path(shutil.copy(built, folder / built.name))
    root = f"ctmtcntt[excel] @ {wheel.resolve().as_uri()}"
    for python in PYTHONS:
        pip_download([root], python, folder)
        for _ in range(MAX_ROUNDS):
            unmet = unmet_on_windows(folder, python)
            if not unmet:
                break
            # Requirements pip left out because their markers are false on this machine.
            pip_download(unmet, python, folder)
        else:
            missing = unmet_on_windows(folder, python)
            raise BuildError(["pip", "download"], f"CPython {python}: still missing {missing}")


def macro_workbooks(folder: Path) -> None:
    """The macro workbook naming the bundle's Python, and the add-in."""
    command = [sys.executable, str(ROOT / "tools" / "build_macro_workbook.py")]
    run([*command, "--out", str(folder), "--interpreter", INTERPRETER])


def installer(target: Path) -> None:
    """cai-dat.bat with the line ends cmd.exe expects."""
    text = INSTALLER.read_text(encoding="utf-8")
    target.write_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"))


def build(out: Path) -> Path:
    """Write ``out/ctmtcntt-windows/`` and its zip; return the folder."""
    bundle = out / NAME
    if bundle.exists():
        shutil.rmtree(bundle)
    bundle.mkdir(parents=True)
    download_wheels(bundle / "wheels")
    macro_workbooks(bundle)
    installer(bundle / "cai-dat.bat")
    # xlwings reads this file with VBA's Input #, in the ANSI code page: ASCII only.
    (bundle / "ctmtcntt.conf").write_bytes(f'"INTERPRETER_WIN","{INTERPRETER}"\r\n'.encode("ascii"))
    shutil.copyfile(GUIDE, bundle / GUIDE.name)
    (bundle / "vi-du").mkdir()
    shutil.copyfile(EXAMPLE, bundle / "vi-du" / EXAMPLE.name)
    archive = zip_folder(bundle, out / f"{NAME}.zip")
    print(f"Wrote {bundle} and {archive}")
    return bundle


def zip_folder(folder: Path, target: Path) -> Path:
    """The folder as a zip, itself at its root; wheels (zips already) stored, not compressed."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                compress = zipfile.ZIP_STORED if path.suffix == ".whl" else zipfile.ZIP_DEFLATED
                name = path.relative_to(folder.parent).as_posix()
                archive.write(path, name, compress_type=compress)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    try:
        build(args.folder)
    except BuildError as exc:
        print(f"The bundle was not built: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
