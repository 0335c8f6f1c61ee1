"""The other ready-made journeys end to end, entered the way production enters them: a sign-up event, the
daily date task, a segment's refresh announcing its changes."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from audiences.models import Segment, SegmentMembershipChange
from audiences.signals import segment_membership_changed
from campaigns.journeys.execution import step_runs_due_drain
from campaigns.journeys.models import Enrollment, Journey
from campaigns.journeys.services import journey_update
from campaigns.journeys.tasks import journeys_dates_task
from messaging.models import Message
from promotions.models import PromotionCode
from tests.campaigns.conftest import people

pytestmark = pytest.mark.django_db


def _on(code: str) -> Journey:
    return journey_update(journey=Journey.objects.get(code=code), active=True, holdout_percent=Decimal(0))


def test_welcome_says_hello_now_and_the_rest_two_days_later_at_ten(
    storefront, clock, django_capture_on_commit_callbacks
):
    _on("welcome")
    (customer,) = people(1)  # in Dhaka: UTC+6
    with django_capture_on_commit_callbacks(execute=True):
        storefront.post("/api/v1/events", {"customer": customer.external_id, "type": "signed_up"}, format="json")
    hello = Message.objects.get(customer=customer)
    assert hello.template.code == "journey_welcome_1" and hello.journey == "welcome"
    clock.now = datetime(2026, 6, 3, 6, tzinfo=UTC)  # two days later, 12:00 in Dhaka: 10:00 has passed
    step_runs_due_drain()
    assert Message.objects.filter(customer=customer).count() == 1
    clock.now = datetime(2026, 6, 4, 4, tzinfo=UTC)  # the next 10:00 in Dhaka
    step_runs_due_drain()
    assert Message.objects.filter(customer=customer, template__code="journey_welcome_2").exists()
    assert Enrollment.objects.get(customer=customer).status == "completed"


def test_birthday_gift_three_days_ahead_with_its_own_code(clock):
    _on("birthday")
    celebrating, a_day_later = people(2)
    celebrating.birth_date = date(1991, 6, 4)
    celebrating.save()
    a_day_later.birth_date = date(1991, 6, 5)
    a_day_later.save()
    journeys_dates_task()  # today is 2026-06-01
    enrollment = Enrollment.objects.get()
    assert enrollment.customer == celebrating and enrollment.trigger_key == "2026-06-04"
    step_runs_due_drain()
    clock.now = datetime(2026, 6, 2, 4, tzinfo=UTC)  # 10:00 in Dhaka the next day
    step_runs_due_drain()
    gift = Message.objects.get(customer=celebrating)
    assert PromotionCode.objects.get(code=gift.context["coupon"]["code"]).promotion.name.startswith("Birthday")


def test_win_back_on_entering_inactive_90d_and_leaving_it_does_not_eject(clock, django_capture_on_commit_callbacks):
    _on("win_back")
    returning, staying = people(2)
    segment = Segment.objects.get(code="inactive_90d")
    SegmentMembershipChange.objects.bulk_create(
        SegmentMembershipChange(segment=segment, customer=c, kind="entered", changed_at=clock.now)
        for c in (returning, staying)
    )
    with django_capture_on_commit_callbacks(execute=True):
        segment_membership_changed.send(sender=None, segment=segment, entered=2, exited=0, changed_at=clock.now)
    assert Enrollment.objects.filter(status="active").count() == 2
    left_at = clock.advance(minutes=30)
    SegmentMembershipChange.objects.create(segment=segment, customer=returning, kind="exited", changed_at=left_at)
    with django_capture_on_commit_callbacks(execute=True):
        segment_membership_changed.send(sender=None, segment=segment, entered=0, exited=1, changed_at=left_at)
    clock.now = datetime(2026, 6, 2, 4, tzinfo=UTC)
    step_runs_due_drain()
    assert Message.objects.filter(journey="win_back").count() == 2, "entry is a snapshot: leaving does not eject"


def test_the_ready_made_templates_speak_english_bengali_and_swahili():
    from messaging.models import TemplateTranslation

    for journey in Journey.objects.filter(predefined=True):
        for step in journey.versions.get().steps.filter(kind="send"):
            for link in step.step_templates.all():
                languages = set(
                    TemplateTranslation.objects.filter(template=link.template).values_list("language", flat=True)
                )
                assert languages == {"en", "bn", "sw"}, link.template.code


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite alters no schema inside a transaction")
def test_migrating_again_keeps_the_operators_edits():
    Journey.objects.filter(code="welcome").update(name="Our hello")
    call_command("migrate", "campaigns", "0003", verbosity=0)
    call_command("migrate", "campaigns", verbosity=0)
    assert Journey.objects.get(code="welcome").name == "Our hello"
