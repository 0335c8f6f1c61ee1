"""A segment's printable profile (/admin/audiences/segment/<id>/report/): who its members are (RFM groups, spend,
orders, cities) and its size over 30 days from the membership history; as a PDF in the background too."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncDate
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from audiences.currencies import quantize
from audiences.models import Customer, Segment, SegmentMembershipChange
from audiences.rfm import rfm_label
from config.charts import lines
from config.dashboard import Table
from config.exports import document_export, register_export
from config.report_days import last_days

TOP_CITIES = 8


def segment_profile(segment: Segment) -> dict:
    """The figures of the profile, read in a handful of aggregate queries whatever the segment's size."""
    members = Customer.objects.filter(segment_memberships__segment=segment)
    count = members.count()
    rfm = members.values("score__rfm_segment").annotate(n=Count("pk")).order_by("-n")
    spend = members.exclude(currency="").values("currency").annotate(n=Count("pk"), total=Sum("total_spent")).order_by()
    orders = members.aggregate(average=Avg("orders_count"))["average"]
    cities = members.values("city").annotate(n=Count("pk")).order_by("-n", "city")[:TOP_CITIES]
    return {
        "members": count,
        "orders_per_member": Decimal(str(orders or 0)).quantize(Decimal("0.1")),
        "rfm": [
            {
                "label": rfm_label(row["score__rfm_segment"] or ""),
                "members": row["n"],
                "share": (Decimal(100) * row["n"] / count).quantize(Decimal("0.1")) if count else 0,
            }
            for row in rfm
        ],
        "spend": [
            {
                "currency": row["currency"],
                "members": row["n"],
                "average": quantize(row["total"] / row["n"], row["currency"]),
            }
            for row in spend
        ],
        "cities": [{"city": row["city"], "members": row["n"]} for row in cities],
        "sizes": segment_size_by_day(segment, count),
    }


def segment_size_by_day(segment: Segment, today: int) -> list[tuple]:
    """(day, members at its end) over the last 30 days, walked back from today's count through the history."""
    days = last_days()
    changes = (
        SegmentMembershipChange.objects.filter(segment=segment, changed_at__date__gte=days[0])
        .annotate(day=TruncDate("changed_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(entered=Count("id", filter=Q(kind="entered")), exited=Count("id", filter=Q(kind="exited")))
        .order_by()
    )
    net = {row["day"]: row["entered"] - row["exited"] for row in changes}
    size, sizes = today, []
    for day in reversed(days):
        sizes.append((day, size))
        size -= net.get(day, 0)
    return list(reversed(sizes))


def segment_report_html(segment: Segment, *, actions: str = "") -> str:
    profile = segment_profile(segment)
    sizes = Table(["day", "members"], [[day.isoformat(), n] for day, n in profile["sizes"]])
    context = {
        "title": f"Segment profile: {segment.name}",
        "subtitle": f"{segment.code} · {segment.description}" if segment.description else segment.code,
        "profile": profile,
        "size_chart": lines(sizes, f"{segment.name}: members at the end of each day"),
        "generated_at": timezone.now(),
        "actions": actions,
    }
    return render_to_string("reports/segment.html", context)


class SegmentReportAdminMixin:
    def get_urls(self):
        view = self.admin_site.admin_view(self.report_view)
        return [path("<int:segment_id>/report/", view, name="audiences_segment_report"), *super().get_urls()]

    def report_view(self, request, segment_id: int):
        segment = get_object_or_404(Segment, pk=segment_id)
        if not self.has_view_permission(request, segment):
            raise PermissionDenied
        actions = format_html(
            '<a href="{}">Back</a> · Print this page, or '
            '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="key" value="segment-report"><input type="hidden" name="segment" value="{}">'
            '<button type="submit" name="format" value="pdf">Make a PDF in the background</button></form>',
            reverse("admin:audiences_segment_change", args=[segment.pk]), reverse("admin:export_start"),
            get_token(request), segment.pk,
        )  # fmt: skip
        return HttpResponse(segment_report_html(segment, actions=actions))

    def report_link(self, segment):
        if not segment.pk:
            return "After saving."
        return format_html('<a href="{}">Printable profile (and PDF)</a>', reverse("admin:audiences_segment_report",
                                                                                   args=[segment.pk]))  # fmt: skip

    report_link.short_description = "report"


register_export(
    document_export(
        key="segment-report",
        title="Segment profile",
        permission="audiences.view_segment",
        model=Segment,
        render=segment_report_html,
    )
)
