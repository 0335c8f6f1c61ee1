"""A campaign whose message offers a car: members whose dealer has none at launch are skipped out_of_stock,
counted in the progress (and the holdout's would-be skips, for intent-to-treat); a sellout between the
launch and the send skips at send time, counted the same way."""

from decimal import Decimal

import pytest

from audiences.models import Customer
from audiences.services.catalog import product_upsert, store_upsert
from audiences.services.stock import StockInput, stock_set
from campaigns.launch import campaign_launch_run
from campaigns.models import Campaign
from campaigns.selectors import campaign_progress
from campaigns.services import campaign_create, campaign_launch
from messaging.models import Message
from messaging.services.dispatch import outbox_dispatch
from tests.campaigns.conftest import people, segment_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def dealers(sms_template):
    x = store_upsert(code="DLR-X", name="X", timezone="Asia/Dhaka", currency="BDT")[0]
    y = store_upsert(code="DLR-Y", name="Y", timezone="Asia/Dhaka", currency="BDT")[0]
    sms_template.offer_product = product_upsert(sku="COR", name="Corolla", price=Decimal("2500000"), currency="BDT")[0]
    sms_template.save()
    stock_set(levels=[StockInput("COR", "DLR-X", 0), StockInput("COR", "DLR-Y", 1)])
    members = people(12)
    Customer.objects.filter(pk__in=[c.pk for c in members[:5]]).update(store=x)
    Customer.objects.filter(pk__in=[c.pk for c in members[5:]]).update(store=y)
    return {"template": sms_template, "segment": segment_of("corolla_fans", members), "x": x, "y": y}


def test_members_whose_dealer_has_none_are_skipped_and_counted(dealers):
    campaign = campaign_create(
        name="Corolla on the lot",
        include_segments=[dealers["segment"]],
        holdout_percent=Decimal(0),
        variants=[{"name": "A", "weight": 1, "template": dealers["template"]}],
    )
    campaign_launch_run(campaign_id=campaign_launch(campaign=campaign).pk, batch_size=5)
    # Y sells its only Corolla before the outbox runs: its seven members are skipped at send time.
    stock_set(levels=[StockInput("COR", "DLR-Y", 0)])
    outbox_dispatch()

    progress = campaign_progress(Campaign.objects.get(pk=campaign.pk))
    assert progress["frozen"] == 12
    assert progress["queued"] == 7, "X's five were never queued"
    assert progress["sent"] == 0
    assert progress["skipped"] == {"out_of_stock": 12}
    assert set(Message.objects.values_list("reason", flat=True)) == {"out_of_stock"}
