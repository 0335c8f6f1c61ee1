"""Two launches of one campaign at once, on two real connections: they take turns on the campaign's row,
so every customer is frozen once and queued once."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from campaigns.launch import campaign_launch_run
from campaigns.models import Assignment, Campaign
from campaigns.services import campaign_create
from messaging.models import Message
from tests.campaigns.conftest import people, segment_of


@pytest.mark.django_db(transaction=True)
def test_two_launches_at_once_freeze_and_queue_everyone_once(sms_template):
    members = people(600)
    campaign = campaign_create(
        name="Twice", include_segments=[segment_of("twice", members)], holdout_percent=Decimal(10),
        variants=[{"name": "A", "template": sms_template}],
    )  # fmt: skip
    # Started by hand (not through campaign_launch, whose task would run first), then launched twice at once.
    Campaign.objects.filter(pk=campaign.pk).update(status="running", launch_started_at=campaign.created_at)

    def launch(_):
        try:
            return campaign_launch_run(campaign_id=campaign.pk, batch_size=25).frozen
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(launch, range(2)))

    done = Campaign.objects.get(pk=campaign.pk)
    assert done.frozen == Assignment.objects.filter(campaign=campaign).count() == 600
    per_customer = Counter(Message.objects.filter(campaign_id=campaign.pk).values_list("customer_id", flat=True))
    assert len(per_customer) == done.queued == 600 - done.held_out and set(per_customer.values()) == {1}
