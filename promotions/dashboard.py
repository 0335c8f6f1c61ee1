"""Promotions' panels on the Reports page: redemptions and discount given per day, last 30 days."""

from decimal import Decimal

from audiences.currencies import quantize
from config.dashboard import LINES, Panel, Table, register_dashboard_panel
from config.report_days import last_days, start_of
from promotions import selectors


def redemptions_daily() -> Table:
    days = last_days()
    rows = selectors.redemptions_per_day(since=start_of(days[0]))
    currencies = sorted({currency for _, currency, _, _ in rows})
    counts = dict.fromkeys(days, 0)
    amounts = {(day, currency): amount for day, currency, _, amount in rows}
    for day, _, n, _ in rows:
        counts[day] = counts.get(day, 0) + n
    return Table(
        ["day", "redemptions", *(f"discount {currency}" for currency in currencies)],
        [
            [day.isoformat(), counts[day], *(quantize(amounts.get((day, c), Decimal(0)), c) for c in currencies)]
            for day in days
        ],
    )


def redemptions_only() -> Table:
    table = redemptions_daily()
    return Table(table.columns[:2], [row[:2] for row in table.rows])


register_dashboard_panel(Panel("redemptions", "Redemptions per day, last 30 days", LINES, redemptions_only,
                               "promotions.view_redemption", position=20))  # fmt: skip
register_dashboard_panel(Panel("discount-given", "Redemptions and discount given per day, last 30 days", LINES,
                               redemptions_daily, "promotions.view_redemption", position=21,
                               note="Per currency: amounts in different currencies are never added."))  # fmt: skip
