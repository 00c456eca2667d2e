"""BER-TLV parser and APDU builder of the card agent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.counter.card import apdu, tlv


def test_parses_the_card_face_record_with_two_byte_tags():
    data = bytes.fromhex("FF200ADF2203E5B1B1DF250131") + b"\xff\xff"
    record = tlv.parse_one(data)
    assert record.tag == 0xFF20 and record.constructed
    assert [c.tag for c in record.children] == [0xDF22, 0xDF25]
    assert record.find(0xDF22).value.decode() == "山"
    assert record.find(0xDF25).value == b"1"
    assert record.find(0xDF23) is None


@pytest.mark.parametrize(
    ("length", "header"),
    [
        (0, "00"),
        (0x7F, "7F"),
        (0x80, "8180"),
        (0xFF, "81FF"),
        (0x100, "820100"),
        (0x10000, "83010000"),
    ],
)
def test_length_forms(length, header):
    encoded = tlv.encode(0xDF23, b"x" * length)
    assert encoded[:2] == bytes.fromhex("DF23")
    assert encoded[2 : 2 + len(header) // 2] == bytes.fromhex(header)
    assert tlv.header(encoded) == (0xDF23, 2 + len(header) // 2, length)
    assert tlv.parse(encoded) == [tlv.Tlv(0xDF23, b"x" * length)]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("DF", "tag continues"),
        ("DF8181", "tag continues"),
        ("DF22", "length expected"),
        ("DF2280", "indefinite"),
        ("DF2284000000FF", "not supported"),
        ("DF2282FF", "past the end"),
        ("DF220301", "runs past the end"),
        ("FF2003DF2205", "runs past the end"),  # a child overruns its constructed parent
        ("DF8080808001", "longer than four"),
    ],
)
def test_malformed_data_raises_tlv_error(data, problem):
    with pytest.raises(tlv.TlvError, match=problem):
        tlv.parse(bytes.fromhex(data))


def test_encoding_refuses_tags_that_would_not_parse_back():
    with pytest.raises(tlv.TlvError):
        tlv.encode(0x1F, b"")  # says "more tag bytes" but has none
    with pytest.raises(tlv.TlvError):
        tlv.encode(0x5F81, b"")  # last byte with bit 8 set
    with pytest.raises(tlv.TlvError):
        tlv.encode(0x0120, b"")  # 01 does not continue, so 20 is one byte too many


def _tags() -> st.SearchStrategy[int]:
    single = st.integers(0, 0xFF).filter(lambda b: b & 0x1F != 0x1F)
    first = st.integers(0, 0xFF).map(lambda b: b | 0x1F)
    middle = st.lists(st.integers(0x80, 0xFF), max_size=2)
    last = st.integers(0x00, 0x7F)
    multi = st.tuples(first, middle, last).map(
        lambda t: int.from_bytes(bytes([t[0], *t[1], t[2]]), "big")
    )
    return st.one_of(single, multi)


primitive_tags = _tags().filter(lambda t: not tlv.is_constructed(t))
constructed_tags = _tags().filter(tlv.is_constructed)


@given(st.lists(st.tuples(primitive_tags, st.binary(max_size=600)), max_size=5))
def test_primitive_objects_round_trip(items):
    data = b"".join(tlv.encode(tag, value) for tag, value in items)
    assert [(t.tag, t.value) for t in tlv.parse(data)] == items


@given(constructed_tags, st.lists(st.tuples(primitive_tags, st.binary(max_size=300)), max_size=4))
def test_constructed_objects_carry_their_children(tag, items):
    inner = b"".join(tlv.encode(t, v) for t, v in items)
    (parsed,) = tlv.parse(tlv.encode(tag, inner))
    assert parsed.value == inner
    assert [(c.tag, c.value) for c in parsed.children] == items


@given(st.binary(max_size=200))
def test_any_bytes_parse_or_raise_tlv_error_only(data):
    try:
        result = tlv.parse(data)
    except tlv.TlvError:
        return
    # What parses accounts for every byte read and encodes back to no more than it (the card
    # may use a longer length form than needed, never a shorter one).
    encoded = b"".join(tlv.encode(t.tag, t.value) for t in result)
    assert len(encoded) <= len(data)
    assert tlv.parse(encoded) == result


@given(primitive_tags, st.binary(max_size=400), st.binary(max_size=40))
def test_parse_one_ignores_padding_after_the_record(tag, value, padding):
    assert tlv.parse_one(tlv.encode(tag, value) + padding) == tlv.Tlv(tag, value)


def test_apdu_bytes_are_those_of_the_card_specification():
    assert str(apdu.select_df(apdu.KENMEN_AP)) == "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"
    assert str(apdu.select_ef(apdu.EF_PIN)) == "00 A4 02 0C 02 00 11"
    assert str(apdu.select_ef(apdu.EF_COLLATION_B)) == "00 A4 02 0C 02 00 15"
    assert str(apdu.verify()) == "00 20 00 80"
    assert str(apdu.verify(b"1234")) == "00 20 00 80 04 31 32 33 34"
    assert str(apdu.read_binary(0, 8)) == "00 B0 00 00 08"
    assert str(apdu.read_binary(0x123, 0xFF)) == "00 B0 01 23 FF"
    assert apdu.read_binary(0, 0x100).to_list()[-1] == 0x00
    with pytest.raises(ValueError):
        apdu.read_binary(0x8000, 1)


def test_status_words_are_parsed():
    assert apdu.parse_response(([], 0x90, 0x00)).ok
    counting = apdu.parse_response(([], 0x63, 0xC2))
    assert counting.tries_left == 2 and not counting.ok
    assert "2 tries left" in counting.status_text()
    blocked = apdu.parse_response(([], 0x69, 0x84))
    assert blocked.tries_left is None and blocked.sw == apdu.SW_BLOCKED
    assert str(blocked) == "69 84"
    assert apdu.parse_response(([], 0x63, 0x00)).tries_left is None
