"""Japanese phone numbers, validated and hyphenated with libphonenumber's Japan metadata."""

from __future__ import annotations

import enum
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from madoguchi.core.japanese_text import normalize_input


class PhoneKind(enum.StrEnum):
    FIXED = "fixed"  # 固定電話 (0AB-J, 10 digits)
    MOBILE = "mobile"  # 070/080/090 (and 060)
    IP = "ip"  # 050
    TOLL_FREE = "toll_free"  # 0120, 0800
    NAVI_DIAL = "navi_dial"  # 0570


# Where a fixed-line number's area code ends depends on the 総務省 numbering plan (03-xxxx-xxxx,
# 0422-xx-xxxx, 04992-x-xxxx …); libphonenumber carries that table and keeps it current.
_KINDS = {
    PhoneNumberType.FIXED_LINE: PhoneKind.FIXED,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: PhoneKind.FIXED,
    PhoneNumberType.MOBILE: PhoneKind.MOBILE,
    PhoneNumberType.VOIP: PhoneKind.IP,
    PhoneNumberType.TOLL_FREE: PhoneKind.TOLL_FREE,
    PhoneNumberType.SHARED_COST: PhoneKind.NAVI_DIAL,
    PhoneNumberType.UAN: PhoneKind.NAVI_DIAL,  # libphonenumber files 0570 under UAN
}
ALL_KINDS = frozenset(PhoneKind)

# Separators people put inside a number: hyphens, spaces, dots and the 03(1234)5678 style.
_SEPARATORS = re.compile(r"[-\s.()（）]")
_LABEL = re.compile(r"^(?:tel|電話番号|電話)[:：]?", re.IGNORECASE)

_EXAMPLES = _("市外局番から「03-1234-5678」「090-1234-5678」のように入力してください。")


def _parse(text: str) -> phonenumbers.PhoneNumber:
    s = _LABEL.sub("", normalize_input(text)).strip()
    if not s:
        raise ValidationError(_("電話番号を入力してください。"), code="empty")
    digits = _SEPARATORS.sub("", s)
    if digits.startswith("+81"):
        digits = "0" + digits[3:].removeprefix("0")
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError(
            _("電話番号は数字とハイフン（-）で入力してください。%(examples)s"),
            code="invalid_characters",
            params={"examples": _EXAMPLES},
        )
    if not digits.startswith("0"):
        raise ValidationError(
            _("電話番号は0から始まる番号を、%(examples)s"),
            code="missing_trunk_prefix",
            params={"examples": _EXAMPLES},
        )
    if len(digits) not in (10, 11):
        raise ValidationError(
            _("電話番号の桁数が正しくありません。%(examples)s"),
            code="invalid_length",
            params={"examples": _EXAMPLES},
        )
    try:
        number = phonenumbers.parse(digits, "JP")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number_for_region(number, "JP"):
        raise ValidationError(
            _("この電話番号は使われていない番号の形です。番号を確かめてください。"),
            code="invalid_number",
        )
    return number


_KIND_LABELS = {
    PhoneKind.FIXED: _("固定電話"),
    PhoneKind.MOBILE: _("携帯電話（070・080・090）"),
    PhoneKind.IP: _("IP電話（050）"),
    PhoneKind.TOLL_FREE: _("フリーダイヤル（0120・0800）"),
    PhoneKind.NAVI_DIAL: _("ナビダイヤル（0570）"),
}


def _classify(text: str) -> tuple[phonenumbers.PhoneNumber, PhoneKind]:
    number = _parse(text)
    kind = _KINDS.get(phonenumbers.number_type(number))
    if kind is None:
        # 020 (pagers/M2M), 0990 (premium rate) and the like.
        raise ValidationError(
            _("この種類の番号は使えません。固定電話か携帯電話の番号を入力してください。"),
            code="unsupported_kind",
        )
    return number, kind


def phone_kind(text: str) -> PhoneKind:
    """The kind of a Japanese phone number; ValidationError if it is not one we accept."""
    return _classify(text)[1]


def normalize_phone(text: str, *, kinds: frozenset[PhoneKind] = ALL_KINDS) -> str:
    """Return the number with standard hyphens (03-1234-5678, 090-1234-5678, 0120-123-456).

    Full-width digits, any hyphen look-alike, spaces, 03(1234)5678 and +81 are accepted.
    Only the kinds in `kinds` are allowed (e.g. {PhoneKind.MOBILE} for SMS).
    """
    number, kind = _classify(text)
    if kind not in kinds:
        allowed = "・".join(str(_KIND_LABELS[k]) for k in PhoneKind if k in kinds)
        raise ValidationError(
            _("この欄には%(allowed)sの番号を入力してください。"),
            code="kind_not_allowed",
            params={"allowed": allowed},
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
