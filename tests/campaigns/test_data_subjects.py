"""Data-subject requests end to end: one customer known to every app (profile, consents, an event, an order with
a code, loyalty points, a campaign's message and its conversion, a journey), exported and erased through the
management API. Here in campaigns' tests because the customer touches every app below it (docs/privacy.md)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from audiences.data_subjects.registry import DataSection, register_data_section, unregister_data_section
from audiences.data_subjects.services import erasure_run
from audiences.models import Customer, DataSubjectRequest, Event, Order, OrderLine, Vehicle, VehicleOwnership
from campaigns.journeys.models import Enrollment, Journey, JourneyVersion
from campaigns.models import Conversion
from campaigns.results import campaign_results
from loyalty.models import LedgerEntry, Member, Program
from messaging.models import Message, Suppression, TrackingEvent
from messaging.services.dispatch import outbox_dispatch
from messaging.services.outbox import message_enqueue
from promotions.models import PromotionCode, Redemption
from tests.campaigns.conftest import LAUNCH, assign, campaign_with, place, touch

pytestmark = pytest.mark.django_db

EMAIL = "Rahim.Private@Example.com"
VIN = "JTDBR32E720000009"
PHONE = "+8801712345678"
NAME = "Rahimuddin"
SECRETS = (EMAIL.lower(), PHONE, NAME.lower(), "gulshan avenue 7")
ORDER_AT = LAUNCH + timedelta(days=1)


@pytest.fixture
def known(storefront, shop, code_promotion):
    """Customer C-1, known to every app; returns (customer, campaign)."""
    PromotionCode.objects.create(promotion=code_promotion, code="COMEBACK")
    Program.objects.create(name="Club BD", currency="BDT", points_per_unit=Decimal("0.1"))
    answer = storefront.put(
        "/api/v1/customers/C-1",
        {"email": EMAIL, "phone": PHONE, "first_name": NAME, "last_name": "Khan", "city": "Dhaka",
         "store": "DHK-01", "attributes": {"address": "Gulshan Avenue 7", "car": "Axio"}},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 201, answer.json()
    located = storefront.put("/api/v1/customers/C-1", {"latitude": 23.7925, "longitude": 90.4078}, format="json")
    assert located.status_code == 200, located.json()
    car = {"customer": "C-1", "make": "Toyota", "model": "Axio", "year": 2016}
    assert storefront.put(f"/api/v1/vehicles/{VIN}", car, format="json").status_code == 201
    customer = Customer.objects.get(external_id="C-1")
    for channel in ("sms", "email"):
        storefront.post(
            "/api/v1/customers/C-1/consents", {"channel": channel, "status": "opted_in", "source": "pos"}, format="json"
        )
    answer = storefront.post(
        "/api/v1/events",
        {"customer": "C-1", "type": "complaint_opened", "occurred_at": LAUNCH.isoformat(),
         "properties": {"text": f"Call {NAME} on {PHONE}"}},
        format="json",
    )  # fmt: skip
    assert answer.status_code in (200, 201), answer.json()
    Member.objects.create(customer=customer, program=Program.objects.get())
    campaign = campaign_with(shop, "Winback")
    assign(campaign, [customer])
    touch(campaign, customer, shop, clicked_at=LAUNCH)
    Message.objects.filter(customer=customer).update(address=PHONE, context={"first_name": NAME})
    TrackingEvent.objects.create(
        provider="sms", event_id="e-1", event_type="delivered", recipient=PHONE, occurred_at=LAUNCH,
        message=Message.objects.get(customer=customer),
    )  # fmt: skip
    place(storefront, "O-1", customer, ORDER_AT, price="1000.00", codes=["COMEBACK"])
    journey = Journey.objects.create(code="privacy-test", name="Privacy test")
    version = JourneyVersion.objects.create(journey=journey, number=1)
    Enrollment.objects.create(
        version=version, customer=customer, bucket=1, entered_at=LAUNCH, snapshot={"text": f"{NAME} {EMAIL}"}
    )
    Suppression.objects.create(channel="email", address=EMAIL.lower(), reason="complaint", source="sendgrid")
    return customer, campaign


@pytest.fixture
def erase(marketer, django_capture_on_commit_callbacks):
    """POST .../erase as the marketer, running the task it queues when its transaction commits."""

    def erase(external_id: str = "C-1"):
        with django_capture_on_commit_callbacks(execute=True):
            return marketer.post(f"/api/v1/customers/{external_id}/erase")

    return erase


def everywhere(needle: str) -> list[str]:
    """Every table.column of the whole database whose text holds `needle` (any case)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                quoted = connection.ops.quote_name(column.name)
                cursor.execute(
                    f"SELECT 1 FROM {connection.ops.quote_name(table)} "  # noqa: S608 - names from the catalogue
                    f"WHERE LOWER(CAST({quoted} AS TEXT)) LIKE %s LIMIT 1",
                    [f"%{needle.lower()}%"],
                )
                if cursor.fetchone():
                    found.append(f"{table}.{column.name}")
    return found


