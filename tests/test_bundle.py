"""The offline installer for Windows (tools/build_windows_bundle.py), proven on this platform.

The bundle is built once per test session from the package index (about 20 s with pip's cache;
the first build downloads about 100 MB). Without the index the build tests are skipped, saying
so, unless CTMT_REQUIRE_INDEX is set (.ci/run sets it: CI must build the bundle); any other
failure of the build fails them. Then, for each CPython the bundle serves, the bundle alone
(``--no-index``) must resolve as Windows resolves it, both by our own reading of every wheel's
requirements with Windows' markers and by pip's dry run.
The installer's steps must be the ones the guide gives, word for word.
"""

from __future__ import annotations

import email.message
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from _support import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import build_windows_bundle as bundler

GUIDE = ROOT / "docs" / "huong-dan-su-dung.md"
STEP = re.compile(r"^rem \[(\d+)\] (.+)$")


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle, built once into this session's temporary folder."""
    out = tmp_path_factory.mktemp("dist")
    try:
        folder = bundler.build(out)
    except bundler.BuildError as exc:
        if exc.unreachable and not os.environ.get("CTMT_REQUIRE_INDEX"):
            pytest.skip(f"the package index is unreachable, the bundle was not built: {exc}")
        pytest.fail(f"the Windows bundle was not built: {exc}")
    return folder


# ---------------------------------------------------------------------------------------------
# The bundle itself


@pytest.mark.slow
def test_bundle_holds_what_the_installer_uses(bundle: Path) -> None:
    """Wheels, both workbooks, the installer (CRLF, as cmd.exe wants) and the guide; zipped too."""
    names = {p.name for p in bundle.iterdir()}
    expected = {"wheels", "cai-dat.bat", "huong-dan-su-dung.md", "vi-du"}
    expected |= {"ctmtcntt.xlsm", "ctmtcntt.xlam", "ctmtcntt.conf"}
    assert expected == names
    raw = (bundle / "cai-dat.bat").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert raw.decode("utf-8").replace("\r\n", "\n") == bundler.INSTALLER.read_text("utf-8")
    with zipfile.ZipFile(bundle.parent / f"{bundle.name}.zip") as archive:
        listed = {Path(n).parts[1] for n in archive.namelist() if len(Path(n).parts) > 1}
    assert expected == listed
    assert 1 == len(list((bundle / "wheels").glob("ctmtcntt-*.whl")))


@pytest.mark.slow
@pytest.mark.parametrize("python", bundler.PYTHONS)
def test_bundle_resolves_offline_as_windows_does(bundle: Path, python: str) -> None:
    """Every requirement that holds on Windows (pywin32 for xlwings included) is met by a
    Windows wheel of the bundle, for this CPython."""
    chosen, unmet = bundler.resolve_on_windows(bundle / "wheels", python)
    assert [] == unmet
    assert {"ctmtcntt", "pandas", "numpy", "xlwings", "pywin32", "psutil"} <= set(chosen)
    tag = f"cp{python.replace('.', '')}"
    for name in ("numpy", "pandas", "pywin32", "xlwings", "python-calamine"):
        assert chosen[name].name.endswith(f"-{tag}-{tag}-win_amd64.whl"), chosen[name].name


@pytest.mark.slow
@pytest.mark.parametrize("python", bundler.PYTHONS)
def test_pip_installs_the_bundle_offline(bundle: Path, python: str, tmp_path: Path) -> None:
    """pip itself, with no index and none of this machine's pip settings, resolves the bundle
    for Windows and this CPython, choosing the very wheels the Windows reading chose. pip
    judges markers by this machine, so every package is named (pywin32 would be left out)."""
    chosen, _unmet = bundler.resolve_on_windows(bundle / "wheels", python)
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pip", "--isolated", "install", "--dry-run", "-q"]
    command += ["--no-index", "--find-links", str(bundle / "wheels")]
    command += ["--platform", "win_amd64", "--python-version", python, "--implementation", "cp"]
    # pip checks Requires-Python against this machine's Python after resolving; the Windows
    # reading above checked it against the target's.
    command += ["--only-binary=:all:", "--ignore-requires-python"]
    command += ["--target", str(tmp_path / "target"), "--report", str(report)]
    named = sorted(set(chosen) - {"ctmtcntt"})
    done = subprocess.run([*command, "ctmtcntt[excel]", *named], capture_output=True, text=True)
    assert 0 == done.returncode, done.stderr
    assert {name: path.name for name, path in chosen.items()} == _installed(report)


