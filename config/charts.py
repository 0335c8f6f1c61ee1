"""Charts as inline SVG, drawn on the server: they render offline and under the Content-Security-Policy (no
script, no CDN). Pure: a `Table` in, SVG markup out; every label is escaped."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from config.dashboard import BARS, GRID, LINES, Table

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 48, 36, 12
CHAR, MIN_CELL = 6, 30  # a label's width per character at font size 10; the smallest cell of a grid
COLOURS = ["#3b4cb8", "#d9822b", "#2f9e6e", "#c2255c", "#7048e8", "#868e96"]


def _number(value) -> float:
    # Drawing positions only: the numbers themselves are shown and exported exactly, never through float.
    return float(value or 0)


COUNT, AMOUNT, PERCENT = "count", "amount", "percent"


def _unit(name: str, values: list) -> str:
    """What a series measures: a rate (its column says "%"), an amount (Decimals) or a count (whole numbers).
    Series of different units never share an axis: a count beside a sum of money would lie flat."""
    if name.rstrip().endswith("%"):
        return PERCENT
    return AMOUNT if any(isinstance(value, Decimal) for value in values) else COUNT


def _label(value, unit: str = COUNT) -> str:
    if unit == PERCENT:
        return f"{Decimal(value or 0):,.2f}%"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _margin(*labels: str) -> int:
    """Room for the longest axis label, measured rather than guessed: "98,231.00" must not lose its "9"."""
    return max(LEFT, max((len(label) for label in labels), default=0) * CHAR + 8)


def _svg(body: str, title: str, height: float = HEIGHT) -> SafeString:
    return mark_safe(  # noqa: S308  (every label below is escaped)
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{body}</svg>'
    )


def _axis(top: str, left: float, right: float = WIDTH) -> str:
    plot = HEIGHT - BOTTOM
    return (f'<line x1="{left}" y1="{plot}" x2="{right}" y2="{plot}" stroke="#999"/>'
            f'<text x="{left - 4}" y="{TOP + 4}" text-anchor="end" font-size="10">{escape(top)}</text>'
            f'<text x="{left - 4}" y="{plot}" text-anchor="end" font-size="10">0</text>')  # fmt: skip


def _second_axis(top: str, x: float, colour: str) -> str:
    """The right-hand scale of the series whose unit differs from the left's, in their colour."""
    return (f'<line x1="{x}" y1="{TOP}" x2="{x}" y2="{HEIGHT - BOTTOM}" stroke="{colour}" stroke-opacity="0.4"/>'
            f'<text x="{x + 4}" y="{TOP + 4}" font-size="10" fill="{colour}">{escape(top)}</text>'
            f'<text x="{x + 4}" y="{HEIGHT - BOTTOM}" font-size="10" fill="{colour}">0</text>')  # fmt: skip


def bars(table: Table, title: str) -> SafeString:
    """One bar per row, of its first series."""
    unit = _unit(table.columns[1] if len(table.columns) > 1 else "", [row[1] for row in table.rows])
    values = [_number(row[1]) for row in table.rows]
    top = max(values, default=0) or 1
    top_label = _label(max((row[1] for row in table.rows), default=0), unit)
    left = _margin(top_label)
    width = (WIDTH - left) / max(len(values), 1)
    parts = [_axis(top_label, left)]
    for n, (row, value) in enumerate(zip(table.rows, values, strict=True)):
        height = (HEIGHT - BOTTOM - TOP) * value / top
        x = left + n * width + width * 0.15
        y = HEIGHT - BOTTOM - height
        label = _label(row[1], unit)
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width * 0.7:.1f}" height="{height:.1f}" '
                     f'fill="{COLOURS[0]}"><title>{escape(row[0])}: {escape(label)}</title></rect>'
                     f'<text x="{x + width * 0.35:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" '
                     f'font-size="11">{escape(row[0])}</text>'
                     f'<text x="{x + width * 0.35:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                     f'font-size="10">{escape(label)}</text>')  # fmt: skip
    return _svg("".join(parts), title)


