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
from promotions.engine.types import PromotionRule
from promotions.models import CustomerPromotionUsage, Promotion
from promotions.offer_filters import Concerned, offer_filters_concerns, promotions_not_offered
from promotions.offer_table import OfferTable, qualifying_among
from promotions.offer_value import OfferValue, Worth, offer_value
from promotions.selectors import promotion_index


@dataclass(frozen=True)
class _IndexOffers:
    """What next best offer reads of one compiled index."""

    offers: OfferTable
    concerned: Concerned  # what the apps' offer filters may refuse


_tables: weakref.WeakKeyDictionary[PromotionIndex, _IndexOffers] = weakref.WeakKeyDictionary()


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


def _usual_order_units(customer: Customer, currency: str, places: int) -> int:
    """Their average order in that currency, in minor units; a first order's configured size before they have one."""
    if customer.orders_count and customer.currency == currency and customer.total_spent > 0:
        return to_units(customer.total_spent / customer.orders_count, places)
    baskets = settings.OFFER_FIRST_ORDER_BASKET
    return to_units(Decimal(baskets.get(currency, baskets["*"])), places)


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
    table = _offer_table(index)
    moment = now or timezone.now()
    ready, to_check = table.offers.open_at(moment, customer.currency)
    counted = [candidate.rule.id for candidate in to_check if candidate.rule.has_counters]
    stored = Promotion.objects.filter(pk__any_of=counted).values_list("pk", "used", "budget_spent") if counted else ()
    usage = {pk: PromotionUsage(used=used, budget_spent=spent) for pk, used, spent in stored}
    uses = dict(CustomerPromotionUsage.objects.filter(customer=customer).values_list("promotion_id", "used"))
    cached = storefront_cache.cached_facts(customer, versions, provided_facts, providers_tag()) if versions else None
    facts = customer_facts(customer, uses, cached)
    qualifying = qualifying_among(ready, to_check, now=moment, currency=customer.currency, facts=facts, usage=usage)
    ids = {c.rule.id for c in qualifying} if table.concerned else set()
    not_offered = promotions_not_offered(customer, ids, table.concerned) if ids else set()
    margin = Decimal(settings.OFFER_RETAILER_MARGIN).as_integer_ratio()
    fallback = customer.currency or "USD"
    # Per currency: its exponent, the customer's usual order in it, and the offers' expected values by worth.
    terms: dict[str, tuple[int, int, dict[Worth, int]]] = {}
    ranking = []
    for candidate in qualifying:
        rule = candidate.rule
        if rule.id in not_offered:
            continue
        currency = rule.currency or fallback
        term = terms.get(currency)
        if term is None:
            places = exponent(currency)
            term = terms[currency] = (places, _usual_order_units(customer, currency, places), {})
        places, usual_units, known = term
        worth = candidate.worth
        expected = known.get(worth)
        if expected is None:
            expected = known[worth] = worth.expected_units(usual_units, places, margin)
        ranking.append((-expected, candidate.order, candidate))
    best = heapq.nsmallest(limit, ranking) if limit is not None else sorted(ranking)
    offers = []
    for _, _, candidate in best:
        rule = candidate.rule
        currency = rule.currency or fallback
        places, usual_units, _ = terms[currency]
        value = offer_value(rule, usual_units=usual_units, places=places, margin=margin)
        offers.append(_offer(rule, currency, candidate.code, value, usage.get(rule.id), uses.get(rule.id, 0)))
    return CustomerOffers(offers=offers, qualifying=len(ranking))


def _offer_table(index: PromotionIndex) -> _IndexOffers:
    """Built once per compiled index, so a new index version (any promotion saved, or what an offer filter reads
    changed) rebuilds it."""
    table = _tables.get(index)
    if table is None:
        shared = Promotion.objects.filter(pk__any_of=list(index.by_id)).exclude(code="").values_list("pk", "code")
        table = _tables[index] = _IndexOffers(
            offers=OfferTable(index.by_id, shared_codes=dict(shared)), concerned=offer_filters_concerns()
        )
    return table


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
