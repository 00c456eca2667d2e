"""How the inbox finds an applicant by name or カナ, whatever width or kana the staff type."""

from __future__ import annotations

from madoguchi.core.japanese_text import normalize_input, to_katakana


def fold(text: str) -> str:
    """全角/半角, ひらがな/カタカナ and case folded; spaces removed (山田 花子 = 山田花子)."""
    return "".join(to_katakana(normalize_input(text or "")).casefold().split())


def search_key_for(*, name: str, kana: str) -> str:
    """The value stored in Application.search_key (set it whenever name or kana change)."""
    return f"{fold(name)}|{fold(kana)}"[:200]
