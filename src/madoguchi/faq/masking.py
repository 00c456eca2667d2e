"""Mask what looks like personal data in a resident's question before it is stored.

Residents type their name, address, phone number, e-mail, date of birth or 12-digit 個人番号
into a chat box. The query log keeps the question for the FAQ editors, never those values.
Input is normalised first (全角 digits and dashes become ASCII), so look-alike characters cannot
slip through. Patterns catch what has a shape (numbers, e-mail, dates of birth, 番地); names and
places come from SudachiPy's part-of-speech tags (固有名詞・人名, 固有名詞・地名), so ordinary
procedure words (住民票, 児童手当, 転入届) are left as they are. A place is masked only with the
street numbers after it: 「千代田区の住民票」 says where, not who.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from madoguchi.core.japanese_text import normalize_input

EMAIL_MASK = "［メール］"
MY_NUMBER_MASK = "［12桁の番号］"
PHONE_MASK = "［電話番号］"
NUMBER_MASK = "［番号］"
NAME_MASK = "［氏名］"
ADDRESS_MASK = "［住所］"
POSTAL_MASK = "［郵便番号］"
BIRTH_DATE_MASK = "［生年月日］"

_EMAIL = re.compile(r"[\w.+-]+\s?(?:@|＠|\(at\)|\[at\])\s?[\w-]+(?:\.[\w-]+)+", re.ASCII | re.I)
# 12 digits, optionally grouped 4-4-4 by a dash or space.
_TWELVE = re.compile(r"(?<!\d)\d{4}[- ]?\d{4}[- ]?\d{4}(?!\d)")
# Japanese phone numbers: 0 or +81, 10–11 digits, with optional dashes, spaces or brackets.
_PHONE = re.compile(r"(?<![\d+])(?:\+81[- ]?|0)\d{1,4}[- ()]{0,2}\d{1,4}[- ()]{0,2}\d{3,4}(?!\d)")
# 〒 and 7-digit postal codes (123-4567; bare 7 digits only after 〒 or 郵便番号).
_POSTAL = re.compile(
    r"(?:〒|郵便番号(?:は|[:：])?)\s?\d{3}-?\d{4}(?!\d)|(?<![\d-])\d{3}-\d{4}(?![\d-])"
)
_DATE = r"(?:(?:明治|大正|昭和|平成|令和|[MTSHR])\s?(?:\d{1,2}|元)|\d{4})\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?日|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}"
# A date is a date of birth when it says so; 「4月1日に」 stays.
_BIRTH_DATE = re.compile(
    rf"(?:(?:生年月日|誕生日)(?:は|が|[:：])?\s?(?:{_DATE}))|(?:(?:{_DATE})\s?(?:生まれ|生))"
)
# Street numbers left after the place: 3丁目4番5号, 12番地の3, 1-2-3 after 丁目.
_STREET = re.compile(
    r"\d+\s?丁目(?:\s?\d+\s?(?:番地?|-)(?:\s?の?\s?\d+\s?号?)?)?|\d+\s?番地(?:\s?の\s?\d+)?"
)
# A name said in so many words: 「名前は…です」「私は…と申します」 (kana names Sudachi misses).
_NAME_CHARS = r"[^\s、。,.!?！？［］0-9]{1,12}?"
_NAMED = (
    re.compile(
        rf"(?P<lead>(?:名前|氏名|なまえ)(?:は|[:：])\s?)(?P<name>{_NAME_CHARS})"
        r"(?P<tail>と申します|といいます|と言います|です|(?=[、。 ])|$)"
    ),
    re.compile(
        r"(?P<lead>(?:(?:私|わたし|僕|ぼく)は\s?|^|[、。 ]))(?P<name>[^\s、。,.!?！？0-9]{1,8}?)"
        r"(?P<tail>と申します|と申す者です|といいます|と言います)"
    ),
)
# Any other long run of digits (card, account or register numbers).
_LONG_DIGITS = re.compile(r"\d[\d -]{6,}\d")

# Tokens that continue an address after a place name: numbers, 丁目, 番地, 号, 条, directions.
_STREET_WORDS = frozenset(
    {"丁目", "番", "番地", "号", "条", "の", "-", "北", "南", "東", "西", "字", "大字", "線"}
)
_STREET_ENDS = frozenset({"丁目", "番", "番地", "号", "条"})
_NUMBERED = re.compile(r"\d+(?:丁目|番地?|号|条)")

_LATIN_BEFORE = re.compile(r"[A-Z][a-z]+ $")
_LATIN_AFTER = re.compile(r" [A-Z][a-z]+")

_local = threading.local()


def _tokenizer() -> Any:
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import Dictionary, SplitMode

        dictionary = Dictionary()
        make = getattr(dictionary, "tokenizer", None) or dictionary.create
        tok = make(mode=SplitMode.C)
        _local.tokenizer = tok
    return tok


def _is(morpheme: Any, kind: str) -> bool:
    pos = morpheme.part_of_speech()
    return bool(pos[1] == "固有名詞" and pos[2] == kind)


def _proper_noun_spans(text: str) -> list[tuple[int, int, str]]:
    """(begin, end, mask) for names (人名 runs) and places followed by street numbers."""
    morphemes = list(_tokenizer().tokenize(text))
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(morphemes):
        m = morphemes[i]
        if _is(m, "人名"):
            j = i
            while j + 1 < len(morphemes) and _is(morphemes[j + 1], "人名"):
                j += 1
            begin, end = m.begin(), morphemes[j].end()
            # A romanised name: "Taro Yamada" — Sudachi knows the family name only.
            before = _LATIN_BEFORE.search(text, 0, begin)
            after = _LATIN_AFTER.match(text, end)
            if before and text[begin].isascii():
                begin = before.start()
            if after and text[end - 1].isascii():
                end = after.end()
            spans.append((begin, end, NAME_MASK))
            i = j + 1
            while i < len(morphemes) and morphemes[i].begin() < end:
                i += 1
            continue
        if _is(m, "地名"):
            j = i
            while j + 1 < len(morphemes) and _is(morphemes[j + 1], "地名"):
                j += 1
            end = None
            k = j + 1
            while k < len(morphemes):
                surface = morphemes[k].surface()
                if (
                    morphemes[k].part_of_speech()[1] == "数詞"
                    or surface.isdigit()
                    or _NUMBERED.fullmatch(surface)  # 「1番」 is one word (一番)
                ):
                    end = k
                elif surface in _STREET_WORDS:
                    if surface in _STREET_ENDS and end is not None:
                        end = k
                else:
                    break
                k += 1
            if end is not None:
                spans.append((m.begin(), morphemes[end].end(), ADDRESS_MASK))
                i = end + 1
                continue
            i = j + 1
            continue
        i += 1
    return spans


def _mask_proper_nouns(text: str) -> str:
    if not text.strip():
        return text
    out = []
    last = 0
    for begin, end, mask in _proper_noun_spans(text):
        out.append(text[last:begin])
        out.append(mask)
        last = end
    out.append(text[last:])
    return "".join(out)


def _mask_named(match: re.Match[str]) -> str:
    return f"{match.group('lead')}{NAME_MASK}{match.group('tail')}"


def mask_personal_data(text: str) -> str:
    text = normalize_input(text)
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _TWELVE.sub(MY_NUMBER_MASK, text)
    text = _BIRTH_DATE.sub(BIRTH_DATE_MASK, text)
    text = _PHONE.sub(PHONE_MASK, text)
    text = _POSTAL.sub(POSTAL_MASK, text)
    text = _mask_proper_nouns(text)
    text = _STREET.sub(ADDRESS_MASK, text)
    for named in _NAMED:
        text = named.sub(_mask_named, text)
    return _LONG_DIGITS.sub(NUMBER_MASK, text)


def query_key(masked: str) -> str:
    """The form questions are grouped by in analytics: case, spaces and end punctuation folded."""
    key = masked.lower().strip()
    key = re.sub(r"\s+", " ", key)
    return key.rstrip("?？。.!！ ")
