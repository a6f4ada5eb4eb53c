"""Units are matched to the roster by code or by their name written any usual way."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from _support import EXAMPLE
from ctmtcntt.errors import UsageError
from ctmtcntt.forms.roster import load_roster, looks_provincial, same_unit

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


# ---------------------------------------------------------------------------------------------
# The roster as Excel saves it on a Vietnamese Windows


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Excel writes it: a vowel with its shape, then the tone as a mark."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            shape = "".join(c for c in parts if c not in tones)
            out += (unicodedata.normalize("NFC", shape) + tones).encode("cp1258")
    return out


_TEXT = (EXAMPLE / "roster.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "saved",
    [
        pytest.param(_cp1258(_TEXT), id="cp1258"),
        pytest.param(_cp1258(_TEXT.replace(",", ";")), id="cp1258-semicolons"),
        pytest.param("\ufeff".encode() + _TEXT.encode(), id="utf8-bom"),
        pytest.param(_TEXT.replace(",", ";").encode("utf-8-sig"), id="utf8-bom-semicolons"),
        pytest.param(_TEXT.replace(",", "\t").encode("utf-16"), id="utf16-unicode-text"),
        pytest.param(_TEXT.replace("\n", "\r\n").encode("utf-16"), id="utf16-crlf"),
    ],
)
def test_a_roster_as_excel_saves_it(tmp_path: Path, saved: bytes) -> None:
    """cp1258, UTF-8 with BOM, UTF-16, ";" or tab separators: the same units, same names."""
    path = tmp_path / "roster.csv"
    path.write_bytes(saved)
    assert ROSTER.units == load_roster(path).units


@pytest.mark.parametrize(
    ("saved", "words"),
    [
        (b"\x00\x01binary\x00" * 10, "không phải danh sách đơn vị"),
        (b"ma;ten\nS01;A\n", "thiếu cột code hoặc name"),
        ((EXAMPLE / "S05 - So Tai chinh.xlsx").read_bytes(), "không phải danh sách"),
        (b"code,name\nS01,S\x81\x8a\n", "không nhận ra bảng mã"),
    ],
    ids=["binary", "other-columns", "a-workbook", "no-known-encoding"],
)
def test_a_roster_that_cannot_be_read_says_how_to_save_it(
    tmp_path: Path, saved: bytes, words: str
) -> None:
    """When it truly cannot be read: why, and how to save it from Excel."""
    path = tmp_path / "roster.csv"
    path.write_bytes(saved)
    with pytest.raises(UsageError) as raised:
        load_roster(path)
    assert words in str(raised.value)
    assert "CSV UTF-8" in str(raised.value)
    assert str(path) in str(raised.value)
