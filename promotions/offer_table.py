"""The customer-independent part of next best offer, worked out once per compiled index (no database).

A promotion offered to a customer is checked in a context made for it (its own first store, channel and
payment method, a cart in its own currency), so of `static_reason`'s checks only its status, its validity
window and what concerns the customer (conditions, per-customer limit, counters and budget) can refuse it.
The status is settled here; the window is kept, not judged, since time passes while the index lives; each
request compares its own moment and runs the full check only for rules with customer conditions or counters.
A code promotion is offered with its shared code; one without (its single-use codes go out in campaigns and
journeys to the customers chosen there) is not in the table.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from promotions.engine.evaluate import static_reason
from promotions.engine.types import (
    HELD,
    Cart,
    Context,
    CustomerFacts,
    PromotionRule,
    PromotionStatus,
    PromotionUsage,
    Trigger,
)
from promotions.offer_value import Worth, worths_of


@dataclass(frozen=True, slots=True)
class OfferCandidate:
    rule: PromotionRule
    starts_at: datetime | None
    ends_at: datetime | None
    checks_customer: bool  # conditions, a per-customer limit, counters or a budget: run the full check
    order: int  # the ranking's tie-break (higher priority, then name, then id) as one small int
    code: str  # the shared code a code promotion is used with ("" for an automatic one)
    worth: Worth  # its expected value for a customer's usual order (shared by equal rewards and thresholds)


class OfferTable:
    """The promotions that may ever be offered, each with what a request still has to check."""

    __slots__ = ("candidates",)

    def __init__(self, rules: Mapping[int, PromotionRule], *, shared_codes: Mapping[int, str]):
        """`shared_codes`: promotion id → the shared code of those that have one."""
        offerable = [
            rule
            for rule in rules.values()
            if rule.status not in HELD
            and rule.status != PromotionStatus.EXPIRED
            and (rule.trigger != Trigger.CODE or shared_codes.get(rule.id))
        ]
        tie_break = sorted(offerable, key=lambda rule: (-rule.priority, rule.name, rule.id))
        order = {rule.id: position for position, rule in enumerate(tie_break)}
        worths = worths_of(offerable)
        self.candidates = [
            OfferCandidate(
                rule=rule,
                starts_at=rule.starts_at,
                ends_at=rule.ends_at,
                checks_customer=bool(
                    rule.eligibility.conditions or rule.usage_limit_per_customer is not None or rule.has_counters
                ),
                order=order[rule.id],
                code=shared_codes.get(rule.id, "") if rule.trigger == Trigger.CODE else "",
                worth=worths[rule.id],
            )
            for rule in offerable
        ]

    def open_at(self, now: datetime, currency: str) -> tuple[list[OfferCandidate], list[OfferCandidate]]:
        """Those open at `now` for a customer paying in `currency` (empty: not known yet), split into those that
        qualify as they are and those whose customer checks are left to run."""
        ready, to_check = [], []
        for candidate in self.candidates:
            rule = candidate.rule
            if rule.currency and currency and rule.currency != currency:
                continue  # an amount in another currency: none of their carts can have it
            if (candidate.starts_at is not None and now < candidate.starts_at) or (
                candidate.ends_at is not None and now >= candidate.ends_at
            ):
                continue
            (to_check if candidate.checks_customer else ready).append(candidate)
        return ready, to_check


def qualifying_among(
    ready: list[OfferCandidate],
    to_check: list[OfferCandidate],
    *,
    now: datetime,
    currency: str,
    facts: CustomerFacts,
    usage: Mapping[int, PromotionUsage],
) -> list[OfferCandidate]:
    """`ready` and those of `to_check` that pricing would give this customer: each checked in a context made for
    it (its own first store, channel and payment method) and an empty cart in its currency."""
    qualifying = list(ready)
    contexts: dict[tuple, Context] = {}
    carts: dict[str, Cart] = {}
    for candidate in to_check:
        rule = candidate.rule
        where = (
            next(iter(rule.stores), None),
            next(iter(rule.channels), None),
            next(iter(rule.eligibility.payment_methods), None),
        )
        context = contexts.get(where)
        if context is None:
            store, channel, payment_method = where
            context = contexts[where] = Context(
                now=now, store=store, channel=channel, payment_method=payment_method, customer=facts, usage=usage
            )
        cart_currency = rule.currency or currency or "USD"
        cart = carts.get(cart_currency) or carts.setdefault(cart_currency, Cart(currency=cart_currency, lines=()))
        if static_reason(rule, cart, context, None) is None:
            qualifying.append(candidate)
    return qualifying
