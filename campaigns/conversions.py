"""Crediting orders to campaigns (the write side of attribution), from the raw touches by their occurred time.

`orders_credit` works out an order's credits under every model (`campaigns/attribution.py` decides) and replaces
the order's `Conversion` rows with them, so a report in any model is a `GROUP BY`. It runs:

- when an order is placed through `POST /orders` (the order hook, inside the order's transaction);
- when orders are imported (the audiences import step, inside the import's transaction, set-based);
- when a delivery or click of a campaign message is recorded *after* an order it could have earned (a late
  webhook): the customer's orders placed in the touch's windows are credited again (`late_touch_credit`).

Each touch is judged by its own campaign's windows. The inputs are all re-read from the database each time (the
order, the coupons redeemed on it, the customer's touches), so crediting an order again gives the same rows unless
a touch arrived meanwhile. When a campaign first becomes an order's last-touch campaign, a `ConversionEvent` is
recorded (unique per campaign and order) and `campaign_converted` is sent after commit: once, whatever retries.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from audiences.models import Order
from campaigns import attribution
from campaigns.models import Assignment, Campaign, Conversion, ConversionEvent
from campaigns.signals import campaign_converted
from messaging.models import Message
from promotions.models import Redemption

IN_STORE_CHANNEL = "pos"
# Each message timestamp and the touch it is; opens are read too (they never earn credit, attribution says).
TOUCH_FIELDS = {
    "sent_at": attribution.TouchKind.SENT,
    "delivered_at": attribution.TouchKind.DELIVERED,
    "opened_at": attribution.TouchKind.OPENED,
    "clicked_at": attribution.TouchKind.CLICKED,
}
LAST_TOUCH = attribution.AttributionModel.LAST_TOUCH
# Orders credited per round: keeps each query's id list and the events' INSERT within SQLite's parameter limit.
CREDIT_BATCH = 2_000


def touch_horizon() -> timedelta:
    """The longest window any campaign has: no touch older than this before an order can earn it anything."""
    longest = Campaign.objects.aggregate(click=Max("click_window_hours"), receipt=Max("receipt_window_hours"))
    return timedelta(hours=max(longest["click"] or 0, longest["receipt"] or 0))


def customers_touches(*, customer_ids: Iterable[int], since: datetime, until: datetime) -> list[attribution.Touch]:
    """The customers' campaign touches from `since` to `until` (one query; `message_customer_time` starts at the
    customer). A message is read whole if any of its times falls in the range."""
    customer_ids = sorted(set(customer_ids))
    if not customer_ids:
        return []
    in_range = Q()
    for name in TOUCH_FIELDS:
        in_range |= Q(**{f"{name}__gte": since, f"{name}__lte": until})
    rows = (
        Message.objects.filter(customer_id__in=customer_ids, campaign_id__isnull=False)
        .filter(in_range)
        .order_by()
        .values_list("campaign_id", "customer_id", "channel", *TOUCH_FIELDS)
    )
    return _as_touches(rows)


def _touches_sql() -> str:
    # The horizon is read in the same statement: the longest window any campaign has, back from the first order.
    in_range = " OR ".join(f"(m.{name} >= h.since AND m.{name} <= %(until)s)" for name in TOUCH_FIELDS)
    return f"""
