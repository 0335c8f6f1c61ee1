"""Leads: created by the API or an event, credited to the campaign or journey that last touched the customer,
moved along the pipeline; won leads in the campaign's results and ROI. Hand-computed small fixtures."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from campaigns.leads.models import Lead
from campaigns.leads.services import leads_from_events
from campaigns.models import Campaign, Journey
from messaging.models import Message
from tests.campaigns.conftest import LAUNCH, assign, campaign_with, people, place, touch

pytestmark = pytest.mark.django_db
NOON = LAUNCH + timedelta(days=2, hours=12)


def lead_post(storefront, customer, **fields):
    return storefront.post("/api/v1/leads", {"customer": customer.external_id, **fields}, format="json")


def event(storefront, customer, type_, at, key, **properties):
    answer = storefront.post(
        "/api/v1/events",
        {"customer": customer.external_id, "type": type_, "occurred_at": at.isoformat(), "properties": properties,
         "idempotency_key": key},
        format="json",
    )  # fmt: skip
    assert answer.status_code in (200, 201), answer.json()
    return answer.json()


def test_a_lead_posted_is_credited_to_the_campaign_clicked_last(storefront, shop):
    (customer,) = people(1)
    first, second = campaign_with(shop, "first"), campaign_with(shop, "second")
    touch(first, customer, shop, clicked_at=NOON - timedelta(days=1))
    touch(second, customer, shop, clicked_at=NOON - timedelta(hours=2))

    answer = lead_post(storefront, customer, interest="Corolla", store="DHK-01", created_at=NOON.isoformat())

    assert answer.status_code == 201, answer.json()
    lead = answer.json()
    message = Message.objects.get(campaign_id=second.pk)
    assert lead["source"] == {"type": "campaign", "campaign": second.pk, "journey": None, "message": message.pk}
    assert (lead["status"], lead["store"], lead["currency"], lead["value"]) == ("new", "DHK-01", "BDT", None)


def test_a_lead_outside_every_window_has_no_source_and_a_given_campaign_wins(storefront, shop):
    (customer,) = people(1)
    campaign = campaign_with(shop, "old")
    touch(campaign, customer, shop, clicked_at=NOON - timedelta(days=5, seconds=1))  # just before the click window

    unsourced = lead_post(storefront, customer, interest="Hilux", created_at=NOON.isoformat()).json()
    given = lead_post(storefront, customer, interest="Hilux", campaign=campaign.pk).json()

    assert unsourced["source"] == {"type": "", "campaign": None, "journey": None, "message": None}
    assert given["source"]["campaign"] == campaign.pk


def test_a_journey_message_received_last_is_the_source(storefront, shop):
    (customer,) = people(1)
    journey = Journey.objects.create(code="service_reminder_test", name="Service")
    campaign = campaign_with(shop, "earlier")
    touch(campaign, customer, shop, sent_at=NOON - timedelta(hours=5))
    Message.objects.create(
        idempotency_key="journey:1", customer=customer, template=shop, channel="sms", kind="marketing",
        topic="marketing", journey=journey.code, status="sent", scheduled_for=NOON, sent_at=NOON - timedelta(hours=1),
    )  # fmt: skip

    lead = lead_post(storefront, customer, interest="Service", created_at=NOON.isoformat()).json()

    assert lead["source"]["type"] == "journey" and lead["source"]["journey"] == journey.code


def test_posting_the_same_external_id_again_answers_the_first_lead(storefront, shop):
    (customer,) = people(1)
    first = lead_post(storefront, customer, external_id="DMS-1", interest="Corolla")
    again = lead_post(storefront, customer, external_id="DMS-1", interest="Something else")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["interest"] == "Corolla"
    assert Lead.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"store": "NOWHERE"}, "store"),
        ({"product": "NO-SKU"}, "product"),
        ({"value": "10.005", "currency": "BDT"}, "value"),
        ({"value": "-1.00"}, "value"),
        ({"currency": "XYZ"}, "currency"),
        ({"campaign": 999999}, "campaign"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(storefront, shop, fields, named):
    (customer,) = people(1)

    answer = lead_post(storefront, customer, **fields)

    assert answer.status_code == 400, answer.json()
    assert answer.json()["code"] == "invalid" and named in answer.json()["fields"]
    assert not Lead.objects.exists()


def test_an_unknown_customer_or_lead_is_a_404(storefront, shop):
    assert storefront.post("/api/v1/leads", {"customer": "NOBODY"}, format="json").status_code == 404
    assert storefront.get("/api/v1/leads/999999").json()["code"] == "not_found"
    assert storefront.patch("/api/v1/leads/999999", {"status": "won"}, format="json").status_code == 404


def test_the_pipeline_moves_forward_and_stamps_each_status(storefront, shop):
    (customer,) = people(1)
    User.objects.create_user("rahim", is_staff=True)
    lead_id = lead_post(storefront, customer, interest="Corolla").json()["id"]
    url = f"/api/v1/leads/{lead_id}"

    contacted = storefront.patch(url, {"status": "contacted", "owner": "rahim", "at": NOON.isoformat()}, format="json")
    drive = storefront.patch(url, {"status": "test_drive"}, format="json")
    won = storefront.patch(url, {"status": "won", "value": "4790000.00"}, format="json")

    assert contacted.status_code == drive.status_code == won.status_code == 200, won.json()
    lead = won.json()
    assert (lead["status"], lead["owner"], lead["value"]) == ("won", "rahim", "4790000.00")
    assert lead["contacted_at"].startswith("2026-11-22T12:00:00")
    assert lead["test_drive_at"] is not None and lead["won_at"] is not None and lead["lost_at"] is None


@pytest.mark.parametrize(
    ("start", "patch", "status_code", "code"),
    [
        ("won", {"status": "contacted"}, 409, "invalid_transition"),  # won is final
        ("test_drive", {"status": "new"}, 409, "invalid_transition"),  # never backwards
        ("lost", {"status": "won", "value": "1.00"}, 409, "invalid_transition"),
        ("new", {"status": "lost"}, 400, "lost_reason_required"),
        ("contacted", {"status": "won"}, 400, "value_required"),
        ("won", {"value": None}, 400, "value_required"),  # a won lead keeps its value
        ("new", {"status": "sold"}, 400, "invalid"),
        ("new", {"owner": "nobody"}, 400, "invalid"),
    ],
)
def test_a_move_the_pipeline_refuses_is_the_error_shape_and_changes_nothing(
    storefront, shop, start, patch, status_code, code
):
    (customer,) = people(1)
    lead = Lead.objects.create(
        customer=customer, currency="BDT", created_at=NOON, status=start, value=Decimal(5) if start == "won" else None,
        lost_reason="price" if start == "lost" else "",
    )  # fmt: skip

    answer = storefront.patch(f"/api/v1/leads/{lead.pk}", patch, format="json")

    assert answer.status_code == status_code, answer.json()
    assert answer.json()["code"] == code and answer.json()["message"]
    lead.refresh_from_db()
    assert lead.status == start and lead.owner is None


def test_lost_keeps_its_reason(storefront, shop):
    (customer,) = people(1)
    lead_id = lead_post(storefront, customer).json()["id"]

    lost = storefront.patch(f"/api/v1/leads/{lead_id}", {"status": "lost", "lost_reason": "price"}, format="json")

    assert (lost.json()["status"], lost.json()["lost_reason"]) == ("lost", "price")


def test_lead_events_create_one_lead_each_whatever_the_retries(storefront, shop, django_capture_on_commit_callbacks):
    (customer, other) = people(2)
    campaign = campaign_with(shop, "drive")
    touch(campaign, customer, shop, delivered_at=NOON - timedelta(hours=3))  # an SMS received: the receipt window

    with django_capture_on_commit_callbacks(execute=True):
        event(
            storefront, customer, "test_drive_requested", NOON, "e-1", model="Corolla", store="DHK-01", value="2500000"
        )
        event(storefront, customer, "test_drive_requested", NOON, "e-1", model="Corolla")  # the same event again
        event(storefront, other, "lead_created", NOON, "e-2", product="RICE", value="not money", currency="BDT")
        event(storefront, other, "product_viewed", NOON, "e-3", model="Corolla")  # not a lead event

    leads = {lead.customer_id: lead for lead in Lead.objects.all()}
    assert set(leads) == {customer.pk, other.pk}
    drive, created = leads[customer.pk], leads[other.pk]
    assert (drive.campaign_id, drive.interest, drive.store.code, drive.value) == (
        campaign.pk, "Corolla", "DHK-01", Decimal("2500000.000")
    )  # fmt: skip
    assert drive.created_at == NOON and drive.source_event.type == "test_drive_requested"
    assert (created.campaign_id, created.product.sku, created.value) == (None, "RICE", None)  # no touch; bad value
    # Run again over every event, as a retried task would: nothing more.
    assert leads_from_events(event_ids=[e.pk for e in drive.customer.events.all()] + [created.source_event_id]) == 0
    assert Lead.objects.count() == 2


def test_leads_list_filters(storefront, shop):
    (customer, other) = people(2)
    campaign = campaign_with(shop, "list")
    lead_post(storefront, customer, campaign=campaign.pk, store="DHK-01")
    lead_post(storefront, other)

    by_campaign = storefront.get(f"/api/v1/leads?campaign={campaign.pk}").json()
    by_store = storefront.get("/api/v1/leads?store=DHK-01&status=new").json()
    bad = storefront.get("/api/v1/leads?status=sold")

    assert [lead["customer"] for lead in by_campaign["results"]] == [customer.external_id]
    assert by_store["count"] == 1
    assert bad.status_code == 400 and "status" in bad.json()["fields"]


def test_won_leads_credit_their_campaign_in_results_and_roi_without_counting_an_order_twice(storefront, marketer, shop):
    """Costs 10.00 of sending. One order of 100.00 clicked through: attributed revenue 100.00. Won leads: 500.00
    (no order) and 100.00 closed by that attributed order; a lead still open (900.00) and one won for another
    campaign count nothing. Revenue for ROI: 100 + 500 = 600; ROI (600 − 10) / 10 = 59."""
    buyers = people(3)
    campaign, elsewhere = campaign_with(shop, "dealer"), campaign_with(shop, "other")
    assign(campaign, buyers)
    Campaign.objects.filter(pk=campaign.pk).update(sending_cost=Decimal("10.00"))
    touch(campaign, buyers[0], shop, clicked_at=NOON - timedelta(hours=1))
    place(storefront, "O-CAR", buyers[0], NOON)

    def won(customer, source, value, order=None):
        lead_id = lead_post(storefront, customer, campaign=source.pk).json()["id"]
        body = {"status": "won", "value": value, **({"order": order} if order else {})}
        assert storefront.patch(f"/api/v1/leads/{lead_id}", body, format="json").status_code == 200

    won(buyers[1], campaign, "500.00")
    won(buyers[0], campaign, "100.00", order="O-CAR")
    lead_post(storefront, buyers[2], campaign=campaign.pk, value="900.00")
    won(buyers[2], elsewhere, "700.00")

    results = marketer.get(f"/api/v1/campaigns/{campaign.pk}/results").json()

    assert (results["revenue"], results["conversions"]) == ("100.00", "1")
    assert (results["leads"], results["won_leads"]) == (3, 2)
    assert (results["won_lead_value"], results["won_lead_revenue"]) == ("600.00", "500.00")
    assert results["roi"] == "59.0000"
    rows = list(
        csv.DictReader(io.StringIO(marketer.get(f"/api/v1/campaigns/{campaign.pk}/results.csv").content.decode()))
    )
    total = rows[-1]
    assert (total["variant"], total["won_leads"], total["won_lead_value"], total["roi"]) == (
        "total",
        "2",
        "600.00",
        "59.0000",
    )
    assert rows[0]["won_leads"] == ""
