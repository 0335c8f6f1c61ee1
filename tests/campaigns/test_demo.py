"""The demo data set comes with a launched win-back broadcast and a finished A/B test with results; flushing
the demo removes them first."""

import io

import pytest
from django.core.management import call_command

from campaigns.demo import DEMO_CAMPAIGN
from campaigns.demo_history import FINISHED_CAMPAIGN
from campaigns.launch import campaign_launch_run
from campaigns.models import Assignment, Campaign
from campaigns.results import campaign_results
from messaging.models import Message

pytestmark = pytest.mark.django_db

SMALL = {"customers": 400, "orders": 1200, "products": 12, "stores": 2, "no_progress": True}


def test_seed_demo_launches_the_demo_broadcast_and_a_flush_replaces_it():
    call_command("seed_demo", **SMALL)
    finished_ab_test_has_results()
    campaign = Campaign.objects.get(name=DEMO_CAMPAIGN)
    assert campaign.status == "running" and campaign.launch_finished_at is None
    # As `make run` does: the segments are refreshed, then the worker runs the launch.
    call_command("refresh_audiences", stdout=io.StringIO())
    campaign = campaign_launch_run(campaign_id=campaign.pk)
    assert campaign.launch_finished_at is not None
    assert campaign.frozen == Assignment.objects.filter(campaign=campaign).count() > 0
    assert campaign.held_out > 0
    queued = Message.objects.filter(campaign_id=campaign.pk)
    assert queued.count() == campaign.queued > 0
    # Each queued message carries its recipient's own code of the comeback promotion.
    codes = [message.context["coupon"]["code"] for message in queued]
    assert len(set(codes)) == len(codes) and all(code.startswith("WB-") for code in codes)

    call_command("seed_demo", flush=True, **SMALL)
    again = Campaign.objects.get(name=DEMO_CAMPAIGN)
    assert again.pk != campaign.pk and again.status == "running"
    finished_ab_test_has_results()


def finished_ab_test_has_results():
    campaign = Campaign.objects.get(name=FINISHED_CAMPAIGN)
    assert campaign.status == "completed"
    results = campaign_results(campaign)
    by_name = {variant["name"]: variant for variant in results["variants"]}
    assert set(by_name) == {"A", "B"}
    # Clickers became leads credited to it (one through a test_drive_requested event); three were won.
    assert results["leads"] == 8 and results["won_leads"] == 3 and results["won_lead_value"] > 0
    assert campaign.leads.filter(source_event__type="test_drive_requested").count() == 1
    # Played out through the real services: deliveries, clicks and orders credited to each variant.
    for variant in by_name.values():
        assert variant["delivered"] > 0 and variant["clicked"] > 0 and variant["converted"] > 0
    assert results["revenue"] > 0 and results["holdout"]["recipients"] > 0
    assert results["lift"].status == "measured"
    assert sum(day["sent"] for day in results["daily"]) == sum(v["sent"] for v in by_name.values()) > 0