WITH h AS (
  SELECT %(first)s::timestamptz - make_interval(hours => GREATEST(COALESCE(MAX(click_window_hours), 0),
                                                                   COALESCE(MAX(receipt_window_hours), 0))) AS since
  FROM {Campaign._meta.db_table}
)
SELECT m.campaign_id, m.customer_id, m.channel, {", ".join(f"m.{name}" for name in TOUCH_FIELDS)}
FROM {Message._meta.db_table} m, h
WHERE m.customer_id = ANY(%(customers)s) AND m.campaign_id IS NOT NULL AND ({in_range})
"""  # noqa: S608 (table and column names from the models)


_TOUCHES_IN_HORIZON = _touches_sql()


def customers_touches_in_horizon(
    *, customer_ids: Iterable[int], first: datetime, last: datetime
) -> list[attribution.Touch]:
    """The customers' campaign touches that may earn orders placed from `first` to `last`: from `first` less
    `touch_horizon()` to `last`. On PostgreSQL one prebuilt statement reads the horizon with them; elsewhere
    `touch_horizon()` and `customers_touches()`, the same touches."""
    if connection.vendor != "postgresql":
        return customers_touches(customer_ids=customer_ids, since=first - touch_horizon(), until=last)
    customer_ids = sorted(set(customer_ids))
    if not customer_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_TOUCHES_IN_HORIZON, {"customers": customer_ids, "first": first, "until": last})
        rows = cursor.fetchall()
    return _as_touches(rows)


def _as_touches(rows) -> list[attribution.Touch]:
    return [
        attribution.Touch(campaign_id, customer_id, kind, channel, at)
        for campaign_id, customer_id, channel, *moments in rows
        for kind, at in zip(TOUCH_FIELDS.values(), moments, strict=True)
        if at is not None
    ]


def campaigns_windows(campaign_ids: Iterable[int]) -> dict[int, attribution.Windows]:
    campaign_ids = set(campaign_ids)
    if not campaign_ids:  # most orders were touched by no campaign: not even a query to build
        return {}
    campaigns = Campaign.objects.filter(pk__in=campaign_ids).only(
        "click_window_hours", "receipt_window_hours", "receipt_channels"
    )
    return {campaign.pk: campaign.attribution_windows for campaign in campaigns}


def coupon_campaign_ids(codes: Iterable[str]) -> tuple[int, ...]:
    """The campaigns whose unique coupons these are, in the order the codes were applied."""
    wanted = [code.strip().upper() for code in codes]
    if not wanted:
        return ()
    # Prebuilt: the ORM compiled this on every order with a code.
    with connection.cursor() as cursor:
        cursor.execute(_COUPON_CAMPAIGNS.format(codes=", ".join(["%s"] * len(wanted))), wanted)
        by_code = dict(cursor.fetchall())
    return tuple(dict.fromkeys(by_code[code] for code in wanted if code in by_code))


# `<> ''` as the ORM's exclude had it: the index is partial on it.
_COUPON_CAMPAIGNS = (
    f"SELECT coupon_code, campaign_id FROM {Assignment._meta.db_table} "  # noqa: S608
    "WHERE coupon_code IN ({codes}) AND coupon_code <> ''"
)


def orders_coupon_campaigns(order_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """Per order, the campaigns whose coupons were redeemed on it (its active redemptions, in the order claimed)."""
    codes: dict[int, list[str]] = defaultdict(list)
    for order_id, code in (
        Redemption.objects.filter(order_id__in=list(order_ids), status=Redemption.Status.ACTIVE, code__isnull=False)
        .order_by("id")
        .values_list("order_id", "code__code")
    ):
        codes[order_id].append(code)
    return {order_id: coupon_campaign_ids(order_codes) for order_id, order_codes in codes.items()}


def _as_attributed(order: Order, coupons: tuple[int, ...]) -> attribution.Order:
    return attribution.Order(
        order_id=order.pk,
        customer_id=order.customer_id,
        placed_at=order.placed_at,
        revenue=order.total,
        coupon_campaign_ids=coupons,
        in_store=order.channel == IN_STORE_CHANNEL,
    )


def orders_credit(
    *, orders: list[Order], coupons: dict[int, tuple[int, ...]] | None = None, recorded_now: bool = False
) -> dict[int, int | None]:
    """Credit placed orders from the raw touches under every model, replacing their conversions.

    `coupons` (order id → campaigns whose coupons it redeemed, in order) is read from the redemptions when not
    given; `recorded_now`: the orders were recorded in this transaction, so they have no conversions to replace.
    Answers each order's last-touch campaign (None: none). A few queries per 2,000 orders.
    """
    orders = [order for order in orders if order.status == Order.Status.PLACED]
    if len(orders) > CREDIT_BATCH:
        credited: dict[int, int | None] = {}
        for start in range(0, len(orders), CREDIT_BATCH):
            batch = orders[start : start + CREDIT_BATCH]
            credited.update(orders_credit(orders=batch, coupons=coupons, recorded_now=recorded_now))
        return credited
    if not orders:
        return {}
    if coupons is None:
        coupons = orders_coupon_campaigns(order.pk for order in orders)
    attributed = [_as_attributed(order, coupons.get(order.pk, ())) for order in orders]
    need_touches = [order for order in attributed if order.customer_id is not None and not order.coupon_campaign_ids]
    touches = (
        customers_touches_in_horizon(
            customer_ids=[order.customer_id for order in need_touches],
            first=min(order.placed_at for order in need_touches),
            last=max(order.placed_at for order in need_touches),
        )
        if need_touches
        else []
    )
    windows = campaigns_windows({touch.campaign_id for touch in touches})
    by_model = {
        model: attribution.attribute_orders(attributed, touches, model=model, windows_by_campaign=windows)
        for model in attribution.AttributionModel
    }
    variants = _variants(by_model)
    if not recorded_now:
        Conversion.objects.filter(order_id__in=[order.pk for order in orders]).delete()
    conversions = [
        Conversion(
            order_id=credited.order.order_id,
            campaign_id=credit.campaign_id,
            variant_id=variants.get((credited.order.customer_id, credit.campaign_id), (None, ""))[0],
            customer_id=credited.order.customer_id,
            model=model,
            basis=credit.basis,
            weight=credit.weight,
            revenue=credit.revenue,
            placed_at=credited.order.placed_at,
            in_store=credited.order.in_store,
        )
        for model, attributions in by_model.items()
        for credited in attributions
        for credit in credited.credits
    ]
    if conversions:  # most orders were touched by no campaign
        Conversion.objects.bulk_create(conversions)
    last_touch = {credited.order.order_id: credited.credits for credited in by_model[LAST_TOUCH]}
    _record_conversion_events(last_touch, {order.pk: order for order in orders}, variants)
    return {order_id: credits[0].campaign_id if credits else None for order_id, credits in last_touch.items()}


def _variants(by_model: dict) -> dict[tuple[int, int], tuple[int, str]]:
    """(customer, campaign) → (variant id, name) of the credited customers' assignments (the holdout has none)."""
    pairs = {
        (credited.order.customer_id, credit.campaign_id)
        for attributions in by_model.values()
        for credited in attributions
        for credit in credited.credits
        if credited.order.customer_id is not None
    }
    if not pairs:
        return {}
    rows = Assignment.objects.filter(
        customer_id__in={customer for customer, _ in pairs},
        campaign_id__in={campaign for _, campaign in pairs},
        variant__isnull=False,
    ).values_list("customer_id", "campaign_id", "variant_id", "variant__name")
    return {(customer, campaign): (variant_id, name) for customer, campaign, variant_id, name in rows}


