"""BER-TLV as the My Number card stores it (ISO/IEC 7816-4 annex D, a subset).

Tags of one or more bytes (`FF 20`, `DF 22`: the low five bits of the first byte all set mean
"more tag bytes follow", each with bit 8 set while another follows). Lengths in the short form
(one byte below 0x80) or the long forms `81 xx`, `82 xx xx`, `83 xx xx xx`; the indefinite
form (`80`) is not used by the card and is refused. Bit 6 of the first tag byte marks a
constructed object whose value is itself a sequence of TLVs (`FF20` holds `DF21`…`DF25`).

Pure Python and strict: anything that does not parse raises `TlvError`, never another exception,
because these bytes come from a card and must not crash the agent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_LENGTH_BYTES = 3  # 83 xx xx xx: up to 16 MiB, far beyond any EF of the card


class TlvError(ValueError):
    """The bytes are not well-formed BER-TLV."""


@dataclass(frozen=True)
class Tlv:
    tag: int  # the tag bytes as one number: 0xFF20, 0xDF22, 0x80
    value: bytes
    children: tuple[Tlv, ...] = field(default=(), compare=False)

    @property
    def constructed(self) -> bool:
        return is_constructed(self.tag)

    def find(self, tag: int) -> Tlv | None:
        """The first child with `tag` (direct children only)."""
        return next((c for c in self.children if c.tag == tag), None)


def tag_bytes(tag: int) -> bytes:
    if tag < 0:
        raise TlvError("negative tag")
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def is_constructed(tag: int) -> bool:
    return bool(tag_bytes(tag)[0] & 0x20)


def _check_tag(raw: bytes) -> None:
    """A tag's bytes follow the multi-byte rule exactly (used when encoding)."""
    first = raw[0]
    if first & 0x1F != 0x1F:
        if len(raw) != 1:
            raise TlvError(f"tag {raw.hex().upper()}: only a first byte ending in 1F continues")
        return
    if len(raw) < 2:
        raise TlvError(f"tag {raw.hex().upper()}: a continuation byte is missing")
    for i, b in enumerate(raw[1:], start=1):
        last = i == len(raw) - 1
        if bool(b & 0x80) == last:
            raise TlvError(f"tag {raw.hex().upper()}: bit 8 marks each byte but the last")


def read_tag(data: bytes, offset: int) -> tuple[int, int]:
    """(tag, offset after it)."""
    if offset >= len(data):
        raise TlvError("tag expected, data ended")
    start = offset
    first = data[offset]
    offset += 1
    if first & 0x1F == 0x1F:
        while True:
            if offset >= len(data):
                raise TlvError("tag continues past the end of the data")
            b = data[offset]
            offset += 1
            if not b & 0x80:
                break
            if offset - start > 4:
                raise TlvError("tag longer than four bytes")
    return int.from_bytes(data[start:offset], "big"), offset


def read_length(data: bytes, offset: int) -> tuple[int, int]:
    """(length, offset after the length field)."""
    if offset >= len(data):
        raise TlvError("length expected, data ended")
    first = data[offset]
    offset += 1
    if first < 0x80:
        return first, offset
    count = first & 0x7F
    if count == 0:
        raise TlvError("indefinite length (80) is not allowed")
    if count > MAX_LENGTH_BYTES:
        raise TlvError(f"length field of {count} bytes is not supported")
    if offset + count > len(data):
        raise TlvError("length field continues past the end of the data")
    return int.from_bytes(data[offset : offset + count], "big"), offset + count


def header(data: bytes) -> tuple[int, int, int]:
    """(tag, header length, value length) of the TLV at the start of `data`.

    Lets a reader learn the size of an EF from its first few bytes before reading the rest.
    """
    tag, after_tag = read_tag(data, 0)
    length, after_length = read_length(data, after_tag)
    return tag, after_length, length


def _parse(data: bytes, depth: int) -> Iterator[Tlv]:
    if depth > 8:
        raise TlvError("nested too deeply")
    offset = 0
    while offset < len(data):
        tag, offset = read_tag(data, offset)
        length, offset = read_length(data, offset)
        end = offset + length
        if end > len(data):
            raise TlvError(f"tag {tag:X}: value of {length} bytes runs past the end of the data")
        value = bytes(data[offset:end])
        children = tuple(_parse(value, depth + 1)) if is_constructed(tag) else ()
        yield Tlv(tag, value, children)
        offset = end


def parse(data: bytes) -> list[Tlv]:
    """Every TLV in `data`, constructed ones with their children parsed."""
    return list(_parse(bytes(data), 0))


def parse_one(data: bytes) -> Tlv:
    """The single TLV at the start of `data`; bytes after it (an EF's padding) are ignored."""
    tag, head, length = header(data)
    if head + length > len(data):
        raise TlvError(f"tag {tag:X}: value of {length} bytes runs past the end of the data")
    return parse(data[: head + length])[0]


def encode_length(length: int) -> bytes:
    if length < 0:
        raise TlvError("negative length")
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    if len(raw) > MAX_LENGTH_BYTES:
        raise TlvError("value too long")
    return bytes([0x80 | len(raw)]) + raw


def encode(tag: int, value: bytes) -> bytes:
    raw = tag_bytes(tag)
    _check_tag(raw)
    return raw + encode_length(len(value)) + bytes(value)
