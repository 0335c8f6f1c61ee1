"""Next best offer: the promotions a customer qualifies for now, ranked by what they are worth to the customer and
the retailer (promotions/offer_value.py), from the compiled index the storefront prices with (reads only)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from audiences.currencies import exponent
from audiences.models import Customer
from promotions import storefront_cache
from promotions.customer_facts import customer_facts, provided_facts, providers_tag
from promotions.engine import Cart, Context, PromotionUsage
from promotions.engine.evaluate import static_reason
from promotions.engine.types import PromotionRule
from promotions.models import CustomerPromotionUsage, Promotion
from promotions.offer_filters import promotions_not_offered
from promotions.offer_value import OfferValue, offer_value, ranked
from promotions.selectors import promotion_index


@dataclass(frozen=True)
class Offer:
    rule: PromotionRule
    currency: str
    code: str  # the shared code, if the promotion is used with one
    value: OfferValue
    uses_left: int | None  # None: no limit
    customer_uses_left: int | None
    budget_left: Decimal | None


def _usual_order(customer: Customer, currency: str) -> Decimal:
    """Their average order in that currency; a first order's configured size before they have one."""
    if customer.orders_count and customer.currency == currency and customer.total_spent > 0:
        return customer.total_spent / customer.orders_count
    baskets = settings.OFFER_FIRST_ORDER_BASKET
    return Decimal(baskets.get(currency, baskets["*"]))


def customer_offers(
    *, customer: Customer, versions: storefront_cache.PricingVersions | None = None, now: datetime | None = None
) -> list[Offer]:
    """The live promotions this customer may get now, as pricing decides it (dates, the customer's conditions,
    limits and budget), for a cart that meets the rest (its store, channel, payment method, items) in the
    customer's currency, less what an app above says the customer cannot be offered (`promotions.offer_filters`);
    the best first. With `versions` (a storefront request), the customer's facts come from the storefront cache."""
    index = promotion_index(versions.index if versions else None)
    rules = index.by_id
    counted = [pk for pk, rule in rules.items() if rule.has_counters]
    stored = Promotion.objects.filter(pk__in=counted).values_list("pk", "used", "budget_spent") if counted else ()
    usage = {pk: PromotionUsage(used=used, budget_spent=spent) for pk, used, spent in stored}
    uses = dict(CustomerPromotionUsage.objects.filter(customer=customer).values_list("promotion_id", "used"))
    cached = storefront_cache.cached_facts(customer, versions, provided_facts, providers_tag()) if versions else None
    facts = customer_facts(customer, uses, cached)
    moment = now or timezone.now()
    qualifying = set()
    for rule in rules.values():
        if rule.currency and customer.currency and rule.currency != customer.currency:
            continue  # an amount in another currency: none of their carts can have it
        context = Context(
            now=moment,
            store=next(iter(rule.stores), None),
            channel=next(iter(rule.channels), None),
            payment_method=next(iter(rule.eligibility.payment_methods), None),
            customer=facts,
            usage=usage,
        )
        cart = Cart(currency=rule.currency or customer.currency or "USD", lines=())
        if static_reason(rule, cart, context, None) is None:
            qualifying.add(rule.id)
    offered = qualifying - promotions_not_offered(customer, qualifying) if qualifying else set()
    margin = Decimal(settings.OFFER_RETAILER_MARGIN)
    currencies = {pk: rules[pk].currency or customer.currency or "USD" for pk in offered}
    values = {
        pk: offer_value(rules[pk], usual=_usual_order(customer, currency), places=exponent(currency), margin=margin)
        for pk, currency in currencies.items()
    }
    shared = Promotion.objects.filter(pk__in=offered).exclude(code="").values_list("pk", "code") if offered else ()
    codes = dict(shared)
    return [
        _offer(rules[pk], currencies[pk], codes.get(pk, ""), values[pk], usage.get(pk), uses.get(pk, 0))
        for pk in ranked(values, rules)
    ]


def _offer(
    rule: PromotionRule, currency: str, code: str, value: OfferValue, usage: PromotionUsage | None, used: int
) -> Offer:
    usage = usage or PromotionUsage()
    return Offer(
        rule=rule,
        currency=currency,
        code=code,
        value=value,
        uses_left=None if rule.usage_limit is None else rule.usage_limit - usage.used,
        customer_uses_left=None if rule.usage_limit_per_customer is None else rule.usage_limit_per_customer - used,
        budget_left=None if rule.budget is None else rule.budget - usage.budget_spent,
    )
