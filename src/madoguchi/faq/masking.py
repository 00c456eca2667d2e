"""Mask what looks like personal data in a resident's question before it is stored.

Residents sometimes type their phone number, e-mail address or 12-digit 個人番号 into a chat box.
The query log keeps the question for the FAQ editors, never those values. Input is normalised
first (全角 digits and dashes become ASCII), so look-alike characters cannot slip through.
"""

from __future__ import annotations

import re

from madoguchi.core.japanese_text import normalize_input

EMAIL_MASK = "［メール］"
MY_NUMBER_MASK = "［12桁の番号］"
PHONE_MASK = "［電話番号］"
NUMBER_MASK = "［番号］"

_EMAIL = re.compile(r"[\w.+-]+\s?(?:@|＠|\(at\)|\[at\])\s?[\w-]+(?:\.[\w-]+)+", re.ASCII | re.I)
# 12 digits, optionally grouped 4-4-4 by a dash or space.
_TWELVE = re.compile(r"(?<!\d)\d{4}[- ]?\d{4}[- ]?\d{4}(?!\d)")
# Japanese phone numbers: 0 or +81, 10–11 digits, with optional dashes, spaces or brackets.
_PHONE = re.compile(r"(?<![\d+])(?:\+81[- ]?|0)\d{1,4}[- ()]{0,2}\d{1,4}[- ()]{0,2}\d{3,4}(?!\d)")
# Any other long run of digits (card, account or register numbers).
_LONG_DIGITS = re.compile(r"\d[\d -]{6,}\d")


def mask_personal_data(text: str) -> str:
    text = normalize_input(text)
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _TWELVE.sub(MY_NUMBER_MASK, text)
    text = _PHONE.sub(PHONE_MASK, text)
    return _LONG_DIGITS.sub(NUMBER_MASK, text)


def query_key(masked: str) -> str:
    """The form questions are grouped by in analytics: case, spaces and end punctuation folded."""
    key = masked.lower().strip()
    key = re.sub(r"\s+", " ", key)
    return key.rstrip("?？。.!！ ")
