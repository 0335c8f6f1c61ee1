"""The schema says what the API answers (issue #14 item 8): nulls, statuses and times as they come back.

Schemathesis checks this for every operation (tests/fuzz); these pin the cases it found.
"""

import re

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema() -> dict:
    return APIClient().get("/api/schema/?format=json").json()


def _properties(schema: dict, operation: dict, status: str) -> dict:
    reference = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]["properties"]


def test_fields_answered_as_null_are_declared_nullable(storefront, schema):
    paths = schema["paths"]
    customer = storefront.put("/api/v1/customers/C-NEW", {}, format="json")
    category = storefront.put("/api/v1/categories/tv", {"name": "Televisions"}, format="json")
    product = storefront.put(
        "/api/v1/products/TV-55", {"name": "TV", "price": "100.00", "currency": "BDT"}, format="json"
    )
    answered = [
        (customer, paths["/api/v1/customers/{external_id}"]["put"], "birth_date"),
        (customer, paths["/api/v1/customers/{external_id}"]["put"], "signed_up_at"),
        (customer, paths["/api/v1/customers/{external_id}"]["put"], "first_order_at"),
        (customer, paths["/api/v1/customers/{external_id}"]["put"], "last_order_at"),
        (customer, paths["/api/v1/customers/{external_id}"]["put"], "store"),
        (category, paths["/api/v1/categories/{code}"]["put"], "parent"),
        (product, paths["/api/v1/products/{sku}"]["put"], "category"),
    ]
    for response, operation, name in answered:
        assert response.status_code == 201, response.content
        assert response.json()[name] is None
        assert _properties(schema, operation, "201")[name].get("nullable") is True, name


CART_OF_NOBODY = {
    "customer": "NOBODY",
    "currency": "BDT",
    "lines": [{"sku": "TV-55", "quantity": 1, "unit_price": "100.00"}],
}


@pytest.mark.parametrize(
    ("method", "path", "url", "body", "status"),
    [
        ("get", "/api/v1/promotions", "/api/v1/promotions?page=99", None, "404"),
        ("get", "/api/v1/segments", "/api/v1/segments?page=0", None, "404"),
        ("post", "/api/v1/events", "/api/v1/events", {"customer": "NOBODY", "type": "page_viewed"}, "404"),
        ("post", "/api/v1/carts/evaluate", "/api/v1/carts/evaluate", CART_OF_NOBODY, "404"),
        ("get", "/api/v1/templates", "/api/v1/templates?status=%00", None, "400"),
        ("get", "/api/v1/customers/{external_id}/messages", "/api/v1/customers/C-1/messages?x=%00", None, "400"),
    ],
)
def test_the_error_statuses_the_api_answers_are_declared(storefront, marketer, schema, method, path, url, body, status):
    client = storefront if path.startswith(("/api/v1/events", "/api/v1/carts")) else marketer
    response = getattr(client, method)(url, body, format="json") if body else getattr(client, method)(url)
    assert str(response.status_code) == status, response.content
    assert set(response.json()) >= {"code", "message"}
    declared = schema["paths"][path][method]["responses"][status]
    assert declared["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_every_operation_declares_the_servers_414(schema):
    """gunicorn answers a request line over 4,094 bytes itself, with an HTML page."""
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert "text/html" in operation["responses"]["414"]["content"]


def test_times_of_day_are_declared_as_the_hh_mm_they_are(marketer, schema):
    templates = marketer.get("/api/v1/templates").json()["results"]
    windows = [template["timing"]["send_window_start"] for template in templates]
    answered = next(window for window in windows if window)
    declared = schema["components"]["schemas"]["Timing"]["properties"]["send_window_start"]
    assert "format" not in declared  # OpenAPI's format: time is a full time, with seconds
    assert re.fullmatch(declared["pattern"], answered)