def test_the_export_holds_every_section(marketer, known):
    customer, _ = known

    answer = marketer.get("/api/v1/customers/C-1/export")

    assert answer.status_code == 200
    assert answer["Content-Disposition"] == f'attachment; filename="customer-{customer.pk}-data.json"'
    sections = answer.json()["sections"]
    assert sections["profile"]["email"] == EMAIL.lower() and sections["profile"]["phone"] == PHONE
    assert sections["profile"]["attributes"] == {"address": "Gulshan Avenue 7", "car": "Axio"}
    assert {(c["channel"], c["status"]) for c in sections["consents"]["in_force"]} == {
        ("sms", "opted_in"),
        ("email", "opted_in"),
    }
    assert len(sections["consents"]["history"]) == 2
    (order,) = sections["orders"]
    assert order["external_id"] == "O-1" and [line["sku"] for line in order["lines"]] == ["RICE"]
    assert [event["type"] for event in sections["events"]] == ["complaint_opened"]
    (message,) = sections["messages"]["messages"]
    assert message["status"] == "sent" and message["delivery_events"][0]["event_type"] == "delivered"
    assert "idempotency_key" not in message and "error" not in message
    assert [s["reason"] for s in sections["messages"]["suppressions"]] == ["complaint"]
    assert "segments" in sections and "scores" in sections
    assert [vehicle["vin"] for vehicle in sections["vehicles"]["owned"]] == [VIN]
    assert sections["profile"]["latitude"] == 23.7925
    assert sections["promotions"]["redemptions"][0]["code__code"] == "COMEBACK"
    (member,) = sections["loyalty"]
    assert member["program"] == "Club BD" and sum(entry["points"] for entry in member["ledger"]) > 0
    assert member["lots"]
    assert [a["campaign__name"] for a in sections["campaigns"]["assignments"]] == ["Winback"]
    assert sections["campaigns"]["conversions"][0]["order__external_id"] == "O-1"
    assert sections["campaigns"]["journeys"][0]["version__journey__name"] == "Privacy test"
    recorded = DataSubjectRequest.objects.get()
    assert (recorded.kind, recorded.status, recorded.requested_by) == ("export", "done", marketer.user)


@pytest.mark.parametrize("who", ["marketer", "analyst"])
def test_a_big_history_is_exported_in_the_background(who, request, known, settings, django_capture_on_commit_callbacks):
    client = request.getfixturevalue(who)
    settings.DATA_EXPORT_INLINE_MAX_ROWS = 1

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.get("/api/v1/customers/C-1/export")

    assert answer.status_code == 202
    body = answer.json()
    assert body["kind"] == "export" and body["download"] == f"/api/v1/customers/C-1/export?request={body['id']}"
    file = client.get(body["download"])  # the job ran inline (eager Celery)
    assert file.status_code == 200
    assert file.json()["sections"]["orders"][0]["external_id"] == "O-1"
    assert DataSubjectRequest.objects.get().status == "done"


def test_an_erasure_leaves_the_personal_data_nowhere(marketer, known, erase):
    customer, _ = known
    before = {needle: everywhere(needle) for needle in SECRETS}
    assert all(before.values()), before  # the search finds what is there

    answer = erase()

    assert answer.status_code == 202
    assert answer.json()["kind"] == "erasure"
    assert {needle: everywhere(needle) for needle in SECRETS} == {needle: [] for needle in SECRETS}
    customer.refresh_from_db()
    assert customer.erased_at is not None
    recorded = DataSubjectRequest.objects.get()
    assert (recorded.status, recorded.requested_by, recorded.finished_at is not None) == (
        "done",
        marketer.user,
        True,
    )
    assert marketer.get("/api/v1/customers/C-1/erase").json()["status"] == "done"
    assert Enrollment.objects.get().status == "exited"
    assert (customer.latitude, customer.longitude) == (None, None)
    car = Vehicle.objects.get(vin=VIN)  # the car stays, tied to nobody
    assert car.owner is None and not VehicleOwnership.objects.filter(customer=customer).exists()