def lines(table: Table, title: str) -> SafeString:
    """One line per series over the rows (days), with a legend. The series of the first's unit share the left
    scale; the rest (another unit: redemptions beside discounts in BDT) get their own scale on the right."""
    series = table.columns[1:]
    raw = [[row[1 + s] or 0 for row in table.rows] for s in range(len(series))]
    units = [_unit(name, raw[s]) for s, name in enumerate(series)]
    sides = [units[s] != units[0] for s in range(len(series))]  # False: the left scale; True: the right
    tops, labels = {}, {}
    for side in set(sides):
        top_value = max((v for s, column in enumerate(raw) if sides[s] == side for v in column), default=0)
        tops[side] = _number(top_value) or 1
        labels[side] = _label(top_value, units[sides.index(side)])
    left = _margin(labels[False]) if series else LEFT
    right = WIDTH - (_margin(labels[True]) if True in labels else 10)
    step = (right - left) / max(len(table.rows) - 1, 1)
    parts = [_axis(labels.get(False, "0"), left, right)]
    if True in labels:
        parts.append(_second_axis(labels[True], right, COLOURS[sides.index(True) % len(COLOURS)]))
    legend_x = left + 8
    for s, name in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        top = tops[sides[s]]
        points = " ".join(f"{left + n * step:.1f},{HEIGHT - BOTTOM - (HEIGHT - BOTTOM - TOP) * _number(v) / top:.1f}"
                          for n, v in enumerate(raw[s]))  # fmt: skip
        legend = f"{name} (right scale)" if sides[s] else name
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
                     f'<text x="{legend_x}" y="{HEIGHT - 4}" font-size="11" fill="{colour}">'
                     f"■ {escape(legend)}</text>")  # fmt: skip
        legend_x += (len(legend) + 2) * CHAR + 16  # each entry as long as its name: none overlaps the next
    if table.rows:
        parts.append(f'<text x="{left}" y="{HEIGHT - BOTTOM + 14}" font-size="10">{escape(table.rows[0][0])}</text>'
                     f'<text x="{right}" y="{HEIGHT - BOTTOM + 14}" text-anchor="end" font-size="10">'
                     f"{escape(table.rows[-1][0])}</text>")  # fmt: skip
    return _svg("".join(parts), title)


def grid(table: Table, title: str) -> SafeString:
    """A heat map: rows by columns, each cell shaded by its count. A grid of many rows grows taller rather than
    shrink its cells below MIN_CELL; long row names widen the margin, long column names are slanted."""
    cells = [(r, c, row[1 + c]) for r, row in enumerate(table.rows) for c in range(len(table.columns) - 1)]
    top = max((_number(v) for _, _, v in cells), default=0) or 1
    left = max(LEFT, max((len(str(row[0])) for row in table.rows), default=0) * CHAR + 8)
    columns, rows = max(len(table.columns) - 1, 1), max(len(table.rows), 1)
    size = min((WIDTH - left) / columns, max((HEIGHT - BOTTOM) / rows, MIN_CELL))
    longest = max((len(name) for name in table.columns[1:]), default=0) * CHAR
    slanted = longest > size
    bottom = TOP + rows * size
    height = max(HEIGHT, bottom + (longest * 0.65 + 16 if slanted else 16))
    parts = []
    for r, c, value in cells:
        x, y = left + c * size, TOP + r * size
        shade = 0.1 + 0.9 * _number(value) / top
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{size - 2:.1f}" height="{size - 2:.1f}" '
                     f'fill="{COLOURS[0]}" fill-opacity="{shade:.2f}"/>'
                     f'<text x="{x + size / 2:.1f}" y="{y + size / 2 + 4:.1f}" text-anchor="middle" '
                     f'font-size="11">{escape(_label(value))}</text>')  # fmt: skip
    for r, row in enumerate(table.rows):
        parts.append(f'<text x="{left - 4}" y="{TOP + r * size + size / 2 + 4:.1f}" text-anchor="end" '
                     f'font-size="10">{escape(row[0])}</text>')  # fmt: skip
    for c, name in enumerate(table.columns[1:]):
        x, y = left + c * size + size / 2, bottom + 12
        slant = f' text-anchor="end" transform="rotate(-40 {x:.1f} {y:.1f})"' if slanted else ' text-anchor="middle"'
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}"{slant} font-size="10">{escape(name)}</text>')
    return _svg("".join(parts), title, height)


DRAW = {BARS: bars, LINES: lines, GRID: grid}


def chart(kind: str, table: Table, title: str) -> SafeString:
    return DRAW[kind](table, title)
