"""The answer a repeated order replays is written by a prebuilt statement on PostgreSQL and through the ORM
elsewhere: the same row, and the same replay."""

import pytest
from django.db import connection

from promotions.models import OrderPricing
from promotions.services import orders
from tests.promotions.conftest import create_promotion, place, tv

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has only the ORM's way")


@pytest.mark.parametrize("prebuilt", [True, False])
def test_both_ways_write_the_answer_a_repeat_replays(storefront, marketer, catalog, customer, monkeypatch, prebuilt):
    monkeypatch.setattr(orders, "answer_prebuilt", lambda: prebuilt)
    create_promotion(marketer, name="Ten off", trigger="code", code="TEN")
    first = place(storefront, "O-1", [tv()], customer="C-1001", store="DHK-01", codes=["ten"])
    assert first.status_code == 201, first.json()
    stored = OrderPricing.objects.get(order__external_id="O-1")
    assert stored.response == first.json()
    assert stored.cancellation is None and stored.created_at is not None
    again = place(storefront, "O-1", [tv()], customer="C-1001", store="DHK-01", codes=["ten"])
    assert (again.status_code, again.json()) == (200, first.json())
    assert first.json()["discount_total"] == "5400.00"
