"""Attachment checks: real type from content, size limits, disguised files, display names."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from typing import IO, Any

import filetype
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext_lazy as _

from madoguchi.core.japanese_text import strip_invisible

# filetype reads at most this many bytes; our own checks need far fewer.
HEAD_BYTES = 8192


@dataclass(frozen=True)
class SniffedType:
    mime: str
    extension: str  # canonical extension without the dot, used when storing the file


PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
HEIC = "image/heic"
HEIF = "image/heif"
WEBP = "image/webp"
HTML = "text/html"
SVG = "image/svg+xml"

# The types residents attach to applications: scans (PDF), photos (JPEG; HEIC from iPhones) and
# screenshots (PNG). Procedures pick a subset.
DEFAULT_ALLOWED = frozenset({PDF, JPEG, PNG, HEIC, HEIF})

# Extensions a file of each type may carry under its own name.
_EXTENSIONS: dict[str, frozenset[str]] = {
    PDF: frozenset({"pdf"}),
    JPEG: frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    PNG: frozenset({"png"}),
    HEIC: frozenset({"heic", "heif"}),
    HEIF: frozenset({"heif", "heic"}),
    WEBP: frozenset({"webp"}),
    "image/gif": frozenset({"gif"}),
    "image/tiff": frozenset({"tif", "tiff"}),
    HTML: frozenset({"html", "htm", "xhtml"}),
    SVG: frozenset({"svg"}),
}

_LABELS = {
    PDF: "PDF",
    JPEG: "JPEG",
    PNG: "PNG",
    HEIC: "HEIC",
    HEIF: "HEIF",
    WEBP: "WebP",
    "image/gif": "GIF",
    "image/tiff": "TIFF",
}

# HEIF brands (ISO/IEC 23008-12). HEVC-coded brands are what iPhones write as .HEIC.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})

_MARKUP_STARTS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<svg",
    b"<?xml",
    b"<!--",
)


def _sniff_heif(head: bytes) -> SniffedType | None:
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    box_size = int.from_bytes(head[0:4], "big")
    box = head[8 : min(max(box_size, 16), len(head))]
    brands = {box[0:4]} | {box[i : i + 4] for i in range(8, len(box) - 3, 4)}
    if brands & _HEIC_BRANDS:
        return SniffedType(HEIC, "heic")
    if brands & _HEIF_BRANDS:
        return SniffedType(HEIF, "heif")
    return None


def _sniff_markup(head: bytes) -> SniffedType | None:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if not text.startswith(_MARKUP_STARTS):
        return None
    if b"<svg" in text[:4096]:
        return SniffedType(SVG, "svg")
    return SniffedType(HTML, "html")


def sniff_bytes(head: bytes) -> SniffedType | None:
    """The type of a file from its first bytes; None if unrecognised."""
    if head.startswith(b"%PDF-"):
        return SniffedType(PDF, "pdf")
    if head.startswith(b"\xff\xd8\xff"):
        return SniffedType(JPEG, "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return SniffedType(PNG, "png")
    found = _sniff_heif(head) or _sniff_markup(head)
    if found is not None:
        return found
    kind = filetype.guess(head) if head else None
    if kind is None:
        return None
    return SniffedType(str(kind.mime), str(kind.extension))


def sniff_file(file: File[Any] | IO[bytes]) -> SniffedType | None:
    """The real type of an open binary file from its content; the file position is kept."""
    position = file.tell()
    try:
        file.seek(0)
        head = file.read(HEAD_BYTES)
    finally:
        file.seek(position)
    return sniff_bytes(head if isinstance(head, bytes) else b"")


def _extension(name: str | None) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    return ext.strip().lower() if dot and stem else ""


def _labels(types: Collection[str]) -> str:
    return "・".join(sorted({_LABELS.get(t, t) for t in types}))


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0")


def validate_attachment(
    uploaded_file: File[Any], *, allowed: Collection[str] = DEFAULT_ALLOWED, max_bytes: int
) -> SniffedType:
    """Check an uploaded file and return its real type; raise ValidationError if refused.

    Refused: empty, larger than `max_bytes`, unrecognisable, content that contradicts the
    file's extension (a .pdf that is an executable, zip or web page), or a type not in
    `allowed` (MIME types such as "application/pdf").
    """
    size = uploaded_file.size
    if not size:
        raise ValidationError(
            _("ファイルが空です。中身のあるファイルを選び直してください。"), code="empty"
        )
    if size > max_bytes:
        raise ValidationError(
            _("ファイルが大きすぎます。%(max)sMB以下のファイルにしてください。"),
            code="too_large",
            params={"max": _megabytes(max_bytes)},
        )
    sniffed = sniff_file(uploaded_file)
    if sniffed is None:
        raise ValidationError(
            _("ファイルの種類を確認できませんでした。%(allowed)sのファイルを選んでください。"),
            code="unknown_type",
            params={"allowed": _labels(allowed)},
        )
    extension = _extension(uploaded_file.name)
    if extension and extension not in _EXTENSIONS.get(sniffed.mime, {sniffed.extension}):
        raise ValidationError(
            _(
                "ファイルの中身が拡張子（.%(extension)s）と一致しません。"
                "%(allowed)sのファイルを選び直してください。"
            ),
            code="disguised",
            params={"extension": extension[:10], "allowed": _labels(allowed)},
        )
    if sniffed.mime not in allowed:
        raise ValidationError(
            _("この種類のファイルは添付できません。%(allowed)sのファイルを選んでください。"),
            code="type_not_allowed",
            params={"allowed": _labels(allowed)},
        )
    return sniffed


_WINDOWS_RESERVED = str.maketrans({ch: "_" for ch in '<>:"|?*/\\'})


def display_filename(name: str | None, *, max_length: int = 80) -> str:
    """A file name safe to show on a page or in a CSV; never use it as a path.

    Keeps only the last path component, removes invisible and bidi-control characters (which can
    make "invoice<RLO>fdp.exe" look like a PDF), replaces characters Windows forbids, collapses
    spaces, and shortens long names while keeping the extension.
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", strip_invisible(base))
    base = " ".join(base.translate(_WINDOWS_RESERVED).split()).lstrip(". ")
    if not base:
        return str(_("添付ファイル"))
    if len(base) <= max_length:
        return base
    stem, dot, ext = base.rpartition(".")
    if dot and stem and len(ext) <= 10:
        return f"{stem[: max_length - len(ext) - 2]}….{ext}"
    return f"{base[: max_length - 1]}…"
