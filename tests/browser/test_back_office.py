"""The back office as each role meets it in a real browser, with screenshots for docs/backoffice.md (issue #19)."""

import io
import os
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.utils import timezone

from audiences.models import Customer
from audiences.segments.services import segment_create
from config.roles import ADMINISTRATOR, ANALYST, MARKETER
from messaging.models import Message
from messaging.services.templates import template_create
from promotions.services.definitions import promotion_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A test run leaves the committed screenshots alone; SCREENSHOTS_DIR=docs/screenshots refreshes them.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or Path(__file__).resolve().parents[2] / "var" / "screenshots")
PASSWORD = "right-horse-9"


def person(username: str, role: str) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, is_staff=True, email=f"{username}@example.com"
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def sign_in(page, username: str) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def section_names(page) -> list[str]:
    return page.locator("#content-main .module caption a.section").all_text_contents()


@pytest.fixture
def demo():
    """A small demo shop, scored and segmented, as `make run` shows it."""
    call_command(
        "seed_demo", "--customers=300", "--orders=2500", "--products=60", "--no-progress", stdout=io.StringIO()
    )
    # The predefined segments come with a migration, which a browser test's flushed database has lost.
    growing = {"any": [{"field": "rfm_segment", "op": "in", "value": ["potential_loyalist", "loyal"]}]}
    segment = segment_create(code="growing", name="Loyal and growing", rules=growing).code
    call_command("refresh_audiences", stdout=io.StringIO())
    customer = Customer.objects.filter(score__rfm_segment="potential_loyalist").order_by("external_id").first()
    percent = {"type": "percentage", "value": "10"}
    promotion_create(name="Members' weekend", status="active", reward=percent, eligibility={"segments": [segment]})
    promotion_create(name="Summer codes", status="active", trigger="code", code="SUMMER", reward=percent)
    promotion_create(name="Next season (draft)", reward=percent)
    template = template_create(
        code="eid", name="Eid offer", channel="email", kind="marketing",
        translations=[{"language": "en", "subject": "Eid offer", "html": "<p>Hello</p>"}],
    )  # fmt: skip
    Message.objects.create(
        idempotency_key="demo:1", customer=customer, template=template,
        channel="email", kind="marketing", topic="marketing", status="sent", scheduled_for=timezone.now(),
        sent_at=timezone.now(),
    )  # fmt: skip
    return customer


def test_a_marketer_works_in_sections_and_never_sees_settings(page, demo):
    person("mia", MARKETER)
    started = time.monotonic()
    sign_in(page, "mia")
    assert section_names(page) == ["Campaigns", "Journeys", "Promotions", "Audiences", "Messages", "Loyalty", "Reports"]
    assert page.get_by_text("Periodic tasks").count() == 0 and page.get_by_text("Settings").count() == 0
    screenshot(page, "marketer-home")

    page.goto("/admin/promotions/promotion/")
    page.locator("tr", has_text="Summer codes").locator("input.action-select").check()
    page.select_option("select[name=action]", "generate_codes")
    page.fill("input[name=count]", "1000000")
    page.click("button[name=index]")
    page.wait_for_selector("#code-generation-confirmation")
    assert page.locator("h1").inner_text() == "Generate 1,000,000 codes?"
    assert "Summer codes" in page.locator("#code-generation-confirmation table").inner_text()
    screenshot(page, "generate-codes-confirmation")
    page.click("text=No, take me back")
    page.wait_for_selector("#changelist")
    took = time.monotonic() - started
    print(f"\nmarketer: signed in, saw the sections, asked for 1,000,000 codes and backed out in {took:.1f} s")


def test_an_analyst_sees_everything_and_finds_no_way_to_change_anything(page, demo):
    person("ana", ANALYST)
    sign_in(page, "ana")
    assert section_names(page) == ["Campaigns", "Journeys", "Promotions", "Audiences", "Messages", "Loyalty", "Reports"]
    assert page.locator("a.addlink").count() == 0

    page.goto("/admin/promotions/promotion/")
    assert page.locator("select[name=action]").count() == 0  # no bulk action at all
    assert page.locator(".object-tools a.addlink").count() == 0
    page.click("text=Members' weekend")
    page.wait_for_selector("#promotion_form")
    assert page.locator("input[type=submit]").count() == 0
    assert page.locator("#promotion_form textarea, #promotion_form input[type=text]").count() == 0
    screenshot(page, "analyst-promotion")

    page.goto("/admin/audiences/customer/")
    assert page.locator("a", has_text="Import").count() == 0
    assert page.locator(".object-tools a", has_text="Export").count() == 1  # (the sidebar has Reports › Exports)


def test_the_customer_page_shows_its_sections(page, demo):
    person("mia", MARKETER)
    sign_in(page, "mia")
    page.goto(f"/admin/audiences/customer/{demo.pk}/change/")
    titles = page.locator("#customer-page .customer-section h2").all_inner_texts()
    assert titles == [
        "Profile", "Consents", "Segments", "Loyalty", "Scores and RFM", "Predicted value and churn", "Orders",
        "Vehicles", "Messages", "Journeys and campaigns", "Promotions they qualify for now",
    ]  # fmt: skip
    assert page.locator("#section-scores").get_by_text("Potential loyalist").count() == 1
    assert page.locator("#section-promotions").get_by_text("Members' weekend").count() == 1
    assert page.locator("#section-promotions").get_by_text("Next season (draft)").count() == 0
    assert page.locator("#section-messages").get_by_text("Sent").count() == 1
    screenshot(page, "customer-page")


def test_an_administrator_finds_the_infrastructure_under_settings(page, demo):
    person("ada", ADMINISTRATOR)
    sign_in(page, "ada")
    assert section_names(page)[-1] == "Settings"
    settings_section = page.locator(".app-settings.module").first.inner_text()
    for name in ("Periodic tasks", "Heartbeats", "API keys", "Tokens"):
        assert name in settings_section
    screenshot(page, "administrator-home")
