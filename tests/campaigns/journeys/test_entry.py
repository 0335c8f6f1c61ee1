"""Entering: re-entry policies, no double entry on parallel connections, the holdout, segments and dates."""

import threading
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from audiences.models import SegmentMembershipChange
from campaigns.journeys.entry import date_triggers_run, journey_enter, segment_changes_process
from campaigns.journeys.execution import step_runs_due_drain
from campaigns.journeys.exits import goals_reach
from campaigns.journeys.models import Enrollment, StepRun
from messaging.models import Message
from tests.campaigns.conftest import people, segment_of
from tests.campaigns.journeys.conftest import journey_of


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reentry", ["once", "cooldown"])
def test_parallel_entries_of_one_customer_enter_once(sms_template, reentry):
    version = journey_of("race", [("send", {}, [sms_template])], reentry=reentry, cooldown_days=30)
    (customer,) = people(1)
    now = datetime(2026, 6, 1, 6, tzinfo=UTC)
    start = threading.Barrier(4)

    def enter(key):
        try:
            start.wait()
            return journey_enter(version=version, customer_id=customer.pk, key=key, now=now)
        finally:
            connection.close()

    threads = [threading.Thread(target=enter, args=(f"key-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Enrollment.objects.filter(customer=customer).count() == 1
    assert StepRun.objects.filter(enrollment__customer=customer).count() == 1


def test_cooldown_lets_the_customer_in_again_only_after_it(sms_template, clock):
    version = journey_of("cool", [("send", {}, [sms_template])], reentry="cooldown", cooldown_days=30)
    (customer,) = people(1)
    entries = []
    for days in (0, 10, 29, 31, 40):
        entries.append(
            bool(journey_enter(version=version, customer_id=customer.pk, now=clock.now + timedelta(days=days)))
        )
    assert entries == [True, False, False, True, False]


def test_once_never_again_per_key_once_per_key(sms_template, clock):
    once = journey_of("once", [("send", {}, [sms_template])], reentry="once")
    per_key = journey_of("per-key", [("send", {}, [sms_template])], reentry="per_key")
    (customer,) = people(1)
    assert [bool(journey_enter(version=once, customer_id=customer.pk, key=k, now=clock.now)) for k in "aab"] == [
        True, False, False,
    ]  # fmt: skip
    assert [bool(journey_enter(version=per_key, customer_id=customer.pk, key=k, now=clock.now)) for k in "aab"] == [
        True, False, True,
    ]  # fmt: skip
    assert journey_enter(version=per_key, customer_id=customer.pk, key="", now=clock.now) is None


def test_the_holdout_is_sent_nothing_and_still_counts_its_conversions(sms_template, clock):
    version = journey_of(
        "lift", [("send", {}, [sms_template])], holdout=Decimal(30), goal_event_type="purchase", goal_window_days=7
    )
    customers = people(400)
    for customer in customers:
        journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    step_runs_due_drain()
    statuses = Counter(Enrollment.objects.values_list("status", flat=True))
    assert 80 < statuses["holdout"] < 160 and statuses["holdout"] + statuses["completed"] == 400
    held = Enrollment.objects.filter(status="holdout").first()
    assert not Message.objects.filter(customer_id=held.customer_id).exists()
    assert Message.objects.filter(journey="lift").count() == statuses["completed"]
    goals_reach(customer_id=held.customer_id, event_type="purchase", properties={}, occurred_at=clock.advance(days=1))
    held.refresh_from_db()
    assert held.converted_at == clock.now and held.status == "holdout"
    late = Enrollment.objects.filter(status="holdout").exclude(pk=held.pk).first()
    goals_reach(customer_id=late.customer_id, event_type="purchase", properties={}, occurred_at=clock.advance(days=7))
    late.refresh_from_db()
    assert late.converted_at is None, "a goal after its window is no conversion"


def _change(segment, customers, kind, at):
    SegmentMembershipChange.objects.bulk_create(
        SegmentMembershipChange(segment=segment, customer=c, kind=kind, changed_at=at) for c in customers
    )
    segment_changes_process(segment_id=segment.pk, changed_at=at)


def test_leaving_the_segment_ejects_only_where_the_journey_says_so(sms_template, clock):
    members = people(2)
    segment = segment_of("vip", [])
    steps = [("wait", {"wait": timedelta(days=3)}, []), ("send", {}, [sms_template])]
    kept = journey_of("kept", steps, trigger="segment_entered", segment=segment)
    ejecting = journey_of("ejecting", steps, trigger="segment_entered", segment=segment, exit_on_segment_exit=True)
    _change(segment, members, "entered", clock.now)
    assert Enrollment.objects.filter(status="active").count() == 4
    _change(segment, members[:1], "exited", clock.advance(hours=1))
    assert Enrollment.objects.get(version=ejecting, customer=members[0]).exit_reason == "left_segment"
    assert Enrollment.objects.get(version=ejecting, customer=members[1]).status == "active"
    assert Enrollment.objects.get(version=kept, customer=members[0]).status == "active"
    clock.advance(days=3)
    step_runs_due_drain()
    step_runs_due_drain()
    assert set(Message.objects.values_list("customer_id", flat=True)) == {members[0].pk, members[1].pk}
    assert Message.objects.count() == 3


def test_birthday_enters_three_days_ahead_once_a_year_and_its_later_steps_fire(sms_template, clock):
    version = journey_of(
        "bday",
        [("wait_until", {"local_time": time(10), "next_day": True}, []), ("send", {}, [sms_template])],
        trigger="date", date_field="birth_date", offset_days=-3, reentry="per_key",
    )  # fmt: skip
    born_in_three_days, other = people(2)
    born_in_three_days.birth_date = date(1990, 6, 4)
    born_in_three_days.save()
    other.birth_date = date(1990, 6, 5)
    other.save()
    assert date_triggers_run(today=date(2026, 6, 1)) == 1
    assert date_triggers_run(today=date(2026, 6, 1)) == 0, "the daily task run twice enters nobody twice"
    enrollment = Enrollment.objects.get(version=version)
    assert enrollment.customer == born_in_three_days and enrollment.trigger_key == "2026-06-04"
    step_runs_due_drain()
    # The next day at 10:00 in Dhaka (UTC+6) is 04:00 UTC; nothing before.
    clock.now = datetime(2026, 6, 2, 3, 59, tzinfo=UTC)
    step_runs_due_drain()
    assert not Message.objects.exists()
    clock.now = datetime(2026, 6, 2, 4, 0, tzinfo=UTC)
    step_runs_due_drain()
    assert Message.objects.filter(customer=born_in_three_days).count() == 1
    assert date_triggers_run(today=date(2027, 6, 1)) == 1, "next year is a new key"
