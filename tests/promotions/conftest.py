"""Fixtures for promotions' HTTP tests: a small mirrored catalog, customers, and helpers."""

import pytest

from audiences.services.catalog import category_upsert, product_upsert, store_upsert
from audiences.services.customers import customer_upsert


@pytest.fixture
def catalog(db):
    store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")
    store_upsert(code="ARU-01", name="Arusha", timezone="Africa/Dar_es_Salaam", currency="TZS")
    category_upsert(code="electronics", name="Electronics")
    category_upsert(code="tv", name="TV", parent_code="electronics")
    category_upsert(code="cables", name="Cables", parent_code="electronics")
    category_upsert(code="grocery", name="Grocery")
    product_upsert(sku="TV-55", name="55in TV", price=54000, currency="BDT", category_code="tv", brand="Walton")
    product_upsert(sku="HDMI-2", name="HDMI", price=450, currency="BDT", category_code="cables", brand="Ugreen")
    product_upsert(sku="RICE", name="Rice", price=100, currency="BDT", category_code="grocery")


@pytest.fixture
def customer(db):
    return customer_upsert(external_id="C-1001", first_name="Rahim")[0]


def create_promotion(client, **fields):
    body = {
        "name": fields.pop("name", "Promo"),
        "status": "active",
        "reward": {"type": "percentage", "value": "10"},
        **fields,
    }
    response = client.post("/api/v1/promotions", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def segment(code):
    """A segment for a promotion's eligibility to name (unknown segment codes are refused)."""
    from audiences.segments import services as segments

    return segments.segment_create(code=code, name=code, rules={"all": [{"field": "city", "op": "eq", "value": code}]})


def evaluate(client, lines, **cart):
    body = {"currency": cart.pop("currency", "BDT"), "lines": lines, **cart}
    response = client.post("/api/v1/carts/evaluate", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def tv(quantity=1, price="54000.00"):
    return {"sku": "TV-55", "quantity": quantity, "unit_price": price}


def hdmi(quantity=1, price="450.00"):
    return {"sku": "HDMI-2", "quantity": quantity, "unit_price": price}


def rice(quantity=1, price="100.00"):
    return {"sku": "RICE", "quantity": quantity, "unit_price": price}


@pytest.fixture
def api_client_anonymous():
    from rest_framework.test import APIClient

    return APIClient()


def place(client, external_id, lines, **order):
    body = {"external_id": external_id, "currency": order.pop("currency", "BDT"), "lines": lines, **order}
    return client.post("/api/v1/orders", body, format="json")