def _record_conversion_events(last_touch: dict, orders: dict[int, Order], variants: dict) -> None:
    """One `ConversionEvent` per newly credited (campaign, order), and its signal after commit.

    `ON CONFLICT DO NOTHING RETURNING` answers only the pairs this statement added: a pair recorded before, or by a
    concurrent transaction (which this one waits for at the unique index), is not announced again.
    """
    now = timezone.now()
    rows = [
        (
            credits[0].campaign_id,
            order_id,
            orders[order_id].customer_id,
            variants.get((orders[order_id].customer_id, credits[0].campaign_id), (None, ""))[1],
            credits[0].basis.value,
            now,
        )
        for order_id, credits in last_touch.items()
        if credits
    ]
    if not rows:
        return
    table = ConversionEvent._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    sql = f"""
        INSERT INTO {table} (campaign_id, order_id, customer_id, variant, basis, recorded_at) VALUES {values}
        ON CONFLICT (campaign_id, order_id) DO NOTHING RETURNING campaign_id, order_id
    """  # noqa: S608 (the table name comes from the model, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        added = [tuple(row) for row in cursor.fetchall()]
    if added and campaign_converted.has_listeners():
        transaction.on_commit(lambda: _announce(added))


def _announce(pairs: list[tuple[int, int]]) -> None:
    wanted = set(pairs)
    events = ConversionEvent.objects.select_related("campaign", "order", "customer").filter(
        campaign_id__in={campaign for campaign, _ in wanted}, order_id__in={order for _, order in wanted}
    )
    for event in events.order_by("id"):
        if (event.campaign_id, event.order_id) in wanted:
            campaign_converted.send(
                sender=Campaign,
                campaign=event.campaign,
                customer=event.customer,
                order=event.order,
                variant=event.variant,
            )


def late_touch_credit(*, customer_id: int, campaign_id: int, at: datetime) -> int:
    """A campaign's touch of the customer at `at` was recorded now: credit again their placed orders from `at` to
    the end of the campaign's longest window after it. Answers how many orders were credited again."""
    campaign = Campaign.objects.filter(pk=campaign_id).only("click_window_hours", "receipt_window_hours").first()
    if campaign is None:
        return 0
    reach = timedelta(hours=max(campaign.click_window_hours, campaign.receipt_window_hours))
    with transaction.atomic():
        # Locked in id order, so two late touches of one customer credit their orders one after the other.
        orders = list(
            Order.objects.select_for_update()
            .filter(customer_id=customer_id, status=Order.Status.PLACED, placed_at__gte=at, placed_at__lte=at + reach)
            .order_by("id")
        )
        orders_credit(orders=orders)
    return len(orders)


def conversions_remove(*, order: Order) -> None:
    """A cancelled order earns no campaign anything (its conversion event stays: it did convert, then cancelled)."""
    Conversion.objects.filter(order=order).delete()
