"""The daily set-based scans behind the frequency-drop, spend-decrease and no-engagement triggers (reads only).

Each returns the customers who qualify today, computed by the database over all orders or messages at once,
never by Python looping over every customer. Frequency drop needs a median, which SQLite lacks: there (the
embedded demo) the pure rule runs over the demo's few orders instead.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import DecimalField, F, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce

from audiences.models import Order
from campaigns.journeys import rules
from messaging.models import Message, MessageStatus

FREQUENCY_DROP_SQL = """
WITH placed AS (
    SELECT customer_id, placed_at,
           placed_at - lag(placed_at) OVER (PARTITION BY customer_id ORDER BY placed_at) AS gap
    FROM audiences_order
    WHERE status = 'placed' AND customer_id IS NOT NULL AND placed_at <= %(now)s
)
SELECT customer_id, max(placed_at)
FROM placed
GROUP BY customer_id
HAVING count(gap) >= 2
   AND extract(epoch FROM %(now)s - max(placed_at))::float8
       > %(factor)s::float8 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM gap)::float8)
ORDER BY customer_id
"""


def frequency_drops(*, now: datetime, factor: Decimal) -> list[tuple[int, datetime]]:
    """(customer id, last order time) of each customer whose gap since the last order passes `factor` times
    their median gap between orders (three orders at least)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(FREQUENCY_DROP_SQL, {"now": now, "factor": factor})
            return list(cursor.fetchall())
    times: dict[int, list[datetime]] = defaultdict(list)
    placed = Order.objects.filter(status=Order.Status.PLACED, customer__isnull=False, placed_at__lte=now)
    for customer_id, placed_at in placed.values_list("customer_id", "placed_at"):
        times[customer_id].append(placed_at)
    return [
        (customer_id, max(moments))
        for customer_id, moments in sorted(times.items())
        if rules.frequency_dropped(order_times=moments, now=now, factor=factor)
    ]


def spend_decreases(*, now: datetime, drop_percent: Decimal) -> list[tuple[int, Decimal, Decimal]]:
    """(customer id, spend of the last 90 days, spend of the 90 before) of each customer whose spend fell by at
    least `drop_percent` %. Amounts are order totals as placed (cancelled orders do not count)."""
    window = rules.SPEND_WINDOW
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
    rows = (
        Order.objects.filter(
            status=Order.Status.PLACED, customer__isnull=False, placed_at__gt=now - 2 * window, placed_at__lte=now
        )
        .values("customer_id")
        .annotate(
            recent=Coalesce(Sum("total", filter=Q(placed_at__gt=now - window)), zero),
            previous=Coalesce(Sum("total", filter=Q(placed_at__lte=now - window)), zero),
        )
        .filter(previous__gt=0, recent__lte=F("previous") * (100 - drop_percent) / 100)
        .order_by("customer_id")
    )
    return [(row["customer_id"], row["recent"], row["previous"]) for row in rows]


SENT_STATUSES = (
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.OPENED,
    MessageStatus.CLICKED,
)


def engagement_lapses(*, now: datetime, days: int) -> list[int]:
    """Customers messaged for longer than `days` and sent something within them, with no open or click in them."""
    since = now - timedelta(days=days)
    rows = (
        Message.objects.filter(sent_at__isnull=False, status__in=SENT_STATUSES)
        .values("customer_id")
        .annotate(
            first_sent=Min("sent_at"), last_sent=Max("sent_at"), opened=Max("opened_at"), clicked=Max("clicked_at")
        )
        .filter(first_sent__lt=since, last_sent__gte=since)
        .filter(Q(opened__isnull=True) | Q(opened__lt=since), Q(clicked__isnull=True) | Q(clicked__lt=since))
        .order_by("customer_id")
    )
    return [row["customer_id"] for row in rows]
