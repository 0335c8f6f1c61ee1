"""Refusals say why: a general reason keeps its code and gains the one condition behind it
(`detail`) and a message that names it, through carts/evaluate and coupons/validate."""

from datetime import timedelta

import pytest
from django.utils import timezone

from promotions.customer_facts import _providers, register_customer_facts_provider
from tests.promotions.conftest import create_promotion, evaluate, place, rice, segment

pytestmark = pytest.mark.django_db


def validate(storefront, code="CODE", **body):
    response = storefront.post("/api/v1/coupons/validate", {"code": code, **body}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def refusal(storefront, code="CODE", **cart):
    result = evaluate(storefront, [rice()], codes=[code], **cart)["codes"][0]
    assert result["status"] == "rejected", result
    return result["reason"], result["detail"], result["message"]


def test_first_order_only_code_says_so_in_validate_and_evaluate(storefront, marketer, catalog, customer):
    create_promotion(marketer, trigger="code", code="HELLO", eligibility={"first_order_only": True})
    place(storefront, "O-1", [rice()], customer="C-1001")

    body = validate(storefront, "HELLO", customer="C-1001")
    assert (body["valid"], body["reason"], body["detail"]) == (False, "not_eligible_customer", "first_order_only")
    assert body["message"] == "This code is for a customer's first order only."
    assert refusal(storefront, "HELLO", customer="C-1001") == (
        "not_eligible_customer",
        "first_order_only",
        "This code is for a customer's first order only.",
    )


def test_segment_refusal_names_its_condition(storefront, marketer, catalog, customer):
    segment("vip")
    create_promotion(marketer, trigger="code", code="VIP", eligibility={"segments": ["vip"]})
    assert refusal(storefront, "VIP", customer="C-1001") == (
        "not_eligible_customer",
        "segments",
        "This code is for selected customers only.",
    )

    def vip(customer):
        return {"segments": {"vip"}}

    register_customer_facts_provider(vip)
    try:
        assert evaluate(storefront, [rice()], codes=["VIP"], customer="C-1001")["codes"][0]["status"] == "applied"
    finally:
        _providers.remove(vip)


def test_store_channel_and_currency_refusals_name_which(storefront, marketer, catalog):
    create_promotion(marketer, trigger="code", code="CODE", stores=["DHK-01"], channels=["pos"], currency="BDT")
    assert refusal(storefront, store="ARU-01", channel="pos") == (
        "not_eligible_store",
        "store",
        "This code is not valid in this store.",
    )
    assert refusal(storefront, store="DHK-01", channel="web") == (
        "not_eligible_store",
        "channel",
        "This code is not valid on this channel.",
    )
    body = validate(storefront, store="DHK-01", channel="pos", cart={"currency": "TZS", "lines": [rice()]})
    assert (body["reason"], body["detail"], body["message"]) == (
        "not_eligible_store",
        "currency",
        "This code is valid for BDT carts only.",
    )


def test_schedule_refusals_keep_their_own_reason_and_date(storefront, marketer, catalog):
    starts = timezone.now() + timedelta(days=2)
    create_promotion(marketer, trigger="code", code="SOON", starts_at=starts.isoformat())
    body = validate(storefront, "SOON")
    assert (body["reason"], body["detail"]) == ("not_started", None)
    assert body["message"] == f"This code can be used from {starts.date().isoformat()}."


def test_valid_code_has_no_detail(storefront, marketer, catalog):
    create_promotion(marketer, trigger="code", code="CODE")
    body = validate(storefront)
    assert (body["valid"], body["reason"], body["detail"]) == (True, None, None)


def test_an_order_refused_for_a_code_says_which_condition(storefront, marketer, catalog, customer):
    create_promotion(marketer, trigger="code", code="HELLO", eligibility={"first_order_only": True})
    assert place(storefront, "O-1", [rice()], customer="C-1001").status_code == 201
    response = place(storefront, "O-2", [rice()], customer="C-1001", codes=["HELLO"])
    body = response.json()
    assert response.status_code == 409
    assert (body["code"], body["reason"], body["detail"]) == ("not_eligible_customer", "not_eligible_customer",
                                                              "first_order_only")  # fmt: skip
    assert body["message"] == "This code is for a customer's first order only."
