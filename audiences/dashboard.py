"""Audiences' panels on the Reports page: segment sizes over time, the RFM grid and the movement between groups."""

from django.utils import timezone

from audiences import selectors
from audiences.models import RfmGroup
from audiences.rfm import rfm_label
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


def rfm_movement() -> Table:
    """The latest scoring run's customers by their group before (rows) and now (columns), over the groups either
    side holds, so a group's customers who stayed are on the diagonal."""
    computed_at, moved = selectors.rfm_movement_latest()
    present = {group for pair in moved for group in pair}
    groups = [group for group in [*RfmGroup.values, ""] if group in present]
    when = f"Scored {timezone.localtime(computed_at):%Y-%m-%d %H:%M}, against the scoring before." if moved else ""
    return Table(
        ["before \\ now", *(rfm_label(group) for group in groups)],
        [[rfm_label(before), *(moved.get((before, after), 0) for after in groups)] for before in groups],
        caption=when,
    )


register_dashboard_panel(Panel("segment-sizes", "Segment sizes, last 30 days (the six largest)", LINES,
                               segment_sizes, "audiences.view_segment", position=50))  # fmt: skip
register_dashboard_panel(Panel("rfm-grid", "The RFM grid: customers by recency and frequency", GRID, rfm_grid,
                               "audiences.view_customerscore", position=60))  # fmt: skip
register_dashboard_panel(Panel("rfm-movement", "RFM movement since the last scoring: customers by group before and now",
                               GRID, rfm_movement, "audiences.view_customerscore", position=61,
                               note="Rows: the group at the scoring before; columns: the group now. The diagonal "
                                    "stayed put; customers scored for the first time are not counted."))  # fmt: skip
