"""What promotions know about a customer when pricing, extended by apps above promotions.

`segments` are the customer's current memberships (audiences: refresh, live recheck). An app above
registers a provider for the facts its own conditions check: it takes a Customer and returns a dict
of CustomerFacts fields (`segments`) and `extra` entries, one per fact, read by those conditions.

The storefront caches these facts per pricing-inputs version: a write that changes what a provider
returns calls `audiences.pricing_inputs.pricing_inputs_changed()` in its transaction.
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


def providers_tag() -> str:
    """Names the registered providers: facts cached under other providers (another deploy's) are not these."""
    return ",".join(f"{provider.__module__}.{provider.__qualname__}" for provider in _providers)


def provided_facts(customer: Customer) -> dict:
    """`{"segments", "extra"}` as the segments and every registered provider say."""
    facts = {"segments": frozenset(customer_segment_codes(customer)), "extra": {}}
    for provider in _providers:
        provided = provider(customer)
        extra = provided.pop("extra", None)
        facts.update(provided)
        if extra:
            facts["extra"] = {**facts["extra"], **extra}
    return facts


def customer_facts(customer: Customer, promotion_uses: dict[int, int], facts: dict | None = None) -> CustomerFacts:
    """The customer's facts for pricing; `facts` as `provided_facts` gave them, when the caller has them cached."""
    facts = facts if facts is not None else provided_facts(customer)
    return CustomerFacts(
        external_id=customer.external_id,
        segments=frozenset(facts["segments"]),
        is_first_order=customer.orders_count == 0,
        promotion_uses=promotion_uses,
        extra=facts["extra"],
    )
