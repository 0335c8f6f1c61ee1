"""The `loyalty_tiers` eligibility condition loyalty registers with promotions, and the tier fact it reads."""

import pytest

from promotions.customer_facts import _providers, register_customer_facts_provider
from promotions.engine import CodeRecord, CustomerFacts
from tests.promotions.conftest import create_promotion, evaluate, rice
from tests.promotions.engine_helpers import line, price, rule


def _reason(eligibility: dict, facts: CustomerFacts) -> str | None:
    rules = [rule(1, {"type": "percentage", "value": "10"}, trigger="code", eligibility=eligibility)]
    result = price([line("A", 1, "100.00")], rules, entered=["CODE"], records=[CodeRecord("CODE", 1)], customer=facts)
    return result.codes[0].reason


def test_the_engine_checks_the_tier_a_facts_provider_gave():
    eligibility = {"segments": ["vip"], "loyalty_tiers": ["gold"]}
    vip = frozenset({"vip"})
    assert _reason(eligibility, CustomerFacts("C1", segments=vip, extra={"loyalty_tier": "gold"})) is None
    assert _reason(eligibility, CustomerFacts("C1", segments=vip, extra={"loyalty_tier": "silver"})) == (
        "not_eligible_customer"
    )
    assert _reason(eligibility, CustomerFacts("C1", segments=vip)) == "not_eligible_customer"


@pytest.mark.django_db
def test_a_customer_without_a_tier_is_refused_naming_the_tiers(storefront, marketer, catalog, customer):
    create_promotion(marketer, trigger="code", code="GOLD", eligibility={"loyalty_tiers": ["gold", "platinum"]})
    result = evaluate(storefront, [rice()], codes=["GOLD"], customer="C-1001")["codes"][0]
    assert (result["status"], result["reason"], result["detail"]) == (
        "rejected",
        "not_eligible_customer",
        "loyalty_tiers",
    )
    assert result["message"] == "This code is for gold or platinum members only."

    def gold(customer):
        return {"extra": {"loyalty_tier": "gold"}}

    register_customer_facts_provider(gold)
    try:
        assert evaluate(storefront, [rice()], codes=["GOLD"], customer="C-1001")["codes"][0]["status"] == "applied"
    finally:
        _providers.remove(gold)


@pytest.mark.django_db
def test_tiers_that_are_not_a_list_of_names_are_refused(marketer):
    body = {"name": "Gold", "status": "active", "trigger": "code", "code": "GOLD",
            "reward": {"type": "percentage", "value": "10"}, "eligibility": {"loyalty_tiers": "gold"}}  # fmt: skip
    response = marketer.post("/api/v1/promotions", body, format="json")
    assert response.status_code == 400
    assert "Expected a list of strings." in response.json()["message"]
