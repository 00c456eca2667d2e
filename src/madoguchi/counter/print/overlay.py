"""The form-overlay layout: answers drawn at coordinates on the municipality's own form PDF.

The municipality uploads its official form (a PDF) and says where each answer goes:

    {"format": 1, "fields": [
      {"key": "notifier_name", "page": 1, "x": 42, "y": 61.5, "size": 12, "max_width": 80},
      {"key": "notifier_name.family_kana", "page": 1, "x": 42, "y": 55, "size": 8},
      {"key": "destination", "equals": "domestic", "text": "〇", "page": 1, "x": 31, "y": 88}
    ]}

x and y are millimetres from the page's left and top edges to the start of the text's
baseline; `size` is in points; a text wider than `max_width` (mm) is shrunk to fit, down to
`min_size`, and wrapped below that. The text is drawn with ReportLab on a transparent page of
the same size and merged onto the form's page with pypdf. AcroForm fields are not filled:
viewers disagree on Japanese appearance streams, drawn text prints the same everywhere.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from . import fonts
from .base import LayoutError, LayoutSpec, PrintDocument

FORMAT = 1
_KEY = re.compile(r"_?[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")
_ALLOWED = {
    "key",
    "page",
    "x",
    "y",
    "size",
    "min_size",
    "max_width",
    "style",
    "align",
    "equals",
    "text",
}
MAX_PLACEMENTS = 500
MAX_BASE_PAGES = 20
MAX_BASE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Placement:
    key: str
    page: int  # 1-based
    x: float  # mm from the left edge
    y: float  # mm from the top edge to the baseline
    size: float = 10.5
    min_size: float = 5.0
    max_width: float | None = None  # mm
    style: str = "mincho"
    align: str = "left"
    equals: str | None = None  # draw `text` only when this option is selected
    text: str = "〇"


def _number(
    obj: dict[str, Any],
    name: str,
    where: str,
    *,
    low: float,
    high: float,
    default: float | None = None,
) -> float:
    value = obj.get(name, default)
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LayoutError(f"{where}: 「{name}」には数値を指定してください。")
    if not low <= value <= high:
        raise LayoutError(f"{where}: 「{name}」は{low:g}から{high:g}の範囲で指定してください。")
    return float(value)


def parse_placements(data: Any) -> list[Placement]:
    """The placements of a layout JSON; LayoutError (in Japanese, naming the entry) if bad."""
    if not isinstance(data, dict) or data.get("format", FORMAT) != FORMAT:
        raise LayoutError('配置データは {"format": 1, "fields": [...]} の形で指定してください。')
    raw = data.get("fields")
    if not isinstance(raw, list) or not raw:
        raise LayoutError("配置データの「fields」に、印字する項目を1つ以上指定してください。")
    if len(raw) > MAX_PLACEMENTS:
        raise LayoutError(f"配置できる項目は{MAX_PLACEMENTS}個までです。")
    placements = []
    for i, obj in enumerate(raw):
        where = f"fields[{i}]"
        if not isinstance(obj, dict):
            raise LayoutError(f"{where}: 項目は {{...}} の形で指定してください。")
        unknown = set(obj) - _ALLOWED
        if unknown:
            raise LayoutError(f"{where}: 使えない指定があります（{', '.join(sorted(unknown))}）。")
        key = obj.get("key")
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise LayoutError(
                f"{where}: 「key」に項目の識別名（例 applicant_name）を指定してください。"
            )
        page = obj.get("page", 1)
        if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= MAX_BASE_PAGES:
            raise LayoutError(f"{where}: 「page」はページ番号（1から）で指定してください。")
        style = obj.get("style", "mincho")
        if style not in fonts.STYLES:
            raise LayoutError(f"{where}: 「style」は mincho か gothic です。")
        align = obj.get("align", "left")
        if align not in ("left", "center", "right"):
            raise LayoutError(f"{where}: 「align」は left、center、right のどれかです。")
        equals = obj.get("equals")
        if equals is not None and not isinstance(equals, str):
            raise LayoutError(f"{where}: 「equals」には選択肢の値を文字列で指定してください。")
        text = obj.get("text", "〇")
        if not isinstance(text, str) or len(text) > 20:
            raise LayoutError(f"{where}: 「text」は20文字までの文字列です。")
        size = _number(obj, "size", where, low=4, high=48, default=10.5)
        placements.append(
            Placement(
                key=key,
                page=page,
                x=_number(obj, "x", where, low=0, high=1200),
                y=_number(obj, "y", where, low=0, high=1200),
                size=size,
                min_size=_number(obj, "min_size", where, low=3, high=size, default=min(5.0, size)),
                max_width=_number(obj, "max_width", where, low=1, high=1200)
                if "max_width" in obj
                else None,
                style=style,
                align=align,
                equals=equals,
                text=text,
            )
        )
    return placements


def _reader(base_pdf: bytes | None) -> PdfReader:
    if not base_pdf:
        raise LayoutError("様式のPDFファイルが登録されていません。")
    if len(base_pdf) > MAX_BASE_BYTES:
        raise LayoutError("様式のPDFファイルは10MBまでです。")
    try:
        reader = PdfReader(io.BytesIO(base_pdf))
        if reader.is_encrypted:
            raise LayoutError(
                "パスワードで保護されたPDFは使えません。保護を外したPDFを登録してください。"
            )
        count = len(reader.pages)
    except PyPdfError as exc:
        raise LayoutError(
            "様式のPDFファイルを読み取れません。PDFとして保存し直してください。"
        ) from exc
    if not 1 <= count <= MAX_BASE_PAGES:
        raise LayoutError(f"様式のPDFは1から{MAX_BASE_PAGES}ページまでです。")
    return reader


def _page_size(reader: PdfReader, index: int) -> tuple[float, float, float, float]:
    box = reader.pages[index].mediabox
    return float(box.left), float(box.bottom), float(box.width), float(box.height)


class OverlayLayout:
    kind = "overlay"

    def check(self, spec: LayoutSpec) -> None:
        placements = parse_placements(spec.placements)
        reader = _reader(spec.base_pdf)
        for i, p in enumerate(placements):
            if p.page > len(reader.pages):
                raise LayoutError(
                    f"fields[{i}]: 様式のPDFは{len(reader.pages)}ページです（page {p.page} はありません）。"
                )
            _, _, width, height = _page_size(reader, p.page - 1)
            if p.x * mm > width or p.y * mm > height:
                raise LayoutError(
                    f"fields[{i}]: 位置（x {p.x:g}mm, y {p.y:g}mm）がページの外です。"
                )

    def texts(
        self, document: PrintDocument, placements: list[Placement]
    ) -> list[tuple[Placement, str]]:
        values = document.values()
        selections = document.selections()
        drawn = []
        for p in placements:
            if p.equals is not None:
                if p.equals in selections.get(p.key, ()):
                    drawn.append((p, p.text))
                continue
            text = values.get(p.key, "")
            if text:
                drawn.append((p, text))
        return drawn

    def render_document(self, document: PrintDocument, spec: LayoutSpec) -> bytes:
        placements = parse_placements(spec.placements)
        reader = _reader(spec.base_pdf)
        drawn = self.texts(document, placements)
        labels = {item.key: item.label for item in document.items}
        fonts.check_glyphs([(labels.get(p.key.split(".")[0], p.key), text) for p, text in drawn])
        writer = PdfWriter(clone_from=reader)
        for index in range(len(reader.pages)):
            on_page = [(p, text) for p, text in drawn if p.page == index + 1]
            if not on_page:
                continue
            left, bottom, width, height = _page_size(reader, index)
            buffer = io.BytesIO()
            canvas = Canvas(
                buffer, pagesize=(width, height), initialFontName=fonts.font("IPAexMincho").fontName
            )
            for p, text in on_page:
                _draw(canvas, p, text, left_x=0, top_y=height)
            canvas.save()
            overlay = PdfReader(io.BytesIO(buffer.getvalue())).pages[0]
            if left or bottom:
                from pypdf import Transformation

                writer.pages[index].merge_transformed_page(
                    overlay, Transformation().translate(left, bottom)
                )
            else:
                writer.pages[index].merge_page(overlay)
        out = io.BytesIO()
        writer.write(out)
        return fonts.fix_to_unicode(out.getvalue())


def _draw(canvas: Canvas, p: Placement, text: str, *, left_x: float, top_y: float) -> None:
    size = p.size
    lines = [text.replace("\n", " ")]
    if p.max_width is not None:
        limit = p.max_width * mm
        width = fonts.text_width(lines[0], p.style, size)
        if width > limit:
            size = max(p.min_size, size * limit / width * 0.999)
            if fonts.text_width(lines[0], p.style, size) > limit:
                lines = fonts.wrap(lines[0], p.style, size, limit)
    x0 = left_x + p.x * mm
    y = top_y - p.y * mm
    for line in lines:
        width = fonts.text_width(line, p.style, size)
        x = x0 - width if p.align == "right" else x0 - width / 2 if p.align == "center" else x0
        fonts.draw_text(canvas, x, y, line, p.style, size)
        y -= size * 1.15
