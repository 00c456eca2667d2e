"""Charts drawn on the server as SVG: no script, no CDN, readable without colour.

Bars carry their value as text; lines differ by dash pattern and marker shape and are labelled
at their end; heat-map cells show their count. Only presentation attributes (the CSP forbids
inline styles). The data table beside each chart holds the same rows.
"""

from __future__ import annotations

from html import escape

from .selectors import Table

INK = "#1a1a1c"
GRID = "#949497"
MARKERS = ("circle", "square", "triangle", "diamond")
DASHES = ("", "8 4", "2 3", "12 4 2 4")


def _number(value: object) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return None


def _frame(slug: str, width: int, height: int, title: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="in-chart__svg{" in-chart__svg--narrow" if width < 500 else ""}" '
        f'role="img" aria-labelledby="{slug}-svg-title">'
        f'<title id="{slug}-svg-title">{escape(title)}</title>'
        f'<defs><pattern id="{slug}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" stroke-width="3"/></pattern></defs>'
        f"{body}</svg>"
    )


def bars(table: Table) -> str:
    """Horizontal bars, each with its label on the line above: readable on a phone."""
    rows: list[tuple[str, float]] = []
    for r in table.rows:
        value = _number(r[table.value_column])
        if value is not None and len(rows) < 20:
            rows.append((str(r[0]), value))
    if not rows:
        return ""
    width, label_h, bar_h, gap = 400, 21, 18, 10
    step = label_h + bar_h + gap
    height = len(rows) * step + 4
    peak = max(value for _l, value in rows) or 1.0
    span = width - 60
    parts = []
    for i, (label, value) in enumerate(rows):
        y = i * step
        w = max(1.0, span * value / peak) if value else 0.0
        text = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="14" fill="{INK}">{escape(text)}</text>'
            f'<rect x="0" y="{y + label_h}" width="{w:.1f}" height="{bar_h}" '
            f'fill="url(#{table.slug}-hatch)" stroke="{INK}"/>'
            f'<text x="{w + 6:.1f}" y="{y + label_h + 14}" font-size="14" '
            f'fill="{INK}">{escape(_format(value))}</text>'
        )
    title = f"{table.title}（{table.columns[table.value_column]}）"
    return _frame(table.slug, width, height, title, "".join(parts))


def _format(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _marker(shape: str, x: float, y: float) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{INK}"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="#ffffff" stroke="{INK}" stroke-width="2"/>'
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}" '
            f'fill="{INK}"/>'
        )
    return (
        f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
        f'{x - 5:.1f},{y:.1f}" fill="#ffffff" stroke="{INK}" stroke-width="2"/>'
    )


