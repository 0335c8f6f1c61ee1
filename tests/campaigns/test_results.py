"""Attribution written when orders are placed, and the results a marketer reads: hand-computed small fixtures.

Orders go through `POST /api/v1/orders` (the order hook credits them); touches are outbox messages with their
sent/delivered/clicked times; results come from `GET /api/v1/campaigns/{id}/results` and its CSV.
"""

import csv
import io
import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from scipy import stats

from audiences.models import Order
from campaigns.models import Campaign, Conversion
from campaigns.signals import campaign_converted
from messaging.models import Message
from tests.campaigns.conftest import LAUNCH, assign, campaign_with, people, place, touch

pytestmark = pytest.mark.django_db
FRIDAY_NOON = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def credits(order_external_id: str, model: str) -> dict:
    rows = Conversion.objects.filter(order__external_id=order_external_id, model=model)
    return {row.campaign_id: (row.weight, row.revenue, row.basis) for row in rows}


def test_the_worked_example_under_each_model(storefront, shop):
    """docs/campaigns.md: clicks of 1 (Monday, Friday 11:00) and 2 (Wednesday); 3's SMS delivered 11:30."""
    (customer,) = people(1)
    one, two, three = (campaign_with(shop, name) for name in ("one", "two", "three"))
    touch(one, customer, shop, clicked_at=FRIDAY_NOON - timedelta(days=4))
    touch(two, customer, shop, clicked_at=FRIDAY_NOON - timedelta(days=2))
    touch(one, customer, shop, key=":again", clicked_at=FRIDAY_NOON - timedelta(hours=1))
    touch(three, customer, shop, delivered_at=FRIDAY_NOON - timedelta(minutes=30))

    answer = place(storefront, "O-1", customer, FRIDAY_NOON)

    assert answer["attributed_campaign"] == one.pk
    assert credits("O-1", "last_touch") == {one.pk: (Decimal(1), Decimal("100.00"), "click")}
    assert credits("O-1", "first_touch") == {one.pk: (Decimal(1), Decimal("100.00"), "click")}
    assert credits("O-1", "linear") == {
        one.pk: (Decimal("0.666667"), Decimal("66.67"), "click"),
        two.pk: (Decimal("0.333333"), Decimal("33.33"), "click"),
    }


@pytest.mark.parametrize(
    ("moments", "channel", "credited", "basis"),
    [
        ({"clicked_at": FRIDAY_NOON - timedelta(days=5)}, "sms", True, "click"),  # the click window's first instant
        ({"clicked_at": FRIDAY_NOON - timedelta(days=5, microseconds=1)}, "sms", False, None),  # just before it
        ({"clicked_at": FRIDAY_NOON}, "sms", True, "click"),  # the same instant as the order
        ({"sent_at": FRIDAY_NOON - timedelta(days=1), "clicked_at": FRIDAY_NOON + timedelta(seconds=1)}, "sms",
         True, "receipt"),  # the click came after the order; the SMS sent a day before still counts
        ({"delivered_at": FRIDAY_NOON - timedelta(days=1)}, "sms", True, "receipt"),  # receipt window's edge
        ({"delivered_at": FRIDAY_NOON - timedelta(days=1, microseconds=1)}, "sms", False, None),
        ({"delivered_at": FRIDAY_NOON - timedelta(hours=1)}, "email", False, None),  # email: receipt is off
        ({"opened_at": FRIDAY_NOON - timedelta(hours=1)}, "email", False, None),  # opens never earn credit
    ],
)  # fmt: skip
def test_window_edges(storefront, shop, moments, channel, credited, basis):
    (customer,) = people(1)
    campaign = campaign_with(shop, "edge")
    if channel == "email":
        moments = {"sent_at": FRIDAY_NOON - timedelta(days=3), **moments}
    touch(campaign, customer, shop, channel=channel, **moments)

    answer = place(storefront, "O-1", customer, FRIDAY_NOON)

    assert answer["attributed_campaign"] == (campaign.pk if credited else None)
    expected = {campaign.pk: (Decimal(1), Decimal("100.00"), basis)} if credited else {}
    for model in ("last_touch", "first_touch", "linear"):
        assert credits("O-1", model) == expected


