"""What promotions know about a customer when pricing, extended by apps above promotions.

`segments` are the customer's current memberships (audiences: refresh, live recheck); loyalty registers a provider for
`loyalty_tier`. A provider takes a Customer and returns a dict of CustomerFacts fields
(`segments`, `loyalty_tier`) or `extra` entries for registered conditions.
"""

from collections.abc import Callable

from audiences.models import Customer
from audiences.segments.selectors import customer_segment_codes
from promotions.engine.types import CustomerFacts

FactsProvider = Callable[[Customer], dict]

_providers: list[FactsProvider] = []


def register_customer_facts_provider(provider: FactsProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def customer_facts(customer: Customer, promotion_uses: dict[int, int]) -> CustomerFacts:
    facts = {"segments": frozenset(customer_segment_codes(customer)), "loyalty_tier": None, "extra": {}}
    for provider in _providers:
        provided = provider(customer)
        extra = provided.pop("extra", None)
        facts.update(provided)
        if extra:
            facts["extra"] = {**facts["extra"], **extra}
    return CustomerFacts(
        external_id=customer.external_id,
        segments=frozenset(facts["segments"]),
        is_first_order=customer.orders_count == 0,
        loyalty_tier=facts["loyalty_tier"],
        promotion_uses=promotion_uses,
        extra=facts["extra"],
    )
