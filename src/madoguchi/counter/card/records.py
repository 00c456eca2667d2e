"""The records of the 券面事項入力補助AP: FF20 (basic four attributes), FF30 (digests and
signature), FF10 (個人番号), encoded by the emulated card and decoded by the reader.

FF20 holds DF21 (offsets of the four fields inside FF20's value, two bytes each), DF22 name
(UTF-8, a U+3000 between family and given name), DF23 address (UTF-8, the card writes digits
full width), DF24 birth date (ASCII YYYYMMDD) and DF25 sex (ASCII 1 male, 2 female, 9 not
applicable). FF30 holds DF31 (SHA-256 of the EF 00 01 record), DF32 (SHA-256 of the EF 00 02
record, header included) and DF33 (RSA PKCS#1 v1.5 with SHA-256 over DF31 ‖ DF32 by the issuer).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from . import tlv

TAG_MY_NUMBER_RECORD = 0xFF10
TAG_MY_NUMBER = 0xDF11
TAG_ATTRIBUTES = 0xFF20
TAG_OFFSETS = 0xDF21
TAG_NAME = 0xDF22
TAG_ADDRESS = 0xDF23
TAG_BIRTH_DATE = 0xDF24
TAG_SEX = 0xDF25
TAG_SIGNATURE_RECORD = 0xFF30
TAG_MY_NUMBER_DIGEST = 0xDF31
TAG_ATTRIBUTES_DIGEST = 0xDF32
TAG_SIGNATURE = 0xDF33

SEXES = ("1", "2", "9")


class RecordError(ValueError):
    """A record of the card that does not have the expected shape."""


@dataclass(frozen=True)
class CardAttributes:
    name: str
    address: str
    birth_date: date
    sex: str  # "1" | "2" | "9"

    def as_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "address": self.address,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
        }


def parse_birth_date(value: str) -> date:
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise RecordError(f"birth date {value!r} is not YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise RecordError(f"birth date {value!r} is not a date") from exc


def encode_attributes(attributes: CardAttributes) -> bytes:
    """The FF20 record as the card stores it in EF 00 02."""
    fields = [
        tlv.encode(TAG_NAME, attributes.name.encode("utf-8")),
        tlv.encode(TAG_ADDRESS, attributes.address.encode("utf-8")),
        tlv.encode(TAG_BIRTH_DATE, attributes.birth_date.strftime("%Y%m%d").encode("ascii")),
        tlv.encode(TAG_SEX, attributes.sex.encode("ascii")),
    ]
    offsets_length = len(tlv.encode(TAG_OFFSETS, bytes(2 * len(fields))))
    offsets = bytearray()
    position = offsets_length
    for field in fields:
        offsets += position.to_bytes(2, "big")
        position += len(field)
    return tlv.encode(TAG_ATTRIBUTES, tlv.encode(TAG_OFFSETS, bytes(offsets)) + b"".join(fields))


def _text(record: tlv.Tlv, tag: int, what: str) -> str:
    child = record.find(tag)
    if child is None:
        raise RecordError(f"{what} (tag {tag:X}) is missing")
    try:
        return child.value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"{what} is not UTF-8") from exc


def decode_attributes(data: bytes) -> CardAttributes:
    """CardAttributes from the bytes of EF 00 02 (its padding after FF20 ignored)."""
    try:
        record = tlv.parse_one(data)
    except tlv.TlvError as exc:
        raise RecordError(str(exc)) from exc
    if record.tag != TAG_ATTRIBUTES:
        raise RecordError(f"expected tag FF20, found {record.tag:X}")
    sex = _text(record, TAG_SEX, "sex")
    if sex not in SEXES:
        raise RecordError(f"sex {sex!r} is not 1, 2 or 9")
    return CardAttributes(
        name=_text(record, TAG_NAME, "name"),
        address=_text(record, TAG_ADDRESS, "address"),
        birth_date=parse_birth_date(_text(record, TAG_BIRTH_DATE, "birth date")),
        sex=sex,
    )


def encode_my_number(number: str) -> bytes:
    return tlv.encode(TAG_MY_NUMBER_RECORD, tlv.encode(TAG_MY_NUMBER, number.encode("ascii")))


def decode_my_number(data: bytes) -> str:
    try:
        record = tlv.parse_one(data)
    except tlv.TlvError as exc:
        raise RecordError(str(exc)) from exc
    if record.tag != TAG_MY_NUMBER_RECORD:
        raise RecordError(f"expected tag FF10, found {record.tag:X}")
    number = _text(record, TAG_MY_NUMBER, "individual number")
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        raise RecordError("the individual number is not 12 digits")
    return number


@dataclass(frozen=True)
class SignatureRecord:
    my_number_digest: bytes
    attributes_digest: bytes
    signature: bytes

    @property
    def signed_data(self) -> bytes:
        return self.my_number_digest + self.attributes_digest


def attributes_digest(record: bytes) -> bytes:
    """SHA-256 of an EF 00 02 record: its FF20 TLV, header included, padding excluded."""
    return hashlib.sha256(record).digest()


def encode_signature(record: SignatureRecord) -> bytes:
    return tlv.encode(
        TAG_SIGNATURE_RECORD,
        tlv.encode(TAG_MY_NUMBER_DIGEST, record.my_number_digest)
        + tlv.encode(TAG_ATTRIBUTES_DIGEST, record.attributes_digest)
        + tlv.encode(TAG_SIGNATURE, record.signature),
    )


def decode_signature(data: bytes) -> SignatureRecord:
    try:
        record = tlv.parse_one(data)
    except tlv.TlvError as exc:
        raise RecordError(str(exc)) from exc
    if record.tag != TAG_SIGNATURE_RECORD:
        raise RecordError(f"expected tag FF30, found {record.tag:X}")
    parts = []
    for tag in (TAG_MY_NUMBER_DIGEST, TAG_ATTRIBUTES_DIGEST, TAG_SIGNATURE):
        child = record.find(tag)
        if child is None:
            raise RecordError(f"tag {tag:X} is missing from FF30")
        parts.append(child.value)
    if len(parts[0]) != 32 or len(parts[1]) != 32:
        raise RecordError("a digest is not SHA-256")
    return SignatureRecord(*parts)
