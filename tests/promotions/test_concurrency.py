"""Exact redemption under real concurrency: many database connections placing orders at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from promotions.models import Promotion, Redemption
from tests.promotions.conftest import create_promotion, rice

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-level concurrency needs PostgreSQL (SQLite serialises writers)"
    ),
]

ORDERS = 200
CONNECTIONS = 60  # PostgreSQL allows 100 connections here; each thread holds its own


def place_all(api_key: str, body_for) -> list[int]:
    """Place ORDERS orders from CONNECTIONS threads released together by a barrier."""
    start = threading.Barrier(CONNECTIONS)

    def worker(worker_number: int) -> list[int]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
        statuses = []
        try:
            start.wait(timeout=60)
            for order_number in range(worker_number, ORDERS, CONNECTIONS):
                statuses.append(client.post("/api/v1/orders", body_for(order_number), format="json").status_code)
        finally:
            connections.close_all()
        return statuses

    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        return [status for statuses in pool.map(worker, range(CONNECTIONS)) for status in statuses]


def test_a_code_limited_to_50_uses_is_redeemed_exactly_50_times(marketer, catalog, api_key):
    promotion = create_promotion(marketer, trigger="code", code="FIFTY", usage_limit=50)

    statuses = place_all(
        api_key,
        lambda n: {"external_id": f"O-{n}", "currency": "BDT", "lines": [rice()], "codes": ["fifty"]},
    )

    assert statuses.count(201) == 50
    assert statuses.count(409) == 150
    assert Redemption.objects.filter(promotion_id=promotion["id"]).count() == 50
    assert Promotion.objects.get(pk=promotion["id"]).used == 50


def test_a_budget_is_never_overspent(marketer, catalog, api_key):
    promotion = create_promotion(
        marketer,
        trigger="code",
        code="HUNDRED",
        budget="5000.00",
        reward={"type": "fixed_amount", "value": "100.00", "per": "order"},
    )

    statuses = place_all(
        api_key,
        lambda n: {"external_id": f"B-{n}", "currency": "BDT", "lines": [rice(quantity=2)], "codes": ["HUNDRED"]},
    )

    assert statuses.count(201) == 50
    assert statuses.count(409) == 150
    stored = Promotion.objects.get(pk=promotion["id"])
    assert stored.budget_spent == 5000
    assert Redemption.objects.filter(promotion_id=promotion["id"]).count() == 50
