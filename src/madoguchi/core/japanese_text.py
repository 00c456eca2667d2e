"""Tolerant clean-up of what residents type: 全角/半角, dashes, spaces, kana."""

from __future__ import annotations

import re
import unicodedata

import jaconv

# Full-width symbols folded to ASCII besides letters and digits: the ones that carry meaning in
# e-mail addresses, dates, times and URLs. Japanese punctuation such as （）「」！？、。 is kept as
# typed, because it is natural in Japanese text and folding it changes nothing for validation.
_FULLWIDTH_SYMBOLS_TO_ASCII = "＠．＿＋＃％＆＊／：＝"
# ... so every other full-width ASCII character (U+FF01–U+FF5E) is passed to jaconv as `ignore`.
_KEEP_FULLWIDTH = "".join(
    chr(cp)
    for cp in range(0xFF01, 0xFF5F)
    if not chr(cp).isalnum() and chr(cp) not in _FULLWIDTH_SYMBOLS_TO_ASCII
)

# Characters that look like a horizontal bar. Which one a person meant depends on context:
# after kana it is the long-vowel mark (サ－ビス → サービス), between digits a hyphen (1ー2ー3).
_LONG_VOWEL_LOOKALIKES = frozenset("ーｰ—―─━")
_HYPHEN_LOOKALIKES = frozenset("-‐‑‒–−－﹣⁃˗֊")
_DASHES = _LONG_VOWEL_LOOKALIKES | _HYPHEN_LOOKALIKES
_ANY_DASH = re.compile("[" + re.escape("".join(sorted(_DASHES))) + "]")
_FULLWIDTH_ASCII = re.compile("[\uff01-\uff5e]")
_HALFWIDTH_KANA = re.compile("[\uff61-\uff9f]")

# Invisible characters that only ever cause trouble in form input: zero-width characters,
# bidirectional controls (used to disguise text such as "invoice<RLO>fdp.exe") and BOMs.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
# C0/C1 control characters (NUL included) and lone surrogates, which cannot even be stored as
# UTF-8. Whitespace controls (tab, newline) are handled by the space collapsing instead.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

# Any character one of the steps of normalize_input would change or remove.
_NEEDS_WORK = re.compile(
    "|".join(
        (
            _INVISIBLE.pattern,
            _CONTROL.pattern,
            # An ASCII hyphen only changes after kana (ｾﾝﾀ- → センター); other dashes always may.
            "[" + re.escape("".join(sorted(_DASHES - {"-"}))) + "]",
            "(?<=[\u3041-\u3096\u30a1-\u30faーゝゞヽヾ])-",
            _FULLWIDTH_ASCII.pattern,
            _HALFWIDTH_KANA.pattern,
            "[～\u3099-\u309c]",
        )
    )
)

# A kana followed by a (combining or spacing) voiced/semi-voiced mark, as some IMEs and
# half-width conversions leave it: カ゛ → ガ.
_KANA_WITH_MARK = re.compile("([\u3041-\u30ff])([\u3099\u309a\u309b\u309c\uff9e\uff9f])")
_MARK_TO_COMBINING = {
    "\u3099": "\u3099",
    "\u309b": "\u3099",
    "\uff9e": "\u3099",
    "\u309a": "\u309a",
    "\u309c": "\u309a",
    "\uff9f": "\u309a",
}
_STRAY_MARKS = str.maketrans({"\uff9e": "\u309b", "\uff9f": "\u309c"})

_MIDDLE_DOTS = str.maketrans({"\u00b7": "・", "\u2027": "・", "\u2022": "・", "\uff65": "・"})


def _is_kana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u3096" or "\u30a1" <= ch <= "\u30fa" or ch in "ーゝゞヽヾ"


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _join_voiced_mark(match: re.Match[str]) -> str:
    base, mark = match.group(1), match.group(2)
    combined = unicodedata.normalize("NFC", base + _MARK_TO_COMBINING[mark])
    return combined if len(combined) == 1 else match.group(0)


