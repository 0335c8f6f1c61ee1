"""Which promotions the customer page may offer a customer, narrowed by apps above promotions.

Pricing alone cannot tell that a promotion is not for someone when it is offered through something promotions
does not know: a loyalty reward's codes are issued only to members of the reward's program. An app above
registers a filter that, given a customer and promotion ids, returns those of the ids the customer cannot get.
"""

from collections.abc import Callable

from audiences.models import Customer

OfferFilter = Callable[[Customer, set[int]], set[int]]

_filters: list[OfferFilter] = []


def register_offer_filter(offer_filter: OfferFilter) -> None:
    if offer_filter not in _filters:
        _filters.append(offer_filter)


def promotions_not_offered(customer: Customer, promotion_ids: set[int]) -> set[int]:
    excluded: set[int] = set()
    for offer_filter in _filters:
        excluded |= offer_filter(customer, promotion_ids - excluded)
    return excluded
