"""A campaign's results: counts, attributed conversions and money per variant, the A/B winner, lift against the
holdout and a daily series. Reads only; every figure is an SQL aggregate (no recipient or order rows are loaded).

Conversions, conversion rates, revenue and ROI are *attributed*: the `Conversion` rows of the chosen model.
Won leads credited to the campaign (campaigns/leads/) are shown apart from attributed orders, and the part of
their value not already an attributed order's revenue adds to the campaign's ROI (not to a variant's).
Lift compares *all* orders of treated and held-out customers in the measurement window (from the launch to the
end plus the click window, or until now): the holdout has no touches, so attribution would credit it nothing.
"""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from audiences.models import Order
from campaigns import lift, statistics
from campaigns.costs import Prices
from campaigns.leads.selectors import won_leads_credit
from campaigns.models import Assignment, Campaign, Conversion, Variant
from campaigns.selectors import SENT_STATUSES, campaign_progress, reference_zone, staged_test_decision
from config.replica import from_replica
from messaging.models import Message, MessageStatus
from messaging.sms_segments import sms_info
from promotions.models import Redemption

ZERO = Decimal(0)
CENT = Decimal("0.01")
WEIGHT = Decimal("0.000001")  # a conversion's share has six places (attribution.WEIGHT_PLACES)
MESSAGE_COUNTS = ("sent", "delivered", "opened", "clicked")


def _orders(weights: Decimal | None) -> Decimal:
    """Credited orders: a sum of shares, at their six places on every database."""
    return (weights or ZERO).quantize(WEIGHT)


def decimal(amount: str | None) -> Decimal:
    """An answer's money string back as a Decimal (None: zero)."""
    return Decimal(amount) if amount is not None else ZERO


def _roi(revenue: Decimal, cost: Decimal) -> Decimal | None:
    """(revenue − cost) / cost, to four places; None when nothing was spent."""
    return ((revenue - cost) / cost).quantize(Decimal("0.0001")) if cost else None


def _message_price(variant: Variant, prices: Prices) -> Decimal:
    """What one of its messages costs, as the launch priced it (an SMS: its longest translation's segments)."""
    template = variant.template
    if template is None:
        return ZERO
    segments = max((sms_info(t.body).segments for t in template.translations.all() if t.body), default=1)
    return prices.message(template.channel, segments)


def _messages_by_variant(campaign: Campaign) -> dict[str, dict]:
    rows = (
        Message.objects.filter(campaign_id=campaign.pk)
        .values("variant")
        .annotate(
            sent=Count("pk", filter=Q(status__in=SENT_STATUSES)),
            delivered=Count("delivered_at"),
            opened=Count("opened_at"),
            clicked=Count("clicked_at"),
            outbox_skipped=Count("pk", filter=Q(status=MessageStatus.SKIPPED)),
        )
        .order_by()
    )
    return {row.pop("variant"): row for row in rows}


def _assignments_by_variant(campaign: Campaign) -> dict[int, dict]:
    rows = (
        Assignment.objects.filter(campaign=campaign, variant__isnull=False)
        .values("variant_id")
        .annotate(
            recipients=Count("pk"),
            queued=Count("pk", filter=Q(status=Assignment.Status.QUEUED)),
            skipped=Count("pk", filter=Q(status=Assignment.Status.SKIPPED)),
        )
        .order_by()
    )
    return {row.pop("variant_id"): row for row in rows}


def _conversions_by_variant(campaign: Campaign, model: str) -> dict[int | None, dict]:
    rows = (
        Conversion.objects.filter(campaign=campaign, model=model)
        .values("variant_id")
        .annotate(converted=Count("customer_id", distinct=True), orders=Sum("weight"), revenue=Sum("revenue"))
        .order_by()
    )
    return {row.pop("variant_id"): row for row in rows}


