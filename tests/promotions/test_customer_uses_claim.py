"""A customer's uses of a promotion are counted in one statement, and its limit per customer still holds when two
of their orders, both priced while it was unused, claim at once."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from promotions.models import CustomerPromotionUsage, Redemption
from promotions.order_hooks import _hooks, register_order_hook
from tests.promotions.conftest import create_promotion, place, rice


@pytest.mark.django_db
def test_an_orders_uses_per_customer_are_counted_in_one_statement(storefront, marketer, catalog, customer):
    create_promotion(marketer, name="Once each", usage_limit_per_customer=1)
    create_promotion(marketer, name="Always", reward={"type": "fixed_amount", "value": "5.00", "per": "order"})
    with CaptureQueriesContext(connection) as queries:
        assert place(storefront, "O-1", [rice(2)], customer="C-1001").status_code == 201
    claims = [
        q["sql"]
        for q in queries.captured_queries
        if CustomerPromotionUsage._meta.db_table in q["sql"] and (" FOR UPDATE" in q["sql"] or "SELECT" not in q["sql"])
    ]  # the pricing's read of the customer's uses aside
    assert len(claims) == 1
    assert sorted(CustomerPromotionUsage.objects.values_list("used", flat=True)) == [1, 1]


_LOCK_WAITERS = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite locks it all)")
def test_an_order_priced_before_another_claimed_a_once_per_customer_promotion_is_refused(
    marketer, catalog, customer, api_key
):
    promotion = create_promotion(marketer, name="Once each", usage_limit_per_customer=1)
    in_hook = threading.Event()

    def first_waits_for_the_second(order, evaluation, attribution):
        """The first order, priced and recorded, waits until the second (priced while the use was free) waits on
        its lock: the second then claims after the first committed its use."""
        if order.external_id == "O-1":
            in_hook.set()
            with connections["default"].cursor() as cursor:
                for _ in range(200):
                    cursor.execute(_LOCK_WAITERS)
                    if cursor.fetchone()[0]:
                        break
                    time.sleep(0.1)
        return {}

    register_order_hook("first waits", on_place=first_waits_for_the_second)

    def order(external_id: str) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
        try:
            return place(client, external_id, [rice()], customer="C-1001").status_code
        finally:
            connections.close_all()

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            first = pool.submit(order, "O-1")
            assert in_hook.wait(30)
            statuses = sorted([pool.submit(order, "O-2").result(timeout=60), first.result(timeout=60)])
    finally:
        _hooks.pop("first waits")

    assert statuses == [201, 409]
    assert CustomerPromotionUsage.objects.get(promotion_id=promotion["id"]).used == 1
    assert Redemption.objects.filter(promotion_id=promotion["id"]).count() == 1
