"""Addresses compared as a clerk reads them: 「１丁目２番３号」 = 「1-2-3」 = 「一丁目二番地三」.

`address_key` is a comparison key, not a display form: the address a resident typed or the card
holds is stored and shown as it is. The key folds what varies without changing the place:
width (the card writes digits full width), spaces, dash look-alikes, kanji numerals in the
house-number part, the markers 丁目・番地・番・号・の between numbers, and ヶ/ケ/が between kanji
(霞ヶ関・霞が関). Place names keep their kanji numerals (三鷹市, 八王子市, 四日市市): only
numbers that sit in a block/lot/house position are converted.
"""

from __future__ import annotations

import re
import unicodedata

from madoguchi.core.japanese_text import normalize_input

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_KANJI_DIGITS |= {"七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = "[〇零一二三四五六七八九十百千]+"

# A kanji number is a house-number part when a marker follows it, or when it ends the address
# (or a hyphen follows) right after another house-number part.
# 条 and 線 number the blocks of Hokkaido towns (北１条西２丁目); 一番町 and 一番丁 are names.
_KANJI_BEFORE_MARKER = re.compile(f"({_KANJI_NUMBER})(?=丁目|番地|番(?!町|丁)|号|条|線)")
_BRANCH = re.compile("(番地|番)の")  # 二番地の三 = 二番地三
_KANJI_AFTER_PART = re.compile(
    f"(?<=丁目|番地|[0-9]番|[0-9]の|[0-9]-)({_KANJI_NUMBER})(?![^\\s0-9-])"
)
_KANJI_AFTER_PART_END = re.compile(f"(?<=丁目|番地|[0-9]番|[0-9]の|[0-9]-)({_KANJI_NUMBER})$")

_PART = re.compile(r"([0-9]+)(?:丁目|番地の?|番の?|号|の)(?=[0-9])")
_TRAILING = re.compile(r"([0-9]+)(?:丁目|番地|番|号)$")
_GA = re.compile(r"(?<=[\u4e00-\u9fff])[ヶケヵがガ](?=[\u4e00-\u9fff])")


def kanji_to_int(text: str) -> int:
    """二十三 → 23, 百五 → 105, 二〇三 → 203, 十 → 10."""
    if not any(ch in _KANJI_UNITS for ch in text):
        return int("".join(str(_KANJI_DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in _KANJI_UNITS:
            total += (1 if digit is None else digit) * _KANJI_UNITS[ch]
            digit = None
        else:
            digit = _KANJI_DIGITS[ch] if digit is None else digit * 10 + _KANJI_DIGITS[ch]
    return total + (digit or 0)


def _arabic(match: re.Match[str]) -> str:
    return str(kanji_to_int(match.group(1)))


def address_key(text: str) -> str:
    """The comparison key of an address (see the module docstring).

    Applied until nothing changes: one step can expose another (a long-vowel mark that becomes
    a hyphen once a number stands before it), and a key must be its own key.
    """
    key = _key_once(text)
    for _ in range(8):
        again = _key_once(key)
        if again == key:
            break
        key = again
    return key


def _key_once(text: str) -> str:
    s = normalize_input(text)
    s = unicodedata.normalize("NFKC", s)  # remaining width variants (ｰ, ㍻ stays rare)
    s = "".join(s.split())
    s = _GA.sub("ケ", s)
    s = _BRANCH.sub(r"\1", s)
    # Kanji numbers before a marker first, so that the numbers after them can be recognised.
    s = _KANJI_BEFORE_MARKER.sub(_arabic, s)
    previous = None
    while previous != s:
        previous = s
        s = _KANJI_AFTER_PART_END.sub(_arabic, s)
        s = _KANJI_AFTER_PART.sub(_arabic, s)
    previous = None
    while previous != s:
        previous = s
        s = _PART.sub(r"\1-", s)
    s = _TRAILING.sub(r"\1", s)
    return s


def same_address(a: str, b: str) -> bool:
    return address_key(a) == address_key(b)
