"""The Reports page's campaigns and loyalty panels: running campaigns with their sends, conversions, revenue and
lift; their sends per day; loyalty members per tier. Each chart's numbers as CSV."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audiences.models import Customer
from audiences.services.catalog import category_upsert, product_upsert, store_upsert
from campaigns.services import campaign_create, campaign_launch
from loyalty.models import Member, Program, Tier
from messaging.models import Template
from tests.backoffice.conftest import signed_in, staff_in
from tests.campaigns.conftest import people, place, segment_of, touch

pytestmark = pytest.mark.django_db


def rows_of(client, key: str) -> list[list[str]]:
    response = client.get(f"/admin/reports/{key}.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def eid(db):
    template = Template.objects.create(code="eid", name="Eid", channel="sms", kind="marketing", topic="marketing")
    customers = people(4)
    campaign = campaign_create(
        name="Eid weekend", include_segments=[segment_of("eid", customers)], holdout_percent=0,
        variants=[{"name": "A", "template": template}],
    )  # fmt: skip
    campaign = campaign_launch(campaign=campaign)
    now = timezone.now()
    for n, customer in enumerate(customers[:3]):
        touch(campaign, customer, template, sent_at=now - timedelta(days=n))
    campaign_create(name="Never launched", variants=[{"name": "A", "template": template}])
    return campaign


def test_the_campaigns_panel_lists_launched_campaigns_with_their_numbers(analyst_admin, eid):
    rows = rows_of(analyst_admin, "campaigns")
    assert rows[0] == [
        "campaign", "sent", "customers converted", "attributed orders", "revenue", "currency",
        "lift (points of conversion)", "status",
    ]  # fmt: skip
    assert rows[1:] == [["Eid weekend", "3", "0", "0", "0.00", "BDT", "", "Running"]]
    page = analyst_admin.get("/admin/reports/").content.decode()
    assert 'id="report-campaigns"' in page and "<td>Eid weekend</td>" in page and "Never launched" not in page

    daily = rows_of(analyst_admin, "campaigns-daily")
    assert daily[0] == ["day", "sent", "attributed orders"] and len(daily) == 31
    assert [row[1] for row in daily[-3:]] == ["1", "1", "1"]


def test_a_customer_ordering_twice_is_one_customer_converted_and_two_attributed_orders(analyst_admin, storefront, eid):
    store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")
    category_upsert(code="grocery", name="Grocery")
    product_upsert(sku="RICE", name="Rice", price=100, currency="BDT", category_code="grocery")
    buyer = Customer.objects.get(external_id="P-0")
    now = timezone.now()
    touch(eid, buyer, eid.variants.get().template, key=":click", clicked_at=now - timedelta(minutes=30))
    place(storefront, "O-1", buyer, now - timedelta(minutes=20))
    place(storefront, "O-2", buyer, now - timedelta(minutes=10))

    overview = dict(zip(*rows_of(analyst_admin, "campaigns"), strict=True))
    assert (overview["customers converted"], overview["attributed orders"]) == ("1", "2")
    daily = rows_of(analyst_admin, "campaigns-daily")
    assert sum(int(row[2]) for row in daily[1:]) == 2  # whole numbers, not "2.000000"


def test_loyalty_members_per_tier(analyst_admin):
    program = Program.objects.create(name="Stars", currency="BDT", points_per_unit=Decimal(1))
    silver = Tier.objects.create(program=program, name="Silver", threshold=100)
    Tier.objects.create(program=program, name="Gold", threshold=1000)
    for n, customer in enumerate(people(3)):
        Member.objects.create(customer=customer, program=program, tier=silver if n else None)
    assert rows_of(analyst_admin, "loyalty-tiers") == [
        ["tier", "members"],
        ["no tier", "1"],
        ["Silver", "2"],
        ["Gold", "0"],
    ]


def test_someone_who_may_not_see_campaigns_gets_no_campaign_panel(db, eid):
    nobody = signed_in(staff_in(None, "nobody"))
    assert nobody.get("/admin/reports/campaigns.csv").status_code == 404
    assert Customer.objects.count() == 4
