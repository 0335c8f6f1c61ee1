"""Every door that looks up what its URL or body names answers an unknown one with the one 404 shape, naming it."""

import pytest

pytestmark = pytest.mark.django_db

CART = {"currency": "BDT", "lines": [{"sku": "RICE", "quantity": 1, "unit_price": "100.00"}]}

STOREFRONT = [
    ("get", "/api/v1/stores/NOPE", None, "Unknown store 'NOPE'."),
    ("get", "/api/v1/categories/NOPE", None, "Unknown category 'NOPE'."),
    ("get", "/api/v1/products/NOPE", None, "Unknown product 'NOPE'."),
    ("get", "/api/v1/customers/NOPE", None, "Unknown customer 'NOPE'."),
    ("post", "/api/v1/customers/NOPE/consents", {}, "Unknown customer 'NOPE'."),
    ("post", "/api/v1/carts/evaluate", {**CART, "customer": "NOPE"}, "Unknown customer 'NOPE'."),
    ("post", "/api/v1/coupons/validate", {"code": "X", "customer": "NOPE"}, "Unknown customer 'NOPE'."),
    ("post", "/api/v1/orders", {**CART, "external_id": "O-1", "customer": "NOPE"}, "Unknown customer 'NOPE'."),
    ("get", "/api/v1/orders/NOPE", None, "Unknown order 'NOPE'."),
    ("post", "/api/v1/orders/NOPE/cancel", None, "Unknown order 'NOPE'."),
    ("get", "/api/v1/customers/NOPE/notifications", None, "Unknown customer 'NOPE'."),
    ("post", "/api/v1/notifications/999/read", None, "Unknown notification 999."),
]
MANAGEMENT = [
    ("get", "/api/v1/segments/nope", None, "Unknown segment 'nope'."),
    ("patch", "/api/v1/segments/nope", {"name": "N"}, "Unknown segment 'nope'."),
    ("get", "/api/v1/segments/nope/members", None, "Unknown segment 'nope'."),
    ("post", "/api/v1/segments/nope/refresh", None, "Unknown segment 'nope'."),
    ("get", "/api/v1/promotions/999", None, "Unknown promotion 999."),
    ("patch", "/api/v1/promotions/999", {"status": "paused"}, "Unknown promotion 999."),
    ("post", "/api/v1/promotions/999/codes", {"count": 10, "pattern": "X-########"}, "Unknown promotion 999."),
    ("get", "/api/v1/promotions/999/codes.csv", None, "Unknown promotion 999."),
    ("get", "/api/v1/promotions/code-jobs/999", None, "Unknown code generation job 999."),
    ("get", "/api/v1/templates/nope", None, "Unknown template 'nope'."),
    ("patch", "/api/v1/templates/nope", {"name": "N"}, "Unknown template 'nope'."),
    ("get", "/api/v1/customers/NOPE/messages", None, "Unknown customer 'NOPE'."),
]


def _call(client, method, path, body):
    return getattr(client, method)(path, body, format="json") if body is not None else getattr(client, method)(path)


@pytest.mark.parametrize(("method", "path", "body", "message"), STOREFRONT)
def test_storefront_lookups_name_what_is_unknown(storefront, method, path, body, message):
    response = _call(storefront, method, path, body)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": message}


@pytest.mark.parametrize(("method", "path", "body", "message"), MANAGEMENT)
def test_management_lookups_name_what_is_unknown(admin_client_api, method, path, body, message):
    response = _call(admin_client_api, method, path, body)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": message}
