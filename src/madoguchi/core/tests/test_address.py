"""Address comparison keys: 「１丁目２番３号」 = 「1-2-3」 = 「一丁目二番地三」."""

from __future__ import annotations

import jaconv
import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.core.address import address_key, kanji_to_int, same_address


@pytest.mark.parametrize(
    "variant",
    [
        "東京都千代田区霞が関１丁目２番３号",  # as the My Number card writes it
        "東京都千代田区霞が関1-2-3",
        "東京都千代田区霞が関一丁目二番地三",
        "東京都千代田区霞ヶ関 1丁目2番地の3",
        "東京都千代田区霞ケ関１－２－３",
        "東京都千代田区霞が関1ー2ー3",
        "東京都　千代田区　霞が関　一丁目　二番　三号",
    ],
)
def test_the_forms_of_one_address_compare_equal(variant):
    assert same_address(variant, "東京都千代田区霞が関1-2-3")
    assert address_key(variant) == "東京都千代田区霞ケ関1-2-3"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("霞が関1-2-3", "霞が関1-2-4"),
        ("霞が関1-2-3", "霞が関1-23"),
        ("三鷹市下連雀3-10-23", "3鷹市下連雀3-10-23"),
        ("千代田区一番町25", "千代田区1-25"),
    ],
)
def test_different_addresses_stay_different(a, b):
    assert not same_address(a, b)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("東京都三鷹市下連雀三丁目十番二十三号", "東京都三鷹市下連雀3-10-23"),  # 三鷹 stays
        ("八王子市元本郷町三丁目２４番１号", "八王子市元本郷町3-24-1"),
        ("四日市市諏訪町1番5号", "四日市市諏訪町1-5"),
        ("札幌市中央区北一条西二丁目一番地", "札幌市中央区北1条西2-1"),
        ("札幌市中央区北１条西２丁目１番地", "札幌市中央区北1条西2-1"),
        ("仙台市青葉区一番丁一丁目", "仙台市青葉区一番丁1"),
        ("大字小川１２３４番地", "大字小川1234"),
        ("二〇三号室", "203号室"),
        ("ｶｽﾐｶﾞｾｷ１", "カスミガセキ1"),
    ],
)
def test_keys(text, key):
    assert address_key(text) == key


@pytest.mark.parametrize(
    ("kanji", "number"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("百五", 105),
        ("千二百三十四", 1234),
        ("二〇三", 203),
        ("一〇", 10),
    ],
)
def test_kanji_numbers(kanji, number):
    assert kanji_to_int(kanji) == number


ADDRESS_PIECES = [
    *"0123456789０１２３４５６７８９一二三四五六七八九十〇百",
    *("丁目", "番地", "番", "号", "の", "-", "－", "ー", " ", "\u3000"),
    *"東京都千代田区霞が関ヶケ北条西町市大字小川アイｱｲ",
]
NARROW_PIECES = [*"0123456789一二三十丁目番地号の- ", *"東京都千代田区霞が関ヶ北条西ABCabcｱｲｳ"]


@given(st.lists(st.sampled_from(ADDRESS_PIECES), max_size=20).map("".join))
def test_the_key_is_idempotent(text):
    assert address_key(address_key(text)) == address_key(text)


@given(st.lists(st.sampled_from(NARROW_PIECES), max_size=20).map("".join))
def test_the_key_ignores_width(text):
    wide = jaconv.h2z(text, kana=True, ascii=True, digit=True)
    narrow = jaconv.z2h(text, kana=True, ascii=True, digit=True)
    assert address_key(wide) == address_key(text) == address_key(narrow)