def _installed(report: Path) -> dict[str, str]:
    from packaging.utils import canonicalize_name

    document = json.loads(report.read_text(encoding="utf-8"))
    return {
        canonicalize_name(item["metadata"]["name"]): item["download_info"]["url"].rsplit("/", 1)[1]
        for item in document["install"]
    }


@pytest.mark.slow
def test_bundled_macro_workbook_runs_the_python_the_installer_makes(bundle: Path) -> None:
    """Its live "xlwings.conf" sheet names the venv's pythonw.exe where cai-dat.bat makes it,
    as does the add-in's settings file; its VBA is the committed workbook's."""
    book = openpyxl.load_workbook(bundle / "ctmtcntt.xlsm", keep_vba=True)
    assert "xlwings.conf" in book.sheetnames
    conf = book["xlwings.conf"]
    assert ("Interpreter_Win", bundler.INTERPRETER) == (conf["A1"].value, conf["B1"].value)
    steps = _steps(bundler.INSTALLER.read_text(encoding="utf-8"))
    app = steps[1].split("=", 1)[1].rstrip('"')
    assert bundler.INTERPRETER == app + r"\venv\Scripts\pythonw.exe"
    assert '-m venv "%APP%\\venv"' in steps[2]
    conf = (bundle / "ctmtcntt.conf").read_bytes()
    assert f'"INTERPRETER_WIN","{bundler.INTERPRETER}"\r\n'.encode("ascii") == conf
    assert '"%BUNDLE%ctmtcntt.conf" "%USERPROFILE%\\.ctmtcntt\\ctmtcntt.conf"' in steps[7]
    with (
        zipfile.ZipFile(bundle / "ctmtcntt.xlsm") as made,
        zipfile.ZipFile(ROOT / "workbooks" / "ctmtcntt.xlsm") as committed,
    ):
        assert committed.read("xl/vbaProject.bin") == made.read("xl/vbaProject.bin")
    committed_book = openpyxl.load_workbook(ROOT / "workbooks" / "ctmtcntt.xlsm", keep_vba=True)
    assert "_xlwings.conf" in committed_book.sheetnames  # the repository's copy stays neutral


# ---------------------------------------------------------------------------------------------
# Without the index


def _steps(text: str) -> dict[int, str]:
    """Step number -> the command line that follows its ``rem [N] title`` line."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    steps: dict[int, str] = {}
    for at, line in enumerate(lines):
        match = STEP.match(line)
        if match:
            steps[int(match.group(1))] = f"{match.group(2)}\n{lines[at + 1]}"
    return steps


def _guide_steps() -> dict[int, str]:
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(r"<!-- cai-dat-steps -->\s*```\s*\n(.+?)\n```", text, re.DOTALL)
    assert match, "the guide has no block after <!-- cai-dat-steps -->"
    return _steps(match.group(1))


def test_installer_steps_are_the_guides() -> None:
    """cai-dat.bat runs, step by step, the commands the guide tells staff to type: the same
    titles and commands, the bundle's folder and the found Python aside."""
    script = _steps(bundler.INSTALLER.read_text(encoding="utf-8"))
    guide = _guide_steps()
    assert list(range(1, len(script) + 1)) == sorted(script)
    assert sorted(script) == sorted(guide)
    for number, step in script.items():
        typed = step.replace("%BUNDLE%", "").replace("%PY%", "py -3.12")
        assert typed == guide[number], number


