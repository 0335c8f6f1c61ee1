"""Running steps: a step run twice sends once, a failing send neither stalls the others nor the journey,
and two workers draining at once on real connections run each step once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audiences.models import Event
from campaigns.journeys import batch, entry, execution
from campaigns.journeys.entry import journey_enter
from campaigns.journeys.execution import step_runs_due_drain, step_runs_due_execute
from campaigns.journeys.models import Enrollment, StepRun
from messaging.models import Message
from messaging.services import outbox
from promotions.models import PromotionCode
from tests.campaigns.conftest import people
from tests.campaigns.journeys.conftest import journey_of


def test_a_step_run_twice_sends_once_with_one_coupon(sms_template, code_promotion, clock):
    version = journey_of("twice", [("send", {"promotion": code_promotion}, [sms_template])])
    (customer,) = people(1)
    enrollment = journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    step_runs_due_drain()
    # As if a second worker got the same step again (a redelivered task after a lost acknowledgement).
    StepRun.objects.filter(enrollment=enrollment).update(status="pending")
    Enrollment.objects.filter(pk=enrollment.pk).update(status="active")
    step_runs_due_drain()
    assert Message.objects.filter(customer=customer).count() == 1
    assert PromotionCode.objects.filter(promotion=code_promotion).count() == 1


def test_a_failing_send_neither_stalls_the_others_nor_the_journey(sms_template, clock, monkeypatch):
    version = journey_of("flaky", [("send", {}, [sms_template]), ("wait", {"wait": timedelta(hours=1)}, [])])
    broken, fine = people(2)
    real_enqueue = batch.messages_enqueue

    def enqueue(*, requests, **options):
        if any(request.customer_id == broken.pk for request in requests):
            raise ConnectionError("provider down")
        return real_enqueue(requests=requests, **options)

    monkeypatch.setattr(batch, "messages_enqueue", enqueue)
    for customer in (broken, fine):
        journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    step_runs_due_drain()
    assert Message.objects.filter(customer=fine).count() == 1
    failed = StepRun.objects.get(enrollment__customer=broken, attempt=1)
    assert failed.status == "failed" and "provider down" in failed.reason
    for _ in range(execution.MAX_ATTEMPTS):
        clock.advance(minutes=5)
        step_runs_due_drain()
    attempts = StepRun.objects.filter(enrollment__customer=broken, position=1)
    assert attempts.count() == execution.MAX_ATTEMPTS and set(attempts.values_list("status", flat=True)) == {"failed"}
    # After its last attempt the journey moves on to the next step instead of waiting forever.
    assert StepRun.objects.filter(enrollment__customer=broken, position=2, status="done").exists()
    assert Enrollment.objects.get(customer=broken).status == "completed"


def test_a_customer_nobody_may_reach_exits_with_the_reason(sms_template, clock):
    version = journey_of("unreachable", [("send", {}, [sms_template]), ("wait", {"wait": timedelta(hours=1)}, [])])
    (customer,) = people(1, consenting=lambda n: False)
    journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    step_runs_due_drain()
    enrollment = Enrollment.objects.get(customer=customer)
    assert enrollment.status == "exited" and enrollment.exit_reason == "consent_withdrawn"
    assert not Message.objects.exists() and not StepRun.objects.filter(position=2).exists()


def test_a_send_and_the_wait_after_it_run_in_one_claim(sms_template, clock):
    version = journey_of(
        "follow_up",
        [("send", {}, [sms_template]), ("wait", {"wait": timedelta(days=1)}, []), ("send", {}, [sms_template])],
    )
    (customer,) = people(1)
    journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    assert step_runs_due_execute() == 1 and step_runs_due_execute() == 0, "nothing left to claim today"
    runs = StepRun.objects.filter(enrollment__customer=customer)
    assert list(runs.values_list("position", "status", "finished_at", "run_at")) == [
        (1, "done", clock.now, clock.now),
        (2, "done", clock.now, clock.now),
        (3, "pending", None, clock.now + timedelta(days=1)),
    ]
    clock.advance(days=1)
    step_runs_due_drain()
    assert Message.objects.filter(customer=customer).count() == 2
    assert Enrollment.objects.get(customer=customer).status == "completed"


def test_a_batch_takes_as_many_queries_for_thirty_sends_as_for_three(sms_template, clock):
    version = journey_of("counted", [("send", {}, [sms_template]), ("wait", {"wait": timedelta(days=1)}, [])])
    customers = people(33)

    def queries_for(batch_of):
        for customer in batch_of:
            journey_enter(version=version, customer_id=customer.pk, now=clock.now)
        with CaptureQueriesContext(connection) as captured:
            assert step_runs_due_execute() == len(batch_of)
        return len(captured)

    assert queries_for(customers[:3]) == queries_for(customers[3:])
    assert Message.objects.count() == 33


def test_a_drain_wakes_the_outbox_once_not_after_every_batch(
    sms_template, clock, monkeypatch, django_capture_on_commit_callbacks
):
    version = journey_of("woken", [("send", {}, [sms_template])])
    for customer in people(6):
        journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    wakes = []
    monkeypatch.setattr(outbox, "_dispatch_soon", lambda: wakes.append(clock.now))
    with django_capture_on_commit_callbacks(execute=True):
        assert step_runs_due_drain(batch_size=2) == 6
    assert len(wakes) == 1 and Message.objects.count() == 6


def test_steps_not_yet_due_wait_for_their_time(sms_template, clock):
    version = journey_of("later", [("wait", {"wait": timedelta(hours=2)}, []), ("send", {}, [sms_template])])
    (customer,) = people(1)
    journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    step_runs_due_drain()
    clock.advance(hours=1, minutes=59)
    assert step_runs_due_execute() == 0
    clock.advance(minutes=1)
    step_runs_due_drain()
    assert Message.objects.filter(customer=customer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_at_once_run_each_step_once(sms_template, clock, monkeypatch):
    monkeypatch.setattr(entry, "_tick_soon", lambda: None)  # the steps wait for the two workers below
    version = journey_of("parallel", [("send", {}, [sms_template])])
    customers = people(300)
    for customer in customers:
        journey_enter(version=version, customer_id=customer.pk, now=clock.now)

    def worker(_):
        try:
            return step_runs_due_drain(batch_size=20)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        ran = list(pool.map(worker, range(2)))
    assert sum(ran) == 300
    assert Message.objects.filter(journey="parallel").count() == 300
    assert StepRun.objects.filter(status="done").count() == 300


def test_a_batch_of_branches_counts_only_events_since_each_entry(sms_template, clock):
    version = journey_of(
        "since-entry",
        [
            ("wait", {"wait": timedelta(hours=1)}, []),
            ("branch", {"condition": "event_happened", "condition_event_type": "viewed"}, []),
            ("send", {}, [sms_template]),
        ],
    )
    before, since, never = people(3)
    Event.objects.create(customer=before, type="viewed", occurred_at=clock.now - timedelta(minutes=1))
    for customer in (before, since, never):
        journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    Event.objects.create(customer=since, type="viewed", occurred_at=clock.advance(minutes=30))
    clock.advance(minutes=30)
    step_runs_due_drain()
    sent = set(Message.objects.values_list("customer_id", flat=True))
    assert sent == {since.pk}, "only the event after entering counts"
    exits = dict(Enrollment.objects.values_list("customer_id", "exit_reason"))
    assert exits == {before.pk: "branch", since.pk: "", never.pk: "branch"}
