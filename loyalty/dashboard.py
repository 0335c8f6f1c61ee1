"""Loyalty's panel on the Reports page: members per tier of each program."""

from config.dashboard import BARS, Panel, Table, register_dashboard_panel
from loyalty import selectors


def tiers_table() -> Table:
    rows = selectors.members_per_tier()
    several = len({program for program, _, _ in rows}) > 1
    label = lambda program, tier: f"{program}: {tier or 'no tier'}" if several else (tier or "no tier")  # noqa: E731
    return Table(["tier", "members"], [[label(program, tier), members] for program, tier, members in rows])


register_dashboard_panel(Panel("loyalty-tiers", "Loyalty members per tier", BARS, tiers_table,
                               "loyalty.view_member", position=60))  # fmt: skip
