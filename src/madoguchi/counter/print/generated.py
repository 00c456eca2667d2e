"""The generated layout: an A4 form built from the definition alone.

Header (addressee, date in 和暦, receipt number), the procedure's name as title, one ruled row
per answer (label | value, long values wrapped), repeating groups as tables with a column per
sub-field, then the declaration, the date line and a box for the applicant's signature. Rows
never split across pages; a page that runs out continues on the next with the title repeated.
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from madoguchi.core.wareki import format_wareki, to_wareki

from . import fonts
from .base import LayoutError, LayoutSpec, PrintDocument, PrintItem

PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 12 * mm
MARGIN_BOTTOM = 14 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X
LABEL_W = 44 * mm
PAD = 2.2 * mm
VALUE_SIZE = 11.0
LABEL_SIZE = 9.0
LEADING = 1.45
MIN_ROW_H = 7.5 * mm
SIGNATURE_BLOCK_H = 36 * mm
LABEL_FILL = (0.93, 0.93, 0.93)
LINE_WIDTH = 0.6


class GeneratedLayout:
    kind = "generated"

    def check(self, spec: LayoutSpec) -> None:
        if spec.placements not in (None, [], {}):
            raise LayoutError("自動作成の様式には配置データは使いません。")

    def render_document(self, document: PrintDocument, spec: LayoutSpec) -> bytes:
        fonts.check_glyphs(document.labelled_texts())
        buffer = io.BytesIO()
        fonts.font("IPAexMincho")
        # The initial font is set in every page's content: a Japanese one, so no unembedded
        # Helvetica is declared.
        canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName="IPAexMincho")
        canvas.setTitle(document.procedure)
        canvas.setAuthor(document.municipality)
        canvas.setSubject(document.receipt_number or document.procedure)
        _Page(canvas, document).draw()
        canvas.save()
        return fonts.fix_to_unicode(buffer.getvalue())


class _Page:
    def __init__(self, canvas: Canvas, document: PrintDocument) -> None:
        self.c = canvas
        self.doc = document
        self.page = 1
        self.y = PAGE_H - MARGIN_TOP

    # --- page furniture ----------------------------------------------------------------------

    def header(self, *, first: bool) -> None:
        c, doc = self.c, self.doc
        c.setLineWidth(LINE_WIDTH)
        top = PAGE_H - MARGIN_TOP
        right = PAGE_W - MARGIN_X
        date_text = f"記入日　{format_wareki(doc.printed_on)}"
        fonts.draw_text(
            c, right - fonts.text_width(date_text, "mincho", 10), top - 10, date_text, "mincho", 10
        )
        if doc.receipt_number:
            receipt = f"受付番号　{doc.receipt_number}"
            fonts.draw_text(
                c, right - fonts.text_width(receipt, "mincho", 10), top - 24, receipt, "mincho", 10
            )
        if first:
            # No municipality (a library form printed from the command line): room to write it.
            addressee = doc.municipality or "　" * 6
            fonts.draw_text(c, MARGIN_X, top - 10, f"（宛先）{addressee}長", "mincho", 11)
        title = doc.procedure if first else f"{doc.procedure}（続き）"
        size = 18.0 if first else 13.0
        while size > 10 and fonts.text_width(title, "gothic", size) > CONTENT_W:
            size -= 0.5
        width = fonts.text_width(title, "gothic", size)
        title_y = top - 26 - size
        fonts.draw_text(c, (PAGE_W - width) / 2, title_y, title, "gothic", size)
        self.y = title_y - 10

    def footer(self) -> None:
        text = f"{self.page}"
        fonts.draw_text(
            self.c,
            (PAGE_W - fonts.text_width(text, "mincho", 9)) / 2,
            MARGIN_BOTTOM - 8,
            text,
            "mincho",
            9,
        )

    def new_page(self) -> None:
        self.footer()
        self.c.showPage()
        self.page += 1
        self.header(first=False)

    def ensure(self, height: float) -> None:
        if self.y - height < MARGIN_BOTTOM:
            self.new_page()

    # --- content -----------------------------------------------------------------------------

    def draw(self) -> None:
        self.header(first=True)
        intro = "次のとおり申請（届出）します。"
        fonts.draw_text(self.c, MARGIN_X, self.y - 4, intro, "mincho", 10.5)
        self.y -= 14
        for item in self.doc.items:
            if item.is_table:
                self.table(item)
            else:
                self.row(item.label, _with_reading(item.value, item.parts))
        self.signature()
        self.footer()

    def _cell(
        self,
        x: float,
        top: float,
        width: float,
        height: float,
        lines: list[str],
        style: str,
        size: float,
        fill: tuple[float, float, float] | None = None,
    ) -> None:
        c = self.c
        if fill is not None:
            c.setFillColorRGB(*fill)
            c.rect(x, top - height, width, height, stroke=0, fill=1)
            c.setFillColorRGB(0, 0, 0)
        c.setLineWidth(LINE_WIDTH)
        c.rect(x, top - height, width, height, stroke=1, fill=0)
        line_h = size * LEADING
        text_h = line_h * len(lines)
        # Vertically centred in the cell; the baseline sits ~0.8 of the size below a line's top.
        y = top - (height - text_h) / 2 - size * 1.05
        for line in lines:
            fonts.draw_text(c, x + PAD, y, line, style, size)
            y -= line_h

    def row(self, label: str, value: str) -> None:
        value_w = CONTENT_W - LABEL_W
        label_lines = fonts.wrap(label, "gothic", LABEL_SIZE, LABEL_W - 2 * PAD)
        value_lines = fonts.wrap(value, "mincho", VALUE_SIZE, value_w - 2 * PAD)
        height = max(
            MIN_ROW_H,
            len(label_lines) * LABEL_SIZE * LEADING + 2 * PAD,
            len(value_lines) * VALUE_SIZE * LEADING + 2 * PAD,
        )
        if height > PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - 60 * mm:
            # A value longer than a page: split it over rows of at most a page each.
            per_page = int(
                (PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - 80 * mm) // (VALUE_SIZE * LEADING)
            )
            for start in range(0, len(value_lines), per_page):
                chunk = "\n".join(value_lines[start : start + per_page])
                self.row(label if start == 0 else f"{label}（続き）", chunk)
            return
        self.ensure(height)
        self._cell(MARGIN_X, self.y, LABEL_W, height, label_lines, "gothic", LABEL_SIZE, LABEL_FILL)
        self._cell(MARGIN_X + LABEL_W, self.y, value_w, height, value_lines, "mincho", VALUE_SIZE)
        self.y -= height

    def _column_widths(self, item: PrintItem) -> list[float]:
        natural = []
        for i, column in enumerate(item.columns):
            cells = [row[i] for row in item.rows]
            widest = max(
                [fonts.text_width(column, "gothic", LABEL_SIZE)]
                + [fonts.text_width(cell, "mincho", VALUE_SIZE - 1) for cell in cells]
            )
            natural.append(min(max(widest + 2 * PAD, 16 * mm), 70 * mm))
        total = sum(natural) or 1
        return [w * CONTENT_W / total for w in natural]

    def table(self, item: PrintItem) -> None:
        # The group's label as a full-width heading row, then a header row and one row per item.
        heading_h = MIN_ROW_H
        widths = self._column_widths(item)
        header_lines = [
            fonts.wrap(col, "gothic", LABEL_SIZE, w - 2 * PAD)
            for col, w in zip(item.columns, widths, strict=True)
        ]
        header_h = max(
            [MIN_ROW_H] + [len(lines) * LABEL_SIZE * LEADING + 2 * PAD for lines in header_lines]
        )
        self.ensure(heading_h + header_h + MIN_ROW_H)
        self._table_heading(item, heading_h, header_lines, header_h, widths, continued=False)
        cell_size = VALUE_SIZE - 1
        if not item.rows:
            self.ensure(MIN_ROW_H)
            self._cell(MARGIN_X, self.y, CONTENT_W, MIN_ROW_H, ["（なし）"], "mincho", cell_size)
            self.y -= MIN_ROW_H
            return
        for cells in item.rows:
            lines = [
                fonts.wrap(cell, "mincho", cell_size, w - 2 * PAD)
                for cell, w in zip(cells, widths, strict=True)
            ]
            height = max([MIN_ROW_H] + [len(ls) * cell_size * LEADING + 2 * PAD for ls in lines])
            if self.y - height < MARGIN_BOTTOM:
                self.new_page()
                self._table_heading(item, heading_h, header_lines, header_h, widths, continued=True)
            x = MARGIN_X
            for ls, w in zip(lines, widths, strict=True):
                self._cell(x, self.y, w, height, ls, "mincho", cell_size)
                x += w
            self.y -= height

    def _table_heading(
        self,
        item: PrintItem,
        heading_h: float,
        header_lines: list[list[str]],
        header_h: float,
        widths: list[float],
        *,
        continued: bool,
    ) -> None:
        self.y -= 3 * mm
        title = f"{item.label}（続き）" if continued else item.label
        if not continued and item.rows:
            title = f"{title}（{len(item.rows)}件）"
        self._cell(
            MARGIN_X, self.y, CONTENT_W, heading_h, [title], "gothic", LABEL_SIZE + 1, LABEL_FILL
        )
        self.y -= heading_h
        x = MARGIN_X
        for lines, w in zip(header_lines, widths, strict=True):
            self._cell(x, self.y, w, header_h, lines, "gothic", LABEL_SIZE, LABEL_FILL)
            x += w
        self.y -= header_h

    def signature(self) -> None:
        self.ensure(SIGNATURE_BLOCK_H)
        c = self.c
        y = self.y - 8 * mm
        fonts.draw_text(
            c,
            MARGIN_X,
            y,
            "上記の内容に誤りがないことを確認し、申請（届出）します。",
            "mincho",
            10.5,
        )
        y -= 8 * mm
        era = to_wareki(self.doc.printed_on).era.name
        fonts.draw_text(c, MARGIN_X, y, f"{era}　　　年　　　月　　　日", "mincho", 11)
        box_w, box_h = 95 * mm, 18 * mm
        box_x = PAGE_W - MARGIN_X - box_w
        box_top = y + 4 * mm
        c.setLineWidth(LINE_WIDTH * 1.5)
        c.rect(box_x, box_top - box_h, box_w, box_h, stroke=1, fill=0)
        label = f"{self.doc.applicant_label}署名"
        fonts.draw_text(c, box_x + PAD, box_top - 4 * mm, label, "gothic", LABEL_SIZE)
        self.y = box_top - box_h


def _with_reading(value: str, parts: dict[str, str]) -> str:
    """A value with its reading (フリガナ) on the line above, where the answer carries one."""
    reading = "\u3000".join(parts[k] for k in ("family_kana", "given_kana") if parts.get(k))
    return f"{reading}\n{value}" if reading and value else value
