"""The payload mode's byte layout and its split over several QR codes (docs/preinput.md).

A message is a public header (authenticated, not secret: no personal data in it) and the answers,
compact JSON compressed with raw deflate and encrypted with AES-256-GCM under the municipality's
key (keys.py), the header as associated data. Any changed byte fails the tag. Each QR code then
carries one part as text in the QR alphanumeric set (base32), so a USB scanner in
keyboard mode types it and the QR uses its dense alphanumeric mode:

    PI1.<message id, 8 hex>.<index 1..n>.<n>.<base32 chunk>

This module is pure (no Django): keys come in as bytes; errors carry a code that
errors.py turns into the message staff read.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import PreInputRefused

VERSION = 1
PART_PREFIX = "PI1"
NONCE_BYTES = 12
TAG_BYTES = 16
# Header: version (1) · municipality code (6 ASCII) · issued, expires (uint32 unix seconds) ·
# form version (uint16) · slug length (1) · slug (ASCII).
_HEAD = struct.Struct(">B6sIIHB")
MAX_PARTS = 99
# Most base32 characters per QR code: at level M a part stays at version 21 (101 modules) or below,
# which a counter scanner reads off a phone screen or an A4 print-out (docs/preinput.md).
PART_CHARS = 1000


@dataclass(frozen=True)
class Header:
    municipality_code: str
    procedure_slug: str
    form_version: int
    issued_at: int
    expires_at: int
    version: int = VERSION

    def pack(self) -> bytes:
        slug = self.procedure_slug.encode("ascii")
        if len(slug) > 255:
            raise ValueError("slug too long")
        return (
            _HEAD.pack(
                self.version,
                self.municipality_code.encode("ascii"),
                self.issued_at,
                self.expires_at,
                self.form_version,
                len(slug),
            )
            + slug
        )

    @classmethod
    def unpack(cls, data: bytes) -> tuple[Header, int]:
        """The header and its length in bytes; `PreInputRefused` when it cannot be one."""
        if len(data) < _HEAD.size:
            raise PreInputRefused("PI-FORMAT")
        version, code, issued, expires, form_version, slug_len = _HEAD.unpack_from(data)
        if version != VERSION:
            raise PreInputRefused("PI-VERSION")
        end = _HEAD.size + slug_len
        if len(data) < end + NONCE_BYTES + TAG_BYTES:
            raise PreInputRefused("PI-FORMAT")
        try:
            header = cls(
                municipality_code=code.decode("ascii"),
                procedure_slug=data[_HEAD.size : end].decode("ascii"),
                form_version=form_version,
                issued_at=issued,
                expires_at=expires,
                version=version,
            )
        except UnicodeDecodeError as exc:
            raise PreInputRefused("PI-FORMAT") from exc
        return header, end


def compress(answers: dict[str, Any]) -> bytes:
    text = json.dumps(answers, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9)  # raw deflate: no zlib header/checksum
    return packer.compress(text.encode()) + packer.flush()


def decompress(data: bytes) -> dict[str, Any]:
    unpacker = zlib.decompressobj(-15)
    # Bounded: a hostile message cannot inflate beyond what a form could hold.
    text = unpacker.decompress(data, 1_000_000)
    if unpacker.unconsumed_tail:
        raise PreInputRefused("PI-FORMAT")
    answers = json.loads(text.decode())
    if not isinstance(answers, dict):
        raise PreInputRefused("PI-FORMAT")
    return answers


def seal(header: Header, answers: dict[str, Any], *, key: bytes) -> bytes:
    """The whole message: header, nonce, AES-GCM(deflate(answers)) with the header authenticated."""
    head = header.pack()
    nonce = os.urandom(NONCE_BYTES)
    return head + nonce + AESGCM(key).encrypt(nonce, compress(answers), head)


def peek(message: bytes) -> Header:
    """The header, unverified (to pick the key and refuse early); `open_` verifies it."""
    return Header.unpack(message)[0]


def open_(message: bytes, *, keys: Sequence[bytes]) -> tuple[Header, dict[str, Any]]:
    header, end = Header.unpack(message)
    head, nonce, sealed = (
        message[:end],
        message[end : end + NONCE_BYTES],
        message[end + NONCE_BYTES :],
    )
    for key in keys:
        try:
            plain = AESGCM(key).decrypt(nonce, sealed, head)
        except InvalidTag:
            continue
        try:
            return header, decompress(plain)
        except (zlib.error, UnicodeDecodeError, ValueError) as exc:
            raise PreInputRefused("PI-FORMAT") from exc
    raise PreInputRefused("PI-FORGED")


def message_id(message: bytes) -> str:
    """8 hex digits naming the message in every part (from its nonce: random, not personal)."""
    _header, end = Header.unpack(message)
    return message[end : end + 4].hex().upper()


# --- text encoding ----------------------------------------------------------------------------
# Base32 (RFC 4648, unpadded): only A-Z and 2-7, which a USB scanner types identically on a JIS and
# a US keyboard layout (base45's "*", "+" and ":" sit on different keys), and which QR codes
# still hold in their dense alphanumeric mode.


def text_encode(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=")


def text_decode(text: str) -> bytes:
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError) as exc:
        raise PreInputRefused("PI-FORMAT") from exc


# --- parts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    message_id: str
    index: int  # 1-based
    total: int
    chunk: str

    def text(self) -> str:
        return f"{PART_PREFIX}.{self.message_id}.{self.index}.{self.total}.{self.chunk}"


def split(message: bytes, *, part_chars: int = PART_CHARS) -> list[str]:
    """The texts of the QR codes carrying `message` (one when it fits)."""
    encoded = text_encode(message)
    count = min(max(1, -(-len(encoded) // max(8, part_chars))), MAX_PARTS)
    # Parts of even size (each code as small as it can be), cut on whole base32 blocks.
    size = -(-len(encoded) // count)
    size += -size % 8
    chunks = [encoded[i : i + size] for i in range(0, len(encoded), size)] or [""]
    mid = message_id(message)
    return [Part(mid, i + 1, len(chunks), c).text() for i, c in enumerate(chunks)]


def parse_part(text: str) -> Part:
    fields = text.strip().split(".", 4)
    if len(fields) != 5 or fields[0] != PART_PREFIX:
        raise PreInputRefused("PI-FORMAT")
    _prefix, mid, index, total, chunk = fields
    if len(mid) != 8 or not index.isdigit() or not total.isdigit():
        raise PreInputRefused("PI-FORMAT")
    part = Part(mid, int(index), int(total), chunk)
    if not 1 <= part.index <= part.total <= MAX_PARTS:
        raise PreInputRefused("PI-FORMAT")
    return part


def join(texts: Iterable[str]) -> bytes:
    """The message from its parts in any order; refuses a mix of messages or a missing part."""
    parts: dict[int, Part] = {}
    ids, totals = set(), set()
    for text in texts:
        part = parse_part(text)
        ids.add(part.message_id)
        totals.add(part.total)
        parts[part.index] = part
    if not parts:
        raise PreInputRefused("PI-EMPTY")
    if len(ids) > 1 or len(totals) > 1:
        raise PreInputRefused("PI-MIXED")
    total = totals.pop()
    missing = [i for i in range(1, total + 1) if i not in parts]
    if missing:
        raise PreInputRefused("PI-MISSING", missing=missing, total=total)
    return text_decode("".join(parts[i].chunk for i in range(1, total + 1)))
