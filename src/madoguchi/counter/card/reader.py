"""Reading the 券面事項入力補助AP: the one APDU code path for real and emulated cards.

    SELECT AP D3 92 10 00 31 00 01 01 04 08
    SELECT EF 00 11 (PIN) or 00 15 (照合番号B)
    VERIFY 00 20 00 80, no data     → 63 Cx: x tries left, none spent (reported, then judged)
    VERIFY 00 20 00 80 + secret     → 90 00, or 63 Cx (wrong), 69 84 (blocked)
    SELECT EF 00 02, READ BINARY    → the FF20 header first (its length), then the rest
    SELECT EF 00 03, READ BINARY    → FF30: digests and signature (PIN only)
    SELECT EF 00 01                 → 個人番号, only when a legal basis is given (PIN only)

The reader refuses to send a VERIFY that could block the card: with one try left it stops and
says so. Nothing is written anywhere; the caller gets the attributes in memory.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from . import apdu, records, tlv
from .messages import CardError

HEADER_PROBE = 8  # enough for a 4-byte tag and an 83 length; shorter records return less
Authenticity = Literal["verified", "unchecked", "unavailable"]


@dataclass(frozen=True)
class Notice:
    code: str  # a key of messages.MESSAGES
    params: dict[str, object]


Report = Callable[[Notice], None]


@dataclass(frozen=True)
class Reading:
    attributes: records.CardAttributes
    authenticity: Authenticity
    my_number: str | None = None


def _ignore(_notice: Notice) -> None:
    return None


class Session:
    """One conversation with a card through a pyscard-like connection."""

    def __init__(self, connection: apdu.Connection, *, report: Report = _ignore) -> None:
        self.connection = connection
        self.report = report

    def send(self, command: apdu.Command) -> apdu.Response:
        return apdu.parse_response(self.connection.transmit(command.to_list()))

    def fail(self, command: apdu.Command, response: apdu.Response) -> CardError:
        return CardError(
            "card_status", command=str(command), sw=str(response), text=response.status_text()
        )

    def select_application(self) -> None:
        command = apdu.select_df(apdu.KENMEN_AP)
        response = self.send(command)
        if response.sw == apdu.SW_NOT_FOUND:
            raise CardError("not_my_number_card")
        if not response.ok:
            raise self.fail(command, response)

    def select(self, fid: int) -> apdu.Response:
        return self.send(apdu.select_ef(fid))

    def tries_left(self) -> int:
        """Tries left on the selected key EF; a blocked one answers 69 84 (or 63 C0)."""
        command = apdu.verify()
        response = self.send(command)
        if response.sw == apdu.SW_BLOCKED:
            return 0
        if response.tries_left is None:
            raise self.fail(command, response)
        return response.tries_left

    def verify(self, fid: int, secret: str, kind: Literal["pin", "collation_b"]) -> None:
        command = apdu.select_ef(fid)
        response = self.send(command)
        if response.sw == apdu.SW_NOT_FOUND and kind == "collation_b":
            raise CardError("collation_b_unsupported")
        if not response.ok:
            raise self.fail(command, response)
        tries = self.tries_left()
        self.report(Notice(f"tries_{kind}", {"tries": tries}))
        if tries == 0:
            raise CardError(f"blocked_{kind}")
        if tries == 1:
            raise CardError(f"last_try_{kind}")
        command = apdu.verify(secret.encode("ascii"))
        response = self.send(command)
        if response.ok:
            return
        if response.sw == apdu.SW_BLOCKED or response.tries_left == 0:
            raise CardError(f"blocked_{kind}")
        if response.tries_left is not None:
            raise CardError(f"wrong_{kind}", tries=response.tries_left)
        if response.sw == apdu.SW_WRONG_LENGTH:
            raise CardError(f"{kind}_format", exit_code=2)
        raise self.fail(command, response)

    def read_record(self, fid: int, *, optional: bool = False) -> bytes | None:
        """The TLV record of an EF (padding left on the card), or None when access is denied
        (or, when `optional`, when the card has no such EF)."""
        command = apdu.select_ef(fid)
        response = self.send(command)
        if optional and response.sw == apdu.SW_NOT_FOUND:
            return None
        if not response.ok:
            raise self.fail(command, response)
        command = apdu.read_binary(0, HEADER_PROBE)
        response = self.send(command)
        if response.sw == apdu.SW_SECURITY_NOT_SATISFIED:
            return None
        if not response.ok:
            raise self.fail(command, response)
        data = bytearray(response.data)
        try:
            _tag, head, length = tlv.header(bytes(data))
        except tlv.TlvError as exc:
            raise CardError("malformed", detail=str(exc)) from exc
        total = head + length
        if total > 0x8000:
            raise CardError("malformed", detail=f"record of {total} bytes")
        del data[total:]
        while len(data) < total:
            command = apdu.read_binary(len(data), min(apdu.MAX_READ, total - len(data)))
            response = self.send(command)
            if not response.ok:
                raise self.fail(command, response)
            if not response.data:
                raise CardError("malformed", detail="the card returned no data")
            data += response.data
        return bytes(data[:total])


def check_format(*, pin: str | None, collation_b: str | None) -> None:
    """The secret is typed right before anything reaches the card (no try is spent on typos)."""
    if (pin is None) == (collation_b is None):
        raise CardError("secret_missing", exit_code=2)
    if pin is not None and not (len(pin) == 4 and pin.isascii() and pin.isdigit()):
        raise CardError("pin_format", exit_code=2)
    if collation_b is not None and not (
        len(collation_b) == 14 and collation_b.isascii() and collation_b.isdigit()
    ):
        raise CardError("collation_b_format", exit_code=2)


def collation_b_from_parts(
    *, birth_wareki_yymmdd: str, expiry_year: str, security_code: str
) -> str:
    """照合番号B as staff read it off the card face: 和暦 birth YYMMDD + expiry year + code."""
    value = f"{birth_wareki_yymmdd}{expiry_year}{security_code}"
    check_format(pin=None, collation_b=value)
    return value


def _authenticity(
    session: Session, attributes_record: bytes, issuer_key: rsa.RSAPublicKey | None
) -> Authenticity:
    raw = session.read_record(apdu.EF_SIGNATURE, optional=True)
    if raw is None:
        return "unavailable"
    try:
        record = records.decode_signature(raw)
    except records.RecordError as exc:
        raise CardError("malformed", detail=str(exc)) from exc
    if not hmac.compare_digest(
        record.attributes_digest, records.attributes_digest(attributes_record)
    ):
        raise CardError("authenticity_failed")
    if issuer_key is None:
        return "unchecked"
    try:
        issuer_key.verify(record.signature, record.signed_data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise CardError("authenticity_failed") from exc
    return "verified"


def read_card(
    connection: apdu.Connection,
    *,
    pin: str | None = None,
    collation_b: str | None = None,
    issuer_key: rsa.RSAPublicKey | None = None,
    legal_basis: str | None = None,
    report: Report = _ignore,
) -> Reading:
    """The card-face attributes, checked against the card's signature where the card allows.

    `legal_basis` (the procedure's 法令上の根拠, e.g. "番号法第9条第1項 別表第一 …") is the only
    way the 個人番号 is read; without it EF 00 01 is never selected.
    """
    check_format(pin=pin, collation_b=collation_b)
    if legal_basis is not None and not legal_basis.strip():
        legal_basis = None
    if legal_basis and pin is None:
        raise CardError("legal_basis_needs_pin", exit_code=2)
    session = Session(connection, report=report)
    session.select_application()
    if pin is not None:
        session.verify(apdu.EF_PIN, pin, "pin")
    else:
        assert collation_b is not None
        session.verify(apdu.EF_COLLATION_B, collation_b, "collation_b")
    record = session.read_record(apdu.EF_ATTRIBUTES)
    if record is None:  # verified, yet the card refuses: not what the AP promises
        raise CardError("card_status", command="READ BINARY 00 02", sw="69 82", text="denied")
    try:
        attributes = records.decode_attributes(record)
    except records.RecordError as exc:
        raise CardError("malformed", detail=str(exc)) from exc
    authenticity = _authenticity(session, record, issuer_key)
    report(Notice(f"authenticity_{authenticity}", {}))
    my_number = None
    if legal_basis:
        raw = session.read_record(apdu.EF_MY_NUMBER)
        if raw is None:
            raise CardError("card_status", command="READ BINARY 00 01", sw="69 82", text="denied")
        try:
            my_number = records.decode_my_number(raw)
        except records.RecordError as exc:
            raise CardError("malformed", detail=str(exc)) from exc
    return Reading(attributes=attributes, authenticity=authenticity, my_number=my_number)
