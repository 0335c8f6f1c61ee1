"""The step kinds of step_kinds.py under a frozen clock on PostgreSQL: waiting for an event of the same key
(another key's does not count), a send falling back to the next channel when unread, updating the customer,
notifying staff."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from audiences.models import Consent, Customer, Event
from audiences.services.catalog import store_upsert
from audiences.services.events import EventInput, events_record
from campaigns.journeys.entry import journey_enter
from campaigns.journeys.execution import step_runs_due_drain
from campaigns.journeys.models import Enrollment, StepRun
from messaging.models import Message, Template, TemplateTranslation
from tests.campaigns.conftest import people
from tests.campaigns.journeys.conftest import journey_of

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _event(customer, type_, capture, **properties):
    with capture(execute=True):
        events_record(events=[EventInput(customer=customer, type=type_, properties=properties)])


def _tick(clock, capture, **delta):
    clock.advance(**delta)
    with capture(execute=True):
        step_runs_due_drain()


def _cart_journey(sms_template, **wait_fields):
    """Entered per cart; waits up to an hour for the checkout of that cart, then reminds."""
    return journey_of(
        "checkout-wait",
        [
            ("wait_event", {"wait_event_type": "checkout_started", "wait_matches_key": True, "wait": HOUR,
                            **wait_fields}, []),
            ("send", {}, [sms_template]),
        ],
        event_type="cart_updated", key_property="cart_id", reentry="per_key",
    )  # fmt: skip


def test_the_checkout_of_the_same_cart_ends_the_wait_at_once_another_carts_does_not(
    sms_template, clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _cart_journey(sms_template, on_event="exit")
    same, other = people(2)
    _event(same, "cart_updated", capture, cart_id="K1")
    _event(other, "cart_updated", capture, cart_id="K1")
    _tick(clock, capture, minutes=1)
    assert StepRun.objects.filter(status="pending", reason="waiting:checkout_started").count() == 2

    clock.advance(minutes=10)
    _event(same, "checkout_started", capture, cart_id="K1")  # the tick it queues runs now, not at the timeout
    _event(other, "checkout_started", capture, cart_id="K2")
    mine = Enrollment.objects.get(customer=same)
    assert mine.status == "exited" and mine.exit_reason == "event_arrived"
    assert Enrollment.objects.get(customer=other).status == "active", "another cart's checkout does not count"

    _tick(clock, capture, minutes=48)  # 59 minutes after entering
    assert not Message.objects.exists(), "the other cart still waits out its hour"
    _tick(clock, capture, minutes=1)
    assert list(Message.objects.values_list("customer_id", flat=True)) == [other.pk]
    assert not Message.objects.filter(customer=same).exists()


def test_on_event_continue_goes_on_at_once_and_a_timeout_may_jump(
    sms_template, clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    reminder = Template.objects.create(code="reminder", name="Reminder", channel="sms", kind="marketing")
    TemplateTranslation.objects.create(template=reminder, language="en", body="Your cart misses you")
    journey_of(
        "continue-or-jump",
        [
            ("wait_event", {"wait_event_type": "checkout_started", "wait": HOUR, "else_position": 3}, []),
            ("send", {}, [sms_template]),  # thanks for checking out
            ("send", {}, [reminder]),
        ],
        event_type="cart_updated",
    )  # fmt: skip
    checking_out, idle = people(2)
    for customer in (checking_out, idle):
        _event(customer, "cart_updated", capture)
    clock.advance(minutes=5)
    _event(checking_out, "checkout_started", capture)
    sent = Message.objects.filter(customer=checking_out).values_list("template__code", flat=True)
    assert list(sent) == ["winback", "reminder"], "the event continues with the next step, then the rest"
    _tick(clock, capture, hours=1)
    assert list(Message.objects.filter(customer=idle).values_list("template__code", flat=True)) == ["reminder"]
    assert Enrollment.objects.get(customer=idle).status == "completed"


@pytest.fixture
def whatsapp_first(sms_template):
    whatsapp = Template.objects.create(code="offer_wa", name="Offer", channel="whatsapp", kind="marketing")
    TemplateTranslation.objects.create(template=whatsapp, language="en", body="An offer for you")
    return whatsapp


def _whatsapp_consent(customers):
    Consent.objects.bulk_create(
        Consent(customer=c, channel="whatsapp", topic="marketing", status="opted_in", source="test",
                recorded_at=datetime(2026, 1, 1, tzinfo=UTC))
        for c in customers
    )  # fmt: skip


def test_an_unread_whatsapp_falls_back_to_sms_as_one_intent_a_read_one_does_not(
    whatsapp_first, sms_template, code_promotion, clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    version = journey_of(
        "fallback",
        [("send", {"fallback_after": 4 * HOUR, "promotion": code_promotion}, [whatsapp_first, sms_template]),
         ("wait", {"wait": HOUR}, [])],
    )  # fmt: skip
    reader, ignoring = people(2)
    _whatsapp_consent([reader, ignoring])
    for customer in (reader, ignoring):
        journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    _tick(clock, capture, seconds=1)
    assert set(Message.objects.values_list("channel", flat=True)) == {"whatsapp"}
    read = Message.objects.get(customer=reader)
    with capture(execute=True):
        from messaging.services.tracking import message_engagement_record

        message_engagement_record(message=read, status="opened", at=clock.advance(hours=1), key="open-1", detail={})
    assert Enrollment.objects.get(customer=reader).step_runs.filter(position=2).exists(), "a read goes on at once"

    _tick(clock, capture, hours=2, minutes=59)
    assert Message.objects.filter(customer=ignoring).count() == 1, "not before the 4 hours"
    _tick(clock, capture, minutes=1)
    first, fallback = Message.objects.filter(customer=ignoring).order_by("created_at")
    assert fallback.channel == "sms" and fallback.idempotency_key == f"{first.idempotency_key}:fallback:2"
    assert fallback.context["coupon"] == first.context["coupon"], "one offer, one code, whatever the channel"
    assert fallback.frequency_cap == {"overall": "6/7"}, "the chain counts once against the overall cap (5/7)"
    assert Message.objects.filter(customer=reader).count() == 1
    _tick(clock, capture, hours=1)
    assert Enrollment.objects.get(customer=ignoring).status == "completed"


def test_an_update_sets_the_attribute_and_records_the_event_once(
    sms_template, clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    version = journey_of(
        "mark",
        [("update_customer", {"attribute_name": "vip_since", "attribute_value": "$today",
                              "record_event_type": "vip_welcomed"}, [])],
    )  # fmt: skip
    (customer,) = people(1)
    Customer.objects.filter(pk=customer.pk).update(attributes={"tier": "gold"})
    enrollment = journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    _tick(clock, capture, seconds=1)
    StepRun.objects.filter(enrollment=enrollment).update(status="pending")  # as if run twice
    Enrollment.objects.filter(pk=enrollment.pk).update(status="active")
    _tick(clock, capture, seconds=1)
    customer.refresh_from_db()
    assert customer.attributes == {"tier": "gold", "vip_since": "2026-06-01"}
    assert Event.objects.filter(customer=customer, type="vip_welcomed").count() == 1


def test_staff_are_emailed_with_the_service_target_and_no_address_skips(
    sms_template, clock, django_capture_on_commit_callbacks, settings
):
    capture = django_capture_on_commit_callbacks
    store, _ = store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")
    store.manager_email = "manager@gulshan.example"
    store.save()
    version = journey_of(
        "staff",
        [("notify_staff", {"staff_subject": "Complaint resolved", "service_target": 2 * HOUR}, []),
         ("send", {}, [sms_template])],
        event_type="complaint_resolved", key_property="complaint_id", reentry="per_key",
    )  # fmt: skip
    at_store, nowhere = people(2)
    Customer.objects.filter(pk=at_store.pk).update(store=store)
    for customer in (at_store, nowhere):
        _event(customer, "complaint_resolved", capture, complaint_id="C-9")
    (email,) = mail.outbox
    assert email.to == ["manager@gulshan.example"] and email.subject == "Complaint resolved"
    assert "P-0" in email.body and "complaint_id: C-9" in email.body
    assert "Please act by 2026-06-01 14:00" in email.body, "two hours from 12:00 in Dhaka"
    skipped = StepRun.objects.get(enrollment__customer=nowhere, position=1)
    assert skipped.status == "skipped" and skipped.reason == "no_staff_address"
    assert Message.objects.filter(customer=nowhere).exists(), "a missing address does not stop the journey"
    assert version.enrollments.count() == 2
