"""Crediting an order to campaigns when it is placed (the write side of attribution).

Runs inside the order's transaction through the order hook. One indexed query reads the customer's campaign
messages touched in the longest window (`message_customer_time` starts at the customer), one the assignments
naming the order's codes, one the credited campaigns' variants for the customer; `campaigns/attribution.py`
decides. Every model's credits are written, so reports choose a model without replaying touches.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from audiences.models import Order
from campaigns import attribution
from campaigns.models import Assignment, Campaign, Conversion
from campaigns.signals import campaign_converted
from messaging.models import Message

IN_STORE_CHANNEL = "pos"
# Each message timestamp and the touch it is; opens are read too (they never earn credit, attribution says).
TOUCH_FIELDS = {
    "sent_at": attribution.TouchKind.SENT,
    "delivered_at": attribution.TouchKind.DELIVERED,
    "opened_at": attribution.TouchKind.OPENED,
    "clicked_at": attribution.TouchKind.CLICKED,
}


def _longest_window(windows: attribution.Windows):
    receipts = [windows.receipt, *windows.receipt_by_channel.values()]
    return max([windows.click, *(window for window in receipts if window is not None)])


def customer_touches(*, customer_id: int, placed_at: datetime, windows=attribution.DEFAULT_WINDOWS) -> list:
    """The customer's campaign touches in the longest window before `placed_at` (later ones never count)."""
    since = placed_at - _longest_window(windows)
    in_window = Q()
    for name in TOUCH_FIELDS:
        in_window |= Q(**{f"{name}__gte": since, f"{name}__lte": placed_at})
    rows = (
        Message.objects.filter(customer_id=customer_id, campaign_id__isnull=False)
        .filter(in_window)
        .values_list("campaign_id", "channel", *TOUCH_FIELDS)
    )
    return [
        attribution.Touch(campaign_id, customer_id, kind, channel, at)
        for campaign_id, channel, *moments in rows
        for kind, at in zip(TOUCH_FIELDS.values(), moments, strict=True)
        if at is not None
    ]


def coupon_campaign_ids(codes: Iterable[str]) -> tuple[int, ...]:
    """The campaigns whose unique coupons these are, in the order the codes were applied."""
    wanted = [code.strip().upper() for code in codes]
    if not wanted:
        return ()
    by_code = dict(
        Assignment.objects.filter(coupon_code__in=wanted)
        .exclude(coupon_code="")
        .values_list("coupon_code", "campaign_id")
    )
    return tuple(dict.fromkeys(by_code[code] for code in wanted if code in by_code))


def conversions_record(*, order: Order, applied_codes: Iterable[str]) -> int | None:
    """Write the order's credits under every model; answer the last-touch campaign (None: no campaign)."""
    attributed = attribution.Order(
        order_id=order.pk,
        customer_id=order.customer_id,
        placed_at=order.placed_at,
        revenue=order.total,
        coupon_campaign_ids=coupon_campaign_ids(applied_codes),
        in_store=order.channel == IN_STORE_CHANNEL,
    )
    touches = (
        customer_touches(customer_id=order.customer_id, placed_at=order.placed_at)
        if order.customer_id is not None and not attributed.coupon_campaign_ids
        else []
    )
    credits = {
        model: attribution.attribute_order(attributed, touches, model=model) for model in attribution.AttributionModel
    }
    if not credits[attribution.AttributionModel.LAST_TOUCH]:
        return None
    campaign_ids = {credit.campaign_id for model_credits in credits.values() for credit in model_credits}
    variants = dict(
        Assignment.objects.filter(customer_id=order.customer_id, campaign_id__in=campaign_ids).values_list(
            "campaign_id", "variant_id"
        )
        if order.customer_id is not None
        else ()
    )
    Conversion.objects.bulk_create(
        Conversion(
            order=order,
            campaign_id=credit.campaign_id,
            variant_id=variants.get(credit.campaign_id),
            customer_id=order.customer_id,
            model=model,
            basis=credit.basis,
            weight=credit.weight,
            revenue=credit.revenue,
            placed_at=order.placed_at,
            in_store=attributed.in_store,
        )
        for model, model_credits in credits.items()
        for credit in model_credits
    )
    campaign_id = credits[attribution.AttributionModel.LAST_TOUCH][0].campaign_id
    transaction.on_commit(lambda: _announce(order, campaign_id))
    return campaign_id


def _announce(order: Order, campaign_id: int) -> None:
    if not campaign_converted.has_listeners():
        return
    campaign = Campaign.objects.get(pk=campaign_id)
    variant = (
        Assignment.objects.filter(campaign_id=campaign_id, customer_id=order.customer_id)
        .values_list("variant__name", flat=True)
        .first()
    )
    campaign_converted.send(
        sender=Campaign, campaign=campaign, customer=order.customer, order=order, variant=variant or ""
    )


def conversions_remove(*, order: Order) -> None:
    """A cancelled order earns no campaign anything."""
    Conversion.objects.filter(order=order).delete()
