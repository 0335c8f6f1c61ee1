"""Bodies Django refuses before a view runs answer in the API's error shape and record nothing."""

import json

import pytest

from audiences.models import Event

pytestmark = pytest.mark.django_db


def test_a_body_over_the_limit_is_a_413_in_the_error_shape(storefront, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"customer": "C-1", "type": "note", "properties": {"text": "x" * 20_000}})
    response = storefront.generic("POST", "/api/v1/events", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "code": "request_too_large",
        "message": "The request body is larger than the limit of 10,000 bytes.",
    }
    assert not Event.objects.exists()


def test_outside_the_api_django_keeps_its_own_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    response = client.post("/admin/login/", {"username": "x" * 100, "password": "y"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
