"""The demo data set comes with a launched win-back broadcast; flushing the demo removes it first."""

import io

import pytest
from django.core.management import call_command

from campaigns.demo import DEMO_CAMPAIGN
from campaigns.launch import campaign_launch_run
from campaigns.models import Assignment, Campaign
from messaging.models import Message

pytestmark = pytest.mark.django_db

SMALL = {"customers": 400, "orders": 1200, "products": 12, "stores": 2, "no_progress": True}


def test_seed_demo_launches_the_demo_broadcast_and_a_flush_replaces_it():
    call_command("seed_demo", **SMALL)
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
