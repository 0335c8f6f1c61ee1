"""Entering from events a batch at a time: a batch of the API enters every cart once, in one task, and the
same batch processed again, or by two workers at once, enters nobody twice; goals reached in the batch count."""

import threading
from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audiences.models import Event
from campaigns.journeys import entry, tasks
from campaigns.journeys.entry import Entry, events_process, journey_enter
from campaigns.journeys.models import Enrollment, StepRun
from tests.campaigns.conftest import people
from tests.campaigns.journeys.conftest import journey_of


def _events(rows: list[tuple]) -> list[int]:
    """Events (customer, type, properties) recorded in the database as the API would, a second apart from now."""
    moment = timezone.now()
    return [
        event.pk
        for event in Event.objects.bulk_create(
            Event(customer=customer, type=kind, properties=properties, occurred_at=moment + timedelta(seconds=n))
            for n, (customer, kind, properties) in enumerate(rows)
        )
    ]


def test_an_api_batch_enters_each_cart_once_in_one_task(
    sms_template, storefront, clock, django_capture_on_commit_callbacks, monkeypatch
):
    journey_of("carts", [("send", {}, [sms_template])], event_type="cart", key_property="cart_id", reentry="per_key")
    journey_of("hello", [("send", {}, [sms_template])], event_type="cart", reentry="once")
    first, second = people(2)
    batches = []
    monkeypatch.setattr(tasks.journeys_events_task, "delay", batches.append)
    carts = [(first, "K1"), (first, "K1"), (first, "K2"), (second, "K1")]
    with django_capture_on_commit_callbacks(execute=True):
        answer = storefront.post(
            "/api/v1/events/batch",
            {"events": [{"customer": c.external_id, "type": "cart", "properties": {"cart_id": k}} for c, k in carts]},
            format="json",
        )
    assert answer.status_code == 201, answer.content
    assert len(batches) == 1 and len(batches[0]) == 4, "one task for the four events"

    assert events_process(event_ids=batches[0]) == 5
    entered = sorted(Enrollment.objects.values_list("version__journey__code", "customer__external_id", "trigger_key"))
    assert entered == [
        ("carts", first.external_id, "K1"),
        ("carts", first.external_id, "K2"),
        ("carts", second.external_id, "K1"),
        ("hello", first.external_id, ""),
        ("hello", second.external_id, ""),
    ]
    assert StepRun.objects.count() == 5, "each enrollment has its first step queued"

    assert events_process(event_ids=batches[0]) == 0, "the same batch run again enters nobody twice"
    assert Enrollment.objects.count() == 5 and StepRun.objects.count() == 5


def test_an_event_task_queued_before_the_upgrade_still_enters_its_customer(sms_template, clock):
    journey_of("hello", [("send", {}, [sms_template])], event_type="cart", reentry="once")
    (customer,) = people(1)
    (event_id,) = _events([(customer, "cart", {})])
    assert tasks.journeys_event_task.delay(event_id).get() == 1  # the single-event task's name and argument
    assert Enrollment.objects.filter(customer=customer).count() == 1


def test_a_cooldown_counts_an_entry_earlier_in_the_same_batch(sms_template, clock):
    journey_of("cool", [("send", {}, [sms_template])], event_type="visit", reentry="cooldown", cooldown_days=30)
    (customer,) = people(1)
    assert events_process(event_ids=_events([(customer, "visit", {}), (customer, "visit", {})])) == 1
    clock.advance(days=31)
    assert events_process(event_ids=_events([(customer, "visit", {})])) == 1
    assert Enrollment.objects.filter(customer=customer).count() == 2


def test_a_goal_in_the_batch_converts_only_the_enrollment_of_its_key(sms_template, clock):
    journey_of(
        "carts", [("send", {}, [sms_template]), ("wait", {"wait": timedelta(days=1)}, [])], event_type="cart",
        key_property="cart_id", reentry="per_key", goal_event_type="checkout", goal_matches_key=True,
    )  # fmt: skip
    first, second = people(2)
    events_process(event_ids=_events([(first, "cart", {"cart_id": "K1"}), (second, "cart", {"cart_id": "K1"})]))
    clock.advance(minutes=5)
    events_process(event_ids=_events([(first, "checkout", {"cart_id": "K1"}), (second, "checkout", {"cart_id": "K9"})]))
    statuses = dict(Enrollment.objects.values_list("customer_id", "status"))
    assert statuses == {first.pk: "converted", second.pk: "active"}
    assert StepRun.objects.get(enrollment__customer=first).status == "cancelled"


@pytest.mark.django_db(transaction=True)
def test_two_workers_processing_the_same_events_at_once_enter_each_cart_once(sms_template, monkeypatch):
    monkeypatch.setattr(entry, "_tick_soon", lambda: None)  # no worker listens here
    journey_of("carts", [("send", {}, [sms_template])], event_type="cart", key_property="cart_id", reentry="per_key")
    customers = people(30)
    # Newer customers' events first, so the events' order is not the customers' order the locks are taken in.
    event_ids = _events([(customer, "cart", {"cart_id": f"K{n % 3}"}) for n, customer in enumerate(customers[::-1])])
    start = threading.Barrier(2)
    errors = []

    def process(ids):
        try:
            start.wait()
            events_process(event_ids=ids)
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            errors.append(error)
        finally:
            connection.close()

    # Overlapping batches: the later one waits for the customers the earlier locked, then sees their enrollments.
    workers = [threading.Thread(target=process, args=(ids,)) for ids in (event_ids, event_ids[10:])]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert Enrollment.objects.count() == 30 and StepRun.objects.count() == 30


def test_an_entry_the_unique_constraint_refuses_leaves_the_rest_of_the_batch_entered(sms_template, clock, monkeypatch):
    version = journey_of("backstop", [("send", {}, [sms_template])], event_type="visit", reentry="once")
    first, second = people(2)
    journey_enter(version=version, customer_id=first.pk, now=clock.now)
    # As if the re-entry check had missed the first enrollment: the unique constraint refuses it on its own.
    monkeypatch.setattr(entry, "_earlier_entries", lambda *args: defaultdict(list))
    entered = entry.journeys_enter(entries=[Entry(version, first.pk), Entry(version, second.pk)], now=clock.now)
    assert [enrollment.customer_id for enrollment in entered] == [second.pk]
    assert Enrollment.objects.filter(version=version).count() == 2 and StepRun.objects.count() == 2
