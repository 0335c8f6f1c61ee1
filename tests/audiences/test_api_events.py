import pytest

from audiences.models import Event
from audiences.services.customers import customer_upsert

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(db):
    return customer_upsert(external_id="C-1")[0]


def test_event_recorded_and_idempotent(storefront, customer):
    body = {"customer": "C-1", "type": "complaint_opened", "properties": {"ticket": 7}, "idempotency_key": "t-7"}
    first = storefront.post("/api/v1/events", body, format="json")
    assert first.status_code == 201
    second = storefront.post("/api/v1/events", body, format="json")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Event.objects.count() == 1


def test_custom_event_types_are_kept(storefront, customer):
    response = storefront.post("/api/v1/events", {"customer": "C-1", "type": "test_drive_booked"}, format="json")
    assert response.status_code == 201
    assert Event.objects.get().type == "test_drive_booked"


def test_event_for_unknown_customer_is_404(storefront, customer):
    response = storefront.post("/api/v1/events", {"customer": "NOPE", "type": "signed_up"}, format="json")
    assert response.status_code == 404


def test_event_bad_fields(storefront, customer):
    response = storefront.post(
        "/api/v1/events", {"customer": "C-1", "type": "has spaces", "occurred_at": "yesterday"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"type", "occurred_at"}


def test_batch_records_all(storefront, customer):
    customer_upsert(external_id="C-2")
    events = [{"customer": f"C-{1 + i % 2}", "type": "product_viewed", "properties": {"i": i}} for i in range(10)]
    response = storefront.post("/api/v1/events/batch", {"events": events}, format="json")
    assert response.status_code == 201
    assert response.json()["recorded"] == 10
    assert Event.objects.count() == 10


def test_batch_with_one_bad_event_writes_nothing(storefront, customer):
    events = [{"customer": "C-1", "type": "signed_up"}, {"customer": "GHOST", "type": "signed_up"}]
    response = storefront.post("/api/v1/events/batch", {"events": events}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["events"] == {"1": {"customer": ["Unknown customer 'GHOST'."]}}
    assert not Event.objects.exists()

    events = [{"customer": "C-1", "type": "signed_up"}, {"customer": "C-1", "type": 42, "occurred_at": "x"}]
    response = storefront.post("/api/v1/events/batch", {"events": events}, format="json")
    assert response.status_code == 400
    assert "events" in response.json()["fields"]
    assert not Event.objects.exists()


def test_oversized_batch_is_rejected(storefront, customer):
    events = [{"customer": "C-1", "type": "signed_up"}] * 1001
    response = storefront.post("/api/v1/events/batch", {"events": events}, format="json")
    assert response.status_code == 400
    assert "At most 1000" in response.json()["fields"]["events"][0]
    assert not Event.objects.exists()
