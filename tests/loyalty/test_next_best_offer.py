"""Next best offer: `GET /customers/{id}/offers` lists the promotions a customer qualifies for now, best first."""

from decimal import Decimal

import pytest
from django.utils import timezone

from audiences.models import Customer, Segment, SegmentMembership
from loyalty.models import Member
from promotions.models import CustomerPromotionUsage, Promotion
from promotions.services.definitions import promotion_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold_vip(program):
    """A gold member in the `vip` segment whose usual order is 2,000 taka (4 orders, 8,000 spent)."""
    customer = Customer.objects.create(
        external_id="C-50", currency="BDT", orders_count=4, total_spent=Decimal("8000.00")
    )
    Member.objects.create(customer=customer, program=program, tier=program.tiers.get(name="gold"))
    for code in ("vip", "students"):
        Segment.objects.create(code=code, name=code, rules={"all": []})
    SegmentMembership.objects.create(
        segment=Segment.objects.get(code="vip"), customer=customer, entered_at=timezone.now()
    )
    return customer


def _offers(storefront, external_id="C-50"):
    response = storefront.get(f"/api/v1/customers/{external_id}/offers")
    assert response.status_code == 200, response.content
    return response.json()["offers"]


def test_a_tier_and_a_segment_promotion_are_offered_ranked_by_expected_value(storefront, gold_vip):
    gold = promotion_create(
        name="Gold: 15% off",
        status="active",
        reward={"type": "percentage", "value": "15"},
        eligibility={"loyalty_tiers": ["gold"]},
        budget=Decimal("10000"),
        usage_limit_per_customer=3,
    )
    vip = promotion_create(
        name="VIP: 500 off 4,000",
        status="active",
        trigger="code",
        code="VIP500",
        reward={"type": "fixed_amount", "value": "500"},
        eligibility={"segments": ["vip"], "min_subtotal": "4000"},
        usage_limit=100,
    )
    promotion_create(name="Silver only", status="active", reward={"type": "percentage", "value": "30"},
                     eligibility={"loyalty_tiers": ["silver"]})  # fmt: skip
    promotion_create(name="Students", status="active", reward={"type": "percentage", "value": "30"},
                     eligibility={"segments": ["students"]})  # fmt: skip
    Promotion.objects.filter(pk=gold.pk).update(budget_spent=Decimal("2500"))
    Promotion.objects.filter(pk=vip.pk).update(used=12)
    CustomerPromotionUsage.objects.create(customer=gold_vip, promotion=gold, used=1)

    offers = _offers(storefront)

    # Gold: 15% of their usual 2,000 = 300, which they spend anyway: 300.
    # VIP: asks for 4,000 (reach 2,000 / 4,000 = 0.5) and saves 500; the retailer gains 25% of the extra 2,000:
    # 0.5 × (500 + 0.25 × 2,000) = 500. The VIP offer first.
    assert [offer["name"] for offer in offers] == ["VIP: 500 off 4,000", "Gold: 15% off"]
    first, second = offers
    assert (first["rank"], first["code"], first["trigger"], first["currency"]) == (1, "VIP500", "code", "BDT")
    assert (first["basket"], first["saving"], first["expected_value"]) == ("4000.00", "500.00", "500.00")
    assert (first["uses_left"], first["customer_uses_left"], first["budget_left"]) == (88, None, None)
    assert (second["basket"], second["saving"], second["expected_value"]) == ("2000.00", "300.00", "300.00")
    assert (second["uses_left"], second["customer_uses_left"], second["budget_left"]) == (None, 2, "7500.00")
    assert second["code"] is None and second["reward_type"] == "percentage"


def test_used_up_and_over_budget_promotions_are_absent(storefront, gold_vip):
    reward = {"type": "percentage", "value": "10"}
    used_up = promotion_create(name="Used up", status="active", reward=reward, usage_limit=5)
    spent = promotion_create(name="Budget spent", status="active", reward=reward, budget=Decimal("1000"))
    theirs = promotion_create(name="Once each, used", status="active", reward=reward, usage_limit_per_customer=1)
    promotion_create(name="Open", status="active", reward=reward, usage_limit=5, budget=Decimal("1000"))
    # Single-use codes only: a campaign or journey hands them to the customers it chose.
    promotion_create(name="Unique codes only", status="active", reward=reward, trigger="code")
    Promotion.objects.filter(pk=used_up.pk).update(used=5)
    Promotion.objects.filter(pk=spent.pk).update(budget_spent=Decimal("1000"))
    CustomerPromotionUsage.objects.create(customer=gold_vip, promotion=theirs, used=1)

    assert [offer["name"] for offer in _offers(storefront)] == ["Open"]


def test_an_unknown_customer_is_404(storefront, program):
    response = storefront.get("/api/v1/customers/NOBODY/offers")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_customer_page_lists_the_offers_best_first(admin_client, gold_vip):
    promotion_create(name="Small", status="active", reward={"type": "percentage", "value": "5"})
    promotion_create(name="Large", status="active", reward={"type": "percentage", "value": "20"})
    page = admin_client.get(f"/admin/audiences/customer/{gold_vip.pk}/change/").content.decode()
    assert page.index("Large") < page.index("Small")
    assert "400.00 BDT (saves 400.00 on 2000.00)" in page
