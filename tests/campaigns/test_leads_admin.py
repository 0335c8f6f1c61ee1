"""Leads in the admin: the list's filters and pipeline summary, a lead's status form, the results page's link."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.leads.models import Lead
from campaigns.models import Journey
from tests.campaigns.conftest import LAUNCH, campaign_with, people, touch

pytestmark = pytest.mark.django_db


def lead(customer, status="new", **fields):
    return Lead.objects.create(customer=customer, currency="BDT", created_at=LAUNCH, status=status, **fields)


def test_the_list_sums_the_pipeline_per_status_of_the_leads_filtered(admin_client, shop):
    a, b, c = people(3)
    campaign = campaign_with(shop, "Dealer days")
    lead(a, "won", value=Decimal("2500000.00"), campaign=campaign)
    lead(b, "won", value=Decimal("1500000.00"), campaign=campaign)
    lead(c, "contacted", value=Decimal("900000.00"))

    everything = admin_client.get("/admin/campaigns/lead/").content.decode()
    filtered = admin_client.get(f"/admin/campaigns/lead/?campaign__id__exact={campaign.pk}").content.decode()

    assert "4,000,000.00 BDT" in everything and "900,000.00 BDT" in everything
    assert "<svg" in everything and "Leads per status" in everything
    pipeline = filtered.split('id="lead-pipeline"')[1].split("</section>")[0]
    assert "2 leads" in pipeline and "4,000,000.00 BDT" in pipeline and "900,000.00" not in pipeline


def test_the_status_form_moves_a_lead_and_refuses_what_the_pipeline_refuses(admin_client, shop):
    (customer,) = people(1)
    contacted = lead(customer, "contacted")
    url = f"/admin/campaigns/lead/{contacted.pk}/change/"
    form = admin_client.get(url).content.decode()
    assert 'value="new"' not in form and 'value="test_drive"' in form  # only forward moves are offered

    base = {"customer": customer.pk, "currency": "BDT", "interest": "Corolla", "note": "", "vehicle_vin": ""}
    lost_without_reason = admin_client.post(url, {**base, "status": "lost", "lost_reason": ""})
    won = admin_client.post(url, {**base, "status": "won", "value": "2500000.00"})

    assert (
        lost_without_reason.status_code == 200
        and "A lost lead needs a lost_reason" in lost_without_reason.content.decode()
    )
    assert won.status_code == 302
    contacted.refresh_from_db()
    assert (contacted.status, contacted.value, contacted.interest) == ("won", Decimal("2500000.000"), "Corolla")
    assert contacted.won_at is not None


def test_a_lead_added_in_the_admin_takes_its_source_from_the_last_touch(admin_client, shop):
    (customer,) = people(1)
    campaign = campaign_with(shop, "Touching")
    touch(campaign, customer, shop, clicked_at=LAUNCH)  # the lead is recorded now: long after the click window
    recent = campaign_with(shop, "Recent")
    touch(recent, customer, shop, clicked_at=timezone.now() - timedelta(hours=1))

    answer = admin_client.post(
        "/admin/campaigns/lead/add/",
        {"customer": customer.pk, "status": "new", "interest": "Hilux", "currency": "", "note": "", "vehicle_vin": ""},
    )

    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert Lead.objects.get().campaign_id == recent.pk


def test_the_results_page_links_to_the_campaigns_leads(admin_client, shop):
    (customer,) = people(1)
    campaign = campaign_with(shop, "Linked")
    lead(customer, "won", value=Decimal("500.00"), campaign=campaign)

    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/results/").content.decode()

    assert f'/admin/campaigns/lead/?campaign__id__exact={campaign.pk}"' in page
    assert "1 of 1 lead, worth 500.00 BDT" in page


def test_a_journeys_results_count_its_won_leads(admin_client, marketer, shop):
    a, b = people(2)
    journey = Journey.objects.create(code="service_leads", name="Service leads")
    lead(a, "won", value=Decimal("1200.50"), journey=journey)
    lead(b, "lost", lost_reason="price", journey=journey)

    results = marketer.get(f"/api/v1/journeys/{journey.code}").json()["results"]
    page = admin_client.get(f"/admin/campaigns/journey/{journey.pk}/results/").content.decode()

    assert (results["leads"], results["won_leads"], results["won_lead_value"]) == (2, 1, {"BDT": "1200.50"})
    assert "1 of 2 leads, worth 1200.50 BDT" in page and f"?journey__id__exact={journey.pk}" in page
