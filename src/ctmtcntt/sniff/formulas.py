"""Which worksheets hold a formula, or an Excel error value: looked for while the package is
open, so that the reader looks into those sheets only (most reports have neither)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from typing import IO, Final

from ..common.zip_names import norm
from .inflate import member_head
from .limits import FORMULA_SCAN_LIMIT

#: Where an inflated member goes, by name, to be kept for the reader.
Keep = Callable[[str, bytes], None]

# Every formula element, <f>, <f t="shared" …>, <f/> or <x:f>, has an "f" before a space, "/"
# or ">": a letter rarer than "<", so this scan is three times faster than looking for "<f".
_FORMULA_HINT: Final = re.compile(rb"f[\s/>]")


def holds_formula(xml: bytes) -> bool:
    """Whether a worksheet's XML holds a formula element (a few false positives, no misses)."""
    return _FORMULA_HINT.search(xml) is not None and (b"<f" in xml or b":f" in xml)


def holds_error(xml: bytes) -> bool:
    """Whether a worksheet's XML may hold a cell of type error, ``t="e"``, with its value (a
    few false positives, no misses)."""
    # A cached error value starts with "#", a byte found at memchr speed and rare in sheets;
    # an error cell without one is a formula never calculated, which holds_formula finds.
    return b"#" in xml and (b't="e"' in xml or b"t='e'" in xml)


# The parts of a workbook that are not worksheets; any other XML part under xl/ may be one (a
# writer may put its sheets outside xl/worksheets/, where only the workbook's relationships
# say so).
_NOT_SHEETS: Final = re.compile(
    r"(?:\[content_types\]\.xml|.*\.rels|docprops/.*|customxml/.*"
    r"|xl/(?:workbook|styles|sharedstrings|calcchain|connections|metadata|volatiledependencies)\.xml"
    r"|xl/(?:theme|drawings|charts|chartsheets|printersettings|externallinks|pivottables"
    r"|pivotcache|tables|querytables|richdata|persons|threadedcomments|comments\d*|ctrlprops"
    r"|slicers|slicercaches|timelines|timelinecaches|media|activex|embeddings|model"
    r"|diagrams|webextensions|customdata|featurepropertybag|revisions|namedsheetviews)/.*"
    r"|xl/(?:comments\d*|usernames)\.xml)",
)


def is_sheet_part(name: str) -> bool:
    """Whether a package member (its name lower case, with forward slashes) may be a sheet."""
    return name.startswith("xl/") and name.endswith(".xml") and _NOT_SHEETS.fullmatch(name) is None


def marked_parts(
    raw: IO[bytes], infos: list[zipfile.ZipInfo], recode: set[str], keep: Keep
) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """The worksheet parts holding a formula, and those holding an error value; (None, None)
    when they could not all be looked at. Each part inflated is given to ``keep``."""
    formulas: set[str] = set()
    errors: set[str] = set()
    for info in infos:
        if not is_sheet_part(norm(info.filename)):
            continue
        if info.file_size > FORMULA_SCAN_LIMIT or info.filename in recode:
            return None, None
        try:
            xml = member_head(raw, info, info.file_size)
        except Exception:
            xml = None
        if xml is None or len(xml) != info.file_size:
            return None, None  # the reader's own look says what is wrong with it
        keep(info.filename, xml)
        if holds_formula(xml):
            formulas.add(info.filename)
        if holds_error(xml):
            errors.add(info.filename)
    return frozenset(formulas), frozenset(errors)
