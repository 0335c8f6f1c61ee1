"""Journeys' panels on the Reports page: the journeys switched on, with their entries, conversions and lift
against the entry holdout, and everyone's entries and conversions per day."""

from django.db.models import Count
from django.db.models.functions import TruncDate

from campaigns.dashboard import lift_points
from campaigns.journeys.models import Enrollment, Journey
from campaigns.journeys.selectors import journey_results
from config.dashboard import BARS, LINES, Panel, Table, register_dashboard_panel
from config.report_days import last_days, start_of


def journeys_overview() -> Table:
    """One row per active journey; the chart draws its first number, the entries."""
    rows = []
    for journey in Journey.objects.filter(active=True).order_by("name"):
        answer = journey_results(journey=journey)
        rows.append([journey.name, answer["entered"], answer["conversions"], answer["holdout"], lift_points(answer)])
    return Table(["journey", "entered", "converted", "held out", "lift (points of conversion)"], rows)


def _per_day(field: str, since) -> dict:
    return dict(
        Enrollment.objects.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("day", "n")
    )


def journeys_daily() -> Table:
    days = last_days()
    since = start_of(days[0])
    entered, converted = _per_day("entered_at", since), _per_day("converted_at", since)
    return Table(
        ["day", "entered", "converted"],
        [[day.isoformat(), entered.get(day, 0), converted.get(day, 0)] for day in days],
    )


register_dashboard_panel(Panel("journeys", "Journeys switched on: customers entered", BARS, journeys_overview,
                               "campaigns.view_journey", position=3, show_table=True,
                               note="Converted: entrants sent the journey who reached its goal. Lift compares "
                                    "their rate with the holdout's, in points of conversion rate."))  # fmt: skip
register_dashboard_panel(Panel("journeys-daily", "Journey entries and conversions per day, last 30 days", LINES,
                               journeys_daily, "campaigns.view_journey", position=4))  # fmt: skip
