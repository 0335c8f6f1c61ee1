"""An order cancelled at once from many places releases its claims and runs its hooks once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from audiences.models import Order
from audiences.services.orders import order_cancel
from promotions.models import Promotion, PromotionCode, Redemption
from promotions.order_hooks import _hooks, register_order_hook
from tests.promotions.conftest import create_promotion, place, rice

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-level concurrency needs PostgreSQL (SQLite serialises writers)"
    ),
]

CANCELLERS = 16


@pytest.mark.parametrize("doors", [("admin",), ("admin", "api")])
def test_concurrent_cancels_release_the_claims_and_run_the_hooks_once(marketer, storefront, catalog, api_key, doors):
    create_promotion(marketer, trigger="code", code="ONCE", usage_limit=1, budget="10.00",
                     reward={"type": "fixed_amount", "value": "10"})  # fmt: skip
    assert place(storefront, "O-1", [rice()], codes=["ONCE"]).status_code == 201
    calls = []
    register_order_hook("counting", on_cancel=lambda order: calls.append(order.pk) or {"points_reversed": 3})
    start = threading.Barrier(CANCELLERS)

    def cancel(number: int):
        try:
            start.wait(timeout=60)
            if doors[number % len(doors)] == "admin":  # the path the admin action takes
                order_cancel(order=Order.objects.get(external_id="O-1"))
            else:
                client = APIClient()
                client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
                assert client.post("/api/v1/orders/O-1/cancel").status_code == 200
        finally:
            connections.close_all()

    try:
        with ThreadPoolExecutor(max_workers=CANCELLERS) as pool:
            list(pool.map(cancel, range(CANCELLERS)))
    finally:
        _hooks.pop("counting")

    assert len(calls) == 1
    promotion = Promotion.objects.get()
    assert (promotion.used, promotion.budget_spent) == (0, 0)
    assert PromotionCode.objects.get().used == 0 and Redemption.objects.get().status == "released"
    answer = storefront.post("/api/v1/orders/O-1/cancel").json()
    assert (answer["released_discount"], answer["points_reversed"]) == ("10.00", 3)
