"""The Reports page's panels: each app registers the charts of what it knows (`register_dashboard_panel` in its
admin module), so the page lists them without config knowing the apps above it.

A panel's `table()` answers a `Table`: the numbers of its chart, which the page draws as inline SVG
(config/charts.py) and offers as CSV. Reads go through the registering app's selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

BARS, LINES, GRID = "bars", "lines", "grid"


@dataclass(frozen=True)
class Table:
    """Rows of numbers: the first column names the bar, day or grid row; each further column is a series
    (a grid's columns are its cells)."""

    columns: list[str]
    rows: list[list] = field(default_factory=list)
    caption: str = ""  # shown over the chart, not in the CSV: what the numbers are of, e.g. which run


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    chart: str  # BARS, LINES or GRID
    table: Callable[[], Table]
    permission: str  # "app.view_model": shown only to users who may see what it counts
    position: int = 100
    note: str = ""
    show_table: bool = False  # the numbers under the chart too, for a panel whose columns say more than one bar


_panels: dict[str, Panel] = {}


def register_dashboard_panel(panel: Panel) -> None:
    _panels[panel.key] = panel


def panels_for(user) -> list[Panel]:
    return sorted((p for p in _panels.values() if user.has_perm(p.permission)), key=lambda p: (p.position, p.key))


def panel_for(user, key: str) -> Panel | None:
    panel = _panels.get(key)
    return panel if panel is not None and user.has_perm(panel.permission) else None
