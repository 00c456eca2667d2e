"""QR codes of a pre-input: drawn with segno, read from an image with zxing-cpp.

Level M (15 % of the code may be damaged or dirty) — a phone screen or a print-out under the
counter scanner. The texts are in the QR alphanumeric set, so segno picks its dense mode.
"""

from __future__ import annotations

import io

import segno
import zxingcpp
from PIL import Image, UnidentifiedImageError

from .errors import PreInputRefused

ERROR = "m"
MAX_IMAGE_PIXELS = 40_000_000
QR_ONLY = zxingcpp.barcode_formats_from_str("QRCode")


def make(text: str) -> segno.QRCode:
    return segno.make_qr(text, error=ERROR, boost_error=False)


def svg(text: str, *, title: str) -> str:
    """Inline SVG (no XML declaration) that scales with its box."""
    out = io.BytesIO()
    make(text).save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        scale=4,
        border=4,
        title=title,
        svgclass="qr",
        omitsize=True,
    )
    return out.getvalue().decode()


def png(text: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    make(text).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def version(text: str) -> int:
    return int(make(text).version)


def decode_image(data: bytes) -> list[str]:
    """The texts of every QR code in an image (a photo of a phone, a scan of a print-out)."""
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            results = zxingcpp.read_barcodes(image.convert("L"), formats=QR_ONLY)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise PreInputRefused("PI-NOQR") from exc
    texts = [r.text for r in results if r.valid and r.text]
    if not texts:
        raise PreInputRefused("PI-NOQR")
    return texts
