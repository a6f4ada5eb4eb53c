"""Zip member names as compared, with the liberties writers take folded away.

Some writers store Windows separators, a leading slash or other capitals in a package's member
names, and spreadsheet readers cope with all three: every stage that looks a member up by name
compares these forms, never the raw name.
"""

from __future__ import annotations

from typing import Protocol


class _Named(Protocol):
    """A package whose members have names (``zipfile.ZipFile``, ``read.members.Package``)."""

    def namelist(self) -> list[str]: ...


def norm(name: str) -> str:
    """A member's name as compared: forward slashes, no leading one, lower case."""
    return name.replace("\\", "/").lstrip("/").lower()


def member_names(zf: _Named) -> dict[str, str]:
    """Each member's compared name -> its name in the package."""
    return {norm(name): name for name in zf.namelist()}
