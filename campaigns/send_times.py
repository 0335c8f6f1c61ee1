"""Reads behind best-hour sending: when customers engage, as counts per local hour (audiences/send_time.py).

Computed on the fly, not stored: a launch batch reads its customers' engagements of the last HISTORY_DAYS as
(customer, UTC hour, count) rows, one aggregate query per source, and the launch reads its stores' and its
segments' once. The engagements: a message click, a WhatsApp read, a placed order, a store visit (an event of
type VISIT_EVENT). A UTC hour becomes local with the zone's offset now, to the whole hour below (a half-hour zone
such as India's counts 10:30 as 10:00), so a daylight-saving change moves old events by an hour.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import ExtractHour

from audiences.models import Customer, Event, Order, SegmentMembership
from audiences.send_time import HOURS
from campaigns.scheduling import zone
from messaging.models import Channel, Message

HISTORY_DAYS = 180
VISIT_EVENT = "store_visit"


def _sources(since: datetime) -> list[tuple[QuerySet, str]]:
    """(rows, the path to their customer) with an `hour` annotation: the UTC hour of each engagement."""
    return [
        (
            Message.objects.filter(clicked_at__gte=since).annotate(hour=ExtractHour("clicked_at", tzinfo=UTC)),
            "customer",
        ),
        (
            Message.objects.filter(channel=Channel.WHATSAPP, opened_at__gte=since).annotate(
                hour=ExtractHour("opened_at", tzinfo=UTC)
            ),
            "customer",
        ),
        (
            Order.objects.filter(status=Order.Status.PLACED, placed_at__gte=since).annotate(
                hour=ExtractHour("placed_at", tzinfo=UTC)
            ),
            "customer",
        ),
        (
            Event.objects.filter(type=VISIT_EVENT, occurred_at__gte=since).annotate(
                hour=ExtractHour("occurred_at", tzinfo=UTC)
            ),
            "customer",
        ),
    ]


def _offset_hours(zone_name: str, now: datetime) -> int:
    offset = zone(zone_name).utcoffset(now.replace(tzinfo=None))
    return int(offset.total_seconds() // 3600) if offset is not None else 0


def customer_hour_counts(*, zones: dict[int, str], now: datetime) -> dict[int, list[int]]:
    """Customer id -> engagements per local hour, for the customers of `zones` (id -> their zone)."""
    since = now - timedelta(days=HISTORY_DAYS)
    counts: dict[int, list[int]] = {customer_id: [0] * HOURS for customer_id in zones}
    offsets = {name: _offset_hours(name, now) for name in set(zones.values())}
    ids = list(zones)
    for rows, path in _sources(since):
        grouped = (
            rows.filter(**{f"{path}_id__any_of": ids}).values(f"{path}_id", "hour").annotate(n=Count("pk")).order_by()
        )
        for row in grouped:
            customer_id = row[f"{path}_id"]
            counts[customer_id][(row["hour"] + offsets[zones[customer_id]]) % HOURS] += row["n"]
    return counts


def _grouped_local(rows: Iterable[dict], now: datetime, key: str | None) -> dict:
    """Rows of (key?, customer zone, store zone, UTC hour, n) -> key -> counts per local hour."""
    counts: dict = defaultdict(lambda: [0] * HOURS)
    offsets: dict[str, int] = {}
    for row in rows:
        name = row["customer__timezone"] or row["customer__store__timezone"] or settings.TIME_ZONE
        if name not in offsets:
            offsets[name] = _offset_hours(name, now)
        counts[row[key] if key else None][(row["hour"] + offsets[name]) % HOURS] += row["n"]
    return counts


def group_hour_counts(
    *, store_ids: list[int], segment_ids: list[int], now: datetime
) -> tuple[dict[int, list[int]], list[int] | None]:
    """(store id -> engagements per local hour of its customers, the segments' members' together or None without
    segments), over all sources; `store_ids` empty: every store."""
    since = now - timedelta(days=HISTORY_DAYS)
    zone_fields = ("customer__timezone", "customer__store__timezone", "hour")
    stores: dict[int, list[int]] = defaultdict(lambda: [0] * HOURS)
    segment = [0] * HOURS
    for rows, _path in _sources(since):
        of_stores = rows.filter(customer__store_id__isnull=False)
        if store_ids:
            of_stores = of_stores.filter(customer__store_id__in=store_ids)
        grouped = of_stores.values("customer__store_id", *zone_fields).annotate(n=Count("pk")).order_by()
        for store_id, hours in _grouped_local(grouped, now, "customer__store_id").items():
            stores[store_id] = [a + b for a, b in zip(stores[store_id], hours, strict=True)]
        if segment_ids:
            members = SegmentMembership.objects.filter(customer=OuterRef("customer_id"), segment_id__in=segment_ids)
            in_segments = rows.filter(Exists(members)).values(*zone_fields).annotate(n=Count("pk")).order_by()
            for hours in _grouped_local(in_segments, now, None).values():
                segment = [a + b for a, b in zip(segment, hours, strict=True)]
    return dict(stores), (segment if segment_ids else None)


def customers_zones(customer_ids: list[int]) -> dict[int, str]:
    """Customer id -> their zone (their own, else their store's, else the installation's)."""
    rows = Customer.objects.filter(pk__in=customer_ids).values_list("pk", "timezone", "store__timezone")
    return {pk: own or store or settings.TIME_ZONE for pk, own, store in rows}
