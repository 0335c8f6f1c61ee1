"""Which promotions the customer page may offer a customer, narrowed by apps above promotions.

Pricing alone cannot tell that a promotion is not for someone when it is offered through something promotions
does not know: a loyalty reward's codes are issued only to members of the reward's program. An app above
registers a filter in two parts: `concerns()`, the promotions it may refuse anyone, each with what it needs to
judge them (read once per compiled index: the app's writes that change it bump the index version,
`promotions.services.definitions.index_version_bump`), and `not_for(customer, concerned)`, given those of them a
customer qualifies for, the ids the customer cannot get. A customer qualifying for none of them costs nothing.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from audiences.models import Customer


@dataclass(frozen=True)
class OfferFilter:
    concerns: Callable[[], Mapping[int, object]]  # promotion id → what `not_for` needs to judge it
    not_for: Callable[[Customer, Mapping[int, object]], set[int]]


_filters: list[OfferFilter] = []

# What each filter concerns, as read for one compiled index (those that concern none left out).
Concerned = tuple[tuple[OfferFilter, Mapping[int, object]], ...]


def register_offer_filter(*, concerns, not_for) -> None:
    offer_filter = OfferFilter(concerns=concerns, not_for=not_for)
    if offer_filter not in _filters:
        _filters.append(offer_filter)


def offer_filters_concerns() -> Concerned:
    """Read once per compiled index (one query per filter)."""
    read = ((offer_filter, offer_filter.concerns()) for offer_filter in _filters)
    return tuple((offer_filter, concerns) for offer_filter, concerns in read if concerns)


def promotions_not_offered(customer: Customer, promotion_ids: set[int], concerned: Concerned) -> set[int]:
    excluded: set[int] = set()
    for offer_filter, concerns in concerned:
        theirs = {pk: concerns[pk] for pk in promotion_ids & concerns.keys() if pk not in excluded}
        if theirs:
            excluded |= offer_filter.not_for(customer, theirs)
    return excluded