def _normalize_dashes(s: str) -> str:
    out: list[str] = []
    for i, ch in enumerate(s):
        if ch not in _DASHES:
            out.append(ch)
            continue
        prev = out[-1] if out else ""
        nxt = s[i + 1] if i + 1 < len(s) else ""
        if prev and _is_ascii_alnum(prev):
            out.append("-")
        elif prev and _is_kana(prev):
            # ハイツ-101 is a hyphen; サ-ビス and サ—ビス are a long vowel.
            if ch in _HYPHEN_LOOKALIKES and nxt.isascii() and nxt.isdigit():
                out.append("-")
            else:
                out.append("ー")
        elif nxt.isascii() and nxt.isdigit():
            out.append("-")
        else:
            out.append("ー" if ch in "ーｰ" else "-")
    return "".join(out)


def strip_invisible(s: str) -> str:
    """Remove control characters, lone surrogates, zero-width and bidi-control characters."""
    return _CONTROL.sub("", _INVISIBLE.sub("", s))


def normalize_input(s: str) -> str:
    """Normalise one line of resident input, tolerant of 全角/半角 and look-alike characters.

    Full-width ASCII letters, digits and a few symbols become half-width; half-width katakana
    becomes full-width (dakuten joined); dash look-alikes become "-" or "ー" by context; the
    ideographic space and other whitespace become one ASCII space; the result is trimmed.
    Kanji are never changed (no NFKC: it would rewrite compatibility ideographs in names).
    """
    if (s.isascii() and s.isprintable()) or not _NEEDS_WORK.search(s):
        # Nothing to strip or convert: only the spaces change (most input).
        return " ".join(s.split())
    return _normalize_every_step(s)


def _normalize_every_step(s: str) -> str:
    s = strip_invisible(s)
    if not s.isascii():
        # The conversions below only concern non-ASCII characters; most input is ASCII.
        s = s.replace("～", "〜")  # what Windows IMEs type for 〜: a wave dash, not a tilde
        if _FULLWIDTH_ASCII.search(s):
            s = jaconv.z2h(s, ignore=_KEEP_FULLWIDTH, kana=False, ascii=True, digit=True)
        if _HALFWIDTH_KANA.search(s):
            s = jaconv.h2z(s, kana=True, ascii=False, digit=False)
        s = _KANA_WITH_MARK.sub(_join_voiced_mark, s)
        s = s.translate(_STRAY_MARKS)
        if _ANY_DASH.search(s):
            s = _normalize_dashes(s)
    return " ".join(s.split())


def to_katakana(s: str) -> str:
    """Convert hiragana to katakana (ゔ → ヴ, ゝ → ヽ); everything else is kept."""
    return jaconv.hira2kata(s)


def to_hiragana(s: str) -> str:
    """Convert katakana to hiragana; everything else is kept."""
    return jaconv.kata2hira(s)


# A katakana name: full-width katakana letters (ァ–ヶ incl. ヴ), the long-vowel mark, the
# iteration marks, the middle dot used between given and family names of foreign residents,
# and single spaces between parts.
_KATAKANA_NAME_CHARS = "\u30a1-\u30f6\u30f7-\u30fa\u30fc\u30fd\u30fe\u30fb"
_KATAKANA_NAME_CHAR = re.compile(f"[{_KATAKANA_NAME_CHARS}]")
_KATAKANA_NAME = re.compile(f"[{_KATAKANA_NAME_CHARS}]+(?: [{_KATAKANA_NAME_CHARS}]+)*")


def is_katakana_name_char(ch: str) -> bool:
    """True if `ch` may appear in a katakana name (space included)."""
    return ch == " " or bool(_KATAKANA_NAME_CHAR.fullmatch(ch))


def is_katakana_name(s: str) -> bool:
    """True if `s` is already a clean katakana name (no conversion is applied)."""
    return bool(_KATAKANA_NAME.fullmatch(s)) and any("\u30a1" <= ch <= "\u30fa" for ch in s)


def to_katakana_name(s: str) -> str:
    """Best-effort conversion of typed input to the shape of a katakana name.

    Normalises width and spaces, converts hiragana to katakana and unifies middle dots. The
    result still has to pass `is_katakana_name`; see `madoguchi.core.kana` for validation.
    """
    s = normalize_input(s)
    return to_katakana(s).translate(_MIDDLE_DOTS)
