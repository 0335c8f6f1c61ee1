"""Whatever cancels an order (the admin action, the API) releases its claims and runs every hook once."""

import pytest

from audiences.models import Customer, Order
from promotions.models import CustomerPromotionUsage, Promotion, PromotionCode, Redemption
from promotions.order_hooks import _hooks, register_order_hook
from tests.promotions.conftest import create_promotion, place, rice

pytestmark = pytest.mark.django_db


@pytest.fixture
def cancel_calls():
    """A cancel hook that counts its calls, as loyalty's points reversal would."""
    calls = []
    register_order_hook("counting", on_cancel=lambda order: calls.append(order.external_id) or {"points_reversed": 7})
    yield calls
    _hooks.pop("counting")


@pytest.fixture
def single_use_order(storefront, marketer, catalog, customer):
    create_promotion(marketer, trigger="code", code="ONCE", usage_limit=1, usage_limit_per_customer=1,
                     budget="10.00", reward={"type": "fixed_amount", "value": "10"})  # fmt: skip
    assert place(storefront, "O-1", [rice()], codes=["ONCE"], customer="C-1001").status_code == 201
    return Order.objects.get(external_id="O-1")


def admin_cancel(admin_client, *orders):
    return admin_client.post(
        "/admin/audiences/order/",
        {"action": "cancel_orders", "_selected_action": [order.pk for order in orders]},
        follow=True,
    )


def test_an_order_cancelled_in_the_admin_gives_its_code_back(admin_client, storefront, single_use_order, cancel_calls):
    assert place(storefront, "O-2", [rice()], codes=["ONCE"], customer="C-1001").status_code == 409

    page = admin_cancel(admin_client, single_use_order).content.decode()

    assert "Cancelled 1 order(s)" in page
    assert Order.objects.get(external_id="O-1").status == "cancelled"
    promotion = Promotion.objects.get()
    assert (promotion.used, promotion.budget_spent) == (0, 0)
    assert PromotionCode.objects.get().used == 0 and CustomerPromotionUsage.objects.get().used == 0
    assert Redemption.objects.get().status == "released"
    assert cancel_calls == ["O-1"]
    assert place(storefront, "O-2", [rice()], codes=["ONCE"], customer="C-1001").status_code == 201


def test_an_api_cancel_after_the_admin_one_replays_it_and_runs_no_hook_twice(
    admin_client, storefront, single_use_order, cancel_calls
):
    admin_cancel(admin_client, single_use_order)
    admin_cancel(admin_client, single_use_order)  # already cancelled: left as it is

    answer = storefront.post("/api/v1/orders/O-1/cancel")

    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["released_discount"], body["points_reversed"]) == ("cancelled", "10.00", 7)
    assert body["released"] == [{"promotion": Promotion.objects.get().pk, "code": "ONCE", "amount": "10.00"}]
    assert cancel_calls == ["O-1"]
    assert Promotion.objects.get().used == 0 and PromotionCode.objects.get().used == 0  # given back once


def test_an_admin_cancel_after_the_api_one_changes_nothing(admin_client, storefront, single_use_order, cancel_calls):
    first = storefront.post("/api/v1/orders/O-1/cancel").json()

    assert "Cancelled 0 order(s)" in admin_cancel(admin_client, single_use_order).content.decode()
    assert cancel_calls == ["O-1"]
    assert Promotion.objects.get().used == 0 and CustomerPromotionUsage.objects.get().used == 0
    assert storefront.post("/api/v1/orders/O-1/cancel").json() == first


def test_a_cancel_hook_that_fails_leaves_the_order_placed_with_its_claims(admin_client, single_use_order):
    def refuse(order):
        raise RuntimeError("loyalty is down")

    register_order_hook("failing", on_cancel=refuse)
    try:
        with pytest.raises(RuntimeError):
            admin_cancel(admin_client, single_use_order)
    finally:
        _hooks.pop("failing")
    assert Order.objects.get(external_id="O-1").status == "placed"
    assert Promotion.objects.get().used == 1 and Redemption.objects.get().status == "active"


def test_an_order_cancelled_before_claims_were_released_is_released_by_the_api_once(
    storefront, single_use_order, cancel_calls
):
    # What the admin action left behind before it released claims: cancelled, claims still held.
    Order.objects.filter(pk=single_use_order.pk).update(status="cancelled")

    body = storefront.post("/api/v1/orders/O-1/cancel").json()
    storefront.post("/api/v1/orders/O-1/cancel")

    assert body["released_discount"] == "10.00" and body["points_reversed"] == 7
    assert cancel_calls == ["O-1"]
    assert Promotion.objects.get().used == 0 and PromotionCode.objects.get().used == 0


def test_the_admin_cancels_orders_but_cannot_delete_them(admin_client, storefront, catalog, customer):
    assert place(storefront, "O-3", [rice()], customer="C-1001").status_code == 201
    order = Order.objects.get(external_id="O-3")

    admin_client.post(
        "/admin/audiences/order/", {"action": "delete_selected", "_selected_action": [order.pk], "post": "yes"}
    )

    assert Order.objects.filter(pk=order.pk, status="placed").exists()
    assert Customer.objects.get().orders_count == 1
    assert admin_client.get(f"/admin/audiences/order/{order.pk}/delete/").status_code == 403
