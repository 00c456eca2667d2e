"""Sealed values open only with the same purpose and a key still kept, and hide their content."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.core.sealing import SealBroken, seal, unseal


@given(st.text())
def test_what_is_sealed_opens_again_and_is_not_readable(plaintext: str) -> None:
    token = seal(plaintext, purpose="test")
    assert unseal(token, purpose="test") == plaintext
    assert token.isascii()
    if len(plaintext) >= 4:
        assert plaintext not in token


def test_the_same_value_seals_differently_each_time() -> None:
    assert seal("12345678", purpose="test") != seal("12345678", purpose="test")


def test_another_purpose_a_changed_byte_or_garbage_does_not_open() -> None:
    token = seal("12345678", purpose="a")
    with pytest.raises(SealBroken):
        unseal(token, purpose="b")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    for broken in (flipped, "s1.!!!", "s2." + token[3:], "", "s1."):
        with pytest.raises(SealBroken):
            unseal(broken, purpose="a")


def test_a_rotated_key_still_opens_through_the_fallbacks(settings) -> None:  # type: ignore[no-untyped-def]
    token = seal("12345678", purpose="test")
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key"
    with pytest.raises(SealBroken):
        unseal(token, purpose="test")
    settings.SECRET_KEY_FALLBACKS = [old]
    assert unseal(token, purpose="test") == "12345678"
