"""A code that can no longer be redeemed: 409 by default, or dropped on request and said so."""

import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audiences.models import Order
from promotions.models import Promotion, PromotionCode, Redemption
from tests.promotions.conftest import create_promotion, place, rice

pytestmark = pytest.mark.django_db

USED_UP = {
    "code": "ONCE",
    "reason": "usage_limit_reached",
    "message": "This code has been used as many times as it may be.",
}


@pytest.fixture
def used_up_code(storefront, marketer, catalog, customer):
    create_promotion(marketer, name="Once", trigger="code", code="ONCE", usage_limit=1,
                     reward={"type": "fixed_amount", "value": "10"})  # fmt: skip
    assert place(storefront, "O-1", [rice()], codes=["ONCE"]).status_code == 201


def test_by_default_an_used_up_code_refuses_the_whole_order(storefront, used_up_code):
    response = place(storefront, "O-2", [rice()], codes=["ONCE"], customer="C-1001")

    assert response.status_code == 409
    assert (response.json()["reason"], response.json()["coupon"]) == ("usage_limit_reached", "ONCE")
    assert not Order.objects.filter(external_id="O-2").exists()


def test_drop_records_the_order_without_the_code_and_says_so(storefront, marketer, used_up_code):
    create_promotion(marketer, name="Auto 5%", reward={"type": "percentage", "value": "5"})
    create_promotion(marketer, name="Live", trigger="code", code="LIVE", reward={"type": "fixed_amount", "value": "1"})

    response = place(storefront, "O-2", [rice()], codes=["once", "LIVE"], customer="C-1001",
                     on_unredeemable_code="drop")  # fmt: skip

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["dropped_codes"] == [{**USED_UP, "code": "once"}]
    assert body["codes"] == [{"code": "LIVE", "status": "applied"}]
    assert (body["discount_total"], body["total"]) == ("6.00", "94.00")
    order = Order.objects.get(external_id="O-2")
    assert (order.discount_total, order.total) == (6, 94)
    assert sorted(Redemption.objects.filter(order=order).values_list("promotion__name", flat=True)) == [
        "Auto 5%",
        "Live",
    ]
    assert Promotion.objects.get(name="Once").used == 1 and PromotionCode.objects.get(code="ONCE").used == 1
    # Read back and replayed, the order still says what was dropped.
    assert storefront.get("/api/v1/orders/O-2").json()["dropped_codes"] == body["dropped_codes"]
    assert place(storefront, "O-2", [rice()], codes=["once"], on_unredeemable_code="drop").json() == body


def test_drop_also_covers_a_code_used_up_between_pricing_and_claiming(storefront, marketer, catalog, customer):
    create_promotion(marketer, name="Once", trigger="code", code="ONCE", usage_limit=1,
                     reward={"type": "fixed_amount", "value": "10"})  # fmt: skip
    import promotions.services.orders

    real_cart_price = promotions.services.orders.cart_price
    rounds = []

    def another_order_claims_it_meanwhile(*, request):
        pricing = real_cart_price(request=request)
        if not rounds:
            Promotion.objects.filter(name="Once").update(used=1)
        rounds.append(list(request.codes))
        return pricing

    promotions.services.orders.cart_price = another_order_claims_it_meanwhile
    try:
        response = place(storefront, "O-2", [rice()], codes=["ONCE"], on_unredeemable_code="drop")
    finally:
        promotions.services.orders.cart_price = real_cart_price

    assert response.status_code == 201, response.json()
    assert response.json()["dropped_codes"] == [USED_UP]
    assert response.json()["total"] == "100.00" and rounds == [["ONCE"], []]
    assert not Redemption.objects.exists()


def test_a_first_order_keeps_its_welcome_discount_when_a_code_is_dropped_at_claiming(
    storefront, marketer, catalog, customer
):
    create_promotion(marketer, name="Welcome", eligibility={"first_order_only": True},
                     reward={"type": "percentage", "value": "10"})  # fmt: skip
    create_promotion(marketer, name="Once", trigger="code", code="ONCE", usage_limit=1,
                     reward={"type": "fixed_amount", "value": "5"})  # fmt: skip
    import promotions.services.orders

    real_cart_price = promotions.services.orders.cart_price

    def another_order_claims_it_meanwhile(*, request):
        pricing = real_cart_price(request=request)
        Promotion.objects.filter(name="Once").update(used=1)
        return pricing

    promotions.services.orders.cart_price = another_order_claims_it_meanwhile
    try:
        response = place(storefront, "O-1", [rice()], codes=["ONCE"], customer="C-1001", on_unredeemable_code="drop")
    finally:
        promotions.services.orders.cart_price = real_cart_price

    assert response.status_code == 201, response.json()
    assert response.json()["dropped_codes"] == [USED_UP]
    # The rolled-back attempt recorded no order: this is still the customer's first, and the welcome applies.
    assert (response.json()["discount_total"], response.json()["total"]) == ("10.00", "90.00")


def test_drop_is_the_only_other_choice(storefront, used_up_code):
    response = place(storefront, "O-2", [rice()], codes=["ONCE"], on_unredeemable_code="ignore")

    assert response.status_code == 400 and "on_unredeemable_code" in response.json()["fields"]
    assert not Order.objects.filter(external_id="O-2").exists()


AMOUNTS = {"C1": Decimal("1.00"), "C2": Decimal("2.00"), "C4": Decimal("4.00")}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(used_up=st.sets(st.sampled_from(sorted(AMOUNTS))), sent=st.permutations(sorted(AMOUNTS)))
def test_drop_leaves_out_exactly_the_used_up_codes_and_charges_the_rest(storefront, marketer, catalog, used_up, sent):
    if not Promotion.objects.exists():
        for code, amount in AMOUNTS.items():
            create_promotion(marketer, name=code, trigger="code", code=code, usage_limit=1,
                             reward={"type": "fixed_amount", "value": str(amount)})  # fmt: skip
    for name in AMOUNTS:  # each example starts from its own state of which codes are used up
        Promotion.objects.filter(name=name).update(used=int(name in used_up))

    response = place(storefront, f"O-{uuid.uuid4().hex}", [rice()], codes=sent, on_unredeemable_code="drop")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [dropped["code"] for dropped in body["dropped_codes"]] == [code for code in sent if code in used_up]
    assert {dropped["reason"] for dropped in body["dropped_codes"]} <= {"usage_limit_reached"}
    live = [code for code in sent if code not in used_up]
    assert [code["code"] for code in body["codes"]] == live
    assert Decimal(body["discount_total"]) == sum((AMOUNTS[code] for code in live), Decimal(0))
    assert Decimal(body["total"]) == Decimal("100.00") - Decimal(body["discount_total"])
    assert set(Promotion.objects.filter(used=1).values_list("name", flat=True)) == set(AMOUNTS)
