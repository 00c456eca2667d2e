"""The payload codec: round trip, tampering, parts in any order, a missing part named."""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.counter.preinput import codec
from madoguchi.counter.preinput.errors import PreInputRefused

KEY = os.urandom(32)
HEADER = codec.Header(
    municipality_code="229997",
    procedure_slug="moving-in",
    form_version=3,
    issued_at=1_767_000_000,
    expires_at=1_768_000_000,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
answers_st = st.dictionaries(st.text(min_size=1, max_size=20), json_values, max_size=12)


@settings(max_examples=150, deadline=None)
@given(answers=answers_st, part_chars=st.integers(8, 600))
def test_any_answers_come_back_identical_through_parts(answers, part_chars):
    message = codec.seal(HEADER, answers, key=KEY)
    texts = codec.split(message, part_chars=part_chars)
    random.Random(len(texts)).shuffle(texts)
    header, opened = codec.open_(codec.join(texts), keys=[KEY])
    assert opened == answers
    assert header == HEADER


def test_texts_stay_in_the_qr_alphanumeric_set_and_type_the_same_on_any_keyboard():
    answers = {"name": "山田 花子", "note": os.urandom(200).hex()}
    texts = codec.split(codec.seal(HEADER, answers, key=KEY), part_chars=200)
    assert len(texts) > 1
    allowed = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.")
    for text in texts:
        assert set(text) <= allowed
        # No personal data: nothing of the answers is readable in the text.
        assert "山田" not in text


@settings(max_examples=60, deadline=None)
@given(position=st.integers(0, 10_000), flip=st.integers(1, 255))
def test_any_changed_byte_is_refused(position, flip):
    message = bytearray(codec.seal(HEADER, {"name": "山田花子", "n": 3}, key=KEY))
    message[position % len(message)] ^= flip
    with pytest.raises(PreInputRefused) as refused:
        codec.open_(bytes(message), keys=[KEY])
    assert refused.value.code in {"PI-FORGED", "PI-FORMAT", "PI-VERSION"}


def test_another_key_cannot_open_it():
    message = codec.seal(HEADER, {"name": "山田花子"}, key=KEY)
    with pytest.raises(PreInputRefused) as refused:
        codec.open_(message, keys=[os.urandom(32)])
    assert refused.value.code == "PI-FORGED"


def test_a_missing_part_is_named():
    texts = codec.split(codec.seal(HEADER, {"x": os.urandom(300).hex()}, key=KEY), part_chars=200)
    assert len(texts) >= 4
    with pytest.raises(PreInputRefused) as refused:
        codec.join([texts[0], texts[3]])
    assert refused.value.code == "PI-MISSING"
    assert refused.value.detail == {
        "missing": [i for i in range(1, len(texts) + 1) if i not in (1, 4)],
        "total": len(texts),
    }
    assert f"全{len(texts)}枚のうち、2、3" in refused.value.message
    assert "PI-MISSING" in refused.value.message


def test_parts_of_two_messages_are_not_mixed():
    a = codec.split(codec.seal(HEADER, {"x": os.urandom(300).hex()}, key=KEY), part_chars=200)
    b = codec.split(codec.seal(HEADER, {"x": os.urandom(300).hex()}, key=KEY), part_chars=200)
    with pytest.raises(PreInputRefused) as refused:
        codec.join([a[0], *b[1:]])
    assert refused.value.code == "PI-MIXED"


@pytest.mark.parametrize(
    "text", ["", "PI1", "PI1.XXXX.1.1.AA", "PI1.ABCDEF12.2.1.AA", "PI1.ABCDEF12.1.1.a!"]
)
def test_malformed_parts_are_refused(text):
    with pytest.raises(PreInputRefused):
        codec.open_(codec.join([text]), keys=[KEY])


def test_a_payload_inflating_beyond_a_form_is_refused():
    packer = __import__("zlib").compressobj(9, 8, -15)
    bomb = packer.compress(b"[" + b"0," * 2_000_000 + b"0]") + packer.flush()
    with pytest.raises(PreInputRefused):
        codec.decompress(bomb)
