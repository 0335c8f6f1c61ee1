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
from promotions.engine.money import to_units
from promotions.engine.types import PromotionRule, Trigger
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


@dataclass(frozen=True)
class CustomerOffers:
    offers: list[Offer]  # the best first, as many as asked for
    qualifying: int  # how many the customer qualifies for


def _usual_order_units(customer: Customer, currency: str) -> int:
    """Their average order in that currency, in minor units; a first order's configured size before they have one."""
    if customer.orders_count and customer.currency == currency and customer.total_spent > 0:
        return to_units(customer.total_spent / customer.orders_count, exponent(currency))
    baskets = settings.OFFER_FIRST_ORDER_BASKET
    return to_units(Decimal(baskets.get(currency, baskets["*"])), exponent(currency))


def customer_offers(
    *,
    customer: Customer,
    versions: storefront_cache.PricingVersions | None = None,
    now: datetime | None = None,
    limit: int | None = None,
) -> CustomerOffers:
    """The live promotions this customer may get now, as pricing decides it (dates, the customer's conditions,
    limits and budget), for a cart that meets the rest (its store, channel, payment method, items) in the
    customer's currency, less what an app above says the customer cannot be offered (`promotions.offer_filters`);
    the best `limit` first, and how many there are. With `versions` (a storefront request), the customer's facts
    come from the storefront cache."""
    index = promotion_index(versions.index if versions else None)
    rules = index.by_id
    counted = [pk for pk, rule in rules.items() if rule.has_counters]
    stored = Promotion.objects.filter(pk__any_of=counted).values_list("pk", "used", "budget_spent") if counted else ()
    usage = {pk: PromotionUsage(used=used, budget_spent=spent) for pk, used, spent in stored}
    uses = dict(CustomerPromotionUsage.objects.filter(customer=customer).values_list("promotion_id", "used"))
    cached = storefront_cache.cached_facts(customer, versions, provided_facts, providers_tag()) if versions else None
    facts = customer_facts(customer, uses, cached)
    moment = now or timezone.now()
    qualifying = set()
    contexts: dict[tuple, Context] = {}
    carts: dict[str, Cart] = {}
    for rule in rules.values():
        if rule.currency and customer.currency and rule.currency != customer.currency:
            continue  # an amount in another currency: none of their carts can have it
        where = (
            next(iter(rule.stores), None),
            next(iter(rule.channels), None),
            next(iter(rule.eligibility.payment_methods), None),
        )
        context = contexts.get(where)
        if context is None:
            store, channel, payment_method = where
            context = contexts[where] = Context(
                now=moment, store=store, channel=channel, payment_method=payment_method, customer=facts, usage=usage
            )
        currency = rule.currency or customer.currency or "USD"
        cart = carts.get(currency) or carts.setdefault(currency, Cart(currency=currency, lines=()))
        if static_reason(rule, cart, context, None) is None:
            qualifying.add(rule.id)
    qualifying -= _given_only_as_unique_codes(rules, qualifying)
    offered = qualifying - promotions_not_offered(customer, qualifying) if qualifying else set()
    margin = Decimal(settings.OFFER_RETAILER_MARGIN).as_integer_ratio()
    currencies = {pk: rules[pk].currency or customer.currency or "USD" for pk in offered}
    usual = {currency: _usual_order_units(customer, currency) for currency in set(currencies.values())}
    values = {
        pk: offer_value(rules[pk], usual_units=usual[currency], places=exponent(currency), margin=margin)
        for pk, currency in currencies.items()
    }
    best = ranked(values, rules)[:limit]
    shared = Promotion.objects.filter(pk__any_of=best).exclude(code="").values_list("pk", "code") if best else ()
    codes = dict(shared)
    offers = [
        _offer(rules[pk], currencies[pk], codes.get(pk, ""), values[pk], usage.get(pk), uses.get(pk, 0)) for pk in best
    ]
    return CustomerOffers(offers=offers, qualifying=len(values))


def _given_only_as_unique_codes(rules: dict[int, PromotionRule], qualifying: set[int]) -> set[int]:
    """Code promotions without a shared code: their single-use codes go out in campaigns and journeys to the
    customers chosen there, so nothing here can offer them."""
    by_code = [pk for pk in qualifying if rules[pk].trigger == Trigger.CODE]
    if not by_code:
        return set()
    shared = Promotion.objects.filter(pk__any_of=by_code).exclude(code="").values_list("pk", flat=True)
    return set(by_code) - set(shared)


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
