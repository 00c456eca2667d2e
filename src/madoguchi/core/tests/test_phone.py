from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.core.phone import PhoneKind, normalize_phone, phone_kind
from madoguchi.core.tests.hostile import hostile_text


@pytest.mark.parametrize(
    ("raw", "expected", "kind"),
    [
        ("03-1234-5678", "03-1234-5678", PhoneKind.FIXED),
        ("0312345678", "03-1234-5678", PhoneKind.FIXED),
        ("０３－１２３４－５６７８", "03-1234-5678", PhoneKind.FIXED),
        ("03(3581)3111", "03-3581-3111", PhoneKind.FIXED),
        ("０３（３５８１）３１１１", "03-3581-3111", PhoneKind.FIXED),
        ("06 6208 8181", "06-6208-8181", PhoneKind.FIXED),
        ("0422515131", "0422-51-5131", PhoneKind.FIXED),  # 武蔵野市: 4-digit area code
        ("0466-25-1111", "0466-25-1111", PhoneKind.FIXED),
        ("0166265111", "0166-26-5111", PhoneKind.FIXED),
        ("04992-2-1111", "04992-2-1111", PhoneKind.FIXED),  # 大島町: 5-digit area code
        ("011-211-2111", "011-211-2111", PhoneKind.FIXED),
        ("09012345678", "090-1234-5678", PhoneKind.MOBILE),
        ("080ー1234ー5678", "080-1234-5678", PhoneKind.MOBILE),
        ("070.1234.5678", "070-1234-5678", PhoneKind.MOBILE),
        ("+81 90-1234-5678", "090-1234-5678", PhoneKind.MOBILE),
        ("+81 (0)3-1234-5678", "03-1234-5678", PhoneKind.FIXED),
        ("05012345678", "050-1234-5678", PhoneKind.IP),
        ("0120-444-444", "0120-444-444", PhoneKind.TOLL_FREE),
        ("08001234567", "0800-123-4567", PhoneKind.TOLL_FREE),
        ("0570-064-556", "0570-064-556", PhoneKind.NAVI_DIAL),
        ("TEL：03-1234-5678", "03-1234-5678", PhoneKind.FIXED),
        ("電話 03-1234-5678", "03-1234-5678", PhoneKind.FIXED),
    ],
)
def test_normalize_phone(raw: str, expected: str, kind: PhoneKind) -> None:
    assert normalize_phone(raw) == expected
    assert phone_kind(raw) is kind


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("電話", "empty"),
        ("abc", "invalid_characters"),
        ("03-1234-567８x", "invalid_characters"),
        ("110", "missing_trunk_prefix"),
        ("312345678", "missing_trunk_prefix"),
        ("03-1234-567", "invalid_length"),
        ("090-1234-56789", "invalid_length"),
        ("0012345678", "invalid_number"),
        ("02012345678", "unsupported_kind"),  # M2M / pagers
        ("0990123456", "unsupported_kind"),  # premium rate
    ],
)
def test_normalize_phone_rejects(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_phone(raw)
    assert excinfo.value.code == code
    assert excinfo.value.messages


def test_restricting_kinds() -> None:
    mobile_only = frozenset({PhoneKind.MOBILE})
    assert normalize_phone("09012345678", kinds=mobile_only) == "090-1234-5678"
    with pytest.raises(ValidationError) as excinfo:
        normalize_phone("0312345678", kinds=mobile_only)
    assert excinfo.value.code == "kind_not_allowed"
    assert "携帯電話" in excinfo.value.messages[0]


@settings(max_examples=300, deadline=None)
@given(text=hostile_text)
def test_normalize_phone_never_crashes(text: str) -> None:
    try:
        normalize_phone(text)
    except ValidationError as error:
        assert error.messages


@settings(max_examples=200, deadline=None)
@given(
    prefix=st.sampled_from(["090", "080", "070"]),
    rest=st.from_regex(r"[1-9][0-9]{7}", fullmatch=True),
    separator=st.sampled_from(["", "-", " ", "ー", "－", "‐"]),
    fullwidth=st.booleans(),
)
def test_mobile_numbers_normalise_the_same_however_typed(
    prefix: str, rest: str, separator: str, fullwidth: bool
) -> None:
    typed = f"{prefix}{separator}{rest[:4]}{separator}{rest[4:]}"
    if fullwidth:
        typed = typed.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    result = normalize_phone(typed)
    assert result == f"{prefix}-{rest[:4]}-{rest[4:]}"
    assert normalize_phone(result) == result
