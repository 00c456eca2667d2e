"""Characters outside JIS X 0208: 外字 candidates, flagged at entry and before Shift_JIS export.

Japanese core systems (住基, 税, 国保) hold names in JIS X 0208 (第1・第2水準) plus their own
外字 area; Windows' cp932 adds NEC and IBM extensions (髙, 﨑, ①). A character is:

- in JIS X 0208 (or JIS X 0201: ASCII and half-width katakana): nothing to say;
- a cp932 extension (`VENDOR`): a cp932 file holds it, but a system strict to JIS X 0208 shows
  it as a missing character or a different one;
- a private-use character (`PRIVATE`): some system's own 外字, meaningless elsewhere;
- outside Shift_JIS altogether (`OUTSIDE`, e.g. 𠮷 U+20BB7, emoji): cp932 cannot hold it.

Nothing here replaces a character: a name is the person's, and only staff decide (with the
resident) which registered form a core system receives. `standard_form` offers the usual
JIS X 0208 character as a suggestion to show next to the flag.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

# The same JIS X 0208 characters, mapped to different code points by Unicode's JIS table and by
# Microsoft's cp932 table. These are one character, not a replacement (〜 and ～ are both 0x8160).
CP932_EQUIVALENTS = str.maketrans(
    {
        "\u301c": "\uff5e",  # 〜 WAVE DASH → ～
        "\u2212": "\uff0d",  # − MINUS SIGN → －
        "\u2016": "\u2225",  # ‖ → ∥
        "\u00a2": "\uffe0",  # ¢ → ￠
        "\u00a3": "\uffe1",  # £ → ￡
        "\u00ac": "\uffe2",  # ¬ → ￢
        "\u2014": "\u2015",  # — EM DASH → ―
    }
)

# The reverse direction, for Python's strict shift_jis codec (Unicode's JIS table).
_UNICODE_JIS = str.maketrans({v: k for k, v in CP932_EQUIVALENTS.items()})

# Lead-byte ranges of cp932 that are not JIS X 0208: NEC row 13 (①, ㈱, Ⅰ), NEC-selected IBM
# extensions, IBM extensions (髙, 﨑, 德) and the user-defined area (private use).
_NEC_ROW_13 = range(0x87, 0x88)
_NEC_SELECTED_IBM = range(0xED, 0xEF)
_USER_DEFINED = range(0xF0, 0xFA)
_IBM = range(0xFA, 0xFD)

# The usual JIS X 0208 form of characters residents' names often carry (異体字); a suggestion.
_STANDARD_FORMS = {
    "髙": "高",
    "﨑": "崎",
    "𠮷": "吉",
    "德": "徳",
    "濵": "浜",
    "栁": "柳",
    "昻": "昂",
    "瀨": "瀬",
    "𦚰": "脇",
    "𡈽": "土",
    "琇": "秀",
}


class Kind(StrEnum):
    VENDOR = "vendor"  # cp932 extension, not JIS X 0208
    PRIVATE = "private"  # private use (some system's own 外字)
    OUTSIDE = "outside"  # not in Shift_JIS (cp932) at all


@dataclass(frozen=True)
class Gaiji:
    char: str
    position: int  # index in the text checked
    kind: Kind

    @property
    def codepoint(self) -> str:
        return f"U+{ord(self.char):04X}"

    @property
    def standard_form(self) -> str | None:
        return standard_form(self.char)

    @property
    def cp932_encodable(self) -> bool:
        return self.kind is not Kind.OUTSIDE


def classify(ch: str) -> Kind | None:
    """None for a JIS X 0208 / JIS X 0201 character, else the kind of 外字 candidate."""
    if ch.isascii():
        return None
    ch = ch.translate(CP932_EQUIVALENTS)
    try:
        encoded = ch.encode("cp932")
    except UnicodeEncodeError:
        return Kind.OUTSIDE
    if len(encoded) == 1:
        return None  # JIS X 0201 half-width katakana
    lead = encoded[0]
    if lead in _USER_DEFINED:
        return Kind.PRIVATE
    if lead in _NEC_ROW_13 or lead in _NEC_SELECTED_IBM or lead in _IBM:
        return Kind.VENDOR
    return None


def in_jis_x0208(ch: str) -> bool:
    return classify(ch) is None


def find_gaiji(text: str) -> list[Gaiji]:
    """Every character of `text` outside JIS X 0208, in order (repeats included)."""
    if text.isascii():
        return []
    # JIS X 0201 + 0208 only; ¥ and ‾ are JIS X 0201 Roman but not cp932 (which has \ and ~).
    if "¥" not in text and "‾" not in text:
        try:
            text.translate(_UNICODE_JIS).encode("shift_jis")
            return []
        except UnicodeEncodeError:
            pass
    found = []
    for position, ch in enumerate(text):
        kind = classify(ch)
        if kind is not None:
            found.append(Gaiji(ch, position, kind))
    return found


def standard_form(ch: str) -> str | None:
    """The usual JIS X 0208 character for `ch` (髙 → 高, ① → 1, a compatibility ideograph → its unified form), if any."""
    candidate = _STANDARD_FORMS.get(ch) or unicodedata.normalize("NFKC", ch)
    if candidate == ch or not all(in_jis_x0208(c) for c in candidate):
        return None
    return candidate


def describe(gaiji: Gaiji) -> list[str]:
    """What to tell the person entering the text, one sentence per item (Japanese, gettext)."""
    from django.utils.translation import gettext as _

    params = {"char": gaiji.char, "codepoint": gaiji.codepoint}
    if gaiji.kind is Kind.OUTSIDE:
        first = _("「%(char)s」（%(codepoint)s）は Shift_JIS で表せない文字です（外字の候補）。")
    elif gaiji.kind is Kind.PRIVATE:
        first = _(
            "「%(char)s」（%(codepoint)s）は外字領域の文字です。ほかのシステムでは別の字になります。"
        )
    else:
        first = _("「%(char)s」（%(codepoint)s）はJIS第1・第2水準にない文字です（外字の候補）。")
    sentences = [first % params]
    standard = gaiji.standard_form
    if standard:
        sentences.append(_("通常の字体は「%(standard)s」です。") % {"standard": standard})
    return sentences
