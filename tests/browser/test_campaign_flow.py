"""A campaign from the admin in a real browser (issue #19, done-when): a marketer creates and launches one, sees
its progress and results; an analyst downloads the results as CSV and finds no way to change anything.

The launch runs as the other browser tests run tasks: eagerly, in the live server's request, once the launch's
transaction commits; the outbox's dispatcher (a periodic task in production) is called by the test as the
worker would. An order by a recipient arrives through the storefront API, so the results have a conversion.
"""

import csv
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from audiences.models import Order, Product, Segment, Store
from campaigns.models import Campaign
from campaigns.selectors import audience_count
from campaigns.services import campaign_create, campaign_launch
from config.roles import ANALYST, MARKETER
from messaging.links import click_url
from messaging.models import Message, Template
from messaging.services.dispatch import outbox_dispatch
from tests.browser.test_back_office import demo, person, screenshot, sign_in  # noqa: F401  (demo: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHANGELIST = "/admin/campaigns/campaign/"


class Steps:
    """Prints each step of a flow with the time it took, and the whole."""

    def __init__(self, who: str):
        self.who, self.started, self.last, self.lines = who, time.monotonic(), time.monotonic(), []

    def done(self, what: str) -> None:
        now = time.monotonic()
        self.lines.append(f"  {len(self.lines) + 1:>2}. {what} ({now - self.last:.1f} s)")
        self.last = now

    def report(self) -> float:
        took = time.monotonic() - self.started
        print(f"\n{self.who}: {len(self.lines)} steps in {took:.1f} s\n" + "\n".join(self.lines))
        return took


def a_recipient_clicks_and_orders(campaign: Campaign) -> None:
    """A treated customer clicks the email's tracked link (email credits clicks, not receipt), then buys
    within the window through the storefront's API."""
    message = Message.objects.filter(campaign_id=campaign.pk, status="sent").select_related("customer").first()
    link = urlsplit(click_url(message_id=message.pk, url="https://shop.example/eid"))
    assert Client().get(link.path).status_code == 302  # in-process: the redirect is not followed off this machine
    _, key = APIKey.objects.create_key(name="storefront")
    storefront = APIClient()
    storefront.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    order = {
        "external_id": "EID-ORDER-1", "currency": "BDT", "customer": message.customer.external_id,
        "store": Store.objects.order_by("code").first().code, "channel": "web",
        "placed_at": (timezone.now() + timedelta(minutes=1)).isoformat(),
        "lines": [{"sku": Product.objects.order_by("sku").first().sku, "quantity": 2, "unit_price": "750.00"}],
    }  # fmt: skip
    answer = storefront.post("/api/v1/orders", order, format="json")
    assert answer.status_code == 201, answer.json()


