"""Every reason a code can be refused for, through carts/evaluate and coupons/validate."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from promotions.api.throttles import CouponCustomerThrottle, CouponKeyThrottle
from promotions.customer_facts import _providers, register_customer_facts_provider
from tests.promotions.conftest import create_promotion, evaluate, place, rice, segment, tv

pytestmark = pytest.mark.django_db


def refused(storefront, code="CODE", lines=None, **cart):
    result = evaluate(storefront, lines or [rice()], codes=[code], **cart)
    assert result["codes"][0]["status"] == "rejected", result
    assert result["codes"][0]["message"]
    return result["codes"][0]["reason"]


def code_promotion(marketer, **fields):
    return create_promotion(marketer, trigger="code", code="CODE", **fields)


def test_not_found(storefront, catalog):
    assert refused(storefront, "NOPE") == "not_found"


@pytest.mark.parametrize("status", ["draft", "paused"])
def test_inactive(storefront, marketer, catalog, status):
    code_promotion(marketer, status=status)
    assert refused(storefront) == "inactive"


def test_not_started_and_expired_with_the_date_in_the_message(storefront, marketer, catalog):
    now = timezone.now()
    code_promotion(marketer, starts_at=(now + timedelta(days=2)).isoformat())
    assert refused(storefront) == "not_started"
    create_promotion(marketer, trigger="code", code="OLD10", starts_at=(now - timedelta(days=9)).isoformat(),
                     ends_at=(now - timedelta(days=1)).isoformat())  # fmt: skip
    result = evaluate(storefront, [rice()], codes=["old10"])
    assert result["codes"][0]["reason"] == "expired"
    assert (now - timedelta(days=1)).date().isoformat() in result["codes"][0]["message"]


def test_usage_and_customer_limits_and_budget(storefront, marketer, catalog, customer):
    code_promotion(marketer, usage_limit=1)
    assert place(storefront, "O-1", [rice()], codes=["CODE"]).status_code == 201
    assert refused(storefront) == "usage_limit_reached"

    create_promotion(marketer, trigger="code", code="MINE", usage_limit_per_customer=1)
    assert place(storefront, "O-2", [rice()], codes=["MINE"], customer="C-1001").status_code == 201
    assert refused(storefront, "MINE", customer="C-1001") == "customer_limit_reached"
    assert refused(storefront, "MINE") == "customer_required"

    create_promotion(
        marketer, trigger="code", code="CHEAP", budget="10.00", reward={"type": "fixed_amount", "value": "10"}
    )
    assert place(storefront, "O-3", [rice()], codes=["CHEAP"]).status_code == 201
    assert refused(storefront, "CHEAP") == "budget_exhausted"


def test_min_subtotal_and_no_applicable_items(storefront, marketer, catalog):
    code_promotion(marketer, eligibility={"min_subtotal": "1000.00"})
    assert refused(storefront) == "min_subtotal_not_met"
    create_promotion(marketer, trigger="code", code="TVONLY", target={"categories": ["tv"]})
    assert refused(storefront, "TVONLY") == "no_applicable_items"
    create_promotion(marketer, trigger="code", code="TWO", eligibility={"min_quantity": 2})
    assert refused(storefront, "TWO") == "no_applicable_items"


def test_store_and_channel(storefront, marketer, catalog):
    code_promotion(marketer, stores=["DHK-01"], channels=["pos"])
    assert refused(storefront, store="ARU-01", channel="pos") == "not_eligible_store"
    assert refused(storefront, store="DHK-01", channel="web") == "not_eligible_store"
    assert (
        evaluate(storefront, [rice()], codes=["CODE"], store="DHK-01", channel="pos")["codes"][0]["status"] == "applied"
    )


def test_eligible_customer_by_first_order_and_segments(storefront, marketer, catalog, customer):
    code_promotion(marketer, eligibility={"first_order_only": True})
    assert evaluate(storefront, [rice()], codes=["CODE"], customer="C-1001")["codes"][0]["status"] == "applied"
    assert refused(storefront) == "customer_required"
    place(storefront, "O-1", [rice()], customer="C-1001")
    assert refused(storefront, customer="C-1001") == "not_eligible_customer"

    segment("vip")
    create_promotion(marketer, trigger="code", code="VIP", eligibility={"segments": ["vip"]})
    assert refused(storefront, "VIP", customer="C-1001") == "not_eligible_customer"

    def vip(customer):
        return {"segments": {"vip"}}

    register_customer_facts_provider(vip)
    try:
        result = evaluate(storefront, [rice()], codes=["VIP"], customer="C-1001")
        assert result["codes"][0]["status"] == "applied"
    finally:
        _providers.remove(vip)


def test_not_combinable(storefront, marketer, catalog):
    create_promotion(
        marketer, trigger="code", code="SOLO", stacking="exclusive", reward={"type": "percentage", "value": "50"}
    )
    code_promotion(marketer)
    result = evaluate(storefront, [rice()], codes=["SOLO", "CODE"])
    assert result["codes"][1]["reason"] == "not_combinable"


def test_coupon_validate_answers_with_reason_and_promotion(storefront, marketer, catalog, customer):
    promotion = code_promotion(marketer, name="Welcome", target={"categories": ["tv"]},
                               ends_at=(timezone.now() + timedelta(days=3)).isoformat())  # fmt: skip
    response = storefront.post("/api/v1/coupons/validate", {"code": "code", "customer": "C-1001"}, format="json")
    body = response.json()
    assert body["valid"] is True and body["reason"] is None
    assert body["promotion"]["id"] == promotion["id"] and body["promotion"]["reward"] == "percentage"
    with_cart = {"code": "CODE", "cart": {"currency": "BDT", "lines": [rice()]}}
    body = storefront.post("/api/v1/coupons/validate", with_cart, format="json").json()
    assert (body["valid"], body["reason"]) == (False, "no_applicable_items")
    with_tv = {"code": "CODE", "cart": {"currency": "BDT", "lines": [tv()]}}
    assert storefront.post("/api/v1/coupons/validate", with_tv, format="json").json()["valid"] is True
    body = storefront.post("/api/v1/coupons/validate", {"code": "NOPE"}, format="json").json()
    assert (body["valid"], body["reason"], body["promotion"]) == (False, "not_found", None)


def test_coupon_validate_is_rate_limited_per_customer_with_retry_after(storefront, catalog, customer, monkeypatch):
    rates = {"coupon_validate_key": "100/min", "coupon_validate_customer": "3/min"}
    monkeypatch.setattr(CouponCustomerThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(CouponKeyThrottle, "THROTTLE_RATES", rates)
    responses = [
        storefront.post("/api/v1/coupons/validate", {"code": f"G{n}", "customer": "C-1001"}, format="json")
        for n in range(4)
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert int(responses[-1]["Retry-After"]) > 0
    assert responses[-1].json()["code"] == "throttled"
    # The same customer padded with spaces is the same customer, and still refused.
    padded = storefront.post("/api/v1/coupons/validate", {"code": "G5", "customer": "  C-1001 "}, format="json")
    assert padded.status_code == 429
    # Without that customer the same key is still answered.
    assert storefront.post("/api/v1/coupons/validate", {"code": "G9"}, format="json").status_code == 200


def test_coupon_validate_is_rate_limited_per_key(storefront, api_key, catalog, monkeypatch):
    rates = {"coupon_validate_key": "2/min", "coupon_validate_customer": "100/min"}
    monkeypatch.setattr(CouponKeyThrottle, "THROTTLE_RATES", rates)
    statuses = [storefront.post("/api/v1/coupons/validate", {"code": "X"}, format="json").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    # The header's keyword is case-insensitive: another spelling is the same key, still refused.
    for keyword in ("api-key", "API-KEY"):
        other_spelling = APIClient()
        other_spelling.credentials(HTTP_AUTHORIZATION=f"{keyword} {api_key}")
        assert other_spelling.post("/api/v1/coupons/validate", {"code": "X"}, format="json").status_code == 429
    # Another key has its own allowance.
    _, second_key = APIKey.objects.create_key(name="second storefront")
    second = APIClient()
    second.credentials(HTTP_AUTHORIZATION=f"Api-Key {second_key}")
    assert second.post("/api/v1/coupons/validate", {"code": "X"}, format="json").status_code == 200


def test_anonymous_carts_get_public_promotions_only(storefront, marketer, catalog, customer):
    create_promotion(marketer, name="Members", eligibility={"first_order_only": True})
    assert evaluate(storefront, [rice()])["applied"] == []
    assert evaluate(storefront, [rice()], customer="C-1001")["applied"][0]["name"] == "Members"


def test_segment_eligibility_follows_audiences_memberships(storefront, marketer, catalog, customer):
    from audiences.segments import services as segments

    dhaka = segments.segment_create(
        code="dhaka", name="Dhaka", rules={"all": [{"field": "city", "op": "eq", "value": "Dhaka"}]}
    )
    create_promotion(marketer, trigger="code", code="DHAKA", eligibility={"segments": ["dhaka"]})
    segments.segment_refresh(segment=dhaka)
    assert refused(storefront, "DHAKA", customer="C-1001") == "not_eligible_customer"

    storefront.put("/api/v1/customers/C-1001", {"city": "Dhaka"}, format="json")
    segments.segment_refresh(segment=dhaka)
    result = evaluate(storefront, [rice()], codes=["DHAKA"], customer="C-1001")
    assert result["codes"][0]["status"] == "applied"
