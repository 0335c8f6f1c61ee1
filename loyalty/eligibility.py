"""The loyalty tier as promotions see it: a customer fact and the `loyalty_tiers` eligibility condition."""

from loyalty.selectors import customer_tier_name
from promotions.engine.types import CustomerFacts

TIER_FACT = "loyalty_tier"


def customer_tier_facts(customer) -> dict:
    """The customer's highest tier across programs, None when they have none."""
    return {"extra": {TIER_FACT: customer_tier_name(customer_id=customer.pk)}}


def in_tiers(tiers: frozenset[str], facts: CustomerFacts) -> bool:
    return facts.extra.get(TIER_FACT) in tiers


def describe_tiers(tiers: frozenset[str]) -> str:
    return " or ".join(sorted(tiers))
