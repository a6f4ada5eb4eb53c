"""Units are matched to the roster by code or by their name written any usual way."""

from __future__ import annotations

import pytest

from _support import EXAMPLE
from ctmtcntt.roster import load_roster, looks_provincial, same_unit

ROSTER = load_roster(EXAMPLE / "roster.csv")


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("S05", "S05"),
        ("tinh", "TINH"),
        ("Sở Tài chính", "S05"),
        ("Sở Tài chính tỉnh Bình Định", "S05"),
        ("SỞ Y TẾ", "S17"),
        ("UBND TP Quy Nhơn", "H01"),
        ("Thành phố Quy Nhơn", "H01"),
        ("TP. Quy Nhơn", "H01"),
        ("UBND TX. Hoài Nhơn", "H03"),
        ("Ủy ban nhân dân huyện Phù Mỹ", "H05"),
        ("Sở TT&TT", "S11"),
        ("Sở Thông tin và Truyền thông", "S11"),
        ("Sở Thông tin và Truyền thông (số liệu chung toàn tỉnh)", "TINH"),
        ("Sở TTTT (số liệu chung toàn tỉnh)", "TINH"),
        ("Sở GD&ĐT", "S16"),
        ("Sở Giáo dục - Đào tạo", "S16"),
        ("Sở LĐ-TB&XH", "S12"),
        ("Sở Lao động – Thương binh và Xã hội", "S12"),
        ("Sở NN&PTNT tỉnh Bình Định", "S07"),
        ("Sở KH&ĐT", "S04"),
        ("Sở Văn hoá và Thể thao", "S13"),
        ("Sở Tài chính".replace("à", "a\u0300"), "S05"),  # decomposed diacritics
    ],
)
def test_name_matches_its_unit(written: str, code: str) -> None:
    """A usual way of writing a unit's name finds that unit."""
    unit = ROSTER.match(written)
    assert unit is not None, written
    assert code == unit.code


@pytest.mark.parametrize(
    "written",
    [
        "Trung tâm Công nghệ thông tin và Truyền thông tỉnh Bình Định",
        "Chi cục Thuế",
        "Sở Tài",
        "UBND huyện Hoài",
        "",
    ],
)
def test_other_names_match_nothing(written: str) -> None:
    """A body inside a unit, a fragment or nothing is not taken for a roster unit."""
    assert ROSTER.match(written) is None


def test_spellings_of_one_unit_without_roster() -> None:
    """Without a roster, two spellings of one unit are one unit, and the province is told apart."""
    assert same_unit("UBND TP Quy Nhơn", "Thành phố Quy Nhơn")
    assert not same_unit("Sở Tài chính", "Sở Y tế")
    assert looks_provincial("Sở TTTT (số liệu chung toàn tỉnh)")
    assert looks_provincial("UBND tỉnh Bình Định")
    assert not looks_provincial("Sở Tài chính")
