"""GET /orders/{external_id}: an order read back with its lines, discounts, redemptions and status."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from audiences.services.orders import orders_import
from tests.promotions.conftest import create_promotion, place, rice, tv

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """A frozen clock: `clock("2026-11-22T04:00:01+00:00")` sets what timezone.now() answers."""

    def set_to(moment: str):
        monkeypatch.setattr(timezone, "now", lambda: datetime.fromisoformat(moment))

    return set_to


def test_a_placed_order_reads_back_as_it_was_priced_and_redeemed(storefront, marketer, catalog, customer, clock):
    promotion = create_promotion(marketer, name="Welcome", trigger="code", code="WELCOME15",
                                 reward={"type": "percentage", "value": "15"})  # fmt: skip
    clock("2026-11-22T04:00:01+00:00")
    placed = place(storefront, "O-778", [tv(), rice(2)], customer="C-1001", store="DHK-01", channel="web",
                   shipping_price="120.00", codes=["welcome15"], placed_at="2026-11-22T10:00:00+06:00")  # fmt: skip
    assert placed.status_code == 201

    response = storefront.get("/api/v1/orders/O-778")

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("order", "status", "customer", "store", "channel", "currency")} == {
        "order": "O-778", "status": "placed", "customer": "C-1001", "store": "DHK-01", "channel": "web",
        "currency": "BDT",
    }  # fmt: skip
    assert body["placed_at"] == "2026-11-22T04:00:00Z" and body["cancelled_at"] is None
    assert (body["subtotal"], body["discount_total"], body["total"]) == ("54200.00", "8130.00", "46190.00")
    assert [(line["sku"], line["quantity"], line["discount"], line["total"]) for line in body["lines"]] == [
        ("TV-55", 1, "8100.00", "45900.00"), ("RICE", 2, "30.00", "170.00"),
    ]  # fmt: skip
    assert body["applied"] == placed.json()["applied"]
    assert body["redemptions"] == [
        {"promotion": promotion["id"], "name": "Welcome", "code": "WELCOME15", "amount": "8130.00",
         "status": "active", "created_at": "2026-11-22T04:00:01Z", "released_at": None},
    ]  # fmt: skip
    assert sum(Decimal(line["discount"]) for line in body["lines"]) == Decimal(body["discount_total"])


def test_a_cancelled_order_reads_back_cancelled_with_its_redemptions_released(storefront, marketer, catalog, clock):
    create_promotion(marketer, trigger="code", code="ONCE", usage_limit=1)
    place(storefront, "O-1", [rice()], codes=["ONCE"])
    clock("2026-11-23T08:00:00+00:00")
    storefront.post("/api/v1/orders/O-1/cancel")

    body = storefront.get("/api/v1/orders/O-1").json()

    assert body["status"] == "cancelled" and body["cancelled_at"] == "2026-11-23T08:00:00Z"
    assert [(r["code"], r["status"], r["released_at"]) for r in body["redemptions"]] == [
        ("ONCE", "released", "2026-11-23T08:00:00Z")
    ]


def test_an_imported_order_reads_back_with_no_promotions(storefront, catalog, customer):
    orders_import(orders={"IMP-1": {
        "customer": "C-1001", "store": "", "channel": "pos", "currency": "BDT",
        "placed_at": "2026-01-05T10:00:00+06:00", "shipping_price": Decimal(0),
        "lines": [{"sku": "RICE", "quantity": 3, "unit_price": Decimal(100), "discount": Decimal(10)}],
    }})  # fmt: skip

    body = storefront.get("/api/v1/orders/IMP-1").json()

    assert (body["store"], body["total"], body["applied"], body["redemptions"]) == (None, "290.00", [], [])
    assert body["lines"][0]["discount"] == "10.00"


def test_an_unknown_order_is_a_404_in_the_error_shape(storefront, catalog):
    response = storefront.get("/api/v1/orders/NOPE")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Unknown order 'NOPE'."}


def test_reading_an_order_needs_the_storefront_key(marketer, storefront, catalog):
    place(storefront, "O-1", [rice()])

    assert marketer.get("/api/v1/orders/O-1").status_code == 403
