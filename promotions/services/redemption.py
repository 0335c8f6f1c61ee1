"""Redemption: claiming an order's uses, then writing them to the ledger, inside the order's transaction.

Exactness under concurrency comes from the database, never from Python: each use is claimed by a
conditional UPDATE (`used = used + 1 WHERE used < usage_limit`, `budget_spent + amount <= budget`),
and check constraints back it up. There are three kinds of claim, always made in the same order
(the promotions by id, then their codes by id, then the customer's uses) so that concurrent orders
cannot deadlock; the first that fails refuses the whole order with its reason.
"""

from __future__ import annotations

from django.db.models import F, Q, Value

from audiences.models import Customer, Order
from promotions.engine.evaluate import normalize_code
from promotions.engine.reasons import reason_message
from promotions.engine.types import Applied, Reason
from promotions.errors import RedemptionConflict
from promotions.models import CustomerPromotionUsage, Promotion, PromotionCode, Redemption
from promotions.selectors import Pricing


def redemptions_claim(*, order: Order, pricing: Pricing, customer: Customer | None) -> None:
    """Claim every use the order's pricing applied and record each in the ledger; a RedemptionConflict
    names the first that can no longer be claimed."""
    if not pricing.result.applied:  # most orders: nothing to claim, not even an empty statement to build
        return
    currency = pricing.result.currency
    applied = sorted(pricing.result.applied, key=lambda item: item.promotion_id)
    _promotion_uses_claim(applied, currency)
    codes = {item.promotion_id: pricing.codes[normalize_code(item.code)] for item in applied if item.code}
    _code_uses_claim(codes, currency)
    if customer is not None:
        _customer_uses_claim(applied, customer, currency)
    Redemption.objects.bulk_create(
        Redemption(
            order=order,
            promotion_id=item.promotion_id,
            code=codes.get(item.promotion_id),
            customer=customer,
            amount=item.amount,
            currency=currency,
        )
        for item in applied
    )


def _promotion_uses_claim(applied: list[Applied], currency: str) -> None:
    """One use of each promotion and its amount of the budget, within its usage limit and budget."""
    for item in applied:
        within_limits = (Q(usage_limit__isnull=True) | Q(used__lt=F("usage_limit"))) & (
            Q(budget__isnull=True) | Q(budget_spent__lte=F("budget") - Value(item.amount))
        )
        if not Promotion.objects.filter(within_limits, pk=item.promotion_id).update(
            used=F("used") + 1, budget_spent=F("budget_spent") + item.amount
        ):
            promotion = Promotion.objects.get(pk=item.promotion_id)
            usage_left = promotion.usage_limit is None or promotion.used < promotion.usage_limit
            reason = Reason.BUDGET_EXHAUSTED if usage_left else Reason.USAGE_LIMIT_REACHED
            raise _conflict(reason, promotion_id=item.promotion_id, code=item.code, currency=currency)


def _code_uses_claim(codes: dict[int, PromotionCode], currency: str) -> None:
    """One use of each code (promotion id to the code that triggered it), within the code's own limit."""
    for promotion_id, code in sorted(codes.items(), key=lambda pair: pair[1].pk):
        if not PromotionCode.objects.filter(
            Q(usage_limit__isnull=True) | Q(used__lt=F("usage_limit")), pk=code.pk
        ).update(used=F("used") + 1):
            raise _conflict(Reason.USAGE_LIMIT_REACHED, promotion_id=promotion_id, code=code.code, currency=currency)


def _customer_uses_claim(applied: list[Applied], customer: Customer, currency: str) -> None:
    """One use of each promotion by the customer, within its limit per customer."""
    CustomerPromotionUsage.objects.bulk_create(
        [CustomerPromotionUsage(promotion_id=item.promotion_id, customer=customer) for item in applied],
        ignore_conflicts=True,
    )
    limits = dict(
        Promotion.objects.filter(pk__in=[item.promotion_id for item in applied]).values_list(
            "pk", "usage_limit_per_customer"
        )
    )
    for item in applied:
        limit = limits[item.promotion_id]
        usage = CustomerPromotionUsage.objects.filter(promotion_id=item.promotion_id, customer=customer)
        if limit is not None:
            usage = usage.filter(used__lt=limit)
        if not usage.update(used=F("used") + 1):
            raise _conflict(
                Reason.CUSTOMER_LIMIT_REACHED, promotion_id=item.promotion_id, code=item.code, currency=currency
            )


def _conflict(reason: str, *, promotion_id: int, code: str | None, currency: str) -> RedemptionConflict:
    rule_name = Promotion.objects.filter(pk=promotion_id).values_list("name", flat=True).first()
    return RedemptionConflict(
        reason=reason,
        message=reason_message(reason, code or rule_name or "", None, currency),
        coupon=code,
        promotion=promotion_id,
    )
