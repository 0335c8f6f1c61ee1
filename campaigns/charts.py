"""Daily bar charts as shapes for inline SVG, drawn server-side (no script: the admin's CSP allows none).

Pure: values in, rectangles and labels out; the template writes them as SVG elements, escaped as usual.
"""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT, AXIS = 640, 160, 20
MAX_BAR = 48


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    peak: str

    @property
    def baseline(self) -> int:
        return self.height - AXIS


def bar_chart(title: str, points: list[tuple[str, int | Decimal]]) -> BarChart:
    """One bar per (label, value), scaled to the largest value; an empty or all-zero series draws no bars."""
    peak = max((value for _, value in points), default=0)
    slot = WIDTH / max(len(points), 1)
    width = min(slot * 0.8, MAX_BAR)
    plot = HEIGHT - AXIS - 4
    bars = []
    for index, (label, value) in enumerate(points):
        height = float(value) / float(peak) * plot if peak else 0.0
        bars.append(
            Bar(
                x=round(index * slot + (slot - width) / 2, 2),
                y=round(HEIGHT - AXIS - height, 2),
                width=round(width, 2),
                height=round(height, 2),
                label=label,
                value=f"{value:,}",
            )
        )
    return BarChart(title=title, width=WIDTH, height=HEIGHT, bars=tuple(bars), peak=f"{peak:,}")
