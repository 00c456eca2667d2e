"""Looking at an attachment in the back office without downloading it, and without running it.

Raster images the browser shows by itself are sent inline under a sandboxing Content-Security-
Policy (no script, no plug-in, nothing fetched). A PDF is never handed to the browser's PDF viewer
(scripts, forms, links): its first pages are rendered here to PNG images with PDFium (pypdfium2),
bounded in pages and pixels, and shown as pictures.
"""

from __future__ import annotations

import io

from madoguchi.core import uploads

INLINE_IMAGES = frozenset({uploads.JPEG, uploads.PNG, uploads.WEBP, "image/gif"})
MAX_PDF_PAGES = 5
PAGE_WIDTH_PX = 1000
MAX_HEIGHT_PX = 4000  # a page drawn very tall stays a bounded image
MAX_SCALE = 4.0
# Sent with every inline preview: the response may show itself and nothing else.
SANDBOX_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


class PreviewUnavailable(Exception):
    """The file cannot be shown (damaged, encrypted, or a page that does not exist)."""


def preview_kind(content_type: str) -> str:
    """ "image", "pdf" or "" (download only)."""
    if content_type in INLINE_IMAGES:
        return "image"
    if content_type == uploads.PDF:
        return "pdf"
    return ""


def pdf_pages(data: bytes) -> int:
    """How many pages the preview shows (at most MAX_PDF_PAGES)."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise PreviewUnavailable(str(exc)) from exc
    try:
        return min(len(document), MAX_PDF_PAGES)
    finally:
        document.close()


def pdf_page_png(data: bytes, number: int) -> bytes:
    """Page `number` (1-based) as a PNG about PAGE_WIDTH_PX wide."""
    import pypdfium2

    if not 1 <= number <= MAX_PDF_PAGES:
        raise PreviewUnavailable("page out of range")
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise PreviewUnavailable(str(exc)) from exc
    try:
        if number > len(document):
            raise PreviewUnavailable("page out of range")
        page = document[number - 1]
        width, height = max(page.get_width(), 1.0), max(page.get_height(), 1.0)
        scale = min(PAGE_WIDTH_PX / width, MAX_HEIGHT_PX / height, MAX_SCALE)
        image = page.render(scale=scale, may_draw_forms=False).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        return out.getvalue()
    finally:
        document.close()
