from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.core.municipality_code import validate_municipality_code
from madoguchi.core.postal import (
    PostalAddress,
    format_postal_code,
    lookup_postal_code,
    normalize_postal_code,
)
from madoguchi.core.tests.hostile import hostile_text


@pytest.mark.parametrize(
    "raw",
    [
        "1000001",
        "100-0001",
        "〒100-0001",
        "〒 100-0001",
        "１００－０００１",
        "100ー0001",
        " 100 0001 ",
    ],
)
def test_normalize_postal_code_accepts(raw: str) -> None:
    assert normalize_postal_code(raw) == "1000001"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("〒", "empty"),
        ("100-001", "invalid_postal_code"),
        ("10000011", "invalid_postal_code"),
        ("1000-001", "invalid_postal_code"),
        ("abc-defg", "invalid_postal_code"),
        ("१००-०००१", "invalid_postal_code"),  # Devanagari digits are not postal codes
    ],
)
def test_normalize_postal_code_rejects(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_postal_code(raw)
    assert excinfo.value.code == code


@settings(max_examples=300, deadline=None)
@given(text=hostile_text)
def test_postal_parsers_never_crash(text: str) -> None:
    try:
        digits = normalize_postal_code(text)
    except ValidationError as error:
        assert error.messages
    else:
        assert len(digits) == 7 and digits.isascii() and digits.isdigit()
    assert isinstance(lookup_postal_code(text), list)


@settings(max_examples=50, deadline=None)
@given(digits=st.from_regex(r"[0-9]{7}", fullmatch=True))
def test_lookup_of_any_seven_digits_returns_valid_addresses(digits: str) -> None:
    for address in lookup_postal_code(digits):
        assert address.postal_code == digits
        validate_municipality_code(address.municipality_code)


def test_lookup_chiyoda() -> None:
    assert lookup_postal_code("100-0001") == [
        PostalAddress(
            postal_code="1000001",
            prefecture="東京都",
            city="千代田区",
            town="千代田",
            prefecture_kana="トウキョウト",
            city_kana="チヨダク",
            town_kana="チヨダ",
            municipality_code="131016",
        )
    ]
    assert lookup_postal_code("〒１００－０００１")[0].address == "東京都千代田区千代田"


def test_lookup_amagasaki() -> None:
    (address,) = lookup_postal_code("6600892")
    assert (address.prefecture, address.city, address.town) == ("兵庫県", "尼崎市", "東難波町")
    assert address.municipality_code == "282022"


def test_code_for_the_whole_city_has_no_town() -> None:
    (address,) = lookup_postal_code("060-0000")
    assert address.city == "札幌市中央区"
    assert address.town == ""
    assert address.note == "以下に掲載がない場合"


def test_code_with_many_towns() -> None:
    addresses = lookup_postal_code("452-0961")
    assert len(addresses) > 10
    assert {a.city for a in addresses} == {"清須市"}
    assert "春日明河原" in {a.town for a in addresses}
    assert len({a.town for a in addresses}) == len(addresses)


def test_code_spanning_two_wards() -> None:
    cities = {a.city for a in lookup_postal_code("0040000")}
    assert cities == {"札幌市厚別区", "札幌市清田区"}


def test_large_office_code() -> None:
    (address,) = lookup_postal_code("100-8111")
    assert address.is_office
    assert address.office_name == "宮内庁"
    assert address.address.startswith("東京都千代田区千代田")


@pytest.mark.parametrize("raw", ["9999999", "0000000", "", "not a code", "100-001"])
def test_unknown_or_malformed_codes_give_empty_list(raw: str) -> None:
    assert lookup_postal_code(raw) == []


def test_lookup_from_another_thread() -> None:
    results: list[list[PostalAddress]] = []
    thread = threading.Thread(target=lambda: results.append(lookup_postal_code("1000001")))
    thread.start()
    thread.join()
    assert results[0][0].town == "千代田"


def test_format_postal_code() -> None:
    assert format_postal_code("1000001") == "100-0001"
