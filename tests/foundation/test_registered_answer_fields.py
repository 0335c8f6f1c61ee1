"""Fields the apps above register into lower apps' answers (issue #15 item 4) are in every answer,
in the OpenAPI schema and in its examples, as ../shared/API.md documents them."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from audiences.profile import profile_sections
from audiences.services.orders import orders_import
from tests.promotions.conftest import catalog, customer, place, rice  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema() -> dict:
    return APIClient().get("/api/schema/?format=json").json()


def _answer(schema: dict, path: str, method: str, status: str) -> tuple[dict, dict]:
    """The properties of an operation's answer and its example."""
    content = schema["paths"][path][method]["responses"][status]["content"]["application/json"]
    component = schema["components"]["schemas"][content["schema"]["$ref"].rsplit("/", 1)[-1]]
    [example] = [example["value"] for example in content.get("examples", {}).values()] or [None]
    return component, example


@pytest.mark.usefixtures("catalog", "customer")
def test_orders_answer_with_points_and_attribution_and_a_cancel_with_points_reversed(storefront):
    placed = place(storefront, "O-1", [rice()], customer="C-1001").json()
    assert (placed["points_earned"], placed["attributed_campaign"]) == (0, None)
    assert storefront.post("/api/v1/orders/O-1/cancel").json()["points_reversed"] == 0


@pytest.mark.usefixtures("catalog", "customer")
def test_cancelling_an_imported_order_answers_the_hook_fields_too(storefront):
    orders_import(orders={"IMP-1": {
        "customer": "C-1001", "store": "", "channel": "pos", "currency": "BDT",
        "placed_at": "2026-01-05T10:00:00+06:00", "shipping_price": Decimal(0),
        "lines": [{"sku": "RICE", "quantity": 1, "unit_price": Decimal(100), "discount": Decimal(0)}],
    }})  # fmt: skip
    body = storefront.post("/api/v1/orders/IMP-1/cancel").json()
    assert (body["status"], body["points_reversed"]) == ("cancelled", 0)


def test_a_customer_answers_with_segments_vehicles_loyalty_and_consents_in_that_order(storefront):
    body = storefront.put("/api/v1/customers/C-1", {"first_name": "Asha"}, format="json").json()
    assert list(body)[-4:] == ["segments", "vehicles", "loyalty", "consents"]
    assert body["vehicles"] == []
    assert body["loyalty"] is None


def test_the_schema_and_its_examples_describe_the_registered_fields(schema):
    order, order_example = _answer(schema, "/api/v1/orders", "post", "201")
    assert order["properties"]["points_earned"]["type"] == "integer"
    assert order["properties"]["attributed_campaign"]["nullable"] is True
    assert {"points_earned", "attributed_campaign"} <= set(order["required"])
    assert (order_example["points_earned"], order_example["attributed_campaign"]) == (0, None)

    cancel, cancel_example = _answer(schema, "/api/v1/orders/{external_id}/cancel", "post", "200")
    assert "points_reversed" in cancel["required"] and cancel_example["points_reversed"] == 0

    profile, profile_example = _answer(schema, "/api/v1/customers/{external_id}", "get", "200")
    assert list(profile["properties"])[-4:] == ["segments", "vehicles", "loyalty", "consents"]
    assert profile_example["vehicles"][0]["vin"] == "JTDBR32E720123456"
    assert profile["properties"]["loyalty"]["nullable"] is True
    assert profile_example["segments"] == ["high_value", "vip_dhaka"]
    assert profile_example["loyalty"] == profile_sections()["loyalty"].example  # what loyalty registered