def test_a_redeemed_campaign_coupon_takes_full_credit_over_a_later_click(storefront, marketer, shop):
    (customer,) = people(1)
    coupon_campaign, clicked_campaign = campaign_with(shop, "coupon"), campaign_with(shop, "clicked")
    promotion = marketer.post("/api/v1/promotions", {
        "name": "Comeback", "status": "active", "trigger": "code", "code": "WB-1111-2222",
        "reward": {"type": "percentage", "value": "10"}}, format="json").json()  # fmt: skip
    assert promotion["id"]
    assign(coupon_campaign, [customer], coupon_code="WB-1111-2222")
    touch(clicked_campaign, customer, shop, clicked_at=FRIDAY_NOON - timedelta(minutes=5))

    answer = place(storefront, "O-1", customer, FRIDAY_NOON, codes=["wb-1111-2222"])

    assert answer["attributed_campaign"] == coupon_campaign.pk
    assert credits("O-1", "linear") == {coupon_campaign.pk: (Decimal(1), Decimal("90.00"), "coupon")}


def test_a_conversion_is_announced_after_commit_and_a_cancelled_order_loses_its_credit(
    storefront, shop, django_capture_on_commit_callbacks
):
    (customer,) = people(1)
    campaign = campaign_with(shop, "announced")
    assign(campaign, [customer])
    touch(campaign, customer, shop, clicked_at=FRIDAY_NOON - timedelta(hours=2))
    heard = []

    def listener(sender, **kwargs):
        heard.append((kwargs["campaign"].pk, kwargs["order"].external_id, kwargs["variant"]))

    campaign_converted.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            place(storefront, "O-1", customer, FRIDAY_NOON)
            assert heard == []
    finally:
        campaign_converted.disconnect(listener)
    assert heard == [(campaign.pk, "O-1", "A")]

    cancelled = storefront.post("/api/v1/orders/O-1/cancel")
    assert cancelled.status_code == 200, cancelled.json()
    assert not Conversion.objects.exists()


def test_results_per_variant_with_lift_against_the_holdout(storefront, marketer, shop):
    """A: 2 recipients, 1 clicked and bought 100.00; B: 2, nobody bought; holdout: 2, one bought 50.00."""
    a_people, b_people, held = people(2, prefix="A"), people(2, prefix="B"), people(2, prefix="H")
    campaign = campaign_with(shop, "ab", variants=("A", "B"), holdout_percent=Decimal(20))
    assign(campaign, a_people, "A")
    assign(campaign, b_people, "B")
    assign(campaign, held, None)
    Campaign.objects.filter(pk=campaign.pk).update(frozen=6, held_out=2, queued=4, sending_cost=Decimal("1.40"))
    for customer in a_people + b_people:
        touch(campaign, customer, shop, sent_at=LAUNCH + timedelta(hours=1))
    Message.objects.filter(customer=a_people[0]).update(clicked_at=LAUNCH + timedelta(hours=2), variant="A")
    Message.objects.filter(customer__in=b_people).update(variant="B")
    place(storefront, "O-A", a_people[0], LAUNCH + timedelta(hours=3))
    place(storefront, "O-H", held[0], LAUNCH + timedelta(hours=4), price="50.00")
    place(storefront, "O-before", held[1], LAUNCH - timedelta(days=1), price="70.00")  # before the launch: not counted

    answer = marketer.get(f"/api/v1/campaigns/{campaign.pk}/results")
    assert answer.status_code == 200, answer.json()
    results = answer.json()
    a, b = results["variants"]
    assert (a["recipients"], a["sent"], a["clicked"], a["converted"], a["conversion_rate"]) == (2, 2, 1, 1, 0.5)
    assert (a["revenue"], a["sending_cost"], a["roi"]) == ("100.00", "0.70", "141.8571")  # (100 − 0.70) / 0.70
    assert (b["converted"], b["revenue"], b["roi"]) == (0, "0.00", "-1.0000")
    assert (results["converted"], results["revenue"], results["sending_cost"]) == (1, "100.00", "1.40")
    assert results["winner"] is None and results["decision"]["reason"] == "too_few_recipients"

    # Lift: treated 4 recipients, revenue [100, 0, 0, 0]; holdout 2, revenue [50, 0] (the pre-launch order ignored).
    lift = results["lift"]
    assert results["lift_status"]["measurable"] is True
    assert (lift["treatment_rate"], lift["control_rate"], lift["absolute"]) == (0.25, 0.5, -0.25)
    revenue = lift["revenue"]
    assert (revenue["treatment_per_recipient"], revenue["control_per_recipient"], revenue["absolute"]) == (
        "25.00", "25.00", "0.00"
    )  # fmt: skip
    var_t, var_h = (100**2 - 100**2 / 4) / 3, (50**2 - 50**2 / 2) / 1  # 2500 and 1250
    se = math.sqrt(var_t / 4 + var_h / 2)
    df = se**4 / ((var_t / 4) ** 2 / 3 + (var_h / 2) ** 2 / 1)
    low, high = stats.t.interval(0.95, df, loc=0, scale=se)
    assert (revenue["ci_low"], revenue["ci_high"]) == (f"{low:.2f}", f"{high:.2f}")

    # Without stores, days are the installation's: sends, the click and the order fall on the launch's day there.
    day = (LAUNCH + timedelta(hours=1)).astimezone(ZoneInfo(settings.TIME_ZONE)).date().isoformat()
    assert [(d["date"], d["sent"], d["clicked"], d["conversions"], d["revenue"]) for d in results["daily"]] == [
        (day, 4, 1, "1", "100.00")
    ]


