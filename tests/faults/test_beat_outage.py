"""Beat stopped for an hour (a frozen clock moved by hand) and started again: each periodic task runs once as
beat sends it after the outage, and everything the hour owed happens once, not once per missed tick: promotions
start and expire, a scheduled campaign launches and its messages go out, due journey steps run; running
the tasks again changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest

from campaigns import tasks as campaigns_tasks
from campaigns.journeys import tasks as journeys_tasks
from campaigns.journeys.entry import journey_enter
from campaigns.journeys.models import StepRun
from campaigns.models import Campaign
from campaigns.services import campaign_create, campaign_launch
from messaging import tasks as messaging_tasks
from messaging.models import Message
from promotions import tasks as promotions_tasks
from promotions.models import Promotion
from tests.campaigns.conftest import people, segment_of
from tests.campaigns.journeys.conftest import journey_of

# What beat sends every minute or second (config/periodic_tasks.py); after an outage each is due at once, and
# beat sends it once.
TICKS = (
    promotions_tasks.advance_lifecycle_task,
    campaigns_tasks.advance_lifecycle_task,
    journeys_tasks.journeys_tick_task,
    messaging_tasks.outbox_dispatch_task,
)


def _beat_comes_back(django_capture_on_commit_callbacks) -> None:
    for task in TICKS:
        with django_capture_on_commit_callbacks(execute=True):
            task.apply(throw=True)  # as a worker runs it; a failure fails the test


def _promotion(name: str, starts_at, ends_at) -> Promotion:
    return Promotion.objects.create(name=name, status="scheduled", starts_at=starts_at, ends_at=ends_at,
                                    reward={"type": "percentage", "value": "10"}, reward_type="percentage")  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_an_hour_without_beat_is_caught_up_once(clock, sms_template, django_capture_on_commit_callbacks):
    start = clock.now
    came_and_went = _promotion("Flash", start + timedelta(minutes=10), start + timedelta(minutes=40))
    began = _promotion("Evening", start + timedelta(minutes=30), start + timedelta(hours=3))
    audience = people(6, prefix="A")
    campaign = campaign_create(
        name="Noon", include_segments=[segment_of("noon", audience)], holdout_percent=Decimal(0),
        starts_at=start + timedelta(minutes=20), variants=[{"name": "A", "template": sms_template}],
    )  # fmt: skip
    campaign = campaign_launch(campaign=campaign, now=start)
    assert campaign.status == "scheduled"
    version = journey_of(
        "hourly", [("wait", {"wait": timedelta(minutes=10)}, []), ("send", {}, [sms_template]),
                   ("wait", {"wait": timedelta(days=1)}, []), ("send", {}, [sms_template])],
    )  # fmt: skip
    enrolled = people(4, prefix="J")
    for customer in enrolled:
        journey_enter(version=version, customer_id=customer.pk, now=start)

    clock.advance(hours=1)  # beat was down: nothing ran
    _beat_comes_back(django_capture_on_commit_callbacks)
    after_first = (
        {p.pk: p.status for p in Promotion.objects.all()},
        Campaign.objects.get(pk=campaign.pk).status,
        sorted(Message.objects.values_list("idempotency_key", "status")),
        sorted(StepRun.objects.values_list("enrollment_id", "position", "status")),
    )
    for _ in range(3):  # beat's next ticks
        _beat_comes_back(django_capture_on_commit_callbacks)

    promotions, campaign_status, messages, step_runs = after_first
    assert promotions == {came_and_went.pk: "expired", began.pk: "active"}
    assert campaign_status in ("running", "completed")
    campaign_messages = [status for key, status in messages if key.startswith(f"campaign:{campaign.pk}:")]
    journey_messages = [key for key, _ in messages if not key.startswith("campaign:")]
    assert campaign_messages == ["sent"] * len(audience)
    assert len(journey_messages) == len(enrolled)  # the step due during the hour, once each; the next is tomorrow
    assert sorted(Message.objects.values_list("idempotency_key", "status")) == messages  # nothing more, ever
    assert sorted(StepRun.objects.values_list("enrollment_id", "position", "status")) == step_runs
    assert StepRun.objects.filter(position=4, status="pending").count() == len(enrolled)
