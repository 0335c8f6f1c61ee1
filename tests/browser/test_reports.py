"""The Reports page in a real browser: every chart is drawn (inline SVG, no script) under the CSP."""

import pytest

from config.roles import ANALYST
from tests.browser.test_back_office import demo, person, screenshot, sign_in  # noqa: F401  (demo: a fixture)

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
    screenshot(page, "reports")
    with page.expect_download() as download:
        page.click("#report-rfm-grid a.report-csv")
    assert download.value.suggested_filename.startswith("rfm-grid-")
    assert page.console_errors == []