def _discounts_by_variant(campaign: Campaign) -> dict[int, Decimal]:
    """Discounts of its promotions given to its treated customers since it started, per their variant."""
    promotion_ids = {p.pk for p in campaign.promotions.all()} | {
        v.promotion_id for v in campaign.variants.all() if v.promotion_id
    }
    if not promotion_ids or campaign.launch_started_at is None:
        return {}
    treated = Assignment.objects.filter(campaign=campaign, customer_id=OuterRef("customer_id"), variant__isnull=False)
    rows = (
        Redemption.objects.filter(
            promotion_id__in=promotion_ids, status=Redemption.Status.ACTIVE, created_at__gte=campaign.launch_started_at
        )
        .filter(Exists(treated))
        .annotate(variant_id=Subquery(treated.values("variant_id")[:1]))
        .values("variant_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["variant_id"]: row["total"] for row in rows}


def measurement_window(campaign: Campaign):
    """From the launch to the end plus the campaign's click window (orders still credited after it), capped at now."""
    now = timezone.now()
    end = campaign.ends_at + campaign.attribution_windows.click if campaign.ends_at else now
    return campaign.launch_started_at, min(end, now)


def arm_outcomes(campaign: Campaign) -> dict[bool, lift.ArmOutcomes]:
    """Per arm (True: holdout): recipients, customers who ordered, their revenue and its sum of squares.

    One query: the assignments joined to each assigned customer's order total in the window.
    """
    start, end = measurement_window(campaign)
    assignments, orders = Assignment._meta.db_table, Order._meta.db_table
    sql = f"""
        SELECT a.variant_id IS NULL, count(*), count(o.customer_id),
               coalesce(sum(o.revenue), 0), coalesce(sum(o.revenue * o.revenue), 0)
        FROM {assignments} a
        LEFT JOIN (
            SELECT customer_id, sum(total) AS revenue FROM {orders}
            WHERE status = %s AND placed_at >= %s AND placed_at <= %s
              AND customer_id IN (SELECT customer_id FROM {assignments} WHERE campaign_id = %s)
            GROUP BY customer_id
        ) o ON o.customer_id = a.customer_id
        WHERE a.campaign_id = %s
        GROUP BY a.variant_id IS NULL
    """  # noqa: S608 (table names come from the models, values are parameters)
    outcomes = {}
    if start is None:
        return outcomes
    with connection.cursor() as cursor:
        cursor.execute(sql, [Order.Status.PLACED, start, end, campaign.pk, campaign.pk])
        for holdout, recipients, converted, revenue, squares in cursor.fetchall():
            # SQLite sums money as floats: back to the exact cents (and their squares' four places).
            revenue, squares = Decimal(str(revenue)).quantize(CENT), Decimal(str(squares)).quantize(CENT * CENT)
            outcomes[bool(holdout)] = lift.ArmOutcomes(recipients, converted, revenue, squares)
    return outcomes


def holdout_lift(campaign: Campaign) -> lift.HoldoutLift:
    outcomes = arm_outcomes(campaign)
    treated = outcomes.get(False, lift.ArmOutcomes(0, 0, ZERO, ZERO))
    holdout = outcomes.get(True, lift.ArmOutcomes(0, 0, ZERO, ZERO)) if campaign.holdout_percent > 0 else None
    return lift.measure_lift(treated, holdout)


def _winner(campaign: Campaign, variants: list[dict], metric: str) -> statistics.WinnerDecision | None:
    if len(variants) < 2:
        return None
    if campaign.staged:
        # Once the winner went to the rest, all variants together are no longer a random split: judge the test.
        return staged_test_decision(campaign)
    total_weight = sum(v["weight"] for v in variants)
    treated_share = Decimal(100) - campaign.holdout_percent
    counts = [
        statistics.VariantCounts(
            v["name"], treated_share * v["weight"] / total_weight, v["recipients"], v["clicked"], v["converted"]
        )
        for v in variants
    ]
    holdout = (
        statistics.ArmSize("holdout", campaign.holdout_percent, campaign.held_out) if campaign.holdout_percent else None
    )
    return statistics.decide_winner(counts, metric, holdout=holdout)


def daily_series(campaign: Campaign, model: str) -> list[dict]:
    """Per day in the campaign's zone: messages sent and clicked, attributed conversions and revenue."""
    zone = ZoneInfo(reference_zone(campaign))
    days: dict = {}
    messages = Message.objects.filter(campaign_id=campaign.pk)
    for field in ("sent", "clicked"):
        rows = (
            messages.filter(**{f"{field}_at__isnull": False})
            .annotate(day=TruncDate(f"{field}_at", tzinfo=zone))
            .values("day")
            .annotate(count=Count("pk"))
            .order_by()
        )
        for row in rows:
            days.setdefault(row["day"], _empty_day())[field] = row["count"]
    conversions = (
        Conversion.objects.filter(campaign=campaign, model=model)
        .annotate(day=TruncDate("placed_at", tzinfo=zone))
        .values("day")
        .annotate(orders=Sum("weight"), revenue=Sum("revenue"))
        .order_by()
    )
    for row in conversions:
        day = days.setdefault(row["day"], _empty_day())
        day["conversions"], day["revenue"] = _orders(row["orders"]), row["revenue"]
    return [{"date": day, **days[day]} for day in sorted(days)]


def _empty_day() -> dict:
    return {"sent": 0, "clicked": 0, "conversions": _orders(ZERO), "revenue": ZERO}


SEND_TIME_ARM_LABELS = {
    "best": "Each one's best hour",
    "explore": "A random hour (exploring)",
    "control": "The fixed hour (control)",
}


def send_time_arms(campaign: Campaign) -> list[dict]:
    """A best-hour campaign's arms: recipients queued, those who clicked, and clicks per recipient; [] otherwise."""
    clicked = Message.objects.filter(
        campaign_id=campaign.pk, customer_id=OuterRef("customer_id"), clicked_at__isnull=False
    )
    rows = (
        Assignment.objects.filter(campaign=campaign, status=Assignment.Status.QUEUED)
        .exclude(send_time_arm="")
        .annotate(has_clicked=Exists(clicked))
        .values("send_time_arm")
        .annotate(recipients=Count("pk"), clicked=Count("pk", filter=Q(has_clicked=True)))
    )
    found = {row["send_time_arm"]: row for row in rows}
    return [
        {
            "arm": arm,
            "label": label,
            "recipients": found[arm]["recipients"],
            "clicked": found[arm]["clicked"],
            "clicks_per_recipient": found[arm]["clicked"] / found[arm]["recipients"],
        }
        for arm, label in SEND_TIME_ARM_LABELS.items()
        if arm in found
    ]


@from_replica()
def campaign_results(campaign: Campaign, *, model: str = "last_touch", metric: str = "conversion") -> dict:
    """Everything the results page and API show; `model` and `metric` were checked by the caller."""
    messages = _messages_by_variant(campaign)
    assigned = _assignments_by_variant(campaign)
    conversions = _conversions_by_variant(campaign, model)
    discounts = _discounts_by_variant(campaign)
    prices = Prices(campaign.price_per_email, campaign.price_per_sms_segment, campaign.price_per_whatsapp)
    variants = []
    for variant in campaign.variants.select_related("template").prefetch_related("template__translations"):
        sent = messages.get(variant.name, {})
        arm = assigned.get(variant.pk, {})
        credited = conversions.get(variant.pk, {})
        recipients = arm.get("recipients", 0)
        converted = credited.get("converted", 0)
        revenue = credited.get("revenue") or ZERO
        discount = discounts.get(variant.pk, ZERO)
        sending = _message_price(variant, prices) * arm.get("queued", 0) if campaign.type == "broadcast" else ZERO
        variants.append(
            {
                "name": variant.name,
                "weight": variant.weight,
                "recipients": recipients,
                "queued": arm.get("queued", 0),
                "skipped": arm.get("skipped", 0) + sent.get("outbox_skipped", 0),
                **{count: sent.get(count, 0) for count in MESSAGE_COUNTS},
                "converted": converted,
                "conversions": _orders(credited.get("orders")),
                "conversion_rate": converted / recipients if recipients else 0.0,
                "revenue": revenue,
                "discount_cost": discount,
                "sending_cost": sending,
                "roi": _roi(revenue, discount + sending),
            }
        )
    progress = campaign_progress(campaign)
    totals = Conversion.objects.filter(campaign=campaign, model=model).aggregate(
        converted=Count("customer_id", distinct=True), orders=Sum("weight"), revenue=Sum("revenue")
    )
    revenue = totals["revenue"] or ZERO
    discount = sum(discounts.values(), ZERO)
    won = won_leads_credit(currency=campaign.currency, model=model, campaign_id=campaign.pk)
    decision = _winner(campaign, variants, metric)
    return {
        **progress,
        "model": model,
        "metric": metric,
        "audience_size": campaign.frozen,
        "holdout_size": campaign.held_out,
        "currency": campaign.currency,
        **{count: sum(v[count] for v in variants) for count in ("delivered", "opened", "clicked")},
        "converted": totals["converted"],
        "conversions": _orders(totals["orders"]),
        "revenue": revenue,
        "sending_cost": campaign.sending_cost,
        "discount_cost": discount,
        "leads": won.leads,
        "won_leads": won.count,
        "won_lead_value": won.value,
        "won_lead_revenue": won.revenue,
        "roi": _roi(revenue + won.revenue, discount + campaign.sending_cost),
        "variants": variants,
        "holdout": {
            "recipients": campaign.held_out,
            "would_skip": sum(campaign.holdout_skipped.values()),
            "would_skip_by_reason": progress["holdout_would_skip"],
        },
        "decision": decision,
        "lift": holdout_lift(campaign),
        "daily": daily_series(campaign, model),
        "send_times": send_time_arms(campaign),
    }
