"""Cancelling an order gives back everything its promotions claimed, by whichever door it came.

`audiences.services.orders.order_cancel` is the one path that cancels an order. Promotions registers
`order_claims_release` as one of its cancel steps (see `PromotionsConfig.ready`), so the admin
action and the API alike release the order's uses, per-customer counts and budget, and run the
cancel hooks, once, in the transaction that cancels it. The answer is recorded on the order's
`OrderPricing` and replayed by every later cancel.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audiences.currencies import quantize
from audiences.models import Order
from audiences.services.orders import order_cancel
from promotions.models import CustomerPromotionUsage, OrderPricing, Promotion, PromotionCode, Redemption
from promotions.order_hooks import cancel_answer_defaults, run_cancel_hooks


def order_claims_release(*, order: Order) -> dict:
    """Give back every use, per-customer count and budget the order took, run the cancel hooks and
    record the answer. Runs inside the caller's transaction; a second call replays the answer."""
    pricing = OrderPricing.objects.select_for_update().filter(order=order).first()
    if pricing is not None and pricing.cancellation:
        return pricing.cancellation
    redemptions = list(
        Redemption.objects.select_for_update(of=("self",))
        .select_related("code")
        .filter(order=order, status=Redemption.Status.ACTIVE)
        .order_by("promotion_id")
    )
    # The hooks first, as placing runs them before its claims (a member row, then the promotions' rows): a cancel
    # and a concurrent order cannot deadlock, and the shared rows are held only to the commit.
    hook_fields = run_cancel_hooks(order=order)
    # Rows are updated in the order claims take them (promotion, then code) for the same reason.
    for redemption in redemptions:
        Promotion.objects.filter(pk=redemption.promotion_id).update(
            used=F("used") - 1, budget_spent=F("budget_spent") - redemption.amount
        )
    for redemption in sorted((r for r in redemptions if r.code_id), key=lambda r: r.code_id):
        PromotionCode.objects.filter(pk=redemption.code_id).update(used=F("used") - 1)
    for redemption in redemptions:
        if redemption.customer_id:
            CustomerPromotionUsage.objects.filter(
                promotion_id=redemption.promotion_id, customer_id=redemption.customer_id, used__gt=0
            ).update(used=F("used") - 1)
    Redemption.objects.filter(pk__in=[r.pk for r in redemptions]).update(
        status=Redemption.Status.RELEASED, released_at=timezone.now()
    )
    cancellation = _cancellation_answer(order, redemptions, hook_fields)
    if pricing is not None:
        pricing.cancellation = cancellation
        pricing.save(update_fields=["cancellation"])
    return cancellation


@transaction.atomic
def order_release(*, order: Order) -> dict:
    """Cancel the order (`POST /orders/{id}/cancel`) and answer what was given back. Idempotent."""
    order, _ = order_cancel(order=order)
    pricing = OrderPricing.objects.filter(order=order).only("cancellation").first()
    if pricing is None:
        # Recorded by an import: it claimed nothing.
        return _cancellation_answer(order, [], cancel_answer_defaults())
    if pricing.cancellation:
        return pricing.cancellation
    # Cancelled before cancelling released claims (the admin action did not, until this was
    # registered as a cancel step): release them now, once.
    return order_claims_release(order=order)


def _cancellation_answer(order: Order, redemptions: list[Redemption], hook_fields: dict) -> dict:
    return {
        "order": order.external_id,
        "status": order.status,
        "currency": order.currency,
        "released": [
            {
                "promotion": r.promotion_id,
                "code": r.code.code if r.code_id else None,
                "amount": str(quantize(r.amount, order.currency)),
            }
            for r in redemptions
        ],
        "released_discount": str(quantize(sum((r.amount for r in redemptions), Decimal(0)), order.currency)),
        **hook_fields,
    }
