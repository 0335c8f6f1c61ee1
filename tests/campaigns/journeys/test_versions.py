"""Published versions are frozen; an edit is a new draft; running enrollments finish on the version they entered."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from campaigns.journeys.entry import journey_enter, live_versions
from campaigns.journeys.execution import step_runs_due_drain
from campaigns.journeys.models import Enrollment, JourneyStep, JourneyVersion
from campaigns.journeys.services import journey_version_draft, journey_version_publish
from config.errors import Conflict
from messaging.models import Message, Template
from tests.campaigns.conftest import people
from tests.campaigns.journeys.conftest import journey_of


def test_a_published_version_and_its_steps_cannot_change(sms_template, clock):
    version = journey_of("frozen", [("send", {}, [sms_template])])
    version.goal_window_days = 30
    with pytest.raises(Conflict):
        version.save()
    step = version.steps.get()
    step.kind = "wait"
    with pytest.raises(Conflict):
        step.save()
    assert JourneyVersion.objects.get(pk=version.pk).goal_window_days == 7


def test_an_edit_is_a_new_version_and_running_enrollments_finish_on_theirs(sms_template, clock):
    first = journey_of("edited", [("wait", {"wait": timedelta(hours=1)}, []), ("send", {}, [sms_template])])
    early, late = people(2)
    journey_enter(version=first, customer_id=early.pk, now=clock.now)
    draft = journey_version_draft(journey=first.journey)
    assert draft.number == 2 and draft.steps.count() == 2
    other = Template.objects.create(code="edited_v2", name="v2", channel="sms")
    link = JourneyStep.objects.get(version=draft, position=2).step_templates.get()
    link.template = other
    link.save()
    journey_version_publish(version=draft)
    assert [v.number for v in live_versions() if v.journey_id == first.journey_id] == [2]
    journey_enter(version=draft, customer_id=late.pk, now=clock.now)
    clock.advance(hours=1)
    step_runs_due_drain()
    assert Message.objects.get(customer=early).template == sms_template
    assert Message.objects.get(customer=late).template == other
    assert Enrollment.objects.get(customer=early).version == first


@pytest.mark.django_db
def test_a_version_cannot_be_published_incomplete(clock):
    version = journey_of("incomplete", [("wait", {"wait": timedelta(hours=1)}, [])], active=False)
    draft = journey_version_draft(journey=version.journey)
    JourneyStep.objects.create(version=draft, position=2, kind="send")
    JourneyStep.objects.create(version=draft, position=3, kind="branch", condition="in_segment")
    with pytest.raises(ValidationError) as refused:
        journey_version_publish(version=draft)
    assert set(refused.value.message_dict) == {"steps.2", "steps.3"}
    assert JourneyVersion.objects.get(pk=draft.pk).published_at is None


def test_a_branch_goes_on_when_true_and_jumps_or_exits_when_false(sms_template, clock):
    from tests.campaigns.conftest import segment_of

    inside, outside = people(2)
    vip = segment_of("vip-branch", [inside])
    jumping = journey_of(
        "branching",
        [("branch", {"condition": "in_segment", "condition_segment": vip, "else_position": 3}, []),
         ("send", {}, [sms_template]),
         ("wait", {"wait": timedelta(hours=1)}, [])],
    )  # fmt: skip
    exiting = journey_of(
        "branch-exit", [("branch", {"condition": "event_happened", "condition_event_type": "x"}, []),
                        ("send", {}, [sms_template])],
    )  # fmt: skip
    for customer in (inside, outside):
        journey_enter(version=jumping, customer_id=customer.pk, now=clock.now)
    journey_enter(version=exiting, customer_id=outside.pk, now=clock.now)
    step_runs_due_drain()
    assert list(Message.objects.values_list("customer_id", flat=True)) == [inside.pk]
    assert Enrollment.objects.get(version=jumping, customer=outside).step_runs.filter(position=3).exists()
    assert not Enrollment.objects.get(version=jumping, customer=outside).step_runs.filter(position=2).exists()
    left = Enrollment.objects.get(version=exiting)
    assert left.status == "exited" and left.exit_reason == "branch"
