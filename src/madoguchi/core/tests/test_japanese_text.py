from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.core.japanese_text import (
    _normalize_every_step,
    is_katakana_name,
    normalize_input,
    strip_invisible,
    to_hiragana,
    to_katakana,
    to_katakana_name,
)
from madoguchi.core.kana import KANA_NAME_MAX_LENGTH, normalize_kana_name
from madoguchi.core.tests.hostile import hostile_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
        ("２０２４／４／１", "2024/4/1"),
        ("ｻｰﾋﾞｽ", "サービス"),
        ("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ ｳﾞ", "パピプペポ ヴ"),
        ("ﾜﾞｦﾞ", "ヷヺ"),
        ("カ゛キ\u3099", "ガギ"),
        ("ｾﾝﾀ-", "センター"),
        ("サ−ビス", "サービス"),
        ("サ—ビス", "サービス"),
        ("東町1ー2ー3", "東町1-2-3"),
        ("東町１－２－３", "東町1-2-3"),
        ("1‐2―3", "1-2-3"),
        ("ハイツ-101", "ハイツ-101"),
        ("コーポＡ－１０１", "コーポA-101"),
        ("　山田　　太郎　", "山田 太郎"),
        ("a\tb\nc", "a b c"),
        ("a\x00b\u202ec\ud800\u200b\ufeff", "abc"),
        ("（株）！", "（株）！"),
        ("10時～12時", "10時〜12時"),
        # Compatibility ideographs (﨑 U+FA11, 神 U+FA19) are kept as typed: never NFKC'd.
        ("\u9ad9\ufa11", "\u9ad9\ufa11"),
        ("\ufa19", "\ufa19"),
        ("ｼﾞｮﾝ･ｽﾐｽ", "ジョン・スミス"),
        ("", ""),
    ],
)
def test_normalize_input(raw: str, expected: str) -> None:
    assert normalize_input(raw) == expected


@settings(max_examples=500, deadline=None)
@given(text=hostile_text)
def test_normalize_input_is_total_idempotent_and_clean(text: str) -> None:
    once = normalize_input(text)
    assert normalize_input(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert strip_invisible(once) == once
    once.encode("utf-8")  # no lone surrogates survive


_LOOKALIKES = "カサハヤあ山ﾊﾟｰﾞﾟ゛゜\u3099\u309a-－ー―‐～〜ＡＺ０９ｶ \u3000\t\u200b\ufeff\x00Aa1・･"


@settings(max_examples=1000, deadline=None)
@given(text=st.one_of(hostile_text, st.text(st.sampled_from(_LOOKALIKES), max_size=12)))
def test_normalize_input_fast_path_changes_nothing_the_full_path_would(text: str) -> None:
    # The shortcut for input that needs no conversion must give what every step gives.
    assert normalize_input(text) == _normalize_every_step(text)


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30))
def test_fullwidth_ascii_letters_and_digits_fold(text: str) -> None:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in text)
    assert normalize_input(fullwidth) == normalize_input(text)


def test_kana_conversions() -> None:
    assert to_katakana("やまだ たろう ゔ") == "ヤマダ タロウ ヴ"
    assert to_hiragana("ヤマダ") == "やまだ"
    assert to_katakana_name("やまだ　たろう") == "ヤマダ タロウ"
    assert is_katakana_name("ヤマダ タロウ")
    assert is_katakana_name("ジョン・スミス")
    assert not is_katakana_name("やまだ")
    assert not is_katakana_name("ヤマダ  タロウ")
    assert not is_katakana_name(" ヤマダ")
    assert not is_katakana_name("ー")
    assert not is_katakana_name("")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ヤマダ タロウ", "ヤマダ タロウ"),
        ("やまだ　たろう", "ヤマダ タロウ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
        ("  サトウ   ハナコ ", "サトウ ハナコ"),
        ("ジョン･スミス", "ジョン・スミス"),
        ("ジョン·スミス", "ジョン・スミス"),
        ("ヴァン・ダイク", "ヴァン・ダイク"),
        ("こうの ゆうこ", "コウノ ユウコ"),
        ("ｺｰﾉ", "コーノ"),
        ("コ-ノ", "コーノ"),
    ],
)
def test_normalize_kana_name_accepts(raw: str, expected: str) -> None:
    assert normalize_kana_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("山田 太郎", "kanji"),
        ("ヤマダ 太郎", "kanji"),
        ("Yamada Taro", "latin"),
        ("ＹＡＭＡＤＡ", "latin"),
        ("ヤマダ1", "digit"),
        ("ヤマダ☆", "invalid_character"),
        ("ヤマダ!", "invalid_character"),
        ("・", "invalid"),
        ("", "empty"),
        ("\u3000\u200b", "empty"),
        ("ア" * (KANA_NAME_MAX_LENGTH + 1), "too_long"),
    ],
)
def test_normalize_kana_name_rejects(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_kana_name(raw)
    assert excinfo.value.code == code
    assert excinfo.value.messages


@settings(max_examples=400, deadline=None)
@given(text=hostile_text)
def test_normalize_kana_name_only_ever_raises_validation_error(text: str) -> None:
    try:
        result = normalize_kana_name(text)
    except ValidationError as error:
        assert error.messages
    else:
        assert is_katakana_name(result)


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(
        st.text(st.characters(min_codepoint=0x3041, max_codepoint=0x3093), min_size=1, max_size=8),
        min_size=1,
        max_size=3,
    ).map(" ".join)
)
def test_any_hiragana_name_becomes_katakana(text: str) -> None:
    assert normalize_kana_name(text) == to_katakana(text)
