"""Audiences' panels on the Reports page: segment sizes over time and the RFM grid."""

from audiences import selectors
from audiences.segments.selectors import segment_sizes_by_day
from config.dashboard import GRID, LINES, Panel, Table, register_dashboard_panel
from config.report_days import last_days


def segment_sizes() -> Table:
    days = last_days()
    series = segment_sizes_by_day(days=days)
    return Table(["day", *series], [[day.isoformat(), *(sizes[n] for sizes in series.values())]
                                    for n, day in enumerate(days)])  # fmt: skip


def rfm_grid() -> Table:
    counts = selectors.rfm_cell_counts()
    return Table(
        ["recency \\ frequency", *(f"F{f}" for f in range(1, 6))],
        [[f"R{r}", *(counts.get((r, f), 0) for f in range(1, 6))] for r in range(5, 0, -1)],
    )


register_dashboard_panel(Panel("segment-sizes", "Segment sizes, last 30 days (the six largest)", LINES,
                               segment_sizes, "audiences.view_segment", position=50))  # fmt: skip
register_dashboard_panel(Panel("rfm-grid", "The RFM grid: customers by recency and frequency", GRID, rfm_grid,
                               "audiences.view_customerscore", position=60))  # fmt: skip
