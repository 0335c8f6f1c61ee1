"""The admin's results page: the numbers, the day-by-day charts as inline SVG (no script), and the CSV."""

from datetime import timedelta
from decimal import Decimal

import pytest

from campaigns.charts import bar_chart
from campaigns.models import Campaign
from tests.campaigns.conftest import LAUNCH, assign, campaign_with, people, place, touch

pytestmark = pytest.mark.django_db


@pytest.fixture
def converted_campaign(storefront, shop):
    customers = people(4)
    campaign = campaign_with(shop, "Eid results", holdout_percent=Decimal(50))
    assign(campaign, customers[:2], "A")
    assign(campaign, customers[2:], None)
    touch(campaign, customers[0], shop, clicked_at=LAUNCH + timedelta(hours=1))
    place(storefront, "O-1", customers[0], LAUNCH + timedelta(hours=2), price="250.00")
    return campaign


def test_the_results_page_shows_the_numbers_and_an_inline_svg_chart(admin_client, converted_campaign):
    change = admin_client.get(f"/admin/campaigns/campaign/{converted_campaign.pk}/change/").content.decode()
    assert f"/admin/campaigns/campaign/{converted_campaign.pk}/results/" in change

    answer = admin_client.get(f"/admin/campaigns/campaign/{converted_campaign.pk}/results/?model=linear")

    assert answer.status_code == 200
    page = answer.content.decode()
    assert "250.00 BDT" in page and "50.00%" in page  # the revenue; A's conversion rate (1 of 2)
    assert "<th>Customers converted</th><td>1</td>" in page and "<th>Attributed orders</th><td>1</td>" in page
    assert "<svg" in page and "<rect" in page and "<script" not in page.split('id="campaign-results"')[1]
    assert 'value="linear" selected' in page
    assert "a click within 120 hours" in page and "within 24 hours on sms, whatsapp, in_app" in page


def test_money_reads_grouped_with_its_currency_roi_as_a_percent_and_an_empty_lift_as_no_data(
    admin_client, storefront, shop
):
    customers = people(4)
    campaign = campaign_with(shop, "Eid money", holdout_percent=Decimal(50))
    assign(campaign, customers[:2], "A")
    assign(campaign, customers[2:], None)
    Campaign.objects.filter(pk=campaign.pk).update(sending_cost=Decimal("100.00"))
    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/results/").content.decode()
    assert "no data yet" in page and "+0.00 points" not in page  # nobody converted on either side

    touch(campaign, customers[0], shop, clicked_at=LAUNCH + timedelta(hours=1))
    place(storefront, "O-1", customers[0], LAUNCH + timedelta(hours=2), price="8921.00")
    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/results/").content.decode()
    assert "<th>Revenue</th><td>8,921.00 BDT</td>" in page
    assert "<th>ROI</th><td>+8,821%</td>" in page  # (8,921 − 100) / 100


def test_the_results_page_survives_a_bad_model_and_names_it(admin_client, converted_campaign):
    answer = admin_client.get(f"/admin/campaigns/campaign/{converted_campaign.pk}/results/?model=nope", follow=True)
    assert answer.status_code == 200
    assert "Unknown attribution model &#x27;nope&#x27;" in answer.content.decode()


def test_the_csv_download(admin_client, converted_campaign):
    answer = admin_client.get(f"/admin/campaigns/campaign/{converted_campaign.pk}/results.csv")
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    lines = answer.content.decode().splitlines()
    assert lines[0].startswith("variant,recipients,sent") and lines[1].startswith("A,2,1,")


def test_bars_scale_to_the_highest_day_and_an_empty_series_draws_none():
    chart = bar_chart("Sent", [("2026-11-20", 10), ("2026-11-21", 5), ("2026-11-22", 0)])
    heights = [bar.height for bar in chart.bars]
    assert heights[0] == chart.baseline - 4 and heights[1] == heights[0] / 2 and heights[2] == 0
    assert bar_chart("Sent", []).bars == () and bar_chart("Sent", [("d", 0)]).bars[0].height == 0


def test_the_campaign_page_shows_its_sending_cost_as_money(admin_client, shop):
    campaign = campaign_with(shop, "Eid cost")
    Campaign.objects.filter(pk=campaign.pk).update(sending_cost=Decimal("1882.700"))
    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert "1,882.70 BDT" in page and "1882.700" not in page
