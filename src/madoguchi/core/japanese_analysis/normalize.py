"""Character-level folding of Japanese text.

Residents type the same word many ways: full-width or half-width letters and digits, half-width
katakana, hiragana or katakana for the same word, a long-vowel mark or not, small kana. Folding all of
them to one form before matching makes those differences disappear.

Two levels:
- ``fold_width`` (NFKC + case folding + unified dashes/tilde): safe before morphological analysis.
- ``fold_kana`` (katakana → hiragana, small → normal kana, long-vowel marks and middle dots removed):
  only for character n-grams and keys, because it changes how Sudachi would segment the text.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

# Katakana U+30A1..U+30F6 map to hiragana by a fixed offset.
_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_SMALL_TO_NORMAL = str.maketrans(
    {
        "ぁ": "あ",
        "ぃ": "い",
        "ぅ": "う",
        "ぇ": "え",
        "ぉ": "お",
        "っ": "つ",
        "ゃ": "や",
        "ゅ": "ゆ",
        "ょ": "よ",
        "ゎ": "わ",
        "ゕ": "か",
        "ゖ": "け",
    }
)
# Small kana -> normal kana (also used by the n-gram tables in analysis.py).
SMALL_KANA = {chr(k): str(v) for k, v in _SMALL_TO_NORMAL.items()}
# Marks that vary freely between writers and carry no meaning for matching.
_DROP_FOR_KEYS = str.maketrans({"ー": None, "・": None, "ゝ": None, "ゞ": None, "ヽ": None})
# Dash and wave-dash look-alikes that NFKC leaves apart.
_DASHES = str.maketrans(
    {
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "〜": "~",
        "～": "~",
    }
)
_SPACES = re.compile(r"\s+")
_DASH_CHARS = re.compile("[" + "".join(chr(k) for k in _DASHES) + "]")
_KATAKANA = re.compile("[\u30a1-\u30f6]")


def fold_width(text: str) -> str:
    """Unify width, case, dashes and whitespace; keep kana as written."""
    text = unicodedata.normalize("NFKC", text).lower()
    if _DASH_CHARS.search(text):
        # str.translate is slow on non-ASCII text; most texts have no dash to fix.
        text = text.translate(_DASHES)
    return _SPACES.sub(" ", text).strip()


def katakana_to_hiragana(text: str) -> str:
    if len(text) < 64:
        return text.translate(_KATA_TO_HIRA) if _KATAKANA.search(text) else text
    # Long texts: shift code points with numpy (str.translate looks up every character).
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).copy()
    codes[(codes >= 0x30A1) & (codes <= 0x30F6)] -= 0x60
    return codes.tobytes().decode("utf-32-le")


def fold_kana(text: str) -> str:
    """Fold katakana to hiragana, small kana to normal, and drop long-vowel marks.

    Expects text already passed through :func:`fold_width` (so half-width katakana is gone).
    """
    return katakana_to_hiragana(text).translate(_SMALL_TO_NORMAL).translate(_DROP_FOR_KEYS)


_SMALL_KANA_RE = re.compile("[ぁぃぅぇぉっゃゅょゎゕゖ]")


def fold_kana_same_length(text: str) -> str:
    """Katakana → hiragana and small → normal kana only: one character for one, so positions in
    the result match the input."""
    text = katakana_to_hiragana(text)
    return _SMALL_KANA_RE.sub(lambda m: SMALL_KANA[m.group(0)], text)


def fold_all(text: str) -> str:
    """Both levels: the key under which two spellings of one word compare equal."""
    return fold_kana(fold_width(text))
