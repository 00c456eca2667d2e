"""フリガナ (katakana name): validation, and a reading suggested from the kanji name."""

from __future__ import annotations

import functools
import threading
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.core import jis
from madoguchi.core.japanese_text import (
    is_katakana_name,
    is_katakana_name_char,
    normalize_input,
    to_katakana,
    to_katakana_name,
)

KANA_NAME_MAX_LENGTH = 100


def _first_offender(s: str) -> tuple[str, str]:
    """Return (kind, char) for the first character that makes `s` not a katakana name."""
    for ch in s:
        if is_katakana_name_char(ch):
            continue
        if ch.isascii() and ch.isalpha():
            return "latin", ch
        if ch.isdigit():
            return "digit", ch
        if unicodedata.name(ch, "").startswith("CJK "):
            return "kanji", ch
        return "symbol", ch
    return "shape", ""


def normalize_kana_name(value: str) -> str:
    """Return `value` as a clean katakana name, or raise ValidationError.

    Hiragana, half-width katakana, full-width spaces and middle-dot variants are accepted and
    converted; kanji, Latin letters, digits and other symbols are rejected with a message that
    says what to type instead.
    """
    s = to_katakana_name(value)
    if not s:
        raise ValidationError(_("フリガナを入力してください。"), code="empty")
    if len(s) > KANA_NAME_MAX_LENGTH:
        raise ValidationError(
            _("フリガナは%(max)d文字以内で入力してください。"),
            code="too_long",
            params={"max": KANA_NAME_MAX_LENGTH},
        )
    if is_katakana_name(s):
        return s
    kind, char = _first_offender(s)
    if kind == "kanji":
        raise ValidationError(
            _("フリガナはカタカナで入力してください。漢字は使えません。"), code="kanji"
        )
    if kind == "latin":
        raise ValidationError(
            _(
                "フリガナはカタカナで入力してください。"
                "アルファベットは使えません（外国籍の方もカタカナで入力してください）。"
            ),
            code="latin",
        )
    if kind == "digit":
        raise ValidationError(
            _("フリガナに数字は使えません。カタカナで入力してください。"), code="digit"
        )
    if kind == "shape":
        # Only marks such as ー or ・ without any katakana letter.
        raise ValidationError(_("フリガナをカタカナで入力してください。"), code="invalid")
    raise ValidationError(
        _(
            "フリガナに使えない文字「%(char)s」が含まれています。"
            "カタカナ、長音（ー）、中点（・）、空白だけで入力してください。"
        ),
        code="invalid_character",
        params={"char": char},
    )


# --- Suggested reading ----------------------------------------------------------------------
# SudachiPy with sudachidict-core (already used by the FAQ engine; no download at run time).
# Its dictionary knows surnames and given names (山田 ヤマダ, 小鳥遊 タカナシ, 渡邉 ワタナベ);
# a name has several readings as often as not (健 ケン / タケシ), so the result is only ever a
# suggestion that staff confirm with the resident, never stored unconfirmed.

_local = threading.local()


def _tokenizer() -> Any:
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        from sudachipy import Dictionary

        dictionary = Dictionary()
        make = getattr(dictionary, "tokenizer", None) or dictionary.create
        tokenizer = _local.tokenizer = make()
    return tokenizer


def _is_reading(text: str) -> bool:
    return bool(text) and all("\u30a1" <= ch <= "\u30fa" or ch == "ー" for ch in text)


@functools.lru_cache(maxsize=2048)
def _part_reading(part: str) -> str | None:
    """The katakana reading of one part of a name (family or given), or None."""
    from sudachipy import SplitMode

    readings: list[str] = []
    previous_is_surname = False
    for morpheme in _tokenizer().tokenize(part, SplitMode.C):
        surface = morpheme.surface()
        pos = morpheme.part_of_speech()
        if surface in "・･":  # between the parts of a foreign resident's name
            readings.append("・")
            continue
        if pos[0] in ("補助記号", "空白") or any(ch.isdigit() for ch in surface):
            return None  # Sudachi reads ☆ as キゴウ and 123 as イチニサン: not a name
        kana = to_katakana(surface)
        reading = kana if _is_reading(kana) else morpheme.reading_form()
        if not _is_reading(reading):
            return None
        if previous_is_surname and pos[2:4] == ("人名", "名"):
            readings.append(" ")  # 佐藤健 typed without a space: サトウ ケン
        previous_is_surname = pos[2:4] == ("人名", "姓")
        readings.append(reading)
    return "".join(readings) or None


def suggest_kana_reading(name: str) -> str | None:
    """A katakana reading for a kanji name (staff confirm it), or None when there is none.

    Each space-separated part is read on its own, so family and given names do not merge into
    a compound. Characters outside JIS X 0208 (髙, 﨑, 𠮷) are read as their usual form (高, 崎,
    吉); the name itself is not changed.
    """
    parts = normalize_input(name).split()
    if not parts:
        return None
    readings = []
    for part in parts:
        reading = _part_reading(part)
        if reading is None:
            usual = "".join(jis.standard_form(ch) or ch for ch in part)
            reading = _part_reading(usual) if usual != part else None
        if reading is None:
            return None
        readings.append(reading)
    suggestion = " ".join(readings)
    return suggestion if is_katakana_name(suggestion) else None
