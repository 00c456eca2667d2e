"""Suggested フリガナ for a kanji name (Sudachi readings; staff confirm)."""

from __future__ import annotations

import pytest

from madoguchi.core.kana import normalize_kana_name, suggest_kana_reading


@pytest.mark.parametrize(
    ("name", "reading"),
    [
        ("山田　太郎", "ヤマダ タロウ"),  # the card's U+3000 between family and given name
        ("渡邉 美咲", "ワタナベ ミサキ"),
        ("小鳥遊 ゆう", "タカナシ ユウ"),  # kana parts read as written
        ("佐藤健", "サトウ ケン"),  # typed without a space: split at the surname
        ("髙橋 一郎", "タカハシ イチロウ"),  # 外字 read as their usual form
        ("𠮷田 花子", "ヨシダ ハナコ"),
        ("﨑山 さくら", "サキヤマ サクラ"),
        ("ジョン スミス", "ジョン スミス"),
        ("ジョン・スミス", "ジョン・スミス"),
        ("John Smith", "ジョン スミス"),  # Sudachi knows common English names
    ],
)
def test_suggested_readings(name, reading):
    suggestion = suggest_kana_reading(name)
    assert suggestion == reading
    assert normalize_kana_name(suggestion) == reading  # passes the フリガナ field as it is


@pytest.mark.parametrize("name", ["", "   ", "田中 Ｘ", "山田 ☆", "山田 123"])
def test_no_suggestion_when_part_of_the_name_has_no_reading(name):
    assert suggest_kana_reading(name) is None
