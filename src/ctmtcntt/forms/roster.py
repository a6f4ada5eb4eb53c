"""The list of reporting units, and matching a name as units write it to its roster entry."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..common.numbers import fold
from ..errors import UsageError

# Words that say what kind of body a unit is, not which one; abbreviations spelled out.
_GENERIC = {
    "ubnd",
    "uy",
    "ban",
    "nhan",
    "dan",
    "so",
    "huyen",
    "thanh",
    "pho",
    "tp",
    "thi",
    "xa",
    "tx",
    "tinh",
    "quan",
    "q",
    "h",
    "cua",
    "don",
    "vi",
    "bao",
    "cao",
    "va",
}
_EXPAND = {
    "tttt": "thong tin va truyen thong",
    "nnptnt": "nong nghiep va phat trien nong thon",
    "ldtbxh": "lao dong thuong binh va xa hoi",
    "khdt": "ke hoach va dau tu",
    "gtvt": "giao thong van tai",
    "tnmt": "tai nguyen va moi truong",
    "gddt": "giao duc va dao tao",
    "khcn": "khoa hoc va cong nghe",
    "vhtt": "van hoa va the thao",
    "vhttdl": "van hoa the thao va du lich",
}
# Words naming a body inside a unit ("Trung tâm …", "Chi cục …"): such a name is not the unit.
_SUBORDINATE = {"trung", "tam", "chi", "cuc", "phong", "vien", "cong", "ty", "truong", "benh"}
# Abbreviations written with "&" or "-" between capitals: "TT&TT", "LĐ-TB&XH", "NN&PTNT".
_ABBREVIATION = re.compile(r"\b[A-ZĐ]{1,5}(?:\s*[&-]\s*[A-ZĐ]{1,5})+\b")
_PROVINCE_WORDS = ("toan tinh", "so lieu chung")


@dataclass(frozen=True, kw_only=True)
class Unit:
    """A reporting unit of the roster."""

    code: str
    name: str
    level: str = ""
    communes: int | None = None

    @property
    def is_province(self) -> bool:
        """The province-wide unit (Sở TTTT's own figures), the only one that fills (*) rows."""
        return self.level == "tinh" or self.code.upper() == "TINH"


@dataclass(frozen=True, kw_only=True)
class _Index:
    """A roster's lookup tables: codes, folded names, distinctive words, answers given."""

    codes: dict[str, Unit]
    names: dict[str, Unit]
    cores: tuple[tuple[frozenset[str], Unit], ...]
    answers: dict[str, Unit | None]
    provinces: int = 0


@dataclass(frozen=True, kw_only=True)
class Roster:
    """The units expected to report."""

    units: tuple[Unit, ...]
    source: str = ""

    @cached_property
    def _index(self) -> _Index:
        # A folder of a thousand communes asks for every name several times: look names up in
        # tables built once instead of folding the whole roster on every question.
        codes: dict[str, Unit] = {}
        names: dict[str, Unit] = {}
        for unit in self.units:
            codes.setdefault(unit.code.upper(), unit)
            names.setdefault(fold(unit.name), unit)
        cores = tuple((_core(unit.name), unit) for unit in self.units)
        provinces = sum(unit.is_province for unit in self.units)
        return _Index(codes=codes, names=names, cores=cores, answers={}, provinces=provinces)

    def by_code(self, code: str) -> Unit | None:
        """The unit with this roster code (case-insensitive)."""
        return self._index.codes.get(code.strip().upper())

    def match(self, name: str | None) -> Unit | None:
        """The unit a written name refers to: by code, exact name, or its distinctive words."""
        if not name:
            return None
        answers = self._index.answers
        if name not in answers:
            answers[name] = self._match(name)
        return answers[name]

    def _match(self, name: str) -> Unit | None:
        by_code = self.by_code(name)
        if by_code is not None:
            return by_code
        folded = fold(name)
        exact = self._index.names.get(folded)
        if exact is not None:
            return exact
        words = set(_words(name))
        # A province's roster has one province-wide unit, named only by "toàn tỉnh" (Sở TTTT
        # is S11); a roster of provinces (the Ministry's) is all of them.
        province = any(w in folded for w in _PROVINCE_WORDS) or self._index.provinces > 1
        best: list[tuple[int, Unit]] = []
        for core, unit in self._index.cores:
            fits = core and core <= words and (not unit.is_province or province)
            if fits and not (words - core) & _SUBORDINATE:
                best.append((len(core), unit))
        if province:
            provincial = [b for b in best if b[1].is_province]
            best = provincial or best
        if not best:
            return None
        best.sort(key=lambda item: -item[0])
        if len(best) > 1 and best[0][0] == best[1][0]:
            return None
        return best[0][1]


def _words(name: str) -> list[str]:
    joined = _ABBREVIATION.sub(lambda m: re.sub(r"[\s&-]", "", m.group(0)), name)
    words = []
    for word in re.split(r"[^a-z0-9]+", fold(joined)):
        words.extend(_EXPAND.get(word, word).split())
    return [w for w in words if w]


def _core(name: str) -> frozenset[str]:
    # The province-wide entry's parenthesis ("số liệu chung toàn tỉnh") is not part of its name.
    return frozenset(w for w in _words(name.split("(")[0]) if w not in _GENERIC)


def same_unit(first: str, second: str, roster: Roster | None = None) -> bool:
    """Whether two written names mean one unit ("UBND TP Quy Nhơn", "Thành phố Quy Nhơn")."""
    if roster is not None:
        unit = roster.match(first)
        return unit is not None and unit == roster.match(second)
    return fold(first) == fold(second) or _core(first) == _core(second)


def looks_provincial(name: str | None) -> bool:
    """Without a roster: a unit writing for the whole province ("số liệu chung toàn tỉnh")."""
    if not name:
        return False
    folded = fold(name)
    return any(w in folded for w in _PROVINCE_WORDS) or folded.startswith(("tinh ", "ubnd tinh "))


# How a district-level unit's name starts: (UBND) huyện, thị xã, thành phố, quận. Only at the
# start: "Sở Tài chính thành phố Hồ Chí Minh" is a department, "cơ quan" no quận.
_DISTRICT_WORDS = re.compile(r"^(?:ubnd |uy ban nhan dan )?(?:huyen|thi xa|thanh pho|quan|tp|tx)\b")
PROVINCE_LEVEL, DEPARTMENT_LEVEL, DISTRICT_LEVEL = "tinh", "so", "huyen"


def level_of(name: str | None, roster: Roster | None = None) -> str:
    """A unit's level as the roster's ``level`` column says it (``tinh``, ``so``, ``huyen``):
    from its roster entry, else from its name ("UBND huyện …", "Thị xã …" are districts)."""
    if roster is not None:
        unit = roster.match(name)
        if unit is not None and unit.level:
            return PROVINCE_LEVEL if unit.is_province else unit.level
        if unit is not None and unit.is_province:
            return PROVINCE_LEVEL
    if looks_provincial(name):
        return PROVINCE_LEVEL
    if name and _DISTRICT_WORDS.match(fold(name)):
        return DISTRICT_LEVEL
    return DEPARTMENT_LEVEL


#: A roster lists tens of units, a few thousand communes at most.
_MAX_ROSTER_BYTES = 4 * 1024 * 1024
_HOW_TO_SAVE = (
    "Hãy mở tệp bằng Excel, chọn Tệp > Lưu thành, chọn kiểu «CSV UTF-8 (Comma delimited)"
    " (*.csv)» rồi lưu; dòng đầu là tiêu đề code,name,level,communes."
)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _roster_text(path: Path, data: bytes) -> str:
    """The roster's text, as Excel saves a CSV: UTF-8 with or without BOM, UTF-16 ("Unicode
    Text"), or the Vietnamese Windows code page (cp1258, tones as combining marks)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                break
    else:
        for codec in ("utf-8", "cp1258"):
            try:
                # cp1258 writes "ố" as "ô" and a combining acute: compose them.
                return unicodedata.normalize("NFC", data.decode(codec))
            except UnicodeDecodeError:
                continue
    raise UsageError(
        f"Không đọc được danh sách đơn vị {path}: không nhận ra bảng mã của tệp. {_HOW_TO_SAVE}"
    )


def _delimiter(text: str) -> str:
    # Excel writes ";" where the list separator is "," in decimals, tabs in "Unicode Text".
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    return max((",", ";", "\t"), key=header.count)


def load_roster(path: str | Path) -> Roster:
    """Read a roster CSV with columns code, name and optionally level, communes.

    Read as Excel saves it on a Vietnamese Windows too: UTF-8 (with or without BOM), UTF-16,
    Windows-1258; separated by commas, semicolons or tabs. A roster that cannot be read is a
    UsageError that says how to save it.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(_MAX_ROSTER_BYTES + 1)
    except OSError as exc:
        raise UsageError(
            f"Không đọc được danh sách đơn vị {path} (không mở được tệp): hãy kiểm tra đường dẫn"
            " và quyền truy cập."
        ) from exc
    # UTF-16 (Excel's "Unicode Text") opens with its byte order mark; other NULs: not text.
    binary = b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if len(data) > _MAX_ROSTER_BYTES or binary:
        raise UsageError(
            f"{path} không phải danh sách đơn vị dạng CSV (tệp quá lớn hoặc là tệp nhị phân)."
            f" {_HOW_TO_SAVE}"
        )
    text = _roster_text(path, data)
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        raise UsageError(f"Không đọc được danh sách đơn vị {path}. {_HOW_TO_SAVE}") from exc
    header = {(key or "").strip().lower() for row in rows[:1] for key in row}
    if rows and not {"code", "name"} <= header:
        raise UsageError(
            f"Danh sách đơn vị {path} thiếu cột code hoặc name ở dòng tiêu đề. {_HOW_TO_SAVE}"
        )
    units: list[Unit] = []
    for number, raw in enumerate(rows, start=2):
        row = {(key or "").strip().lower(): (value or "") for key, value in raw.items()}
        code, name = row.get("code", "").strip(), row.get("name", "").strip()
        if not code and not name and not any(v.strip() for v in row.values()):
            continue  # a blank line Excel left at the end
        if not code or not name:
            raise UsageError(f"{path}: dòng {number} thiếu mã (code) hoặc tên (name) đơn vị")
        communes = row.get("communes", "").strip()
        units.append(
            Unit(
                code=code,
                name=name,
                level=row.get("level", "").strip(),
                communes=int(communes) if communes.isdigit() else None,
            )
        )
    return Roster(units=tuple(units), source=str(path))
