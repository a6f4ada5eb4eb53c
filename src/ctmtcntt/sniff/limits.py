"""How much a file may hold, and how much sniffing may read of it: the bounds all checks share."""

from __future__ import annotations

from typing import Final

#: Refuse a zip whose members declare more than this many bytes in total once inflated ...
#: The largest real workbook in the reference corpus inflates to 23 MB; a report ten times
#: that size is still far below this, while a bomb is far above it.
MAX_UNCOMPRESSED_BYTES: Final = 200 * 1024 * 1024
#: ... unless every large member compresses no more than XML does (sheets formatted down to
#: their last row deflate 12 to 15 times; zeros 1,000 times) ...
MAX_STREAMED_RATIO: Final = 50
#: ... and they declare no more than this in all: what the reader streams within a worker's
#: time (about 80 MB/s; the memory it needs does not grow with rows that hold no value).
MAX_STREAMED_BYTES: Final = 512 * 1024 * 1024
#: A member inflating more than this many times its stored size is a bomb ...
MAX_COMPRESSION_RATIO: Final = 200
#: ... provided it also inflates to more than this (tiny members legitimately compress well).
BOMB_MIN_MEMBER_BYTES: Final = 10 * 1024 * 1024
#: Refuse a zip with more members than this (the corpus maximum is about 1,000).
MAX_MEMBERS: Final = 10_000
#: How much inflated XML :func:`check_xml_safety` reads at most, looking for the root element.
XML_PROLOG_LIMIT: Final = 64 * 1024

# Inflated bytes all XML checks of one file may read together (real files need a few KB).
XML_CHECK_BUDGET: Final = 16 * 1024 * 1024
# Worksheets up to this size (inflated) are looked into for formulas while sniffing.
FORMULA_SCAN_LIMIT: Final = 8 * 1024 * 1024
#: The members inflated whole while sniffing that are kept for the reader, all together at most
#: this many bytes (a report's are about 50 KB): no member need be inflated twice.
KEPT_PARTS_LIMIT: Final = 64 * 1024 * 1024
# Small XML parts read whole (content types, ODF manifest); real ones are a few KB.
SMALL_PART_LIMIT: Final = 1024 * 1024
# Bytes of a file's start used to recognise text formats.
HEAD_BYTES: Final = 64 * 1024
# The central directory of MAX_MEMBERS members with long names stays far below this.
MAX_CENTRAL_DIRECTORY: Final = 16 * 1024 * 1024
# Where the OLE directory cannot be parsed, stream names are searched for in this many bytes.
OLE_FALLBACK_SCAN: Final = 64 * 1024 * 1024