def test_installer_needs_no_administrator_and_no_internet() -> None:
    """Everything goes under the user's profile, pip never looks at an index, and the Python
    found is one the bundle has wheels for."""
    text = bundler.INSTALLER.read_text(encoding="utf-8")
    steps = _steps(text)
    commands = "\n".join(step.split("\n", 1)[1] for step in steps.values())
    assert 'set "APP=%LOCALAPPDATA%\\ctmtcntt"' == steps[1].split("\n", 1)[1]
    assert "--no-index" in steps[3]
    assert '--find-links "%BUNDLE%wheels"' in steps[3]
    for forbidden in ("runas", "HKLM", "%ProgramFiles%", "C:\\Program Files", "--user"):
        assert forbidden not in commands
    # The Pythons tried, newest first, and accepted: those the bundle has wheels for, 64-bit.
    assert f"for %%V in ({' '.join(reversed(bundler.PYTHONS))}) do" in text
    accepted = ", ".join(f"({python.replace('.', ', ')})" for python in bundler.PYTHONS)
    assert f"not in [{accepted}]" in text
    assert "struct.calcsize('P') != 8" in text
    # Its messages are Vietnamese: cmd.exe is switched to UTF-8 before any is shown.
    assert "chcp 65001" in text.split("\necho ")[0]


def test_the_guide_starts_from_python_and_ends_at_a_button() -> None:
    """Section 1 of the guide: Python from python.org, the bundle, cai-dat.bat, the first click,
    and what to do when the Trust Center or Group Policy blocks macros."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## 1. Cài đặt") : text.index("## 2. ")]
    for words in (
        "python.org",
        "tools/build_windows_bundle.py",
        "cai-dat.bat",
        "Enable Content",
        "Trusted Locations",
        "Group Policy",
        "Unblock",
        "bấm **Kiểm tra**",
    ):
        assert words in section, words
    order = [section.index(w) for w in ("python.org", "cai-dat.bat", "Kiểm tra", "Group Policy")]
    assert order == sorted(order)


def test_windows_reading_finds_what_pip_leaves_out(tmp_path: Path) -> None:
    """A requirement only Windows has (a marker false here) is found missing, per CPython, until
    a Windows wheel for that CPython is in the folder; Requires-Python is honoured."""
    _wheel(tmp_path, "app-1.0-py3-none-any.whl", ["winonly>=2; sys_platform == 'win32'"])
    assert ["winonly>=2"] == bundler.unmet_on_windows(tmp_path, "3.12", "app")
    _wheel(tmp_path, "winonly-2.0-cp312-cp312-win_amd64.whl", [])
    assert [] == bundler.unmet_on_windows(tmp_path, "3.12", "app")
    assert ["winonly>=2"] == bundler.unmet_on_windows(tmp_path, "3.11", "app")
    _wheel(tmp_path, "newer-1.0-py3-none-any.whl", [], requires_python=">=3.12")
    assert ["newer"] == bundler.unmet_on_windows(tmp_path, "3.11", "newer")
    assert [] == bundler.unmet_on_windows(tmp_path, "3.12", "newer")
    _wheel(tmp_path, "linuxonly-1.0-cp312-cp312-manylinux_2_28_x86_64.whl", [])
    assert ["linuxonly"] == bundler.unmet_on_windows(tmp_path, "3.12", "linuxonly")


def _wheel(folder: Path, filename: str, requires: list[str], requires_python: str = "") -> None:
    name, version = filename.split("-")[:2]
    metadata = email.message.Message()
    metadata["Metadata-Version"] = "2.1"
    metadata["Name"] = name
    metadata["Version"] = version
    if requires_python:
        metadata["Requires-Python"] = requires_python
    for requirement in requires:
        metadata["Requires-Dist"] = requirement
    with zipfile.ZipFile(folder / filename, "w") as archive:
        archive.writestr(f"{name}-{version}.dist-info/METADATA", metadata.as_string())
