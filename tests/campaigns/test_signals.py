"""campaign_message_sent: journeys and scores hear of each campaign message that left, once."""

from decimal import Decimal

import pytest

from campaigns.launch import campaign_launch_run
from campaigns.services import campaign_create, campaign_launch
from campaigns.signals import campaign_message_sent
from messaging.services.dispatch import outbox_dispatch
from tests.campaigns.conftest import people, segment_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_sent_campaign_message_is_announced_once(sms_template):
    heard = []

    def listener(sender, *, campaign, message, variant, **kwargs):
        heard.append((campaign.pk, message.customer_id, variant))

    campaign_message_sent.connect(listener, dispatch_uid="test.listener")
    try:
        members = people(7, consenting=lambda n: n != 0)
        campaign = campaign_create(
            name="Heard", include_segments=[segment_of("heard", members)], holdout_percent=Decimal(0),
            variants=[{"name": "A", "template": sms_template}],
        )  # fmt: skip
        campaign_launch(campaign=campaign)
        campaign_launch_run(campaign_id=campaign.pk)
        outbox_dispatch()
        outbox_dispatch()
    finally:
        campaign_message_sent.disconnect(dispatch_uid="test.listener")
    assert sorted(heard) == sorted((campaign.pk, customer.pk, "A") for customer in members[1:])
