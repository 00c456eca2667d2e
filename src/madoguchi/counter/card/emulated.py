"""An emulated My Number card: the 券面事項入力補助AP answering real APDUs and status words.

It has pyscard's interface (`transmit(list[int]) -> (data, sw1, sw2)`), so the reader runs the
same code against it as against a card on a PC/SC reader. Its contents come from a CARD.json
file (docs/card-agent.md); the tries it counts are written back by the caller, as a real card
keeps them in its own memory.

What it models, per ISO/IEC 7816-4 and the card's published behaviour:
- SELECT the AP by name, then an EF by its two-byte identifier (`6A 82` when absent);
- VERIFY without data answers `63 Cx` (x tries left) and spends nothing; a wrong secret spends a
  try (`63 Cx`, `63 C0` on the last); a blocked EF answers `69 84`; the right secret resets the
  counter to its maximum; wrong data length `67 00`; P1-P2 other than 00 80 `6A 86`;
- READ BINARY needs a selected data EF (`69 86` otherwise) and its access condition (`69 82`):
  EF 00 02 after the PIN or 照合番号B, EF 00 01 and 00 03 after the PIN only;
- selecting the AP again clears the security state.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from . import apdu, records

PIN_MAX_TRIES = 3
COLLATION_B_MAX_TRIES = 10
EF_SIZE_STEP = 0x100  # EFs have a fixed size; the record is padded with FF up to it


class CardFileError(ValueError):
    """CARD.json does not describe a card."""


def _digits(value: Any, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and value.isascii() and value.isdigit()


def _tries(value: Any, maximum: int, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise CardFileError(f"{key} must be a whole number from 0 to {maximum}")
    return value


@dataclass
class CardData:
    """What a card holds (CARD.json); the tries change as the card is used."""

    name: str
    address: str
    birth_date: str  # YYYYMMDD
    sex: str
    pin: str
    pin_tries: int = PIN_MAX_TRIES
    collation_b: str | None = None
    collation_b_tries: int = COLLATION_B_MAX_TRIES
    my_number: str | None = None  # optional: only for tests of the legal-basis path

    @classmethod
    def from_json(cls, raw: Any) -> CardData:
        if not isinstance(raw, dict):
            raise CardFileError("the file must hold one JSON object")
        missing = [k for k in ("name", "address", "birth_date", "sex", "pin") if k not in raw]
        if missing:
            raise CardFileError("missing " + ", ".join(missing))
        for key in ("name", "address"):
            if not isinstance(raw[key], str) or not raw[key]:
                raise CardFileError(f"{key} must be a non-empty string")
        try:
            records.parse_birth_date(
                raw["birth_date"] if isinstance(raw["birth_date"], str) else ""
            )
        except records.RecordError as exc:
            raise CardFileError("birth_date must be a date written YYYYMMDD") from exc
        if raw["sex"] not in records.SEXES:
            raise CardFileError('sex must be "1", "2" or "9"')
        if not _digits(raw["pin"], 4):
            raise CardFileError("pin must be 4 digits")
        collation_b = raw.get("collation_b")
        if collation_b is not None and not _digits(collation_b, 14):
            raise CardFileError("collation_b must be 14 digits or null")
        my_number = raw.get("my_number")
        if my_number is not None and not _digits(my_number, 12):
            raise CardFileError("my_number must be 12 digits")
        return cls(
            name=raw["name"],
            address=raw["address"],
            birth_date=raw["birth_date"],
            sex=raw["sex"],
            pin=raw["pin"],
            pin_tries=_tries(raw.get("pin_tries", PIN_MAX_TRIES), PIN_MAX_TRIES, "pin_tries"),
            collation_b=collation_b,
            collation_b_tries=_tries(
                raw.get("collation_b_tries", COLLATION_B_MAX_TRIES),
                COLLATION_B_MAX_TRIES,
                "collation_b_tries",
            ),
            my_number=my_number,
        )

    @property
    def attributes(self) -> records.CardAttributes:
        return records.CardAttributes(
            name=self.name,
            address=self.address,
            birth_date=records.parse_birth_date(self.birth_date),
            sex=self.sex,
        )


def load_card_file(path: Path) -> tuple[dict[str, Any], CardData]:
    """(the file's JSON object, the card it describes)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CardFileError(str(exc)) from exc
    return raw, CardData.from_json(raw)


def save_tries(path: Path, raw: dict[str, Any], card: CardData) -> None:
    """Write the card's tries back into its file, every other key as it was (atomic replace)."""
    updated = dict(raw, pin_tries=card.pin_tries, collation_b_tries=card.collation_b_tries)
    path = Path(path)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(updated, stream, ensure_ascii=False, indent=2)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


_TEST_ISSUER: rsa.RSAPrivateKey | None = None


def test_issuer_key() -> rsa.RSAPrivateKey:
    """The emulated cards' issuer: a key pair made in memory once per process, never stored.

    It stands in for J-LIS, whose private key signs real cards; only emulated cards trust it.
    """
    global _TEST_ISSUER
    if _TEST_ISSUER is None:
        _TEST_ISSUER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _TEST_ISSUER


def _padded(record: bytes) -> bytes:
    size = -(-len(record) // EF_SIZE_STEP) * EF_SIZE_STEP
    return record + b"\xff" * (size - len(record))


class EmulatedCard:
    """A card on a reader; `log` keeps every command received (tests read it)."""

    def __init__(self, data: CardData, *, issuer: rsa.RSAPrivateKey | None = None) -> None:
        self.data = data
        self.log: list[list[int]] = []
        issuer = issuer or test_issuer_key()
        attributes = records.encode_attributes(data.attributes)
        my_number = records.encode_my_number(data.my_number) if data.my_number else b""
        my_number_digest = records.attributes_digest(my_number)
        attributes_digest = records.attributes_digest(attributes)
        signature = issuer.sign(
            my_number_digest + attributes_digest, padding.PKCS1v15(), hashes.SHA256()
        )
        self.files: dict[int, bytes] = {
            apdu.EF_ATTRIBUTES: _padded(attributes),
            apdu.EF_SIGNATURE: _padded(
                records.encode_signature(
                    records.SignatureRecord(my_number_digest, attributes_digest, signature)
                )
            ),
        }
        if my_number:
            self.files[apdu.EF_MY_NUMBER] = _padded(my_number)
        self.keys = {apdu.EF_PIN} | ({apdu.EF_COLLATION_B} if data.collation_b else set())
        self.access = {
            apdu.EF_ATTRIBUTES: {apdu.EF_PIN, apdu.EF_COLLATION_B},
            apdu.EF_SIGNATURE: {apdu.EF_PIN},
            apdu.EF_MY_NUMBER: {apdu.EF_PIN},
        }
        self.application_selected = False
        self.current: int | None = None
        self.verified: set[int] = set()

    # -- pyscard's interface --------------------------------------------------------------

    def transmit(self, command: list[int]) -> tuple[list[int], int, int]:
        self.log.append(list(command))
        data, sw = self._answer(bytes(command))
        return list(data), sw >> 8, sw & 0xFF

    # -- the card -------------------------------------------------------------------------

    def _answer(self, command: bytes) -> tuple[bytes, int]:
        if len(command) < 4:
            return b"", apdu.SW_WRONG_LENGTH
        cla, ins, p1, p2 = command[:4]
        body = command[4:]
        if cla != 0x00:
            return b"", apdu.SW_CLA_NOT_SUPPORTED
        if not body:
            data, le = b"", None
        elif len(body) == 1:
            data, le = b"", body[0] or 0x100
        else:
            lc = body[0]
            if lc == 0 or len(body) not in (1 + lc, 2 + lc):
                return b"", apdu.SW_WRONG_LENGTH
            data = body[1 : 1 + lc]
            le = (body[1 + lc] or 0x100) if len(body) == 2 + lc else None
        if ins == apdu.INS_SELECT:
            return b"", self._select(p1, p2, data)
        if ins == apdu.INS_VERIFY:
            return self._verify(p1, p2, data, le)
        if ins == apdu.INS_READ_BINARY:
            return self._read(p1, p2, data, le)
        return b"", apdu.SW_INS_NOT_SUPPORTED

    def _select(self, p1: int, p2: int, data: bytes) -> int:
        if (p1, p2) == (0x04, 0x0C):
            if data != apdu.KENMEN_AP:
                return apdu.SW_NOT_FOUND
            self.application_selected = True
            self.current = None
            self.verified = set()
            return apdu.SW_OK
        if (p1, p2) == (0x02, 0x0C):
            if len(data) != 2:
                return apdu.SW_WRONG_LENGTH
            fid = int.from_bytes(data, "big")
            if not self.application_selected or (fid not in self.files and fid not in self.keys):
                return apdu.SW_NOT_FOUND
            self.current = fid
            return apdu.SW_OK
        return apdu.SW_WRONG_P1P2

    def _tries(self, fid: int) -> int:
        return self.data.pin_tries if fid == apdu.EF_PIN else self.data.collation_b_tries

    def _set_tries(self, fid: int, tries: int) -> None:
        if fid == apdu.EF_PIN:
            self.data.pin_tries = tries
        else:
            self.data.collation_b_tries = tries

    def _verify(self, p1: int, p2: int, data: bytes, le: int | None) -> tuple[bytes, int]:
        if (p1, p2) != (0x00, 0x80):
            return b"", apdu.SW_WRONG_P1P2
        if le is not None:
            return b"", apdu.SW_WRONG_LENGTH
        fid = self.current
        if fid not in self.keys:
            return b"", apdu.SW_NO_CURRENT_EF
        assert fid is not None
        tries = self._tries(fid)
        if tries == 0:
            return b"", apdu.SW_BLOCKED
        if not data:
            return b"", 0x63C0 | tries
        secret = self.data.pin if fid == apdu.EF_PIN else self.data.collation_b
        assert secret is not None
        if len(data) != len(secret):
            return b"", apdu.SW_WRONG_LENGTH
        if data == secret.encode("ascii"):
            self._set_tries(fid, PIN_MAX_TRIES if fid == apdu.EF_PIN else COLLATION_B_MAX_TRIES)
            self.verified.add(fid)
            return b"", apdu.SW_OK
        self._set_tries(fid, tries - 1)
        return b"", 0x63C0 | (tries - 1)

    def _read(self, p1: int, p2: int, data: bytes, le: int | None) -> tuple[bytes, int]:
        if p1 & 0x80:  # short EF identifier: not offered by this emulation
            return b"", apdu.SW_WRONG_P1P2
        if data or le is None:
            return b"", apdu.SW_WRONG_LENGTH
        if self.current is None or self.current not in self.files:
            return b"", apdu.SW_NO_CURRENT_EF
        if not self.verified & self.access[self.current]:
            return b"", apdu.SW_SECURITY_NOT_SATISFIED
        content = self.files[self.current]
        offset = (p1 << 8) | p2
        if offset >= len(content):
            return b"", apdu.SW_OFFSET_OUT_OF_RANGE
        return content[offset : offset + le], apdu.SW_OK
