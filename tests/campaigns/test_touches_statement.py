"""An order's touches are read with the campaigns' horizon in one prebuilt statement on PostgreSQL, and through the
ORM (the horizon, then the touches) elsewhere: the same touches."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from campaigns.conversions import customers_touches, customers_touches_in_horizon, touch_horizon
from campaigns.models import Campaign
from tests.campaigns.conftest import campaign_with, people, touch

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has only the ORM's way"),
]
T = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _orm_touches(customer_ids, first, last):
    return customers_touches(customer_ids=customer_ids, since=first - touch_horizon(), until=last)


def _key(touch):
    return (touch.campaign_id, touch.customer_id, touch.kind, touch.channel, touch.at)


def test_no_campaign_means_a_zero_horizon_in_both_ways(shop):
    ana = people(1)[0]
    assert customers_touches_in_horizon(customer_ids=[ana.pk], first=T, last=T) == []
    assert _orm_touches([ana.pk], T, T) == []


def test_both_ways_read_the_same_touches_at_the_edges_of_the_longest_window(shop):
    ana, bo, cy = people(3)
    short = campaign_with(shop, "short")
    Campaign.objects.filter(pk=short.pk).update(click_window_hours=24, receipt_window_hours=12)
    longest = campaign_with(shop, "longest")
    Campaign.objects.filter(pk=longest.pk).update(click_window_hours=48, receipt_window_hours=72)
    horizon = timedelta(hours=72)
    touch(short, ana, shop, sent_at=T - horizon, delivered_at=T - horizon)  # exactly at the horizon: read
    touch(longest, ana, shop, key="x", sent_at=T - horizon - timedelta(seconds=1))  # just past it: not read
    touch(longest, bo, shop, sent_at=T - timedelta(days=9), clicked_at=T - timedelta(hours=1))  # a late time in
    touch(short, bo, shop, key="y", sent_at=T + timedelta(hours=2))  # after the last order: not read
    touch(short, cy, shop, sent_at=T - timedelta(hours=1))  # another customer's

    customers = [ana.pk, bo.pk]
    prebuilt = sorted(map(_key, customers_touches_in_horizon(customer_ids=customers, first=T, last=T)))
    assert prebuilt == sorted(map(_key, _orm_touches(customers, T, T)))
    assert {(campaign, customer) for campaign, customer, *_ in prebuilt} == {(short.pk, ana.pk), (longest.pk, bo.pk)}
    assert len(prebuilt) == 4  # ana's send and delivery; bo's send (9 days back) and click: the message whole
