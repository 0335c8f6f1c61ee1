"""The ready-made abandoned cart journey end to end under a frozen clock: the event enters it within the
request, reminders go out at 1 h and 24 h (with a fresh single-use code), and the order of that cart exits
it; an order of another cart does not."""

from decimal import Decimal

import pytest

from audiences.models import Consent
from campaigns.journeys.execution import step_runs_due_drain
from campaigns.journeys.models import Enrollment, Journey, StepRun
from campaigns.journeys.services import journey_update
from messaging.models import Message
from promotions.models import PromotionCode
from tests.campaigns.conftest import people


@pytest.fixture
def cart_journey(db) -> Journey:
    journey = Journey.objects.get(code="abandoned_cart")
    return journey_update(journey=journey, active=True, holdout_percent=Decimal(0))


def _cart_event(storefront, customer, cart_id, capture):
    with capture(execute=True):
        answer = storefront.post(
            "/api/v1/events",
            {"customer": customer.external_id, "type": "cart_updated", "properties": {"cart_id": cart_id}},
            format="json",
        )
    assert answer.status_code in (200, 201), answer.content


def _order(storefront, customer, external_id, cart_id, capture):
    with capture(execute=True):
        answer = storefront.post(
            "/api/v1/orders",
            {"external_id": external_id, "customer": customer.external_id, "currency": "BDT",
             "lines": [{"sku": "TV-55", "quantity": 1, "unit_price": "100.00"}], "attribution": {"cart_id": cart_id}},
            format="json",
        )  # fmt: skip
    assert answer.status_code == 201, answer.content


def _tick(clock, capture, **delta):
    clock.advance(**delta)
    with capture(execute=True):
        step_runs_due_drain()


def test_reminders_then_the_order_of_that_cart_exits(
    cart_journey, storefront, clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    (customer,) = people(1)
    _cart_event(storefront, customer, "K1", capture)
    enrollment = Enrollment.objects.get(customer=customer)
    assert enrollment.trigger_key == "K1" and enrollment.status == "active"

    _tick(clock, capture, minutes=59)
    assert not Message.objects.filter(customer=customer).exists()
    _tick(clock, capture, minutes=1)
    first = Message.objects.get(customer=customer)
    # No WhatsApp consent: the SMS template, next in the fallback order, is the one queued.
    assert first.idempotency_key == f"enrollment:{enrollment.pk}:step:2" and first.channel == "sms"
    assert first.journey == "abandoned_cart"

    _tick(clock, capture, hours=23)
    second = Message.objects.filter(customer=customer).exclude(pk=first.pk).get()
    code = PromotionCode.objects.get(code=second.context["coupon"]["code"])
    assert code.usage_limit == 1 and code.promotion.name.startswith("Abandoned cart")

    _order(storefront, customer, "O-OTHER", "K2", capture)
    enrollment.refresh_from_db()
    assert enrollment.status == "active", "an order of another cart does not end this cart's journey"

    _order(storefront, customer, "O-K1", "K1", capture)
    enrollment.refresh_from_db()
    assert enrollment.status == "converted" and enrollment.exit_reason == "goal" and enrollment.converted_at
    assert set(StepRun.objects.filter(enrollment=enrollment, status="cancelled").values_list("reason", flat=True)) == {
        "goal"
    }
    _tick(clock, capture, hours=72)
    assert Message.objects.filter(customer=customer).count() == 2


def test_a_second_cart_enters_again_the_same_cart_does_not(
    cart_journey, storefront, clock, django_capture_on_commit_callbacks
):
    (customer,) = people(1)
    for cart_id in ("K1", "K1", "K2"):
        _cart_event(storefront, customer, cart_id, django_capture_on_commit_callbacks)
    assert sorted(Enrollment.objects.filter(customer=customer).values_list("trigger_key", flat=True)) == ["K1", "K2"]


def test_consent_withdrawn_mid_journey_stops_the_next_send(
    cart_journey, storefront, clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    (customer,) = people(1)
    _cart_event(storefront, customer, "K1", capture)
    _tick(clock, capture, hours=1)
    assert Message.objects.filter(customer=customer).count() == 1
    for channel in ("sms", "email"):
        with capture(execute=True):
            answer = storefront.post(
                f"/api/v1/customers/{customer.external_id}/consents",
                {"channel": channel, "status": "opted_out", "source": "storefront"},
                format="json",
            )
        assert answer.status_code in (200, 201), answer.content
    assert not Consent.objects.filter(customer=customer, status="opted_in").exists()
    enrollment = Enrollment.objects.get(customer=customer)
    assert enrollment.status == "exited" and enrollment.exit_reason == "consent_withdrawn"
    _tick(clock, capture, hours=24)
    assert Message.objects.filter(customer=customer).count() == 1


@pytest.mark.django_db
def test_a_journey_switched_off_takes_nobody_in(storefront, clock, django_capture_on_commit_callbacks):
    (customer,) = people(1)
    assert not Journey.objects.get(code="abandoned_cart").active, "ready-made journeys are off by default"
    _cart_event(storefront, customer, "K1", django_capture_on_commit_callbacks)
    assert not Enrollment.objects.exists()


@pytest.mark.django_db
def test_the_demo_switches_the_journey_on_with_a_few_carts_in_it(clock, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", customers=200, orders=300, products=8, stores=2, no_progress=True)
    journey = Journey.objects.get(code="abandoned_cart")
    assert journey.active
    entered = Enrollment.objects.filter(version__journey=journey)
    assert entered.count() == 20 and all(e.trigger_key.startswith("DEMO-CART-") for e in entered)
    assert (
        StepRun.objects.filter(enrollment__in=entered, status="pending").count()
        == entered.filter(status="active").count()
    )
