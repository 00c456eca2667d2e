"""A municipality's yearly statement (負担金の明細) as an A4 PDF.

Drawn with the project's printing fonts (counter/print/fonts.py: IPAex embedded as subsets,
IPAmj明朝 for the rare characters, glyph check before drawing); region is the top layer, so it
imports them rather than keeping a second font stack. The page holds what the HTML statement
holds: addressee, amount, the breakdown by part and the agreement's rule.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from madoguchi.core.wareki import format_wareki
from madoguchi.counter.print import fonts

from .models import Agreement
from .selectors import ShareRow, Shares

PAGE_W, PAGE_H = A4
MARGIN = 20 * mm
CONTENT_W = PAGE_W - 2 * MARGIN
ROW_H = 8 * mm
PAD = 2 * mm
FILL = (0.93, 0.93, 0.93)


def _yen(value: int | Decimal) -> str:
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return f"{value:,}"
    return f"{int(value):,}"


def _weight(value: Decimal) -> str:
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class StatementLines:
    """Every text of the statement, checked for glyphs before anything is drawn."""

    title: str
    addressee: str
    issuer: str
    issued_on: str
    lead: str
    amount: str
    breakdown: tuple[tuple[str, str, str, str], ...]  # part, weight, own figure, yen
    totals: tuple[tuple[str, str], ...]
    rule: tuple[tuple[str, str], ...]

    def texts(self) -> list[tuple[str, str]]:
        texts = [
            ("表題", self.title),
            ("宛先", self.addressee),
            ("発行者", self.issuer),
            ("本文", self.lead),
        ]
        texts += [("内訳", cell) for row in self.breakdown for cell in row]
        texts += [("合計", cell) for row in self.totals for cell in row]
        texts += [("協定の内容", cell) for row in self.rule for cell in row]
        return texts


def statement_lines(
    agreement: Agreement, shares: Shares, row: ShareRow, issued_on: date
) -> StatementLines:
    member = row.member
    parts = row.parts_yen
    remainder = (
        f"端数は{agreement.remainder_to.name}が負担"
        if agreement.remainder_to
        else "端数は按分の端数が大きい団体から順に配分"
    )
    window = (
        f"{agreement.usage_from:%Y-%m-%d} 〜 {agreement.usage_to:%Y-%m-%d}"
        if agreement.usage_from and agreement.usage_to
        else "—"
    )
    rounding = f"{agreement.rounding_unit:,} 円未満を{agreement.get_rounding_mode_display()}"
    return StatementLines(
        title=f"負担金の明細（{agreement.fiscal_year}年度）",
        addressee=f"{row.municipality.name}　御中",
        issuer=agreement.prefecture.name,
        issued_on=format_wareki(issued_on),
        lead=f"{agreement.prefecture.name}「{agreement.name}」に基づく負担額は次のとおりです。",
        amount=f"負担額　{_yen(row.share.final)} 円",
        breakdown=(
            (
                "均等割",
                _weight(agreement.weight_equal),
                f"{len(shares.rows)} 団体で等分",
                _yen(parts["equal"]),
            ),
            (
                "人口割",
                _weight(agreement.weight_population),
                f"{_yen(member.population)} 人" if member else "",
                _yen(parts["population"]),
            ),
            (
                "利用割",
                _weight(agreement.weight_usage),
                _yen(member.usage) if member else "",
                _yen(parts["usage"]),
            ),
            (
                "財政需要割",
                _weight(agreement.weight_need),
                f"{_yen(member.fiscal_need)} 千円" if member else "",
                _yen(parts["fiscal_need"]),
            ),
        ),
        totals=(
            ("按分額（端数処理前）", _yen(row.exact_yen)),
            (rounding, _yen(row.share.rounded)),
            ("端数の配分", f"{row.share.adjustment:+,}" if row.share.adjustment else "0"),
            ("負担額", _yen(row.share.final)),
        ),
        rule=(
            ("総額", f"{_yen(agreement.total)} 円"),
            ("共同調達システム", agreement.system.name if agreement.system else "—"),
            (
                "割合",
                f"均等割 {_weight(agreement.weight_equal)}・人口割 "
                f"{_weight(agreement.weight_population)}・利用割 {_weight(agreement.weight_usage)}"
                f"・財政需要割 {_weight(agreement.weight_need)}",
            ),
            ("人口の指数", _weight(agreement.population_exponent)),
            (
                "人口の出典",
                f"{agreement.population_source or '—'}（基準日 "
                f"{agreement.population_date:%Y-%m-%d}）"
                if agreement.population_date
                else agreement.population_source or "—",
            ),
            ("利用量", f"{agreement.get_usage_source_display()}（集計期間 {window}）"),
            ("端数処理", f"{rounding}・{remainder}"),
        ),
    )


def render_statement_pdf(
    agreement: Agreement, shares: Shares, row: ShareRow, *, issued_on: date
) -> bytes:
    """The statement as PDF bytes; raises counter.print's MissingGlyphs or FontsMissing."""
    lines = statement_lines(agreement, shares, row, issued_on)
    fonts.check_glyphs(lines.texts())
    fonts.font("IPAexMincho")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName="IPAexMincho")
    canvas.setTitle(lines.title)
    canvas.setAuthor(lines.issuer)
    canvas.setSubject(f"{row.municipality.code} {lines.title}")
    _draw(canvas, lines)
    canvas.showPage()
    canvas.save()
    return fonts.fix_to_unicode(buffer.getvalue())


