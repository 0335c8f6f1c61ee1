"""A site-wide promotion's row is shared by every order: an order holds its lock only from its claim to its commit,
never while its order hooks run (issue #18). Two real database connections, one held up inside a hook."""

import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from promotions.models import Promotion, Redemption
from promotions.order_hooks import _hooks, register_order_hook
from tests.promotions.conftest import create_promotion, rice

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite locks it all)"),
]

WAIT = 10  # seconds: far longer than an order takes on an idle test database


def test_an_order_in_its_hooks_does_not_hold_up_another_order_of_the_same_promotion(marketer, catalog, api_key):
    promotion = create_promotion(marketer, name="Everything 10% off")
    in_hook, release = threading.Event(), threading.Event()

    def slow_for_first(order, evaluation, attribution):
        if order.external_id == "FIRST":  # e.g. a slow loyalty member lock or a tier query
            in_hook.set()
            release.wait(WAIT * 3)
        return {}

    def place(external_id: str) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
        try:
            body = {"external_id": external_id, "currency": "BDT", "lines": [rice()]}
            return client.post("/api/v1/orders", body, format="json").status_code
        finally:
            connections.close_all()

    register_order_hook("slow", on_place=slow_for_first)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            first = pool.submit(place, "FIRST")
            assert in_hook.wait(WAIT)
            second = pool.submit(place, "SECOND")
            try:
                second_status = second.result(timeout=WAIT)  # while the first is still inside its hook
            except FutureTimeout:
                second_status = "held up behind the first order's lock"
            finally:
                release.set()
            assert first.result(timeout=WAIT * 3) == 201
            assert second.result(timeout=WAIT * 3) == 201
    finally:
        _hooks.pop("slow")

    assert second_status == 201
    assert Promotion.objects.get(pk=promotion["id"]).used == 2
    assert Redemption.objects.filter(promotion_id=promotion["id"]).count() == 2
