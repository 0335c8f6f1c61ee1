"""Payment-method promotions (bKash, Nagad, Rocket in Bangladesh; M-Pesa, Tigo Pesa, Airtel Money
in Tanzania; cards): carts and orders carry `payment_method`, eligibility can require one."""

import pytest

from audiences.models import Order
from tests.promotions.conftest import create_promotion, evaluate, place, rice

pytestmark = pytest.mark.django_db

MOBILE_MONEY = {"payment_methods": ["bkash", "nagad"]}


def test_code_for_bkash_or_nagad_applies_only_when_paying_with_one(storefront, marketer, catalog):
    create_promotion(marketer, trigger="code", code="BKASH10", eligibility=MOBILE_MONEY)
    paid = evaluate(storefront, [rice()], codes=["BKASH10"], payment_method="bkash")
    assert paid["codes"][0]["status"] == "applied" and paid["discount_total"] == "10.00"

    for payment_method in ("card", None):
        result = evaluate(storefront, [rice()], codes=["BKASH10"], payment_method=payment_method)
        assert result["discount_total"] == "0.00"
        assert result["codes"][0]["reason"] == "not_eligible_payment_method"
        assert result["codes"][0]["message"] == "Pay with bKash or Nagad to use this code."


def test_automatic_promotion_for_mpesa_and_validate(storefront, marketer, catalog):
    create_promotion(marketer, name="M-Pesa week", eligibility={"payment_methods": ["mpesa"]})
    cart = {"currency": "TZS", "store": "ARU-01"}
    assert evaluate(storefront, [rice()], payment_method="mpesa", **cart)["applied"][0]["name"] == "M-Pesa week"
    assert evaluate(storefront, [rice()], payment_method="airtel_money", **cart)["applied"] == []

    create_promotion(marketer, trigger="code", code="TIGO", eligibility={"payment_methods": ["tigo_pesa"]})
    ok = storefront.post("/api/v1/coupons/validate", {"code": "TIGO", "payment_method": "tigo_pesa"}, format="json")
    assert ok.json()["valid"] is True
    body = storefront.post(
        "/api/v1/coupons/validate",
        {"code": "TIGO", "cart": {"currency": "TZS", "lines": [rice()], "payment_method": "mpesa"}},
        format="json",
    ).json()
    assert (body["valid"], body["reason"], body["message"]) == (
        False,
        "not_eligible_payment_method",
        "Pay with Tigo Pesa to use this code.",
    )


def test_order_records_its_payment_method_and_is_priced_with_it(storefront, marketer, catalog):
    create_promotion(marketer, trigger="code", code="NAGAD", eligibility={"payment_methods": ["nagad"]})
    response = place(storefront, "O-1", [rice()], codes=["NAGAD"], payment_method="nagad")
    assert response.status_code == 201 and response.json()["discount_total"] == "10.00"
    assert Order.objects.get(external_id="O-1").payment_method == "nagad"

    refused = place(storefront, "O-2", [rice()], codes=["NAGAD"], payment_method="rocket")
    assert refused.status_code == 409 and refused.json()["code"] == "not_eligible_payment_method"
    assert not Order.objects.filter(external_id="O-2").exists()


def test_unknown_payment_methods_are_a_400_that_writes_nothing(storefront, marketer, catalog):
    response = storefront.post(
        "/api/v1/carts/evaluate",
        {"currency": "BDT", "lines": [rice()], "payment_method": "bitcoin"},
        format="json",
    )
    assert response.status_code == 400 and "payment_method" in response.json()["fields"]
    response = place(storefront, "O-9", [rice()], payment_method="BKASH")
    assert response.status_code == 400 and "payment_method" in response.json()["fields"]
    assert not Order.objects.exists()

    response = marketer.post(
        "/api/v1/promotions",
        {"name": "Bad", "reward": {"type": "percentage", "value": "5"}, "eligibility": {"payment_methods": ["paypal"]}},
        format="json",
    )
    body = response.json()
    assert response.status_code == 400 and "eligibility.payment_methods" in body["fields"], body
    assert "Unknown payment method 'paypal'" in body["fields"]["eligibility.payment_methods"][0]
