"""Retention: old events go, old messages lose what they say of their recipient, and a campaign's results do not
move (docs/privacy.md). Frozen `now`s: each job takes the moment it runs at."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audiences.data_subjects.retention import events_prune, months_before
from audiences.models import Event
from audiences.services.event_partitions import event_partitions_ensure
from campaigns.leads.models import Lead
from campaigns.results import campaign_results
from config.periodic_tasks import periodic_tasks
from messaging.models import Message, TrackingEvent
from messaging.retention import messages_prune
from tests.campaigns.conftest import LAUNCH, assign, campaign_with, people, place, touch

NOW = datetime(2028, 12, 1, 2, 10, tzinfo=UTC)  # 24 months and 11 days after LAUNCH


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(datetime(2026, 3, 31, 5, tzinfo=UTC), 1) == datetime(2026, 2, 28, 5, tzinfo=UTC)
    assert months_before(datetime(2028, 3, 31, tzinfo=UTC), 1) == datetime(2028, 2, 29, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 1) == datetime(2025, 12, 15, tzinfo=UTC)
    assert months_before(datetime(2026, 11, 28, tzinfo=UTC), 24) == datetime(2024, 11, 28, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2200, 1, 1)), st.integers(1, 600))
def test_months_before_is_that_many_calendar_months_earlier(moment, months):
    earlier = months_before(moment, months)
    assert (moment.year * 12 + moment.month) - (earlier.year * 12 + earlier.month) == months
    assert earlier < moment and earlier.time() == moment.time()
    assert earlier.day == moment.day or (earlier.day < moment.day and (earlier + timedelta(days=1)).day == 1)


@pytest.mark.django_db
def test_events_past_the_retention_go_in_batches_and_newer_stay(settings):
    settings.RETENTION_EVENTS_MONTHS = 24
    (customer,) = people(1)
    cutoff = months_before(NOW, 24)
    Event.objects.bulk_create(
        Event(customer=customer, type="product_viewed", occurred_at=cutoff - timedelta(days=n)) for n in range(1, 6)
    )
    kept = Event.objects.create(customer=customer, type="product_viewed", occurred_at=cutoff)

    assert events_prune(now=NOW, batch=2) == 5

    assert list(Event.objects.all()) == [kept]
    assert events_prune(now=NOW, batch=2) == 0


@pytest.mark.django_db
def test_a_lead_outlives_the_event_it_came_from(settings):
    """On PostgreSQL the event's month is dropped whole (its partition made first); the lead loses only its link."""
    settings.RETENTION_EVENTS_MONTHS = 24
    (customer,) = people(1)
    old = datetime(2026, 10, 20, tzinfo=UTC)  # the month before the cutoff's (2026-12-01)
    event_partitions_ensure(now=old, since=old)
    event = Event.objects.create(customer=customer, type="test_drive_requested", occurred_at=old)
    lead = Lead.objects.create(customer=customer, currency="BDT", created_at=old, source_event=event, interest="Axio")

    assert events_prune(now=NOW) == 1

    lead.refresh_from_db()
    assert lead.source_event_id is None and lead.interest == "Axio" and not Event.objects.exists()


@pytest.mark.django_db
def test_zero_months_keeps_everything(settings):
    settings.RETENTION_EVENTS_MONTHS = 0
    settings.RETENTION_MESSAGES_MONTHS = 0
    (customer,) = people(1)
    Event.objects.create(customer=customer, type="signed_up", occurred_at=datetime(2000, 1, 1, tzinfo=UTC))

    assert events_prune(now=NOW) == 0 and messages_prune(now=NOW) == 0
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_old_messages_are_anonymised_and_results_do_not_move(storefront, shop, settings):
    settings.RETENTION_MESSAGES_MONTHS = 24
    customers = people(3)
    campaign = campaign_with(shop, "Old winback")
    assign(campaign, customers)
    for customer in customers:
        touch(campaign, customer, shop, clicked_at=LAUNCH)
    Message.objects.update(
        address="+8801000000000", context={"first_name": "N"}, error="provider said no", created_at=LAUNCH
    )
    TrackingEvent.objects.create(
        provider="sms", event_id="e-1", event_type="clicked", recipient="+8801000000000", occurred_at=LAUNCH,
        message=Message.objects.first(), detail="opened in Dhaka",
    )  # fmt: skip
    place(storefront, "O-1", customers[0], LAUNCH + timedelta(hours=2))
    results = campaign_results(campaign)
    recent = Message.objects.create(
        idempotency_key="recent", customer=customers[0], template=shop, channel="sms", kind="marketing",
        topic="marketing", status="sent", address="+8801000000000", scheduled_for=NOW,
    )  # fmt: skip
    Message.objects.filter(pk=recent.pk).update(created_at=NOW - timedelta(days=1))

    assert messages_prune(now=NOW, batch=2) == 3

    assert campaign_results(campaign) == results and results["variants"][0]["converted"] == 1
    old = Message.objects.exclude(pk=recent.pk)
    assert set(old.values_list("address", "error", "status")) == {("", "", "sent")}
    assert all(message.context == {} and message.clicked_at == LAUNCH for message in old)
    assert Message.objects.get(pk=recent.pk).address == "+8801000000000"
    assert set(TrackingEvent.objects.values_list("recipient", "detail", "event_type")) == {("", "", "clicked")}
    assert messages_prune(now=NOW, batch=2) == 0


@pytest.mark.django_db
def test_each_night_starts_where_the_last_stopped_and_misses_no_message(shop, settings):
    """Three messages a month apart, in id order as the outbox writes them; ranges of two straddle the cutoff."""
    settings.RETENTION_MESSAGES_MONTHS = 1
    (customer,) = people(1)
    months = [datetime(2027, month, 1, tzinfo=UTC) for month in (1, 2, 3)]
    for n, created in enumerate(months):
        message = Message.objects.create(
            idempotency_key=f"m{n}", customer=customer, template=shop, channel="sms", kind="marketing",
            topic="marketing", status="sent", address="+8801000000000", scheduled_for=created,
        )  # fmt: skip
        Message.objects.filter(pk=message.pk).update(created_at=created)

    def addressed():
        return list(Message.objects.order_by("pk").values_list("address", flat=True))

    assert messages_prune(now=datetime(2027, 2, 15, tzinfo=UTC), batch=2) == 1
    assert addressed() == ["", "+8801000000000", "+8801000000000"]
    assert messages_prune(now=datetime(2027, 3, 15, tzinfo=UTC), batch=2) == 1
    assert addressed() == ["", "", "+8801000000000"]
    assert messages_prune(now=datetime(2027, 4, 15, tzinfo=UTC), batch=2) == 1
    assert addressed() == ["", "", ""]


def test_the_nightly_jobs_are_in_the_periodic_tasks_registry():
    tasks = {spec.name: spec for spec in periodic_tasks()}

    assert tasks["audiences.events_retention"].crontab == "10 2 * * *"
    # The months ahead are made before the night's retention runs.
    assert tasks["audiences.event_partitions_ensure"].crontab == "50 1 * * *"
    assert tasks["messaging.messages_retention"].task == "messaging.messages_retention"
