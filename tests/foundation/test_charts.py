"""The Reports charts (config/charts.py) as a reader sees them: whole axis labels, a count on its own scale beside
money, rates with their % sign. Pure: a Table in, SVG out."""

import re
from decimal import Decimal

from config.charts import CHAR, TOP, bars, lines
from config.dashboard import Table


def text_at(svg: str, label: str) -> float:
    """The x of the text element that reads `label` (anchored at its end)."""
    match = re.search(rf'<text x="([\d.]+)"[^>]*>{re.escape(label)}</text>', svg)
    assert match, f"no label {label!r} in the chart"
    return float(match.group(1))


def polyline_ys(svg: str, n: int) -> list[float]:
    points = re.findall(r'<polyline points="([^"]+)"', svg)[n]
    return [float(point.split(",")[1]) for point in points.split()]


def test_the_largest_amount_on_the_axis_has_room_for_every_digit():
    table = Table(["day", "discount BDT"], [["2026-11-27", Decimal("0.00")], ["2026-11-28", Decimal("98231.00")]])
    svg = lines(table, "Discount")
    # Anchored at its end: the label starts at x minus its width, which must stay inside the picture.
    assert text_at(svg, "98,231.00") - len("98,231.00") * CHAR >= 0

    revenue = str(bars(Table(["day", "revenue"], [["Eid", Decimal("3986032.00")]]), "Revenue"))
    assert text_at(revenue, "3,986,032.00") - len("3,986,032.00") * CHAR >= 0


def test_a_count_beside_money_gets_its_own_scale_and_does_not_lie_flat():
    table = Table(
        ["day", "redemptions", "discount BDT"],
        [["2026-11-27", 0, Decimal("0.00")], ["2026-11-28", 57, Decimal("98231.00")]],
    )
    svg = str(lines(table, "Redemptions and discount given"))
    redemptions, discount = polyline_ys(svg, 0), polyline_ys(svg, 1)
    assert min(redemptions) == TOP and min(discount) == TOP  # each reaches the top of its own scale
    assert ">57</text>" in svg and ">98,231.00</text>" in svg  # both scales are labelled
    assert "redemptions (right scale)" not in svg and "discount BDT (right scale)" in svg


def test_series_of_one_unit_share_one_scale():
    table = Table(["day", "sent", "attributed orders"], [["2026-11-27", 40, 2], ["2026-11-28", 80, 4]])
    svg = str(lines(table, "Sent and orders"))
    assert "right scale" not in svg
    assert min(polyline_ys(svg, 1)) > TOP  # 4 orders on the scale of 80 sends


def test_a_rate_reads_as_a_percent():
    table = Table(["channel", "bounce rate %", "sent"], [["email", Decimal("33.33"), 3], ["sms", Decimal("0.00"), 1]])
    svg = str(bars(table, "Bounce rate"))
    assert ">33.33%</text>" in svg and ">0.00%</text>" in svg and ">33.33</text>" not in svg
