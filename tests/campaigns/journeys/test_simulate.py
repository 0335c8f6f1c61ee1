"""Simulate: what a journey would do for one customer entering now (path, times, messages), in the API and
the admin, sending, writing and drawing nothing."""

from datetime import timedelta

import pytest

from campaigns.journeys.entry import journey_enter
from campaigns.journeys.models import Enrollment, Journey, StepRun
from messaging.models import Message
from promotions.models import PromotionCode
from tests.campaigns.conftest import people
from tests.campaigns.journeys.conftest import journey_of


def _nothing_written():
    assert not Enrollment.objects.exists() and not StepRun.objects.exists()
    assert not Message.objects.exists() and not PromotionCode.objects.exists()


@pytest.mark.django_db
def test_the_abandoned_cart_path_with_its_times_and_messages(marketer, clock):
    # The path of a customer who is sent the journey: with the default 10% holdout, one customer in ten (by the
    # journey's random salt) would be held out instead.
    Journey.objects.filter(code="abandoned_cart").update(holdout_percent=0)
    (customer,) = people(1)
    answer = marketer.get("/api/v1/journeys/abandoned_cart/simulate", {"customer": customer.external_id, "key": "K9"})
    assert answer.status_code == 200, answer.content
    simulation = answer.json()
    assert simulation["entry"] == "enters" and simulation["ends"] == "completed"
    sends = [step for step in simulation["steps"] if step["kind"] == "send"]
    # Due 1 h, 24 h and 72 h after entry; no WhatsApp consent, so the SMS template is the one that goes.
    assert [step["at"] for step in sends] == ["2026-06-01T07:00:00Z", "2026-06-02T06:00:00Z", "2026-06-04T06:00:00Z"]
    assert [step["message"]["channel"] for step in sends] == ["sms", "sms", "sms"]
    assert sends[1]["message"]["coupon"] and sends[0]["message"]["text"]
    assert simulation["goal"].startswith("order_placed by 2026-06-08")
    _nothing_written()


@pytest.mark.django_db
def test_a_customer_nobody_may_reach_exits_at_the_first_send(marketer, sms_template, clock):
    journey_of("reach", [("wait", {"wait": timedelta(hours=2)}, []), ("send", {}, [sms_template])])
    (customer,) = people(1, consenting=lambda n: False)
    simulation = marketer.get("/api/v1/journeys/reach/simulate", {"customer": customer.external_id}).json()
    assert [step["outcome"] for step in simulation["steps"]][1] == "skipped: no_consent"
    assert simulation["ends"] == "exited:consent_withdrawn"
    _nothing_written()


@pytest.mark.django_db
def test_a_customer_already_in_a_once_journey_would_not_enter(marketer, sms_template, clock):
    version = journey_of("once", [("send", {}, [sms_template])], reentry="once")
    (customer,) = people(1)
    journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    simulation = marketer.get("/api/v1/journeys/once/simulate", {"customer": customer.external_id}).json()
    assert simulation["entry"] == "already_entered" and simulation["steps"] == []


@pytest.mark.django_db
def test_bad_requests_name_the_problem(marketer):
    assert marketer.get("/api/v1/journeys/welcome/simulate").json()["fields"].keys() >= {"customer"}
    unknown = marketer.get("/api/v1/journeys/welcome/simulate", {"customer": "nobody"})
    assert unknown.status_code == 400 and "customer" in unknown.json()["fields"]
    assert marketer.get("/api/v1/journeys/nope/simulate", {"customer": "x"}).status_code == 404


@pytest.mark.django_db
def test_the_admin_page_shows_the_path(admin_client, clock):
    (customer,) = people(1)
    Journey.objects.filter(code="abandoned_cart").update(holdout_percent=0)  # sent it, not one in ten held out
    journey = Journey.objects.get(code="abandoned_cart")
    change = admin_client.get(f"/admin/campaigns/journey/{journey.pk}/change/").content.decode()
    assert f"/admin/campaigns/journey/{journey.pk}/simulate/" in change
    page = admin_client.get(
        f"/admin/campaigns/journey/{journey.pk}/simulate/", {"customer": customer.external_id, "key": "K1"}
    ).content.decode()
    assert 'id="simulated-steps"' in page and "sends sms" in page and "completed" in page
    _nothing_written()
