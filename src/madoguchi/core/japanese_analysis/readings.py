"""Readings: the kana a text is pronounced with, for matching kana against kanji spellings.

A resident who writes いんかんしょうめい or じゅうみんひょう (no kanji at hand, or a screen reader's
user) means 印鑑証明 and 住民票. Sudachi's reading forms turn both spellings into the same kana;
their character bigrams (all of them, hiragana pairs included) then overlap even when a word is
mistyped by a character.
"""

from __future__ import annotations

from .analysis import Analyzer
from .normalize import fold_kana, fold_width, katakana_to_hiragana


def reading(analyzer: Analyzer, text: str) -> str:
    """The folded hiragana reading of ``text`` (letters and digits kept, punctuation dropped)."""
    text = fold_width(text)
    if not text:
        return ""
    # The analyzer's own per-thread tokenizer: one Sudachi dictionary per process.
    tokenizer = analyzer._tokenizer()
    kana = []
    for m in tokenizer.tokenize(text):
        pos = m.part_of_speech()[0]
        if pos in ("補助記号", "空白"):
            continue
        kana.append(m.reading_form() or m.surface())
    return fold_kana(katakana_to_hiragana("".join(kana)))


def reading_bigrams(analyzer: Analyzer, text: str) -> list[str]:
    """Every overlapping pair of characters of the reading (a single character alone)."""
    r = reading(analyzer, text)
    if len(r) < 2:
        return [r] if r else []
    return [r[i : i + 2] for i in range(len(r) - 1)]
