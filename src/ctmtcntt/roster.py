"""The list of reporting units, and matching a name as units write it to its roster entry."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import CtmtError
from .numbers import fold

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
}
_EXPAND = {
    "tttt": "thong tin va truyen thong",
    "tt&tt": "thong tin va truyen thong",
    "nn&ptnt": "nong nghiep va phat trien nong thon",
    "nnptnt": "nong nghiep va phat trien nong thon",
    "ld-tb&xh": "lao dong thuong binh va xa hoi",
    "ldtbxh": "lao dong thuong binh va xa hoi",
    "khdt": "ke hoach va dau tu",
    "kh&dt": "ke hoach va dau tu",
    "gtvt": "giao thong van tai",
    "tnmt": "tai nguyen va moi truong",
    "tn&mt": "tai nguyen va moi truong",
    "gd&dt": "giao duc va dao tao",
    "gddt": "giao duc va dao tao",
    "khcn": "khoa hoc va cong nghe",
    "kh&cn": "khoa hoc va cong nghe",
    "vhtt": "van hoa va the thao",
}
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
class Roster:
    """The units expected to report."""

    units: tuple[Unit, ...]
    source: str = ""

    def by_code(self, code: str) -> Unit | None:
        """The unit with this roster code (case-insensitive)."""
        wanted = code.strip().upper()
        return next((u for u in self.units if u.code.upper() == wanted), None)

    def match(self, name: str | None) -> Unit | None:
        """The unit a written name refers to: by code, exact name, or its distinctive words."""
        if not name:
            return None
        by_code = self.by_code(name)
        if by_code is not None:
            return by_code
        folded = fold(name)
        for unit in self.units:
            if fold(unit.name) == folded:
                return unit
        words = set(_words(name))
        province = any(w in folded for w in _PROVINCE_WORDS)
        best: list[tuple[int, Unit]] = []
        for unit in self.units:
            core = _core(unit.name)
            if core and core <= words and (not unit.is_province or province):
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
    text = fold(name.replace("&", " & "))
    for short, long in _EXPAND.items():
        text = re.sub(rf"\b{re.escape(short)}\b", long, text)
    return [w for w in re.split(r"[^a-z0-9]+", text) if w]


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


def load_roster(path: str | Path) -> Roster:
    """Read a roster CSV with columns code, name and optionally level, communes."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CtmtError(f"Không đọc được danh sách đơn vị {path}: {exc}") from exc
    units: list[Unit] = []
    for number, row in enumerate(rows, start=2):
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        if not code or not name:
            raise CtmtError(f"{path}: dòng {number} thiếu mã (code) hoặc tên (name) đơn vị")
        communes = (row.get("communes") or "").strip()
        units.append(
            Unit(
                code=code,
                name=name,
                level=(row.get("level") or "").strip(),
                communes=int(communes) if communes.isdigit() else None,
            )
        )
    return Roster(units=tuple(units), source=str(path))


def roster_of(units: Sequence[Unit], source: str = "") -> Roster:
    """A roster from units built in code (tests, callers with their own list)."""
    return Roster(units=tuple(units), source=source)
