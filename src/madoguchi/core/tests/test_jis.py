"""JIS X 0208 check: 外字 candidates flagged, never replaced."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.core import csv as core_csv
from madoguchi.core import jis


@pytest.mark.parametrize(
    ("char", "kind", "standard"),
    [
        ("𠮷", jis.Kind.OUTSIDE, "吉"),  # U+20BB7: no Shift_JIS at all
        ("髙", jis.Kind.VENDOR, "高"),  # IBM extension in cp932
        ("﨑", jis.Kind.VENDOR, "崎"),
        ("①", jis.Kind.VENDOR, "1"),  # NEC row 13
        ("\ufa10", jis.Kind.VENDOR, "\u585a"),  # compatibility 塚 → 塚
        ("\ue000", jis.Kind.PRIVATE, None),  # user-defined area
        ("😀", jis.Kind.OUTSIDE, None),
    ],
)
def test_gaiji_candidates_are_classified(char, kind, standard):
    assert jis.classify(char) is kind
    assert not jis.in_jis_x0208(char)
    assert jis.standard_form(char) == standard
    assert jis.find_gaiji(f"山{char}") == [jis.Gaiji(char, 1, kind)]


@pytest.mark.parametrize("char", list("高崎吉山田邉渡辺〜～−－―—ｱアあ漢a1 ＡＢ＼\u3000"))
def test_jis_x0208_and_x0201_characters_pass(char):
    # 〜 and ～, − and －: the Unicode and cp932 mappings of one JIS character.
    assert jis.classify(char) is None, f"U+{ord(char):04X}"


def test_find_gaiji_reports_every_place_in_order():
    found = jis.find_gaiji("髙橋 𠮷子（髙）")
    assert [(g.char, g.position, g.kind) for g in found] == [
        ("髙", 0, jis.Kind.VENDOR),
        ("𠮷", 3, jis.Kind.OUTSIDE),
        ("髙", 6, jis.Kind.VENDOR),
    ]
    assert found[1].codepoint == "U+20BB7" and not found[1].cp932_encodable
    assert found[0].cp932_encodable


def test_the_csv_module_uses_the_check_and_replaces_nothing():
    text = "髙﨑 𠮷"
    assert [g.char for g in core_csv.shift_jis_gaiji(text)] == ["髙", "﨑", "𠮷"]
    assert text == "髙﨑 𠮷"  # a report, not a rewrite
    assert core_csv.CP932_EQUIVALENTS is jis.CP932_EQUIVALENTS


@given(st.text(st.characters(codec="shift_jis", exclude_characters="¥‾")))
def test_anything_the_strict_shift_jis_codec_holds_is_jis(text):
    # Python's shift_jis codec is JIS X 0201 + JIS X 0208 and nothing else.
    assert jis.find_gaiji(text) == []


def test_yen_and_overline_are_flagged_because_cp932_cannot_write_them():
    # JIS X 0201 Roman has them at 0x5C and 0x7E, where cp932 has \ and ~.
    assert [g.kind for g in jis.find_gaiji("¥100‾")] == [jis.Kind.OUTSIDE, jis.Kind.OUTSIDE]
    assert jis.classify("№") is jis.Kind.VENDOR  # NEC row 13, not JIS X 0208


@given(st.text())
def test_flagged_characters_are_exactly_those_outside_jis(text):
    flagged = {g.position for g in jis.find_gaiji(text)}
    for position, ch in enumerate(text):
        assert (position in flagged) == (jis.classify(ch) is not None)


def test_entry_messages_in_both_languages():
    (gaiji,) = jis.find_gaiji("𠮷")
    with translation.override("ja"):
        assert jis.describe(gaiji) == [
            "「𠮷」（U+20BB7）は Shift_JIS で表せない文字です（外字の候補）。",
            "通常の字体は「吉」です。",
        ]
    (vendor,) = jis.find_gaiji("髙")
    with translation.override("en"):
        assert jis.describe(vendor) == [
            '"髙" (U+9AD9) is not in JIS X 0208 levels 1 and 2 (a gaiji candidate).',
            'Its usual form is "高".',
        ]


def test_encode_shift_jis_names_what_it_cannot_hold_and_writes_the_rest():
    assert core_csv.encode_shift_jis("髙〜①") == "髙～①".encode("cp932")
    with pytest.raises(core_csv.ShiftJisError) as caught:
        core_csv.encode_shift_jis("𠮷田 𠮷子 😀")
    assert [g.char for g in caught.value.gaiji] == ["𠮷", "𠮷", "😀"]
    assert caught.value.characters() == "「𠮷」（U+20BB7）、「😀」（U+1F600）"