def test_a_marketer_creates_launches_and_reads_the_results_of_a_campaign(page, demo, settings):  # noqa: F811
    settings.MESSAGING_QUIET_HOURS = ""  # sent whatever the hour the test runs (quiet hours have their own tests)
    person("mia", MARKETER)
    steps = Steps("marketer, a campaign from nothing to its results")
    sign_in(page, "mia")
    steps.done("signed in")

    page.goto(CHANGELIST)
    page.click(".object-tools a.addlink")
    page.fill("#id_name", "Eid weekend")
    page.select_option("#id_objective", "retention")
    page.select_option("#id_include_segments_from", label="Loyal and growing (growing)")
    page.click("#id_include_segments_add")
    page.check("input[name=channels][value=email]")
    page.fill("#id_holdout_percent", "20")
    page.click("#variants-group .add-row a")
    page.fill("#id_variants-0-name", "A")
    page.select_option("#id_variants-0-template", label=str(Template.objects.get(code="eid")))
    screenshot(page, "campaign-form")
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist li.success")
    steps.done("created a campaign through the form: segment, channel, holdout, one variant (no JSON)")

    campaign = Campaign.objects.get(name="Eid weekend")
    counts = audience_count(campaign)
    assert counts["audience"] > 0
    live = page.locator(".field-live_audience").inner_text()
    assert f"{counts['audience']:,}" in live and f"{counts['consenting']:,}" in live
    assert "Not launched." in page.locator(".field-progress").inner_text()
    steps.done(f"saw its audience before launch: {counts['audience']:,}, {counts['consenting']:,} with consent")

    page.goto(CHANGELIST)
    page.locator("tr", has_text="Eid weekend").locator("input.action-select").check()
    page.select_option("select[name=action]", "launch")
    page.click("button[name=index]")
    page.wait_for_selector("#launch-confirmation")
    summary = f"{counts['audience']:,} customers, {counts['consenting']:,} with consent"
    assert page.locator(".launch-summary strong").inner_text() == summary
    assert page.locator("h1").inner_text() == "Launch 1 campaign?"
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"  # asking changed nothing
    screenshot(page, "campaign-launch-confirmation")
    steps.done(f"asked to launch; the confirmation says '{summary}'")

    page.click("input[value='Yes, launch 1 campaign']")
    page.wait_for_selector("ul.messagelist li.success")
    assert "Eid weekend: launched; now running." in page.locator("ul.messagelist").inner_text()
    steps.done("confirmed the launch")

    outbox_dispatch()  # the worker's periodic dispatch, for whatever the launch's own dispatch left due
    campaign.refresh_from_db()
    sent = Message.objects.filter(campaign_id=campaign.pk, status="sent").count()
    assert sent == campaign.queued > 0
    page.locator("#result_list a", has_text="Eid weekend").click()
    progress = page.locator(".field-progress").inner_text()
    assert "finished" in progress and f"{campaign.frozen:,}" in progress
    assert campaign.frozen == counts["audience"] and campaign.held_out > 0
    screenshot(page, "campaign-progress")
    steps.done(f"saw the launch's progress: {campaign.frozen:,} frozen, {campaign.held_out:,} held out, {sent:,} sent")

    a_recipient_clicks_and_orders(campaign)
    page.click(".field-results_link a")
    page.wait_for_selector("#campaign-results")
    headline = page.locator("#headline").inner_text()
    order = Order.objects.get(external_id="EID-ORDER-1")  # 1,500.00 less the demo's members' 10%
    assert "Customers converted\t1" in headline and f"Revenue\t{order.total:,.2f} BDT" in headline
    assert page.locator("#variants tbody tr").count() == 1
    screenshot(page, "campaign-results")
    steps.done("read the results: one conversion, its revenue, lift against the holdout")

    page.click("#printable-report")
    page.wait_for_selector("#report-figures")
    assert page.locator("h1").inner_text() == "Campaign report: Eid weekend"
    assert page.locator("svg.chart").count() == 3
    screenshot(page, "campaign-report")
    steps.done("opened the printable report")

    took = steps.report()
    assert took < 300, "the seeds ask for a campaign in under five minutes"
    assert page.console_errors == []


def test_an_analyst_exports_campaign_results_and_cannot_change_anything(page, demo):  # noqa: F811
    template = Template.objects.get(code="eid")
    campaign = campaign_create(
        name="Eid weekend", include_segments=[Segment.objects.get(code="growing")],
        variants=[{"name": "A", "template": template}],
    )  # fmt: skip
    campaign = campaign_launch(campaign=campaign)
    status = Campaign.objects.get(pk=campaign.pk).status
    person("ana", ANALYST)
    sign_in(page, "ana")

    page.goto(CHANGELIST)
    assert page.locator(".object-tools a.addlink").count() == 0
    assert page.locator("select[name=action]").count() == 0
    page.locator("#result_list a", has_text="Eid weekend").click()
    page.wait_for_selector("#campaign_form")
    assert page.locator("#campaign_form input[type=submit], a.deletelink").count() == 0
    page.click(".field-results_link a")
    page.wait_for_selector("#campaign-results")
    with page.expect_download() as download:
        page.click("text=Download CSV")
    assert download.value.suggested_filename == f"campaign-{campaign.pk}-results.csv"
    rows = list(csv.reader(Path(download.value.path()).read_text(encoding="utf-8").splitlines()))
    assert "variant" in rows[0] and any(row[rows[0].index("variant")] == "A" for row in rows[1:]), rows

    page.goto("/admin/exports/")  # the same results as a file written in the background
    page.fill("#export-campaign-results input[name=campaign]", str(campaign.pk))
    page.click("#export-campaign-results button[value=csv]")
    page.wait_for_selector("#export-job a.export-download")
    assert "Ready" in page.locator("#export-job .export-status").inner_text()
    screenshot(page, "export-ready")
    with page.expect_download() as download:
        page.click("#export-job a.export-download")
    background = list(csv.reader(Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()))
    assert background == rows

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    headers = {"X-CSRFToken": token, "Referer": page.url}
    for url, form in [
        (f"{CHANGELIST}{campaign.pk}/change/", {"name": "Renamed"}),
        (f"{CHANGELIST}add/", {"name": "Sneaky"}),
        (f"{CHANGELIST}{campaign.pk}/delete/", {"post": "yes"}),
    ]:
        answer = page.request.post(url, form=form, headers=headers)
        assert answer.status == 403, (url, answer.status)
    answer = page.request.post(
        CHANGELIST, form={"action": "pause", "_selected_action": str(campaign.pk)}, headers=headers
    )
    assert Campaign.objects.get(pk=campaign.pk).status == status and Campaign.objects.filter(name="Sneaky").count() == 0
    assert Campaign.objects.get(pk=campaign.pk).name == "Eid weekend"
