"""The admin's results page of a campaign (numbers first, then day-by-day charts as inline SVG) and its CSV."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from campaigns import attribution, charts, results, statistics
from campaigns.api.csv_export import results_csv
from campaigns.api.results import results_answer
from campaigns.lift import conversion_lift_text
from campaigns.models import Campaign, Conversion
from config.errors import DomainError


class CampaignResultsAdminMixin:
    """Adds /admin/campaigns/campaign/<id>/results/ and results.csv, and a link to them on the change page."""

    def get_urls(self):
        view, csv_view = self.admin_site.admin_view(self.results_view), self.admin_site.admin_view(self.results_csv)
        return [
            path("<int:campaign_id>/results/", view, name="campaigns_campaign_results"),
            path("<int:campaign_id>/results.csv", csv_view, name="campaigns_campaign_results_csv"),
            *super().get_urls(),
        ]

    def results_link(self, campaign):
        if not campaign.pk or campaign.launch_started_at is None:
            return "After the launch."
        return format_html('<a href="{}">Results</a>', reverse("admin:campaigns_campaign_results", args=[campaign.pk]))

    results_link.short_description = "results"

    def _answer(self, request, campaign_id: int) -> tuple[Campaign, dict]:
        campaign = get_object_or_404(Campaign, pk=campaign_id)
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        try:
            model = attribution.parse_model(request.GET.get("model", attribution.AttributionModel.LAST_TOUCH))
            metric = statistics.parse_metric(request.GET.get("metric", statistics.Metric.CONVERSION))
        except DomainError as exc:
            self.message_user(request, exc.message, "error")
            model, metric = attribution.AttributionModel.LAST_TOUCH, statistics.Metric.CONVERSION
        return campaign, results_answer(results.campaign_results(campaign, model=model, metric=metric))

    def results_view(self, request, campaign_id: int):
        campaign, answer = self._answer(request, campaign_id)
        for variant in answer["variants"]:
            variant["rate_percent"] = f"{variant['conversion_rate'] * 100:.2f}"
        daily = answer["daily"]
        lift = answer["lift"]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Results: {campaign.name}",
            "campaign": campaign,
            "results": answer,
            "models": Conversion.Model.choices,
            "metrics": [statistics.Metric.CONVERSION, statistics.Metric.CLICK],
            "charts": [
                charts.bar_chart("Messages sent", [(str(day["date"]), day["sent"]) for day in daily]),
                charts.bar_chart("Clicks", [(str(day["date"]), day["clicked"]) for day in daily]),
                charts.bar_chart(
                    f"Revenue attributed ({answer['currency']})",
                    [(str(day["date"]), results.decimal(day["revenue"])) for day in daily],
                ),
            ],
            "lift_text": conversion_lift_text(lift),
        }
        return TemplateResponse(request, "admin/campaigns/campaign/results.html", context)

    def results_csv(self, request, campaign_id: int):
        campaign, answer = self._answer(request, campaign_id)
        response = HttpResponse(results_csv(answer), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-results.csv"'
        return response