def lines(table: Table) -> str:
    if not table.rows or not table.series:
        return ""
    width, height = 560, 300
    left, right, top, bottom = 48, 150, 16, 40
    values = [n for r in table.rows for c in table.series if (n := _number(r[c])) is not None]
    peak = max([*values, table.target or 0.0, 1.0])
    peak = _nice(peak)
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(table.rows)

    def x_at(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        return top + plot_h - plot_h * v / peak

    parts = []
    for k in range(5):
        v = peak * k / 4
        y = y_at(v)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="0.5"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="14" fill="{INK}">{escape(_format(v))}</text>'
        )
    step = max(1, n // 6)
    for i in range(0, n, step):
        label = (
            str(table.rows[i][0])[5:] if len(str(table.rows[i][0])) == 10 else str(table.rows[i][0])
        )
        parts.append(
            f'<text x="{x_at(i):.1f}" y="{height - bottom + 18}" text-anchor="middle" '
            f'font-size="14" fill="{INK}">{escape(label)}</text>'
        )
    if table.target is not None:
        y = y_at(table.target)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{INK}" '
            f'stroke-width="1.5" stroke-dasharray="4 4"/><text x="{left + plot_w + 6}" '
            f'y="{y + 4:.1f}" font-size="14" fill="{INK}">'
            f"{escape('目標 ' + _format(table.target))}</text>"
        )
    ends: list[float] = []
    for s, column in enumerate(table.series):
        points = [
            (x_at(i), y_at(value))
            for i, r in enumerate(table.rows)
            if (value := _number(r[column])) is not None
        ]
        if not points:
            continue
        dash = DASHES[s % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="2"{dash_attr}/>'
        )
        shape = MARKERS[s % len(MARKERS)]
        marks = points if len(points) <= 30 else points[:: max(1, len(points) // 15)]
        parts.extend(_marker(shape, x, y) for x, y in marks)
        # The series' name at the end of its line, moved down when two ends meet.
        end_y = points[-1][1]
        while any(abs(end_y - other) < 14 for other in ends):
            end_y += 14
        ends.append(end_y)
        parts.append(
            _marker(shape, left + plot_w + 12, end_y)
            + f'<text x="{left + plot_w + 22}" y="{end_y + 4:.1f}" font-size="14" '
            f'fill="{INK}">{escape(_short(table.columns[column]))}</text>'
        )
    return _frame(table.slug, width, height, table.title, "".join(parts))


def _short(text: str) -> str:
    return text if len(text) <= 12 else text[:11] + "…"


def _nice(value: float) -> float:
    """A round axis maximum at or above `value`."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000):
        if value <= step * 4:
            return float(step * 4)
    magnitude = 10 ** (len(str(int(value))) - 1)
    return float(-(-value // magnitude) * magnitude)


def heatmap(table: Table) -> str:
    if not table.rows:
        return ""
    if len(table.columns) > 1:
        # Hours down, weekdays across: few columns, so the cells stay readable on a phone.
        transposed = Table(
            slug=table.slug,
            title=table.title,
            columns=["", *[str(r[0]) for r in table.rows]],
            rows=[
                [hour, *[r[j + 1] for r in table.rows]] for j, hour in enumerate(table.columns[1:])
            ],
            kind="heatmap",
        )
        return _heatmap(transposed)
    return _heatmap(table)


def _heatmap(table: Table) -> str:
    hours = table.columns[1:]
    cell_w, cell_h, left, top = 52, 34, 40, 26
    width = left + cell_w * len(hours) + 4
    height = top + cell_h * len(table.rows) + 4
    peak = max((_number(v) or 0 for r in table.rows for v in r[1:]), default=0) or 1
    parts = []
    for j, hour in enumerate(hours):
        parts.append(
            f'<text x="{left + j * cell_w + cell_w / 2:.1f}" y="{top - 8}" text-anchor="middle" '
            f'font-size="14" fill="{INK}">{escape(hour)}</text>'
        )
    for i, row in enumerate(table.rows):
        y = top + i * cell_h
        parts.append(
            f'<text x="{left - 8}" y="{y + cell_h * 0.65:.1f}" text-anchor="end" font-size="14" '
            f'fill="{INK}">{escape(str(row[0]))}</text>'
        )
        for j, value in enumerate(row[1:]):
            v = _number(value) or 0
            level = v / peak
            shade = int(255 - 200 * level)
            fill = f"#{shade:02x}{shade:02x}{shade:02x}"
            text = "#ffffff" if shade < 118 else INK
            parts.append(
                f'<rect x="{left + j * cell_w}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{fill}" stroke="{GRID}" stroke-width="0.5"/>'
                f'<text x="{left + j * cell_w + cell_w / 2 - 1:.1f}" y="{y + cell_h * 0.62:.1f}" '
                f'text-anchor="middle" font-size="14" fill="{text}">{escape(_format(v))}</text>'
            )
    return _frame(table.slug, width, height, table.title, "".join(parts))


def render(table: Table) -> str:
    if table.kind == "lines":
        return lines(table)
    if table.kind == "heatmap":
        return heatmap(table)
    if table.kind == "bars":
        return bars(table)
    return ""
