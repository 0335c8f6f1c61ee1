from datetime import UTC, datetime
from decimal import Decimal

import pytest

from audiences.models import ConsentRecord, Customer
from audiences.services.catalog import store_upsert
from audiences.services.customers import customer_upsert
from audiences.services.orders import OrderLineInput, order_cancel, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def dhaka(db):
    return store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")[0]


def test_customer_upsert_normalises_phone_to_e164(storefront, dhaka):
    body = {
        "email": "Rahim@Example.com",
        "phone": "01712-345678",
        "first_name": "Rahim",
        "language": "bn",
        "store": "DHK-01",
        "birth_date": "1990-04-02",
        "attributes": {"car_year": 2017},
    }
    response = storefront.put("/api/v1/customers/C-1001", body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["phone"] == "+8801712345678"
    assert data["email"] == "rahim@example.com"
    assert data["store"] == "DHK-01"
    assert data["segments"] == []
    assert data["consents"] == []
    assert "loyalty" in data


def test_customer_put_is_idempotent_and_keeps_omitted_fields(storefront, dhaka):
    storefront.put("/api/v1/customers/C-1", {"first_name": "Asha", "city": "Dhaka"}, format="json")
    again = storefront.put("/api/v1/customers/C-1", {"first_name": "Asha", "city": "Dhaka"}, format="json")
    assert again.status_code == 200
    partial = storefront.put("/api/v1/customers/C-1", {"language": "sw"}, format="json")
    assert partial.json()["first_name"] == "Asha"
    assert partial.json()["language"] == "sw"
    assert Customer.objects.count() == 1


def test_tanzanian_number_with_country_code(storefront):
    response = storefront.put("/api/v1/customers/TZ-1", {"phone": "+255 755 197 700"}, format="json")
    assert response.status_code == 201
    assert response.json()["phone"] == "+255755197700"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "not a phone"}, "phone"),
        ({"store": "NOPE"}, "store"),
        ({"email": "not-an-email"}, "email"),
        ({"language": "fr"}, "language"),
        ({"timezone": "Nowhere/City"}, "timezone"),
        ({"birth_date": "1990-13-45"}, "birth_date"),
        ({"attributes": ["a", "b"]}, "attributes"),
    ],
)
def test_customer_bad_input_is_400_naming_field_and_writes_nothing(storefront, body, field):
    response = storefront.put("/api/v1/customers/C-2", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Customer.objects.filter(external_id="C-2").exists()


def test_get_unknown_customer_is_404(storefront):
    response = storefront.get("/api/v1/customers/NOBODY")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_consents_keep_history_and_latest_rules(storefront):
    storefront.put("/api/v1/customers/C-9", {"email": "a@example.com"}, format="json")
    url = "/api/v1/customers/C-9/consents"
    storefront.post(url, {"channel": "email", "status": "opted_in", "source": "storefront"}, format="json")
    response = storefront.post(url, {"channel": "email", "status": "opted_out", "source": "pos"}, format="json")
    assert response.status_code == 201
    consents = response.json()["consents"]
    assert consents == [
        {
            "channel": "email",
            "topic": "marketing",
            "status": "opted_out",
            "source": "pos",
            "recorded_at": consents[0]["recorded_at"],
        }
    ]
    # A late-arriving older statement is kept in history but does not override the newer one.
    late = {"channel": "email", "status": "opted_in", "source": "import", "recorded_at": "2020-01-01T00:00:00Z"}
    storefront.post(url, late, format="json")
    assert storefront.get("/api/v1/customers/C-9").json()["consents"][0]["status"] == "opted_out"
    assert ConsentRecord.objects.filter(customer__external_id="C-9").count() == 3


def test_consent_bad_channel_and_unknown_customer(storefront):
    storefront.put("/api/v1/customers/C-9", {}, format="json")
    bad = storefront.post(
        "/api/v1/customers/C-9/consents", {"channel": "pigeon", "status": "opted_in", "source": "x"}, format="json"
    )
    assert bad.status_code == 400
    assert "channel" in bad.json()["fields"]
    missing = storefront.post(
        "/api/v1/customers/NOPE/consents", {"channel": "sms", "status": "opted_in", "source": "x"}, format="json"
    )
    assert missing.status_code == 404


def test_order_services_maintain_customer_statistics(dhaka):
    customer, _ = customer_upsert(external_id="C-7")
    first = datetime(2026, 1, 5, tzinfo=UTC)
    second = datetime(2026, 3, 9, tzinfo=UTC)
    line = OrderLineInput(sku="A", quantity=2, unit_price=Decimal("100.00"))
    order_create(external_id="O-1", currency="BDT", placed_at=second, lines=[line], customer=customer)
    order = order_create(
        external_id="O-2", currency="BDT", placed_at=first, lines=[line], customer=customer, discount_total=Decimal(50)
    )
    customer.refresh_from_db()
    assert (customer.orders_count, customer.total_spent) == (2, Decimal("350.00"))
    assert (customer.first_order_at, customer.last_order_at) == (first, second)

    order_cancel(order=order)
    _, changed_again = order_cancel(order=order)
    customer.refresh_from_db()
    assert changed_again is False
    assert (customer.orders_count, customer.total_spent) == (1, Decimal("200.00"))
    assert (customer.first_order_at, customer.last_order_at) == (second, second)


def test_total_spent_has_its_currencys_decimals_and_names_it(storefront, dhaka):
    customer, _ = customer_upsert(external_id="C-8", store="DHK-01")
    line = OrderLineInput(sku="A", quantity=1, unit_price=Decimal("49120.00"))
    order_create(external_id="O-8", currency="BDT", placed_at=datetime(2026, 1, 5, tzinfo=UTC), lines=[line],
                          customer=customer)  # fmt: skip
    body = storefront.get("/api/v1/customers/C-8").json()
    assert (body["total_spent"], body["currency"]) == ("49120.00", "BDT")
    storefront.put("/api/v1/customers/C-9", {}, format="json")
    body = storefront.get("/api/v1/customers/C-9").json()
    assert (body["total_spent"], body["currency"]) == ("0", None)


def test_an_order_in_another_currency_is_not_added_to_total_spent(dhaka):
    customer, _ = customer_upsert(external_id="C-10")
    placed = datetime(2026, 1, 5, tzinfo=UTC)
    for number, (currency, price) in enumerate([("TZS", "150000.00"), ("BDT", "5000.00"), ("TZS", "50000.00")]):
        line = OrderLineInput(sku="A", quantity=1, unit_price=Decimal(price))
        order_create(external_id=f"O-10-{number}", currency=currency, placed_at=placed, lines=[line],
                              customer=customer)  # fmt: skip
    customer.refresh_from_db()
    assert (customer.currency, customer.total_spent, customer.orders_count) == ("TZS", Decimal("200000"), 3)
    order_cancel(order=customer.orders.get(external_id="O-10-1"))
    customer.refresh_from_db()
    assert customer.total_spent == Decimal("200000")


def test_the_migration_names_each_customers_currency_and_keeps_total_spent_to_it(dhaka):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("audiences.migrations.0008_customer_currency_and_seed004_segments")
    traveller, _ = customer_upsert(external_id="C-11")
    local, _ = customer_upsert(external_id="C-12", store="DHK-01")
    placed = datetime(2026, 1, 5, tzinfo=UTC)
    for number, (currency, price) in enumerate([("TZS", "150000.00"), ("BDT", "5000.00")]):
        line = OrderLineInput(sku="A", quantity=1, unit_price=Decimal(price))
        order_create(external_id=f"O-11-{number}", currency=currency, placed_at=placed.replace(day=5 + number),
                              lines=[line], customer=traveller)  # fmt: skip
    # As before the migration: no currency, and both currencies added up.
    Customer.objects.update(currency="")
    Customer.objects.filter(pk=traveller.pk).update(total_spent=Decimal("155000"))
    migration.customer_currency(apps, None)
    traveller.refresh_from_db()
    local.refresh_from_db()
    assert (traveller.currency, traveller.total_spent) == ("TZS", Decimal("150000"))
    assert (local.currency, local.total_spent) == ("BDT", Decimal(0))
