"""Credentials sent to the wrong kind of endpoint are refused with a message that says what to send."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def client_with(header: str | None) -> APIClient:
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    return client


@pytest.mark.parametrize(("method", "path"), [("get", "/api/v1/promotions"), ("post", "/api/v1/sms/segments")])
def test_an_api_key_on_a_management_endpoint_is_told_to_send_a_token(api_key, method, path):
    response = getattr(client_with(f"Api-Key {api_key}"), method)(path, {}, format="json")

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert "Authorization: Token <token>" in body["message"]
    assert "An API key is for the storefront endpoints." in body["message"]


def test_no_credentials_on_a_management_endpoint_names_the_token(db):
    response = client_with(None).get("/api/v1/promotions")

    assert response.status_code == 401
    assert "Authorization: Token <token>" in response.json()["message"]
    assert "API key" not in response.json()["message"]


def test_a_token_on_a_storefront_endpoint_is_told_to_send_an_api_key(marketer):
    response = marketer.post("/api/v1/carts/evaluate", {"currency": "BDT", "lines": []}, format="json")

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert "Authorization: Api-Key <key>" in body["message"]
    assert "token ('Authorization: Token ...') is for the management endpoints" in body["message"]


def test_a_wrong_api_key_on_a_storefront_endpoint_is_told_the_key_is_not_valid(db):
    response = client_with("Api-Key nope.nope").post("/api/v1/carts/evaluate", {}, format="json")

    assert response.status_code == 403
    assert response.json()["message"] == "A valid API key is required: send 'Authorization: Api-Key <key>'."
