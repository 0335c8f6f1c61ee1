"""Next best offer for the storefront: `GET /customers/{id}/offers`."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from config.api.views import StorefrontView, validated
from promotions.api import examples
from promotions.api.serializers import OffersOutput, OffersQuery, money_string
from promotions.api.views import cached_customer_or_404
from promotions.offers import Offer, customer_offers
from promotions.storefront_cache import pricing_versions


def offer_payload(rank: int, offer: Offer) -> dict:
    rule, value, currency = offer.rule, offer.value, offer.currency
    return {
        "rank": rank,
        "promotion": rule.id,
        "name": rule.name,
        "trigger": str(rule.trigger),
        "code": offer.code or None,
        "reward_type": rule.reward.type,
        "ends_at": rule.ends_at.isoformat() if rule.ends_at else None,
        "stores": sorted(rule.stores),
        "channels": sorted(rule.channels),
        "currency": currency,
        "basket": money_string(value.basket, currency),
        "saving": money_string(value.saving, currency),
        "expected_value": money_string(value.expected, currency),
        "uses_left": offer.uses_left,
        "customer_uses_left": offer.customer_uses_left,
        "budget_left": money_string(offer.budget_left, currency),
    }


class CustomerOffersView(StorefrontView):
    @extend_schema(
        parameters=[OffersQuery],
        responses=OffersOutput,
        examples=[examples.OFFERS_OUTPUT],
        description="The promotions this customer qualifies for now (dates, segments, tier, their uses left, "
        "the promotion's uses and budget left), best first by expected value for the customer and the retailer. "
        "A cart still has to meet each promotion's own conditions (items, threshold, store, channel). Reads only, "
        "from the index carts are priced with.",
    )
    def get(self, request, external_id):
        limit = validated(OffersQuery, request.query_params)["limit"]
        customer, versions = cached_customer_or_404(external_id, pricing_versions())
        found = customer_offers(customer=customer, versions=versions, limit=limit)
        return Response(
            {
                "customer": customer.external_id,
                "qualifying": found.qualifying,
                "offers": [offer_payload(rank, offer) for rank, offer in enumerate(found.offers, start=1)],
            }
        )