def _draw(c: Canvas, lines: StatementLines) -> None:
    y = PAGE_H - MARGIN
    right = PAGE_W - MARGIN
    fonts.draw_text(
        c, right - fonts.text_width(lines.issued_on, "mincho", 10), y, lines.issued_on, "mincho", 10
    )
    fonts.draw_text(
        c, right - fonts.text_width(lines.issuer, "mincho", 10), y - 14, lines.issuer, "mincho", 10
    )
    fonts.draw_text(c, MARGIN, y - 6, lines.addressee, "mincho", 12)
    y -= 44
    width = fonts.text_width(lines.title, "gothic", 18)
    fonts.draw_text(c, (PAGE_W - width) / 2, y, lines.title, "gothic", 18)
    y -= 28
    for text in fonts.wrap(lines.lead, "mincho", 10.5, CONTENT_W):
        fonts.draw_text(c, MARGIN, y, text, "mincho", 10.5)
        y -= 16
    y -= 6
    fonts.draw_text(c, MARGIN, y, lines.amount, "gothic", 15)
    y -= 24
    fonts.draw_text(c, MARGIN, y, "算定の内訳", "gothic", 12)
    y -= 6
    widths = (0.3, 0.15, 0.3, 0.25)
    y = _row(c, y, ("区分", "割合", "貴団体の値", "金額（円）"), widths, header=True)
    for cells in lines.breakdown:
        y = _row(c, y, cells, widths)
    for label, value in lines.totals:
        y = _row(c, y, (label, value), (0.75, 0.25), header_first=True)
    y -= 18
    fonts.draw_text(c, MARGIN, y, "協定の内容", "gothic", 12)
    y -= 6
    for label, value in lines.rule:
        y = _row(c, y, (label, value), (0.25, 0.75), header_first=True, align_right=False)


def _row(
    c: Canvas,
    top: float,
    cells: tuple[str, ...],
    widths: tuple[float, ...],
    *,
    header: bool = False,
    header_first: bool = False,
    align_right: bool = True,
) -> float:
    """One ruled row of cells (fractions of the content width); returns the next row's top."""
    size = 10.0
    wrapped = [
        fonts.wrap(text, "gothic" if header else "mincho", size, w * CONTENT_W - 2 * PAD)
        for text, w in zip(cells, widths, strict=True)
    ]
    height = max(ROW_H, max(len(ls) for ls in wrapped) * size * 1.4 + 2 * PAD)
    x = MARGIN
    c.setLineWidth(0.6)
    for i, (text_lines, w) in enumerate(zip(wrapped, widths, strict=True)):
        cell_w = w * CONTENT_W
        shaded = header or (header_first and i == 0)
        if shaded:
            c.setFillColorRGB(*FILL)
            c.rect(x, top - height, cell_w, height, stroke=0, fill=1)
            c.setFillColorRGB(0, 0, 0)
        c.rect(x, top - height, cell_w, height, stroke=1, fill=0)
        style = "gothic" if shaded else "mincho"
        y = top - PAD - size
        for text in text_lines:
            if align_right and i > 0 and not header:
                tx = x + cell_w - PAD - fonts.text_width(text, style, size)
            else:
                tx = x + PAD
            fonts.draw_text(c, tx, y, text, style, size)
            y -= size * 1.4
        x += cell_w
    return top - height
