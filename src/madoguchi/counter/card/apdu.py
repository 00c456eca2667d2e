"""Command APDUs for the 券面事項入力補助AP and the status words the card answers.

Short APDUs only (Lc and Le of one byte): the card's files are read in chunks of at most
`MAX_READ` bytes, which every PC/SC reader supports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# 券面事項入力補助AP (the card-face attributes application)
KENMEN_AP = bytes.fromhex("D3921000310001010408")
EF_MY_NUMBER = 0x0001  # 個人番号 (FF10): read only with a legal basis
EF_ATTRIBUTES = 0x0002  # 基本4情報 (FF20)
EF_SIGNATURE = 0x0003  # digests and signature (FF30)
EF_PIN = 0x0011  # 券面事項入力補助用暗証番号 (4 digits, 3 tries)
EF_COLLATION_B = 0x0015  # 照合番号B (14 digits, 10 tries)

MAX_READ = 0xFF  # Le of a short READ BINARY (00 would mean 256; 255 keeps it unambiguous)

INS_SELECT = 0xA4
INS_VERIFY = 0x20
INS_READ_BINARY = 0xB0

SW_OK = 0x9000
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_BLOCKED = 0x6984
SW_NO_CURRENT_EF = 0x6986
SW_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6A86
SW_OFFSET_OUT_OF_RANGE = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00

STATUS_TEXT = {
    SW_OK: "normal processing",
    SW_WRONG_LENGTH: "wrong length",
    SW_SECURITY_NOT_SATISFIED: "security status not satisfied",
    SW_BLOCKED: "authentication method blocked",
    SW_NO_CURRENT_EF: "command not allowed (no current EF)",
    SW_NOT_FOUND: "file or application not found",
    SW_WRONG_P1P2: "incorrect parameters P1-P2",
    SW_OFFSET_OUT_OF_RANGE: "offset outside the EF",
    SW_INS_NOT_SUPPORTED: "instruction not supported",
    SW_CLA_NOT_SUPPORTED: "class not supported",
}


class Connection(Protocol):
    """What pyscard's CardConnection offers and the emulated card copies."""

    def transmit(self, command: list[int]) -> tuple[list[int], int, int]: ...


@dataclass(frozen=True)
class Command:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    def __post_init__(self) -> None:
        for name in ("cla", "ins", "p1", "p2"):
            if not 0 <= getattr(self, name) <= 0xFF:
                raise ValueError(f"{name} out of range")
        if len(self.data) > 0xFF:
            raise ValueError("command data longer than a short APDU holds")
        if self.le is not None and not 1 <= self.le <= 0x100:
            raise ValueError("Le out of range")

    def to_list(self) -> list[int]:
        apdu = [self.cla, self.ins, self.p1, self.p2]
        if self.data:
            apdu += [len(self.data), *self.data]
        if self.le is not None:
            apdu.append(self.le & 0xFF)  # 256 is written 00
        return apdu

    def __str__(self) -> str:
        return " ".join(f"{b:02X}" for b in self.to_list())


@dataclass(frozen=True)
class Response:
    data: bytes
    sw1: int
    sw2: int

    @property
    def sw(self) -> int:
        return (self.sw1 << 8) | self.sw2

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    @property
    def tries_left(self) -> int | None:
        """x of `63 Cx` (a failed or counting VERIFY), else None."""
        if self.sw1 == 0x63 and self.sw2 & 0xF0 == 0xC0:
            return self.sw2 & 0x0F
        return None

    def status_text(self) -> str:
        if self.tries_left is not None:
            return f"verification failed, {self.tries_left} tries left"
        return STATUS_TEXT.get(self.sw, "unknown status")

    def __str__(self) -> str:
        return f"{self.sw1:02X} {self.sw2:02X}"


def parse_response(raw: tuple[list[int], int, int]) -> Response:
    data, sw1, sw2 = raw
    return Response(bytes(data), sw1, sw2)


def select_df(aid: bytes) -> Command:
    """SELECT by DF name (P1 04), no response data (P2 0C)."""
    return Command(0x00, INS_SELECT, 0x04, 0x0C, aid)


def select_ef(fid: int) -> Command:
    """SELECT an EF of the current DF by its identifier (P1 02), no response data."""
    return Command(0x00, INS_SELECT, 0x02, 0x0C, fid.to_bytes(2, "big"))


def verify(secret: bytes | None = None) -> Command:
    """VERIFY against the selected EF (P2 80: a specific reference data).

    Without data the card only answers how many tries are left (`63 Cx`) and spends none.
    """
    return Command(0x00, INS_VERIFY, 0x00, 0x80, secret or b"")


def read_binary(offset: int, length: int) -> Command:
    """READ BINARY of the selected EF; P1 bit 8 stays 0 (a 15-bit offset, not a short EF id)."""
    if not 0 <= offset <= 0x7FFF:
        raise ValueError("offset out of range")
    return Command(0x00, INS_READ_BINARY, offset >> 8, offset & 0xFF, le=length)