def test_a_campaign_without_holdout_says_lift_cannot_be_measured(storefront, marketer, shop):
    customers = people(3)
    campaign = campaign_with(shop, "no holdout")
    assign(campaign, customers)
    place(storefront, "O-1", customers[0], LAUNCH + timedelta(hours=1))

    results = marketer.get(f"/api/v1/campaigns/{campaign.pk}/results").json()

    assert results["lift"] is None
    assert results["lift_status"]["status"] == "no_holdout"
    assert "cannot be measured" in results["lift_status"]["message"]


def winner_fixture(shop, name, a_recipients, a_converted, b_recipients, b_converted) -> Campaign:
    campaign = campaign_with(shop, name, variants=("A", "B"))
    customers = people(a_recipients + b_recipients, prefix=name)
    assign(campaign, customers[:a_recipients], "A")
    assign(campaign, customers[a_recipients:], "B")
    buyers = customers[:a_converted] + customers[a_recipients : a_recipients + b_converted]
    variants = {v.name: v for v in campaign.variants.all()}
    orders = Order.objects.bulk_create(
        Order(external_id=f"W-{c.pk}", customer=c, currency="BDT", placed_at=LAUNCH + timedelta(hours=1),
              subtotal=100, total=100)
        for c in buyers
    )  # fmt: skip
    Conversion.objects.bulk_create(
        Conversion(order=order, campaign=campaign, customer=order.customer, model="last_touch", basis="click",
                   weight=1, revenue=100, placed_at=order.placed_at,
                   variant=variants["A" if order.customer in customers[:a_recipients] else "B"])
        for order in orders
    )  # fmt: skip
    return campaign


def test_the_winner_by_conversion_and_srm_blocking_it(marketer, shop):
    campaign = winner_fixture(shop, "fair", 200, 10, 200, 40)
    results = marketer.get(f"/api/v1/campaigns/{campaign.pk}/results?metric=conversion").json()
    assert results["winner"]["variant"] == "B" and results["decision"]["reason"] == "winner"
    assert results["variants"][1]["conversion_rate"] == 0.2

    skewed = winner_fixture(shop, "skewed", 300, 10, 120, 40)
    results = marketer.get(f"/api/v1/campaigns/{skewed.pk}/results").json()
    assert results["winner"] is None and results["decision"]["reason"] == "sample_ratio_mismatch"


@pytest.mark.parametrize(
    ("query", "code"),
    [("model=position_based", "unknown_attribution_model"), ("metric=open", "metric_not_allowed")],
)
def test_bad_model_or_metric_is_a_400_naming_it(marketer, shop, query, code):
    campaign = campaign_with(shop, "bad")
    answer = marketer.get(f"/api/v1/campaigns/{campaign.pk}/results?{query}")
    assert answer.status_code == 400 and answer.json()["code"] == code


def test_csv_export_has_a_row_per_variant_and_the_total(storefront, marketer, shop):
    customers = people(2)
    campaign = campaign_with(shop, "csv")
    assign(campaign, customers)
    touch(campaign, customers[0], shop, clicked_at=LAUNCH + timedelta(hours=1))
    place(storefront, "O-1", customers[0], LAUNCH + timedelta(hours=2))

    answer = marketer.get(f"/api/v1/campaigns/{campaign.pk}/results.csv?model=linear")

    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert [(r["variant"], r["recipients"], r["customers_converted"], r["revenue"], r["model"]) for r in rows] == [
        ("A", "2", "1", "100.00", "linear"),
        ("total", "2", "1", "100.00", "linear"),
    ]


def test_csv_export_tells_customers_converted_from_attributed_orders_and_writes_whole_counts(
    storefront, marketer, shop
):
    (customer,) = people(1)
    campaign = campaign_with(shop, "twice")
    assign(campaign, [customer])
    touch(campaign, customer, shop, clicked_at=LAUNCH + timedelta(hours=1))
    place(storefront, "O-1", customer, LAUNCH + timedelta(hours=2))
    place(storefront, "O-2", customer, LAUNCH + timedelta(hours=3))

    answer = marketer.get(f"/api/v1/campaigns/{campaign.pk}/results.csv")

    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert [(r["variant"], r["customers_converted"], r["attributed_orders"]) for r in rows] == [
        ("A", "1", "2"),
        ("total", "1", "2"),
    ]
