"""Sending at each recipient's best hour: the window merged with quiet hours, the arms, and a launch that
schedules each message at the hour its recipient engages, with a control at the fixed hour measured apart."""

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audiences.models import Customer, Event, Order, Store
from campaigns import best_time
from campaigns.launch import campaign_launch_run
from campaigns.models import Assignment, Campaign
from campaigns.results import campaign_results
from campaigns.services import campaign_create, campaign_launch
from messaging.models import Message
from tests.campaigns.conftest import people, segment_of


def test_the_window_loses_the_quiet_hours():
    assert best_time.allowed_hours(start=time(9), end=time(21), quiet=(time(21), time(8))) == list(range(9, 21))
    assert best_time.allowed_hours(start=time(6), end=time(12), quiet=(time(21), time(8))) == [8, 9, 10, 11]
    assert best_time.allowed_hours(start=time(22), end=time(2)) == [0, 1, 22, 23], "a window past midnight"
    assert best_time.allowed_hours(start=time(22), end=time(23), quiet=(time(21), time(8))) == []


def test_arms_take_their_shares_and_stay_put():
    arms = Counter(
        best_time.arm_of(salt="s", campaign_id=1, customer_id=n, explore_percent=10, control_percent=20)
        for n in range(10_000)
    )
    assert 900 < arms["explore"] < 1100 and 1850 < arms["control"] < 2150
    same = {best_time.arm_of(salt="s", campaign_id=1, customer_id=5, explore_percent=10, control_percent=20)}
    assert len(same | {best_time.arm_of(salt="s", campaign_id=1, customer_id=5, explore_percent=10,
                                        control_percent=20)}) == 1  # fmt: skip


def test_the_moment_is_the_next_time_the_recipient_s_clock_reads_the_hour():
    start = datetime(2030, 3, 5, 3, 30, tzinfo=UTC)  # 09:30 in Dhaka
    assert best_time.moment_at_hour(hour=19, recipient_zone="Asia/Dhaka", not_before=start) == datetime(
        2030, 3, 5, 13, tzinfo=UTC
    )
    assert best_time.moment_at_hour(hour=9, recipient_zone="Asia/Dhaka", not_before=start) == datetime(
        2030, 3, 6, 3, tzinfo=UTC
    ), "09:00 has passed: tomorrow's"


@pytest.mark.django_db
def test_a_best_hour_launch_sends_each_at_their_hour_and_measures_the_control(sms_template, monkeypatch):
    now = datetime(2030, 3, 4, 12, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    store = Store.objects.create(code="DHK-01", name="Dhaka", timezone="Asia/Dhaka", currency="BDT", country="BD")
    evening, lunch = people(40, prefix="E"), people(40, prefix="L")
    Customer.objects.update(store=store)
    for days in range(1, 6):  # visits at 19:xx and orders at 12:xx in Dhaka (UTC+6) over the last days
        Event.objects.bulk_create(
            Event(customer=c, type="store_visit", occurred_at=now - timedelta(days=days, hours=-1, minutes=-10))
            for c in evening
        )
        Order.objects.bulk_create(
            Order(external_id=f"O-{c.pk}-{days}", customer=c, store=store, currency="BDT", subtotal=Decimal(100),
                  total=Decimal(100), placed_at=now - timedelta(days=days, hours=6, minutes=-20))
            for c in lunch
        )  # fmt: skip
    starts_at = datetime(2030, 3, 5, 3, 0, tzinfo=UTC)  # 09:00 in Dhaka: the control's hour
    campaign = campaign_create(
        name="Best hour",
        stores=[store],
        include_segments=[segment_of("all", evening + lunch)],
        holdout_percent=Decimal(0),
        starts_at=starts_at,
        send_mode="best_hour",
        best_hour_explore_percent=Decimal(0),
        best_hour_control_percent=Decimal(25),
        variants=[{"name": "A", "weight": 1, "template": sms_template}],
    )
    campaign_launch(campaign=campaign, now=now)
    Campaign.objects.filter(pk=campaign.pk).update(status="running", launch_started_at=now)
    campaign_launch_run(campaign_id=campaign.pk)

    arms = dict(Assignment.objects.filter(campaign=campaign).values_list("customer_id", "send_time_arm"))
    moments = dict(Message.objects.filter(campaign_id=campaign.pk).values_list("customer_id", "scheduled_for"))
    assert len(moments) == 80 and 10 < Counter(arms.values())["control"] < 30
    for group, local_hour in ((evening, 19), (lunch, 12)):
        for customer in group:
            expected = 9 if arms[customer.pk] == "control" else local_hour
            assert moments[customer.pk] == datetime(2030, 3, 5, expected - 6, tzinfo=UTC), customer.external_id

    clicked_best = [c.pk for c in evening if arms[c.pk] == "best"][:10]
    Message.objects.filter(campaign_id=campaign.pk, customer_id__in=clicked_best).update(clicked_at=now)
    arms_results = {row["arm"]: row for row in campaign_results(Campaign.objects.get(pk=campaign.pk))["send_times"]}
    assert set(arms_results) == {"best", "control"}
    assert arms_results["best"]["clicked"] == 10 and arms_results["control"]["clicked"] == 0
    assert arms_results["best"]["clicks_per_recipient"] == 10 / arms_results["best"]["recipients"]


@pytest.mark.django_db
def test_a_best_hour_campaign_needs_its_start_and_an_open_window(sms_template, settings):
    settings.MESSAGING_QUIET_HOURS = "21:00-08:00"
    segment = segment_of("some", people(2))
    with pytest.raises(ValidationError) as refused:
        campaign_create(
            name="Late", include_segments=[segment], send_mode="best_hour", best_hour_from=time(22),
            best_hour_to=time(23), variants=[{"name": "A", "weight": 1, "template": sms_template}],
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"starts_at", "best_hour_to"}


@pytest.mark.django_db
def test_a_journey_waits_until_the_customer_s_best_hour_of_its_window(sms_template, monkeypatch):
    from campaigns.journeys.entry import journey_enter
    from campaigns.journeys.execution import step_runs_due_drain
    from campaigns.journeys.models import StepRun
    from tests.campaigns.journeys.conftest import journey_of

    now = datetime(2030, 3, 4, 2, tzinfo=UTC)  # 08:00 in Dhaka
    monkeypatch.setattr(timezone, "now", lambda: now)
    (night_owl, newcomer) = people(2)
    Event.objects.bulk_create(
        Event(customer=night_owl, type="store_visit", occurred_at=datetime(2030, 3, d, 14, 5, tzinfo=UTC))  # 20:05
        for d in (1, 2, 3)
    )
    version = journey_of(
        "best-hour-welcome", [("wait_until", {"local_time": time(9), "best_hour_until": time(21)}, []),
                    ("send", {}, [sms_template])],
    )  # fmt: skip
    for customer in (night_owl, newcomer):
        journey_enter(version=version, customer_id=customer.pk, now=now)
    step_runs_due_drain()
    sends = dict(StepRun.objects.filter(position=2).values_list("enrollment__customer_id", "run_at"))
    assert sends[night_owl.pk] == datetime(2030, 3, 4, 14, tzinfo=UTC), "20:00 in Dhaka, the hour of their visits"
    assert sends[newcomer.pk] == datetime(2030, 3, 4, 14, tzinfo=UTC), "no history: the batch's hours"
