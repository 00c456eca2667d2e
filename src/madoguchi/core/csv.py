"""The one CSV module: Excel-safe cells, UTF-8 / Shift_JIS (cp932) decoding and encoding.

Every CSV file Madoguchi writes goes through `writer()`, so every cell is neutralised the same way
(an architecture test keeps `csv.writer` out of the other modules).

Formula cells (CSV injection, OWASP "CSV Injection"): a cell starting with `=`, `+`, `-`, `@`,
TAB or CR is run as a formula by Excel and LibreOffice (`-1+cmd|' /C calc'!A0`,
`=HYPERLINK(...)`); such cells get a leading apostrophe, which spreadsheets show as text.
One deliberate exception: a cell that is exactly a decimal number (`-5`, `-3.25`) is kept as it
is. It cannot be a formula, and quoting it would turn a core system's negative amount into the
text `'-5`. Anything else starting with `-` (`-5+1`, `-A1`, `--`) is neutralised.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from madoguchi.core import jis

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
GUARD = "'"


def excel_safe(value: Any) -> str:
    """A cell's text that no spreadsheet runs as a formula (see the module docstring)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return GUARD + text
    return text


def excel_unguard(text: str) -> str:
    """Undo `excel_safe` on a value read back from one of our own exports (import round trip)."""
    if text.startswith(GUARD) and excel_safe(text[1:]) == text:
        return text[1:]
    return text


class _Writable(Protocol):
    def write(self, s: str, /) -> object: ...


class SafeWriter:
    """`csv.writer` whose every cell (headers included) passes through `excel_safe`."""

    def __init__(self, stream: _Writable) -> None:
        # CRLF: what Excel and the core systems' importers expect.
        self._writer = csv.writer(stream, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([excel_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: _Writable) -> SafeWriter:
    return SafeWriter(stream)


# --- Encodings ------------------------------------------------------------------------------

SHIFT_JIS_NAMES = ("shift_jis", "cp932", "sjis")
GETA = "〓"  # the geta mark Japanese systems print for a character they cannot hold

# One character, two code points (〜 U+301C and ～ U+FF5E are both 0x8160): core.jis owns the
# table, because its JIS X 0208 check needs it too.
CP932_EQUIVALENTS = jis.CP932_EQUIVALENTS


def shift_jis_gaiji(text: str) -> list[jis.Gaiji]:
    """What a Shift_JIS export must report before writing `text` (see core.jis).

    `Kind.OUTSIDE` characters (𠮷) cannot be written at all: the export stops, or writes 〓 when
    staff asked for it and lists each place. `Kind.VENDOR` (髙, 﨑, ①) and `Kind.PRIVATE`
    characters are written as cp932 holds them, but a system strict to JIS X 0208 may not show
    them: they are listed too. Nothing is replaced silently.
    """
    return jis.find_gaiji(text)


class ShiftJisError(ValueError):
    """Text with characters cp932 cannot hold; `gaiji` lists each one (nothing was written)."""

    def __init__(self, gaiji: list[jis.Gaiji]) -> None:
        super().__init__(", ".join(f"{g.char} ({g.codepoint})" for g in gaiji))
        self.gaiji = gaiji

    def characters(self) -> str:
        """The offending characters, each once, as staff read them: 「𠮷」（U+20BB7）、…"""
        seen = dict.fromkeys(g.char for g in self.gaiji)
        return "、".join(f"「{ch}」（U+{ord(ch):04X}）" for ch in seen)


def encode_shift_jis(text: str) -> bytes:
    """`text` as cp932 bytes, or ShiftJisError naming every character it cannot hold.

    Never a silent "?" or 〓: a caller that wants the geta mark writes with GETA_ERRORS and lists
    the places itself (applications.handoff does).
    """
    outside = [g for g in jis.find_gaiji(text) if g.kind is jis.Kind.OUTSIDE]
    if outside:
        raise ShiftJisError(outside)
    return text.translate(CP932_EQUIVALENTS).encode("cp932")


def _geta(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeEncodeError)
    return GETA * (error.end - error.start), error.end


GETA_ERRORS = "madoguchi_geta"
codecs.register_error(GETA_ERRORS, _geta)


def decode(data: bytes, encoding: str = "auto") -> str:
    """UTF-8 (with or without BOM) or Shift_JIS (Windows cp932); "auto" tries UTF-8 first."""
    if encoding in SHIFT_JIS_NAMES:
        return data.decode("cp932")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if encoding != "auto":
            raise
        return data.decode("cp932")


@dataclass(frozen=True)
class RowError:
    """A refused cell of an imported file, said the way staff find it in a spreadsheet."""

    row: int  # 1-based line in the file (the header is line 1)
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.row}行目" + (f"（{self.column}）" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class ImportResult:
    """What an all-or-nothing import did: counts, or the errors that stopped it."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_header(
    text: str, *, columns: Collection[str], required: Iterable[str], docs: str
) -> tuple[csv.DictReader[str], list[RowError]]:
    """A reader over an imported file with its headings stripped, and what is wrong with the
    heading line: missing, unknown columns (the list is in `docs`) or required ones absent."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    if not header:
        return reader, [RowError(1, "", "見出し行がありません。")]
    errors: list[RowError] = []
    unknown = [h for h in header if h not in columns]
    missing = [c for c in required if c not in header]
    if unknown:
        errors.append(
            RowError(
                1, ", ".join(unknown), f"知らない列名です。列名は {docs} の一覧から選んでください。"
            )
        )
    if missing:
        errors.append(RowError(1, ", ".join(missing), "必須の列がありません。"))
    return reader, errors
