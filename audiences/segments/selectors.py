"""Reads for segments."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from audiences.models import Customer, Segment, SegmentMembership, SegmentMembershipChange
from audiences.segments.language import compile_rules
from config.replica import from_replica


def rules_of(code: str) -> dict | None:
    return Segment.objects.filter(code=code).values_list("rules", flat=True).first()


def matching_customers(rules: dict, *, now: datetime | None = None) -> QuerySet[Customer]:
    """The customers a rule tree matches, as a lazy queryset (one SQL query, nothing loaded)."""
    return Customer.objects.filter(compile_rules(rules, resolve=rules_of, now=now)).order_by()


def segment_get(*, code: str) -> Segment | None:
    return Segment.objects.filter(code=code).first()


def segment_list() -> QuerySet[Segment]:
    return Segment.objects.order_by("code")


@from_replica()
def segment_live_count(*, rules: dict) -> int:
    return matching_customers(rules).count()


def segment_live_sample(*, rules: dict, size: int = 10) -> list[str]:
    return list(matching_customers(rules).order_by("external_id").values_list("external_id", flat=True)[:size])


def segment_member_ids(*, segment: Segment) -> QuerySet:
    """External ids of the members (last refresh plus live rechecks), in a stable order for paging."""
    return (
        SegmentMembership.objects.filter(segment=segment)
        .order_by("customer__external_id")
        .values_list("customer__external_id", flat=True)
    )


def customer_segment_codes(customer: Customer) -> list[str]:
    return list(
        SegmentMembership.objects.filter(customer=customer)
        .order_by("segment__code")
        .values_list("segment__code", flat=True)
    )


def customer_memberships(*, customer: Customer) -> QuerySet[SegmentMembership]:
    """The segments the customer is in, with when they entered, by segment name."""
    return SegmentMembership.objects.filter(customer=customer).select_related("segment").order_by("segment__name")


def segment_sizes_by_day(*, days: list, largest: int = 6) -> dict[str, list[int]]:
    """The `largest` segments' member counts at the end of each of `days` (ascending local dates, the last
    today), walked back from today's count through the membership history."""
    sizes = (
        Segment.objects.annotate(members=Count("memberships")).order_by("-members", "code").values("code", "members")
    )[:largest]
    current = {row["code"]: row["members"] for row in sizes}
    changes = (
        SegmentMembershipChange.objects.filter(segment__code__in=current, changed_at__date__gte=days[0])
        .annotate(day=TruncDate("changed_at", tzinfo=timezone.get_current_timezone()))
        .values("segment__code", "day")
        .annotate(entered=Count("id", filter=Q(kind="entered")), exited=Count("id", filter=Q(kind="exited")))
    )
    net = {(row["segment__code"], row["day"]): row["entered"] - row["exited"] for row in changes}
    series = {}
    for code, size in current.items():
        by_day = []
        for day in reversed(days):
            by_day.append(size)
            size -= net.get((code, day), 0)
        series[code] = list(reversed(by_day))
    return series
