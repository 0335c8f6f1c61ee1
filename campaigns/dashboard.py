"""Campaigns' panels on the Reports page: the campaigns running or launched in the last 30 days with their sends,
conversions, revenue and lift against the holdout, and their sends and conversions per day."""

from decimal import Decimal

from django.db.models import Q

from campaigns import results
from campaigns.api.results import results_answer
from campaigns.lift import NO_DATA, conversion_lift_text
from campaigns.models import Campaign
from config.dashboard import BARS, LINES, Panel, Table, register_dashboard_panel
from config.numbers import count
from config.report_days import last_days, start_of

SHOWN = 8


def recent_campaigns() -> list[Campaign]:
    since = start_of(last_days()[0])
    running = Q(status=Campaign.Status.RUNNING) | Q(launch_started_at__gte=since)
    return list(
        Campaign.objects.filter(running, launch_started_at__isnull=False).order_by("-launch_started_at")[:SHOWN]
    )


def lift_points(answer: dict) -> Decimal | None:
    """A results answer's lift in points of conversion rate (None when it cannot be measured)."""
    lift = answer["lift"]
    if conversion_lift_text(lift) in (None, NO_DATA):  # not measured, or no conversions on either side
        return None
    return Decimal(f"{lift['absolute'] * 100:.2f}")


def campaigns_overview() -> Table:
    """One row per campaign; the chart draws its first number, the messages sent."""
    rows = []
    for campaign in recent_campaigns():
        answer = results_answer(results.campaign_results(campaign))
        rows.append(
            [
                campaign.name, answer["sent"], answer["converted"], count(answer["conversions"]),
                Decimal(answer["revenue"]), campaign.currency,
                lift_points(answer), campaign.get_status_display(),
            ]
        )  # fmt: skip
    columns = [
        "campaign",
        "sent",
        "customers converted",
        "attributed orders",
        "revenue",
        "currency",
        "lift (points of conversion)",
        "status",
    ]
    return Table(columns, rows)


def campaigns_daily() -> Table:
    days = last_days()
    sent, conversions = dict.fromkeys(days, 0), dict.fromkeys(days, Decimal(0))
    for campaign in recent_campaigns():
        for day in results.daily_series(campaign, "last_touch"):
            if day["date"] in sent:
                sent[day["date"]] += day["sent"]
                conversions[day["date"]] += Decimal(day["conversions"])
    # Orders credited per day, not customers: a customer converting twice counts twice (the overview has both).
    return Table(
        ["day", "sent", "attributed orders"], [[day.isoformat(), sent[day], count(conversions[day])] for day in days]
    )


register_dashboard_panel(Panel("campaigns", "Campaigns running or launched in the last 30 days: messages sent", BARS,
                               campaigns_overview, "campaigns.view_campaign", position=1, show_table=True,
                               note="Customers converted, attributed orders (one customer may order twice) and revenue "
                                    "by last touch; lift is treated minus holdout, in points of conversion rate. "
                                    "Each campaign's page has its results."))  # fmt: skip
register_dashboard_panel(Panel("campaigns-daily", "Campaign messages sent and orders attributed per day, last 30 days",
                               LINES, campaigns_daily, "campaigns.view_campaign", position=2))  # fmt: skip
