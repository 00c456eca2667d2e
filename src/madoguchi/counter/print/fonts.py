"""Japanese fonts for printed forms: which font draws each character, and what no font has.

Text is drawn in IPAex (Mincho for values, Gothic for labels) and falls back, character by
character, to IPAmj明朝, which holds the MJ characters (𠮷, 髙, 﨑 and about 58,000 more) that the
resident register uses. The fonts come from Debian (fonts-ipaexfont, fonts-ipamj-mincho; both
under the IPA Font License) and are embedded as subsets, so a printed PDF shows the same
characters anywhere. A character none of the fonts has is never drawn: `check_glyphs` lists
it with the field it came from, and rendering stops with `MissingGlyphs`.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

# Where Debian puts them (a deployment may set PRINT_FONT_DIRS to look elsewhere first).
DEFAULT_FONT_DIRS = (
    Path("/usr/share/fonts/opentype/ipaexfont-mincho"),
    Path("/usr/share/fonts/opentype/ipaexfont-gothic"),
    Path("/usr/share/fonts/truetype/ipamj"),
    Path("/usr/share/fonts/truetype/ipaexfont-mincho"),
    Path("/usr/share/fonts/truetype/ipaexfont-gothic"),
)
FONT_FILES = {
    "IPAexMincho": "ipaexm.ttf",
    "IPAexGothic": "ipaexg.ttf",
    "IPAmjMincho": "ipamjm.ttf",
}
DEBIAN_PACKAGES = {
    "IPAexMincho": "fonts-ipaexfont-mincho",
    "IPAexGothic": "fonts-ipaexfont-gothic",
    "IPAmjMincho": "fonts-ipamj-mincho",
}
# A style is the chain of fonts tried for each character, first match wins.
STYLES: dict[str, tuple[str, ...]] = {
    "mincho": ("IPAexMincho", "IPAmjMincho"),
    "gothic": ("IPAexGothic", "IPAmjMincho"),
}
# Characters that are layout, not glyphs: never looked up, never flagged.
_LAYOUT = frozenset(" \t\n\r")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class FontsMissing(RuntimeError):
    """A font file is not installed; the message names the Debian package to install."""


@dataclass(frozen=True)
class MissingGlyph:
    char: str
    field: str  # the label of the field (or header part) the character is in

    @property
    def codepoint(self) -> str:
        return f"U+{ord(self.char):04X}"


class MissingGlyphs(Exception):
    """Text holds characters no installed font can draw; printing them would show boxes."""

    def __init__(self, missing: Sequence[MissingGlyph]) -> None:
        self.missing = tuple(missing)
        super().__init__(self.describe())

    def by_field(self) -> dict[str, list[str]]:
        fields: dict[str, list[str]] = {}
        for m in self.missing:
            chars = fields.setdefault(m.field, [])
            if m.char not in chars:
                chars.append(m.char)
        return fields

    def describe(self) -> str:
        parts = [
            f"{field}: " + "、".join(f"「{c}」(U+{ord(c):04X})" for c in chars)
            for field, chars in self.by_field().items()
        ]
        return "印刷できない文字があります（どのフォントにも字形がありません）。" + " / ".join(
            parts
        )


_lock = threading.Lock()
_registered: dict[str, TTFont] = {}


def font_dirs() -> list[Path]:
    try:
        from django.conf import settings

        extra = [Path(p) for p in getattr(settings, "PRINT_FONT_DIRS", ())]
    except Exception:  # settings not configured: a pure use of the renderer
        extra = []
    return [*extra, *DEFAULT_FONT_DIRS]


def font_path(name: str) -> Path:
    filename = FONT_FILES[name]
    for directory in font_dirs():
        candidate = directory / filename
        if candidate.is_file():
            return candidate
    raise FontsMissing(
        f"フォント {name}（{filename}）が見つかりません。"
        f"Debian のパッケージ {DEBIAN_PACKAGES[name]} をインストールしてください。"
    )


def font(name: str) -> TTFont:
    """The font registered with ReportLab under `name` (loaded once per process)."""
    with _lock:
        loaded = _registered.get(name)
        if loaded is None:
            loaded = TTFont(name, str(font_path(name)))
            pdfmetrics.registerFont(loaded)
            _registered[name] = loaded
        return loaded


def has_glyph(name: str, char: str) -> bool:
    return ord(char) in font(name).face.charWidths


def font_for(char: str, style: str) -> str | None:
    """The first font of the style that has the character, or None."""
    for name in STYLES[style]:
        if has_glyph(name, char):
            return name
    return None


def printable_text(text: str) -> str:
    """Tabs as spaces, other control characters removed (no glyph, nothing to say on paper)."""
    return _CONTROL.sub("", text.replace("\t", " "))


def missing_glyphs(texts: Iterable[tuple[str, str]], style: str = "mincho") -> list[MissingGlyph]:
    """(field label, text) pairs → the characters no font of the style has, in order."""
    missing: list[MissingGlyph] = []
    seen: set[tuple[str, str]] = set()
    for field, text in texts:
        for char in printable_text(text):
            if char in _LAYOUT or (field, char) in seen:
                continue
            if font_for(char, style) is None:
                seen.add((field, char))
                missing.append(MissingGlyph(char, field))
    return missing


def check_glyphs(texts: Iterable[tuple[str, str]], style: str = "mincho") -> None:
    missing = missing_glyphs(texts, style)
    if missing:
        raise MissingGlyphs(missing)


@dataclass(frozen=True)
class Run:
    font: str
    text: str


def runs(text: str, style: str) -> Iterator[Run]:
    """The text split into runs drawn with one font each (per-character fallback)."""
    current: str | None = None
    buffer: list[str] = []
    for char in printable_text(text):
        if char in "\n\r":
            continue
        name = font_for(char, style) if char not in _LAYOUT else (current or STYLES[style][0])
        if name is None:
            raise MissingGlyphs([MissingGlyph(char, "")])
        if name != current and buffer:
            assert current is not None
            yield Run(current, "".join(buffer))
            buffer = []
        current = name
        buffer.append(char)
    if buffer and current is not None:
        yield Run(current, "".join(buffer))


def text_width(text: str, style: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(r.text, r.font, size) for r in runs(text, style))


def draw_text(canvas: Canvas, x: float, y: float, text: str, style: str, size: float) -> float:
    """Draw text at (x, baseline y) in points, font by font; returns the width drawn."""
    start = x
    for run in runs(text, style):
        canvas.setFont(run.font, size)
        canvas.drawString(x, y, run.text)
        x += pdfmetrics.stringWidth(run.text, run.font, size)
    return x - start


def wrap(text: str, style: str, size: float, width: float) -> list[str]:
    """Lines no wider than `width`, broken at any character (Japanese has no spaces), keeping
    closing punctuation off the start of a line (簡易な行頭禁則)."""
    lines: list[str] = []
    for paragraph in printable_text(text).replace("\r\n", "\n").split("\n"):
        line = ""
        for char in paragraph:
            candidate = line + char
            if line and text_width(candidate, style, size) > width:
                if char in _NO_LINE_START and len(line) > 1:
                    lines.append(line[:-1])
                    line = line[-1] + char
                else:
                    lines.append(line)
                    line = char
            else:
                line = candidate
        lines.append(line)
    return lines


_NO_LINE_START = frozenset("、。，．,.）)」』】〕・ーぁぃぅぇぉっゃゅょァィゥェォッャュョ々")


# --- ToUnicode for characters beyond the BMP --------------------------------------------------

# ReportLab writes each ToUnicode entry as <%04X> of the code point, so 𠮷 (U+20BB7) becomes the
# invalid "<20BB7>" and text extraction reads "₻". PDF wants UTF-16BE there: <D842DFB7>.
_BFCHAR = re.compile(rb"<([0-9A-F]{2})> <([0-9A-F]{5,6})>")


def _utf16(match: re.Match[bytes]) -> bytes:
    codepoint = int(match.group(2), 16)
    return (
        b"<"
        + match.group(1)
        + b"> <"
        + chr(codepoint).encode("utf-16-be").hex().upper().encode()
        + b">"
    )


def fix_to_unicode(pdf: bytes) -> bytes:
    """The PDF with its ToUnicode maps corrected for supplementary-plane characters."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    changed = False
    for page in writer.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        if fonts is None:
            continue
        for ref in fonts.get_object().values():
            font_dict = ref.get_object()
            cmap_ref = font_dict.get(NameObject("/ToUnicode"))
            if cmap_ref is None:
                continue
            stream = cmap_ref.get_object()
            data = stream.get_data()
            fixed = _BFCHAR.sub(_utf16, data)
            if fixed != data:
                stream.set_data(fixed)
                changed = True
    if not changed:
        return pdf
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
