"""Journeys' panels on the Reports page: the journeys switched on, with their entries, conversions and lift
against the entry holdout, and everyone's entries and conversions per day; and one journey's days, which its
results page draws."""

from campaigns.dashboard import lift_points
from campaigns.journeys.models import Journey
from campaigns.journeys.selectors import enrollments_per_day, journey_results
from config.dashboard import BARS, LINES, Panel, Table, register_dashboard_panel
from config.report_days import last_days


def journeys_overview() -> Table:
    """One row per active journey; the chart draws its first number, the entries."""
    rows = []
    for journey in Journey.objects.filter(active=True).order_by("name"):
        answer = journey_results(journey=journey)
        rows.append([journey.name, answer["entered"], answer["conversions"], answer["holdout"], lift_points(answer)])
    return Table(["journey", "entered", "converted", "held out", "lift (points of conversion)"], rows)


def journeys_daily() -> Table:
    return Table(
        ["day", "entered", "converted"],
        [
            [day["day"].isoformat(), day["entered"], day["converted"] + day["holdout_converted"]]
            for day in enrollments_per_day(days=last_days())
        ],
    )


def journey_daily(journey: Journey) -> Table:
    """One journey's entries, conversions (sent the journey, and held out) and exits per day, last 30 days."""
    columns = ["entered", "converted", "holdout_converted", "exited"]
    return Table(
        ["day", "entered", "converted", "held out, converted", "exited"],
        [
            [day["day"].isoformat(), *(day[n] for n in columns)]
            for day in enrollments_per_day(days=last_days(), journey=journey)
        ],
    )


register_dashboard_panel(Panel("journeys", "Journeys switched on: customers entered", BARS, journeys_overview,
                               "campaigns.view_journey", position=3, show_table=True,
                               note="Converted: entrants sent the journey who reached its goal. Lift compares "
                                    "their rate with the holdout's, in points of conversion rate."))  # fmt: skip
register_dashboard_panel(Panel("journeys-daily", "Journey entries and conversions per day, last 30 days", LINES,
                               journeys_daily, "campaigns.view_journey", position=4))  # fmt: skip
