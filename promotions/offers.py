"""Next best offer: the promotions a customer qualifies for now, ranked by what they are worth to the customer and
the retailer (promotions/offer_value.py), from the compiled index the storefront prices with (reads only)."""

import heapq
import weakref
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from audiences.currencies import exponent
from audiences.models import Customer
from promotions import storefront_cache
from promotions.customer_facts import customer_facts, provided_facts, providers_tag
from promotions.engine import PromotionUsage
from promotions.engine.index import PromotionIndex
from promotions.engine.money import to_units
from promotions.engine.types import PromotionRule, Trigger
from promotions.models import CustomerPromotionUsage, Promotion
from promotions.offer_filters import promotions_not_offered
from promotions.offer_table import OfferTable, qualifying_among
from promotions.offer_value import OfferValue, offer_value
from promotions.selectors import promotion_index

_tables: weakref.WeakKeyDictionary[PromotionIndex, OfferTable] = weakref.WeakKeyDictionary()


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
    moment = now or timezone.now()
    ready, to_check = _offer_table(index).open_at(moment, customer.currency)
    counted = [candidate.rule.id for candidate in to_check if candidate.rule.has_counters]
    stored = Promotion.objects.filter(pk__any_of=counted).values_list("pk", "used", "budget_spent") if counted else ()
    usage = {pk: PromotionUsage(used=used, budget_spent=spent) for pk, used, spent in stored}
    uses = dict(CustomerPromotionUsage.objects.filter(customer=customer).values_list("promotion_id", "used"))
    cached = storefront_cache.cached_facts(customer, versions, provided_facts, providers_tag()) if versions else None
    facts = customer_facts(customer, uses, cached)
    qualifying = qualifying_among(ready, to_check, now=moment, currency=customer.currency, facts=facts, usage=usage)
    codes = _shared_codes(candidate.rule.id for candidate in qualifying if candidate.rule.trigger == Trigger.CODE)
    # Code promotions without a shared code: their single-use codes go out in campaigns and journeys to the
    # customers chosen there, so nothing here can offer them.
    qualifying = [c for c in qualifying if c.rule.trigger != Trigger.CODE or c.rule.id in codes]
    not_offered = promotions_not_offered(customer, {c.rule.id for c in qualifying}) if qualifying else set()
    margin = Decimal(settings.OFFER_RETAILER_MARGIN).as_integer_ratio()
    usual: dict[str, int] = {}
    valued = []
    for candidate in qualifying:
        rule = candidate.rule
        if rule.id in not_offered:
            continue
        currency = rule.currency or customer.currency or "USD"
        usual_units = usual.get(currency)
        if usual_units is None:
            usual_units = usual[currency] = _usual_order_units(customer, currency)
        value = offer_value(rule, usual_units=usual_units, places=exponent(currency), margin=margin)
        valued.append((-value.expected_units, candidate.order, rule, currency, value))
    best = heapq.nsmallest(limit, valued) if limit is not None else sorted(valued)
    offers = [
        _offer(rule, currency, codes.get(rule.id, ""), value, usage.get(rule.id), uses.get(rule.id, 0))
        for _, _, rule, currency, value in best
    ]
    return CustomerOffers(offers=offers, qualifying=len(valued))


def _offer_table(index: PromotionIndex) -> OfferTable:
    """Built once per compiled index, so a new index version (any promotion saved) rebuilds it."""
    table = _tables.get(index)
    if table is None:
        table = _tables[index] = OfferTable(index.by_id)
    return table


def _shared_codes(promotion_ids) -> dict[int, str]:
    wanted = list(promotion_ids)
    if not wanted:
        return {}
    return dict(Promotion.objects.filter(pk__any_of=wanted).exclude(code="").values_list("pk", "code"))


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
