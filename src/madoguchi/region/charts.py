"""Server-rendered bar charts (SVG, no JavaScript), always shown with the same data as a table.

The chart is a picture of the table beside it: screen readers read the table, the SVG carries
role="img" and a title. Geometry is computed here so the template only places rectangles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ROW_HEIGHT = 30
BAR_HEIGHT = 18
LABEL_WIDTH = 140
BAR_AREA = 120
VALUE_WIDTH = 60
WIDTH = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int  # of the bar, in the chart's units
    text_y: int

    @property
    def short_label(self) -> str:
        """The label drawn in the chart (the table beside it has the whole label)."""
        return self.label if len(self.label) <= 9 else self.label[:8] + "…"

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class BarChart:
    ident: str  # unique on the page: the chart's title and table refer to it
    title: str
    value_label: str
    bars: tuple[Bar, ...]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * ROW_HEIGHT + 4

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)


def bar_chart(
    ident: str, title: str, value_label: str, rows: Iterable[tuple[str, int]]
) -> BarChart:
    """A horizontal bar chart of (label, value) rows in the order given."""
    rows = list(rows)
    top = max((value for _, value in rows), default=0) or 1
    bars = tuple(
        Bar(
            label=label,
            value=value,
            y=2 + i * ROW_HEIGHT,
            width=round(BAR_AREA * value / top),
            text_y=2 + i * ROW_HEIGHT + BAR_HEIGHT - 4,
        )
        for i, (label, value) in enumerate(rows)
    )
    return BarChart(ident=ident, title=title, value_label=value_label, bars=bars)
