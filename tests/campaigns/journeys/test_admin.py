"""The journeys' admin pages: figures on the list, steps inline, published versions read only, switching
on from the list and removing an enrollment by hand (its pending steps cancelled with the reason)."""

from datetime import timedelta

import pytest

from campaigns.journeys.entry import journey_enter
from campaigns.journeys.models import Enrollment, Journey, StepRun
from tests.campaigns.conftest import people
from tests.campaigns.journeys.conftest import journey_of

ADMIN = "/admin/campaigns/"


@pytest.mark.django_db
def test_the_pages_show_journeys_steps_and_enrollments(admin_client, sms_template, clock):
    version = journey_of("shown", [("wait", {"wait": timedelta(hours=1)}, []), ("send", {}, [sms_template])])
    (customer,) = people(1)
    journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    assert "abandoned_cart" in admin_client.get(f"{ADMIN}journey/").content.decode()
    page = admin_client.get(f"{ADMIN}journey/{version.journey.pk}/change/").content.decode()
    assert "entered" in page and "status: active" in page
    version_page = admin_client.get(f"{ADMIN}journeyversion/{version.pk}/change/").content.decode()
    assert "Send a template" in version_page and 'name="steps-0-kind"' not in version_page, "published: read only"
    assert customer.external_id in admin_client.get(f"{ADMIN}enrollment/").content.decode()


@pytest.mark.django_db
def test_switch_on_from_the_list(admin_client):
    journey = Journey.objects.get(code="win_back")
    admin_client.post(f"{ADMIN}journey/", {"action": "switch_on", "_selected_action": [journey.pk]})
    journey.refresh_from_db()
    assert journey.active


@pytest.mark.django_db
def test_removing_by_hand_exits_and_cancels_pending_steps(admin_client, sms_template, clock):
    version = journey_of("removed", [("wait", {"wait": timedelta(hours=1)}, []), ("send", {}, [sms_template])])
    (customer,) = people(1)
    enrollment = journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    admin_client.post(f"{ADMIN}enrollment/", {"action": "remove", "_selected_action": [enrollment.pk]})
    enrollment.refresh_from_db()
    assert enrollment.status == "exited" and enrollment.exit_reason == "manual"
    assert list(StepRun.objects.filter(enrollment=enrollment).values_list("status", "reason")) == [
        ("cancelled", "manual")
    ]
    assert Enrollment.objects.count() == 1


@pytest.mark.django_db
def test_the_customer_page_shows_where_they_are_in_each_journey(admin_client, sms_template, clock):
    version = journey_of("on_page", [("wait", {"wait": timedelta(hours=1)}, []), ("send", {}, [sms_template])])
    customer, other = people(2)
    enrollment = journey_enter(version=version, customer_id=customer.pk, now=clock.now)
    pending = StepRun.objects.filter(enrollment=enrollment, status="pending").earliest("run_at")
    due = pending.run_at.strftime("%Y-%m-%d %H:%M")

    page = admin_client.get(f"/admin/audiences/customer/{customer.pk}/change/").content.decode()

    assert "Journeys and campaigns" in page
    assert version.journey.name in page and "Active" in page and due in page
    empty = admin_client.get(f"/admin/audiences/customer/{other.pk}/change/").content.decode()
    assert "In no journey." in empty and "No campaign has reached them yet." in empty
