"""A journey's results page in the admin: its entries, conversions and lift against the holdout, then its entries,
conversions and exits per day as a chart drawn on the server, with the numbers as CSV."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from campaigns.journeys.dashboard import journey_daily
from campaigns.journeys.models import Journey
from campaigns.journeys.selectors import journey_results
from campaigns.lift import conversion_lift_text
from config.admin_reports import table_csv
from config.charts import chart
from config.dashboard import LINES


class JourneyResultsAdminMixin:
    """Adds /admin/campaigns/journey/<id>/results/ and results.csv, and `results_link` for the change page."""

    def get_urls(self):
        view, csv_view = self.admin_site.admin_view(self.results_view), self.admin_site.admin_view(self.results_csv)
        return [
            path("<int:journey_id>/results/", view, name="campaigns_journey_results"),
            path("<int:journey_id>/results.csv", csv_view, name="campaigns_journey_results_csv"),
            *super().get_urls(),
        ]

    def results_link(self, journey) -> str:
        url = reverse("admin:campaigns_journey_results", args=[journey.pk])
        return format_html('<a id="journey-results-link" href="{}">Day by day, with lift</a>', url)

    def _journey(self, request, journey_id: int) -> Journey:
        journey = get_object_or_404(Journey, pk=journey_id)
        if not self.has_view_permission(request, journey):
            raise PermissionDenied
        return journey

    def results_view(self, request, journey_id: int):
        journey = self._journey(request, journey_id)
        figures, table = journey_results(journey=journey), journey_daily(journey)
        lift = figures["lift"]
        title = f"{journey.name}: entered, converted and exited per day, last 30 days"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Results: {journey.name}",
            "journey": journey,
            "figures": figures,
            "chart": chart(LINES, table, title) if any(any(row[1:]) for row in table.rows) else None,
            "lift_text": conversion_lift_text(lift),
        }
        return TemplateResponse(request, "admin/campaigns/journey/results.html", context)

    def results_csv(self, request, journey_id: int):
        journey = self._journey(request, journey_id)
        return table_csv(journey_daily(journey), f"journey-{journey.code}-daily")
