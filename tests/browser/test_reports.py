"""The Reports page in a real browser: every chart is drawn (inline SVG, no script) under the CSP."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.journeys.models import Enrollment
from config.roles import ANALYST, MARKETER
from tests.browser.test_back_office import demo, person, screenshot, sign_in  # noqa: F401  (demo: a fixture)
from tests.campaigns.conftest import people
from tests.campaigns.journeys.conftest import journey_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_reads_the_reports_and_downloads_a_chart_as_csv(page, demo):  # noqa: F811
    person("ana", ANALYST)
    sign_in(page, "ana")
    page.click("a[href='/admin/reports/']")
    page.wait_for_selector("#reports")
    drawn = page.locator("section.report").count() - page.locator("section.report p.empty").count()
    assert page.locator("svg.chart").count() == drawn >= 7  # every panel with numbers has its chart
    assert page.locator("#report-loyalty-tiers svg.chart rect").count() >= 1
    assert page.locator("#report-rfm-grid svg.chart rect").count() == 25
    # The demo is scored a month back, then by refresh_audiences: movement between its groups, as a square grid.
    moved = page.locator("#report-rfm-movement svg.chart rect").count()
    assert moved >= 4 and round(moved**0.5) ** 2 == moved
    assert "Scored " in page.locator("#report-rfm-movement .report-caption").inner_text()
    screenshot(page, "reports")
    with page.expect_download() as download:
        page.click("#report-rfm-grid a.report-csv")
    assert download.value.suggested_filename.startswith("rfm-grid-")
    assert page.console_errors == []


def test_a_marketer_reads_a_journey_day_by_day_with_its_lift(page):
    version = journey_of("welcome_back", [("wait", {"wait": timedelta(hours=1)}, [])], holdout=Decimal(50))
    now = timezone.now()
    for n, customer in enumerate(people(6)):
        held, converted = n % 2 == 1, n in (0, 2, 4, 1)
        Enrollment.objects.create(
            version=version, customer=customer, bucket=n, entered_at=now - timedelta(days=3 - n // 2),
            status="holdout" if held else "converted" if converted else "active",
            converted_at=now - timedelta(days=1) if converted else None,
        )  # fmt: skip
    person("mia", MARKETER)
    sign_in(page, "mia")
    page.goto(f"/admin/campaigns/journey/{version.journey.pk}/change/")
    page.click("#journey-results-link")
    page.wait_for_selector("#journey-results svg.chart")
    assert page.locator("#journey-results svg.chart polyline").count() == 4
    assert "points of conversion" in page.locator("#lift").inner_text()
    screenshot(page, "journey-results")
    with page.expect_download() as download:
        page.click("#journey-results-csv")
    assert download.value.suggested_filename.startswith("journey-welcome_back-daily-")
    assert page.console_errors == []
