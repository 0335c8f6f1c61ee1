"""A campaign's printable report (/admin/campaigns/campaign/<id>/report/): its results on a page of its own with
print CSS, and the same page as a PDF made in the background (config/export_jobs.py, config/printing.py)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from campaigns import results
from campaigns.api.results import results_answer
from campaigns.lift import conversion_lift_text
from campaigns.models import Campaign
from config.charts import bars
from config.dashboard import Table
from config.exports import document_export, register_export


def campaign_report_html(campaign: Campaign, *, actions: str = "") -> str:
    answer = results_answer(results.campaign_results(campaign))
    for variant in answer["variants"]:
        variant["rate_percent"] = f"{variant['conversion_rate'] * 100:.2f}"
    daily, lift = answer["daily"], answer["lift"]
    series = [
        ("Messages sent", lambda day: day["sent"]),
        ("Clicks", lambda day: day["clicked"]),
        (f"Revenue attributed ({answer['currency']})", lambda day: results.decimal(day["revenue"])),
    ]
    context = {
        "title": f"Campaign report: {campaign.name}",
        "subtitle": f"{campaign.get_objective_display()} · {campaign.get_status_display()} · launched "
        f"{timezone.localtime(campaign.launch_started_at):%Y-%m-%d %H:%M}"
        if campaign.launch_started_at
        else f"{campaign.get_objective_display()} · not launched",
        "results": answer,
        "charts": [
            {"title": title, "svg": bars(Table(["day", title], [[str(d["date"]), value(d)] for d in daily]), title)}
            for title, value in series
        ],
        "generated_at": timezone.now(),
        "actions": actions,
        "lift_text": conversion_lift_text(lift),
    }
    return render_to_string("reports/campaign.html", context)


def report_actions(request, *, key: str, param: str, pk: int, back: str) -> str:
    """The report page's own links (hidden when printed): back, print, and a PDF made in the background."""
    return format_html(
        '<a href="{}">Back</a> · Print this page, or '
        '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="key" value="{}"><input type="hidden" name="{}" value="{}">'
        '<button type="submit" name="format" value="pdf">Make a PDF in the background</button></form>',
        back, reverse("admin:export_start"), get_token(request), key, param, pk,
    )  # fmt: skip


class CampaignReportAdminMixin:
    def get_urls(self):
        view = self.admin_site.admin_view(self.report_view)
        return [path("<int:campaign_id>/report/", view, name="campaigns_campaign_report"), *super().get_urls()]

    def report_view(self, request, campaign_id: int):
        campaign = get_object_or_404(Campaign, pk=campaign_id)
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        back = reverse("admin:campaigns_campaign_results", args=[campaign.pk])
        actions = report_actions(request, key="campaign-report", param="campaign", pk=campaign.pk, back=back)
        return HttpResponse(campaign_report_html(campaign, actions=actions))


register_export(
    document_export(
        key="campaign-report",
        title="Campaign report",
        permission="campaigns.view_campaign",
        model=Campaign,
        render=campaign_report_html,
    )
)
