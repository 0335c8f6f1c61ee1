"""Why a code was refused: the machine reason, the one condition behind a general reason
(`detail`), and the sentence a shopper reads. Only refusals reach here, never the pricing path.
"""

from __future__ import annotations

from audiences.payment_methods import payment_method_labels
from promotions.engine.conditions import condition
from promotions.engine.types import Cart, CodeResult, Context, PromotionRule, Reason, SubtotalBasis

MESSAGES = {
    Reason.NOT_FOUND: "No promotion has the code {code}.",
    Reason.INACTIVE: "The promotion of {code} is not running.",
    Reason.NOT_STARTED: "This code can be used from {starts_at}.",
    Reason.EXPIRED: "This code expired on {ends_at}.",
    Reason.USAGE_LIMIT_REACHED: "This code has been used as many times as it may be.",
    Reason.CUSTOMER_LIMIT_REACHED: "This customer has already used this code as often as allowed.",
    Reason.BUDGET_EXHAUSTED: "This promotion's budget has been spent.",
    Reason.MIN_SUBTOTAL_NOT_MET: "Spend at least {min_subtotal} {currency} to use this code.",
    Reason.NOT_ELIGIBLE_CUSTOMER: "This code is not available to this customer.",
    Reason.NOT_ELIGIBLE_STORE: "This code is not valid in this store, channel or currency.",
    Reason.NO_APPLICABLE_ITEMS: "No item in the cart qualifies for this code.",
    Reason.NOT_COMBINABLE: "This code cannot be combined with the other promotions in the cart.",
    Reason.CUSTOMER_REQUIRED: "Sign in to use this code.",
    Reason.NOT_ELIGIBLE_PAYMENT_METHOD: "Pay with {payment_methods} to use this code.",
}

# A threshold read on the targeted lines only (`subtotal_basis: targeted`) says so.
TARGETED_MIN_SUBTOTAL = "Spend at least {min_subtotal} {currency} on the items this code covers to use it."

# The specific messages behind `not_eligible_store`, by its detail.
STORE_MESSAGES = {
    "currency": "This code is valid for {currency} carts only.",
    "store": "This code is not valid in this store.",
    "channel": "This code is not valid on this channel.",
}


def reason_message(reason: str, code: str, rule: PromotionRule | None, currency: str) -> str:
    threshold = None
    if rule is not None:
        threshold = rule.eligibility.min_subtotal
        if threshold is None:
            threshold = rule.reward.threshold
    template = MESSAGES[reason]
    if reason == Reason.MIN_SUBTOTAL_NOT_MET and rule and rule.eligibility.subtotal_basis == SubtotalBasis.TARGETED:
        template = TARGETED_MIN_SUBTOTAL
    return template.format(
        code=code,
        starts_at=rule.starts_at.date().isoformat() if rule and rule.starts_at else "",
        ends_at=rule.ends_at.date().isoformat() if rule and rule.ends_at else "",
        min_subtotal=threshold if threshold is not None else "",
        currency=currency,
        payment_methods=payment_method_labels(rule.eligibility.payment_methods if rule else ()),
    )


def refusal_detail(reason: str, rule: PromotionRule, cart: Cart, context: Context) -> tuple[str, str] | None:
    """(detail, message) naming the one condition behind a general reason, checked in the order
    `static_reason` checks them; None for reasons that are specific already."""
    if reason == Reason.NOT_ELIGIBLE_STORE:
        if rule.currency and rule.currency != cart.currency:
            return "currency", STORE_MESSAGES["currency"].format(currency=rule.currency)
        if rule.stores and context.store not in rule.stores:
            return "store", STORE_MESSAGES["store"]
        return "channel", STORE_MESSAGES["channel"]
    if reason == Reason.NOT_ELIGIBLE_CUSTOMER:
        for name, value in rule.eligibility.conditions:
            registered = condition(name)
            if registered is None:  # registered by an app that is not installed
                return name, MESSAGES[Reason.NOT_ELIGIBLE_CUSTOMER]
            if not registered.check(value, context.customer):
                return name, registered.message.format(value=registered.describe(value))
    return None


def rejected(code: str, reason: str, rule: PromotionRule | None, cart: Cart, context: Context) -> CodeResult:
    detail = refusal_detail(reason, rule, cart, context) if rule is not None else None
    return CodeResult(
        code=code,
        status="rejected",
        reason=reason,
        message=detail[1] if detail else reason_message(reason, code, rule, cart.currency),
        promotion_id=rule.id if rule else None,
        detail=detail[0] if detail else None,
    )
