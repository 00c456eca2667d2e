"""Validation of a フリガナ (katakana name) field."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.core.japanese_text import is_katakana_name, is_katakana_name_char, to_katakana_name

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
