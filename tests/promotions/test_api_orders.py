"""POST /orders and cancel: exact redemption, the ledger, idempotency, 409s, giving uses back."""

import pytest

from audiences.models import Customer, Order
from promotions.models import CustomerPromotionUsage, Promotion, PromotionCode, Redemption
from promotions.order_hooks import _hooks, register_order_hook
from tests.promotions.conftest import create_promotion, place, rice, tv

pytestmark = pytest.mark.django_db


def test_order_is_priced_recorded_and_redeemed(storefront, marketer, catalog, customer):
    promotion = create_promotion(marketer, name="Welcome", trigger="code", code="WELCOME15", usage_limit=10,
                                 budget="50000.00", reward={"type": "percentage", "value": "15"})  # fmt: skip
    response = place(storefront, "O-778", [tv(), rice()], customer="C-1001", store="DHK-01", channel="web",
                     shipping_price="120.00", codes=["welcome15"], placed_at="2026-11-22T10:00:00+06:00")  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["discount_total"] == "8115.00"
    assert body["total"] == "46105.00"
    assert body["points_earned"] == 0 and body["attributed_campaign"] is None
    order = Order.objects.get(external_id="O-778")
    assert order.discount_total == 8115 and order.total == 46105
    assert [line.discount for line in order.lines.all()] == [8100, 15]
    redemption = Redemption.objects.get()
    assert (redemption.order, redemption.promotion_id, redemption.code.code, redemption.amount) == (
        order, promotion["id"], "WELCOME15", 8115
    )  # fmt: skip
    stored = Promotion.objects.get()
    assert (stored.used, stored.budget_spent) == (1, 8115)
    assert PromotionCode.objects.get().used == 1
    assert CustomerPromotionUsage.objects.get().used == 1
    assert Customer.objects.get().orders_count == 1
    shown = marketer.get(f"/api/v1/promotions/{promotion['id']}").json()
    assert (shown["used"], shown["budget_spent"], shown["redemptions"]) == (1, "8115.00", 1)


def test_same_external_id_returns_the_first_answer_and_counts_nothing_twice(storefront, marketer, catalog):
    create_promotion(marketer, trigger="code", code="ONCE", usage_limit=5)
    first = place(storefront, "O-1", [rice()], codes=["ONCE"])
    again = place(storefront, "O-1", [rice(5)], codes=["ONCE"])
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Promotion.objects.get().used == 1 and Redemption.objects.count() == 1 and Order.objects.count() == 1


def test_a_code_used_up_since_pricing_is_409_and_nothing_is_recorded(storefront, marketer, catalog, customer):
    create_promotion(marketer, trigger="code", code="LAST", usage_limit=1)
    assert place(storefront, "O-1", [rice()], codes=["LAST"]).status_code == 201
    response = place(storefront, "O-2", [rice()], codes=["LAST"], customer="C-1001")
    assert response.status_code == 409
    assert response.json()["code"] == "usage_limit_reached" and response.json()["reason"] == "usage_limit_reached"
    assert not Order.objects.filter(external_id="O-2").exists()
    assert Customer.objects.get().orders_count == 0
    assert Redemption.objects.count() == 1


def test_claim_failure_inside_the_transaction_rolls_everything_back(storefront, marketer, catalog, customer):
    create_promotion(marketer, name="Auto", usage_limit=5)
    create_promotion(marketer, trigger="code", code="UNIQ", reward={"type": "fixed_amount", "value": "5"})
    code = PromotionCode.objects.get()
    # Simulate a race lost after pricing: the code is used up by the time it is claimed.
    PromotionCode.objects.filter(pk=code.pk).update(usage_limit=1)
    from promotions import selectors

    real_cart_price = selectors.cart_price

    def priced_before_the_race(*, request):
        pricing = real_cart_price(request=request)
        PromotionCode.objects.filter(pk=code.pk).update(used=1)
        return pricing

    import promotions.services.orders

    original = promotions.services.orders.cart_price
    promotions.services.orders.cart_price = priced_before_the_race
    try:
        response = place(storefront, "O-9", [rice()], codes=["UNIQ"], customer="C-1001")
    finally:
        promotions.services.orders.cart_price = original
    assert response.status_code == 409 and response.json()["reason"] == "usage_limit_reached"
    assert response.json()["coupon"] == "UNIQ"
    assert Promotion.objects.get(name="Auto").used == 0
    assert not Order.objects.exists() and not Redemption.objects.exists()
    assert not CustomerPromotionUsage.objects.filter(used__gt=0).exists()


def test_cancel_gives_back_uses_customer_counts_and_budget(storefront, marketer, catalog, customer):
    create_promotion(marketer, trigger="code", code="ONE", usage_limit=1, usage_limit_per_customer=1, budget="10.00",
                     reward={"type": "fixed_amount", "value": "10"})  # fmt: skip
    assert place(storefront, "O-1", [rice()], codes=["ONE"], customer="C-1001").status_code == 201
    assert place(storefront, "O-2", [rice()], codes=["ONE"], customer="C-1001").status_code == 409

    cancelled = storefront.post("/api/v1/orders/O-1/cancel")
    assert cancelled.status_code == 200
    body = cancelled.json()
    assert body["status"] == "cancelled" and body["released_discount"] == "10.00"
    assert body["released"][0]["code"] == "ONE" and body["points_reversed"] == 0
    stored = Promotion.objects.get()
    assert (stored.used, stored.budget_spent) == (0, 0)
    assert CustomerPromotionUsage.objects.get().used == 0
    assert Redemption.objects.get().status == "released"
    assert storefront.post("/api/v1/orders/O-1/cancel").json() == body  # idempotent
    assert Promotion.objects.get().used == 0
    assert place(storefront, "O-2", [rice()], codes=["ONE"], customer="C-1001").status_code == 201


def test_cancel_unknown_order_is_404(storefront, catalog):
    assert storefront.post("/api/v1/orders/NOPE/cancel").status_code == 404


def test_order_hooks_run_inside_the_transaction_and_extend_the_answer(storefront, marketer, catalog, customer):
    register_order_hook(
        "test", on_place=lambda order, evaluation, attribution: {"points_earned": int(order.total) // 100},
        on_cancel=lambda order: {"points_reversed": 1},
    )  # fmt: skip
    try:
        assert place(storefront, "O-1", [rice(5)], customer="C-1001").json()["points_earned"] == 5
        assert storefront.post("/api/v1/orders/O-1/cancel").json()["points_reversed"] == 1
    finally:
        _hooks.pop("test")


def test_bad_order_input_is_400_and_unknown_customer_404(storefront, catalog):
    response = storefront.post("/api/v1/orders", {"currency": "BDT", "lines": [rice()]}, format="json")
    assert response.status_code == 400 and "external_id" in response.json()["fields"]
    assert place(storefront, "O-1", [rice()], customer="NOPE").status_code == 404
    # Each line is a plausible amount, the order's total is beyond what an amount may be.
    too_much = place(storefront, "O-2", [rice(quantity=1000, price="10000000000.00")])
    assert too_much.status_code == 400 and "lines" in too_much.json()["fields"]
    assert not Order.objects.exists()