def test_the_customer_then_reads_as_erased(storefront, marketer, known, erase):
    erase()

    data = storefront.get("/api/v1/customers/C-1").json()

    assert data["erased_at"] is not None
    assert (data["email"], data["phone"], data["first_name"], data["attributes"]) == ("", "", "", {})
    assert {(c["channel"], c["status"]) for c in data["consents"]} == {("sms", "opted_out"), ("email", "opted_out")}
    refused = storefront.put("/api/v1/customers/C-1", {"email": EMAIL}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "customer_erased"


def test_orders_and_campaign_results_stay_as_they_were(marketer, known, erase):
    customer, campaign = known
    results = campaign_results(campaign)
    orders = list(Order.objects.values_list("external_id", "total", "customer_id"))
    lines = list(OrderLine.objects.values_list("sku", "total"))
    points = list(LedgerEntry.objects.values_list("points", flat=True))

    erase()

    assert campaign_results(campaign) == results
    assert results["variants"][0]["converted"] == 1
    assert list(Order.objects.values_list("external_id", "total", "customer_id")) == orders
    assert list(OrderLine.objects.values_list("sku", "total")) == lines
    assert list(LedgerEntry.objects.values_list("points", flat=True)) == points
    assert Conversion.objects.filter(customer=customer).exists()
    assert Redemption.objects.filter(customer=customer).count() == 1
    assert Event.objects.get().properties == {}  # counted by type and time still


def test_an_erased_address_is_never_sent_to_again_even_with_a_new_account(storefront, marketer, known, shop, erase):
    """The choice (docs/privacy.md): blocked. The same email and phone under a new id, opted in, get nothing."""
    erase()
    assert not Suppression.objects.filter(address__in=[EMAIL.lower(), PHONE]).exists()
    assert set(Suppression.objects.values_list("channel", "reason")) == {
        ("email", "complaint"),  # the complaint, kept as a hash
        ("sms", "erased"),
        ("whatsapp", "erased"),
    }
    storefront.put("/api/v1/customers/C-2", {"email": EMAIL, "phone": PHONE}, format="json")
    storefront.post("/api/v1/customers/C-2/consents", {"channel": "sms", "status": "opted_in", "source": "web"},
                    format="json")  # fmt: skip
    again = Customer.objects.get(external_id="C-2")
    message, _ = message_enqueue(customer=again, template=shop, idempotency_key="after-erasure")

    outbox_dispatch()

    message.refresh_from_db()
    assert (message.status, message.reason) == ("skipped", "suppressed")


def test_erasing_twice_or_after_a_killed_run_changes_nothing_more(marketer, known, erase):
    customer, _ = known
    calls = []

    def fails_once(customer):
        calls.append(customer.pk)
        if len(calls) == 1:
            raise RuntimeError("worker killed")

    register_data_section(DataSection("flaky", "Flaky", lambda customer: None, fails_once, position=500))
    try:
        with pytest.raises(RuntimeError):
            erase()
        recorded = DataSubjectRequest.objects.get()
        assert recorded.status == "failed" and "flaky" not in recorded.steps_done
        assert "consents" in recorded.steps_done  # the sections before it are done, and stay done

        erasure_run(request_id=recorded.pk)  # the task delivered again
        again = erase()  # asked again
        erasure_run(request_id=recorded.pk)
    finally:
        unregister_data_section("flaky")

    recorded.refresh_from_db()
    assert recorded.status == "done" and again.json()["id"] == recorded.pk
    assert calls == [customer.pk, customer.pk]
    assert DataSubjectRequest.objects.count() == 1
    assert Suppression.objects.count() == 3
    assert customer.consent_records.filter(source="erasure").count() == 2


@pytest.mark.parametrize("action", ["get:export", "post:erase"])
def test_refusals_are_in_the_error_shape(action, marketer, storefront, known):
    method, path = action.split(":")

    unknown = getattr(marketer, method)(f"/api/v1/customers/NOPE/{path}")
    by_key = getattr(storefront, method)(f"/api/v1/customers/C-1/{path}")

    assert unknown.status_code == 404
    assert unknown.json() == {"code": "not_found", "message": "Unknown customer 'NOPE'."}
    assert by_key.status_code == 401 and by_key.json()["code"] == "not_authenticated"
    assert "An API key is for the storefront endpoints." in by_key.json()["message"]
    assert not DataSubjectRequest.objects.exists()
    assert Customer.objects.get(external_id="C-1").erased_at is None


def test_an_analyst_may_export_but_not_erase(analyst, known):
    refused = analyst.post("/api/v1/customers/C-1/erase")

    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert Customer.objects.get(external_id="C-1").erased_at is None
    assert analyst.get("/api/v1/customers/C-1/export").status_code == 200
    assert DataSubjectRequest.objects.get().requested_by == analyst.user


def test_an_unknown_background_export_is_a_404(marketer, known):
    answer = marketer.get("/api/v1/customers/C-1/export?request=999")

    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_the_registry_refuses_a_second_section_under_a_taken_key():
    with pytest.raises(ValueError, match="'orders' is registered already"):
        register_data_section(DataSection("orders", "Orders again", lambda customer: None))
