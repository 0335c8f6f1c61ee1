"""The ready-made journeys of issue #17's second part, end to end under a frozen clock on PostgreSQL, entered
the way production enters them (an order through the API, an event, a segment's change, the daily date task
and scans): trigger, steps, the message in the outbox with its code, and the goal or exit."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from audiences.models import Consent, Order, Segment, SegmentMembershipChange
from audiences.services.events import EventInput, events_record
from audiences.signals import segment_membership_changed
from campaigns.journeys import rules, scans
from campaigns.journeys.execution import step_runs_due_drain
from campaigns.journeys.models import Enrollment, Journey
from campaigns.journeys.services import journey_update
from campaigns.journeys.tasks import journeys_dates_task, journeys_scans_task
from messaging.models import Message
from messaging.services.tracking import message_engagement_record
from promotions.models import PromotionCode
from tests.campaigns.conftest import people, place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _on(code: str) -> Journey:
    return journey_update(journey=Journey.objects.get(code=code), active=True, holdout_percent=Decimal(0))


def _drain(capture, at: datetime | None = None, clock=None):
    if at is not None:
        clock.now = at
    with capture(execute=True):
        step_runs_due_drain()


def _event(customer, type_, capture, **properties):
    with capture(execute=True):
        events_record(events=[EventInput(customer=customer, type=type_, properties=properties)])


def _history(customer, moments, total="100.00"):
    """Orders already placed, written directly (their signals long past)."""
    Order.objects.bulk_create(
        Order(external_id=f"H-{customer.pk}-{n}", customer=customer, currency="BDT", placed_at=moment,
              subtotal=Decimal(total), total=Decimal(total))
        for n, moment in enumerate(moments)
    )  # fmt: skip


def _whatsapp_consent(customers):
    Consent.objects.bulk_create(
        Consent(customer=c, channel="whatsapp", topic="marketing", status="opted_in", source="test",
                recorded_at=datetime(2026, 1, 1, tzinfo=UTC))
        for c in customers
    )  # fmt: skip


def _coupon_of(message) -> PromotionCode:
    return PromotionCode.objects.get(code=message.context["coupon"]["code"])


def test_the_tenth_order_enters_the_milestone_within_the_request(
    shop, storefront, clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _on("milestone_10th_order")
    regular, newer = people(2)
    for customer in (regular, newer):
        _history(customer, [clock.now - timedelta(days=n + 1) for n in range(8)])
    with capture(execute=True):
        place(storefront, "O-9", regular, clock.now - timedelta(hours=1))
        place(storefront, "O-NEW", newer, clock.now)  # newer's 9th
    assert not Enrollment.objects.exists(), "the 9th order is no milestone"
    with capture(execute=True):
        place(storefront, "O-10", regular, clock.now)
    milestone = Enrollment.objects.get()
    assert milestone.customer == regular and milestone.trigger_key == "10"
    _drain(capture, clock.now + timedelta(hours=1), clock)
    thanks = Message.objects.get(customer=regular)
    assert thanks.template.code == "journey_milestone_10th" and _coupon_of(thanks).usage_limit == 1
    clock.advance(days=3)
    with capture(execute=True):
        place(storefront, "O-11", regular, clock.now)
    milestone.refresh_from_db()
    assert milestone.status == "completed" and milestone.converted_at == clock.now, "a goal after the last step"
    assert Enrollment.objects.count() == 1, "the 11th order enters nothing"


def test_the_nth_visit_counts_events_of_its_type(sms_template, clock, django_capture_on_commit_callbacks):
    from tests.campaigns.journeys.conftest import journey_of

    capture = django_capture_on_commit_callbacks
    journey_of("third-visit", [("send", {}, [sms_template])], trigger="nth_order", event_type="visit",
               order_number=3, reentry="per_key")  # fmt: skip
    (customer,) = people(1)
    for _ in range(2):
        _event(customer, "visit", capture)
    assert not Enrollment.objects.exists()
    _event(customer, "visit", capture)
    _event(customer, "visit", capture)
    assert Enrollment.objects.get().trigger_key == "3"


def test_post_purchase_thanks_asks_for_a_review_and_the_next_order_ends_it(
    shop, storefront, clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _on("post_purchase")
    (customer,) = people(1)
    with capture(execute=True):
        place(storefront, "O-1", customer, clock.now)
    enrollment = Enrollment.objects.get()
    assert (
        enrollment.snapshot["properties"]["order"] == "O-1" and enrollment.snapshot["properties"]["store"] == "DHK-01"
    )
    _drain(capture, datetime(2026, 6, 1, 7, tzinfo=UTC), clock)
    assert [m.template.code for m in Message.objects.all()] == ["journey_post_purchase_thanks"]
    _drain(capture, datetime(2026, 6, 8, 7, tzinfo=UTC), clock)  # a week later, 13:00 in Dhaka
    _drain(capture, datetime(2026, 6, 9, 4, tzinfo=UTC), clock)  # the next 10:00 in Dhaka
    assert Message.objects.filter(template__code="journey_post_purchase_review").count() == 1
    clock.advance(days=2)
    with capture(execute=True):
        place(storefront, "O-2", customer, clock.now)
    enrollment.refresh_from_db()
    assert enrollment.status == "converted" and Enrollment.objects.count() == 1, "the cooldown keeps it at one"
    _drain(capture, datetime(2026, 6, 20, 4, tzinfo=UTC), clock)
    assert not Message.objects.filter(template__code="journey_post_purchase_cross_sell").exists()


def test_vip_reward_marks_the_customer_and_sends_a_code_at_ten(clock, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    _on("vip_reward")
    (customer,) = people(1)
    segment = Segment.objects.get(code="high_value")
    SegmentMembershipChange.objects.create(segment=segment, customer=customer, kind="entered", changed_at=clock.now)
    with capture(execute=True):
        segment_membership_changed.send(sender=None, segment=segment, entered=1, exited=0, changed_at=clock.now)
    customer.refresh_from_db()
    assert customer.attributes["vip_since"] == "2026-06-01"
    assert customer.events.filter(type="vip_welcomed").count() == 1
    _drain(capture, datetime(2026, 6, 2, 4, tzinfo=UTC), clock)
    gift = Message.objects.get(customer=customer)
    assert gift.template.code == "journey_vip_reward" and _coupon_of(gift).promotion.name.startswith("VIP")


def test_complaint_recovery_tells_the_manager_apologises_and_falls_back_to_sms_unless_reopened(
    clock, django_capture_on_commit_callbacks, settings
):
    capture = django_capture_on_commit_callbacks
    settings.JOURNEYS_STAFF_EMAIL = "care@shop.example"
    _on("complaint_recovery")
    resolved, reopened = people(2)
    _whatsapp_consent([resolved, reopened])
    _event(resolved, "complaint_resolved", capture, complaint_id="C-1")
    _event(reopened, "complaint_resolved", capture, complaint_id="C-2")
    assert [email.to for email in mail.outbox] == [["care@shop.example"]] * 2
    assert "Please act by 2026-06-01 14:00" in mail.outbox[0].body
    clock.advance(minutes=20)
    _event(reopened, "complaint_reopened", capture, complaint_id="C-2")
    assert Enrollment.objects.get(customer=reopened).exit_reason == "event_arrived"

    _drain(capture, clock.now + timedelta(minutes=40), clock)
    apology = Message.objects.get(customer=resolved)
    assert apology.channel == "whatsapp" and _coupon_of(apology).promotion.name.startswith("Complaint")
    _drain(capture, clock.now + timedelta(hours=24), clock)
    sms = Message.objects.get(customer=resolved, channel="sms")
    assert sms.context["coupon"] == apology.context["coupon"] and sms.template.code == "journey_complaint_apology"
    assert not Message.objects.filter(customer=reopened).exists()


def test_service_reminders_fourteen_and_three_days_before_and_a_week_after_unless_booked(
    clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _on("service_reminder")
    forgetful, booking = people(2)
    due = date(2026, 6, 15)
    _vehicle("JTDBR32E720000001", forgetful, next_service_due=due)
    _vehicle("JTDBR32E720000002", booking, next_service_due=due)
    _vehicle("JTDBR32E720000003", booking, next_service_due=due, status="sold")  # sold: no longer theirs
    _vehicle("JTDBR32E720000004", forgetful, next_service_due=date(2026, 7, 1))  # another day
    clock.now = datetime(2026, 6, 1, 0, 5, tzinfo=UTC)  # the daily date task's hour
    journeys_dates_task()
    journeys_dates_task()  # twice the same day: nobody twice
    assert sorted(Enrollment.objects.values_list("trigger_key", flat=True)) == [
        "JTDBR32E720000001:2026-06-15", "JTDBR32E720000002:2026-06-15"
    ]  # fmt: skip
    _drain(capture)
    _drain(capture, datetime(2026, 6, 1, 4, tzinfo=UTC), clock)  # 10:00 in Dhaka, 14 days before
    assert Message.objects.filter(template__code="journey_service_due_14").count() == 2
    _drain(capture, datetime(2026, 6, 12, 4, tzinfo=UTC), clock)  # 3 days before
    assert Message.objects.filter(template__code="journey_service_due_3").count() == 2
    _event(booking, "service_booked", capture)
    assert Enrollment.objects.get(customer=booking).status == "converted"
    _drain(capture, datetime(2026, 6, 22, 4, tzinfo=UTC), clock)  # a week after
    overdue = Message.objects.filter(template__code="journey_service_overdue")
    assert list(overdue.values_list("customer_id", flat=True)) == [forgetful.pk]


def test_warranty_reminders_thirty_and_seven_days_before_a_vehicles_warranty_ends(
    clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _on("warranty_ending")
    owner, other = people(2)
    _vehicle("WVWZZZ1JZ3W000001", owner, warranty_ends=date(2026, 7, 1))
    _vehicle("WVWZZZ1JZ3W000002", other, warranty_ends=date(2026, 7, 2))  # its day is tomorrow's run
    clock.now = datetime(2026, 6, 1, 0, 5, tzinfo=UTC)
    journeys_dates_task()
    assert list(Enrollment.objects.values_list("customer_id", "trigger_key")) == [
        (owner.pk, "WVWZZZ1JZ3W000001:2026-07-01")
    ]
    _drain(capture)
    _drain(capture, datetime(2026, 6, 1, 4, tzinfo=UTC), clock)  # 10:00 in Dhaka, 30 days before
    assert list(Message.objects.values_list("template__code", flat=True)) == ["journey_warranty_ending_30"]
    _drain(capture, datetime(2026, 6, 24, 4, tzinfo=UTC), clock)  # 7 days before
    assert Message.objects.filter(template__code="journey_warranty_ending_7", customer=owner).count() == 1
    assert set(Message.objects.values_list("customer_id", flat=True)) == {owner.pk}


def _vehicle(vin: str, owner, **dates):
    from audiences.models import Vehicle

    return Vehicle.objects.create(vin=vin, owner=owner, make="Toyota", model="Corolla", year=2018, **dates)


def test_frequency_drop_finds_the_lapsed_regular_once_and_the_sql_agrees_with_the_rule(
    clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _on("frequency_drop")
    lapsed, steady, twice, irregular = people(4)
    weekly = [clock.now - timedelta(weeks=3 + n) for n in range(5)]
    _history(lapsed, weekly)  # weekly, last order three weeks ago
    _history(steady, [clock.now - timedelta(weeks=1 + n) for n in range(5)])
    _history(twice, [clock.now - timedelta(days=300), clock.now - timedelta(days=200)])  # too few orders to say
    _history(irregular, [clock.now - timedelta(days=d) for d in (100, 90, 40, 35, 11)])
    found = dict(scans.frequency_drops(now=clock.now, factor=Decimal(2)))
    for customer in (lapsed, steady, twice, irregular):
        times = list(Order.objects.filter(customer=customer).values_list("placed_at", flat=True))
        expected = rules.frequency_dropped(order_times=times, now=clock.now, factor=Decimal(2))
        assert (customer.pk in found) == expected, customer.external_id
    assert lapsed.pk in found and steady.pk not in found

    journeys_scans_task()
    entered = Enrollment.objects.get(version__journey__code="frequency_drop")
    assert entered.customer == lapsed
    _drain(capture)
    _drain(capture, datetime(2026, 6, 2, 4, tzinfo=UTC), clock)
    offer = Message.objects.get(customer=lapsed)
    assert offer.template.code == "journey_frequency_drop" and _coupon_of(offer)
    journeys_scans_task()
    assert Enrollment.objects.filter(customer=lapsed).count() == 1, "one entry per lapse"


def test_spend_decrease_compares_the_last_90_days_with_the_90_before(clock, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    _on("spend_decrease")
    falling, holding = people(2)
    for customer, recent in ((falling, "690.00"), (holding, "900.00")):
        _history(customer, [clock.now - timedelta(days=120)], total="1000.00")
        Order.objects.create(
            external_id=f"R-{customer.pk}", customer=customer, currency="BDT",
            placed_at=clock.now - timedelta(days=30), subtotal=Decimal(recent), total=Decimal(recent),
        )  # fmt: skip
    assert [row[0] for row in scans.spend_decreases(now=clock.now, drop_percent=Decimal(30))] == [falling.pk]
    journeys_scans_task()
    enrollment = Enrollment.objects.get()
    assert enrollment.customer == falling and enrollment.snapshot["recent_90d"] == "690.00"
    _drain(capture, datetime(2026, 6, 2, 4, tzinfo=UTC), clock)
    assert Message.objects.get(customer=falling).template.code == "journey_spend_decrease"


def test_re_engagement_reaches_the_unengaged_on_whatsapp_then_sms_and_a_click_converts(
    clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _on("re_engagement")
    silent, clicking = people(2)
    _whatsapp_consent([silent, clicking])
    template = Journey.objects.get(code="welcome").versions.get().steps.get(position=1).templates.get()
    for customer in (silent, clicking):
        for days in (120, 10):
            sent = clock.now - timedelta(days=days)
            Message.objects.create(
                idempotency_key=f"old:{customer.pk}:{days}", customer=customer, template=template, channel="sms",
                kind="marketing", topic="marketing", status="sent", scheduled_for=sent, sent_at=sent,
                clicked_at=sent if customer == clicking and days == 10 else None,
            )  # fmt: skip
    journeys_scans_task()
    enrollment = Enrollment.objects.get()
    assert enrollment.customer == silent
    _drain(capture, datetime(2026, 6, 2, 4, tzinfo=UTC), clock)
    whatsapp = Message.objects.get(customer=silent, journey="re_engagement")
    assert whatsapp.channel == "whatsapp"
    _drain(capture, clock.now + timedelta(hours=48), clock)
    sms = Message.objects.get(customer=silent, journey="re_engagement", channel="sms")
    with capture(execute=True):
        message_engagement_record(message=sms, status="clicked", at=clock.advance(hours=1), key="c-1", detail={})
    enrollment.refresh_from_db()
    assert enrollment.status == "completed" and enrollment.converted_at == clock.now


def test_a_loyalty_tier_reached_is_an_event_journeys_can_start_from(
    sms_template, clock, django_capture_on_commit_callbacks
):
    from loyalty.models import Member, Program, Tier
    from loyalty.services.earning import tier_upgrade
    from tests.campaigns.journeys.conftest import journey_of

    capture = django_capture_on_commit_callbacks
    journey_of("gold-welcome", [("send", {}, [sms_template])], event_type="loyalty_tier_reached",
               event_filters={"tier": "gold"})  # fmt: skip
    program = Program.objects.create(name="Club", currency="BDT", points_per_unit=Decimal("0.1"))
    Tier.objects.create(program=program, name="gold", threshold=0)
    (customer,) = people(1)
    member = Member.objects.create(customer=customer, program=program)
    with capture(execute=True):
        tier_upgrade(member=member)
        tier_upgrade(member=member)
    assert customer.events.filter(type="loyalty_tier_reached").count() == 1
    assert Message.objects.filter(customer=customer, journey="gold-welcome").count() == 1
