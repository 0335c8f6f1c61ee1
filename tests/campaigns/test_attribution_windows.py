"""Attribution settings per campaign, credit from raw touches that arrive late, imported orders, and the
`campaign_converted` event once per (campaign, order). Small fixtures, figures worked out by hand.

Orders go through `POST /api/v1/orders` or the orders import; late touches through messaging's own tracking
service (as a provider webhook or a tracked click records them); results through the API in each model.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from audiences.models import Order
from audiences.services.orders import orders_import
from campaigns.conversions import late_touch_credit
from campaigns.models import Campaign, Conversion, ConversionEvent
from campaigns.signals import campaign_converted
from messaging.models import Message
from messaging.services.tracking import message_engagement_record
from tests.campaigns.conftest import assign, campaign_with, people, place, touch

pytestmark = pytest.mark.django_db
T = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # the order
SECOND = timedelta(seconds=1)


def credits(order_external_id: str, model: str) -> dict:
    rows = Conversion.objects.filter(order__external_id=order_external_id, model=model)
    return {row.campaign_id: (row.weight, row.revenue, row.basis) for row in rows}


@pytest.fixture
def heard():
    """What `campaign_converted` announced: (campaign id, order external id, variant), in order."""
    announced = []

    def listener(sender, **kwargs):
        announced.append((kwargs["campaign"].pk, kwargs["order"].external_id, kwargs["variant"]))

    campaign_converted.connect(listener)
    yield announced
    campaign_converted.disconnect(listener)


def results(marketer, campaign, model) -> tuple[str, str]:
    answer = marketer.get(f"/api/v1/campaigns/{campaign.pk}/results?model={model}").json()
    return answer["conversions"], answer["revenue"]


# Campaign X clicks within its own 48-hour click window; Y (default 5 days) is clicked an hour before the order;
# Z's SMS was delivered half an hour before it (a receipt: no credit, since clicks exist). Order: 120.00.
@pytest.mark.parametrize(
    ("x_click_before", "expected"),
    [
        (
            timedelta(hours=48),  # exactly at X's window end: both clicks qualify
            {
                "last_touch": {"x": ("0", "0.00"), "y": ("1", "120.00")},
                "first_touch": {"x": ("1", "120.00"), "y": ("0", "0.00")},
                "linear": {"x": ("0.5", "60.00"), "y": ("0.5", "60.00")},
            },
        ),
        (
            timedelta(hours=48) + SECOND,  # one second past it: only Y's click
            {
                "last_touch": {"x": ("0", "0.00"), "y": ("1", "120.00")},
                "first_touch": {"x": ("0", "0.00"), "y": ("1", "120.00")},
                "linear": {"x": ("0", "0.00"), "y": ("1", "120.00")},
            },
        ),
    ],
)
def test_each_campaign_judges_its_touches_by_its_own_window_in_every_model(
    storefront, marketer, shop, x_click_before, expected
):
    (customer,) = people(1)
    x, y, z = (campaign_with(shop, name) for name in ("x", "y", "z"))
    Campaign.objects.filter(pk=x.pk).update(click_window_hours=48)
    touch(x, customer, shop, clicked_at=T - x_click_before)
    touch(y, customer, shop, clicked_at=T - timedelta(hours=1))
    touch(z, customer, shop, delivered_at=T - timedelta(minutes=30))

    place(storefront, "O-1", customer, T, price="120.00")

    for model, figures in expected.items():
        assert {"x": results(marketer, x, model), "y": results(marketer, y, model)} == figures, model
        assert results(marketer, z, model) == ("0", "0.00")


@pytest.mark.parametrize(
    ("delivered_before", "credited"),
    [(timedelta(hours=6), True), (timedelta(hours=6) + SECOND, False)],
)
def test_a_receipt_window_and_email_receipt_switched_on_for_one_campaign(storefront, shop, delivered_before, credited):
    (customer,) = people(1)
    campaign = campaign_with(shop, "email receipts")
    Campaign.objects.filter(pk=campaign.pk).update(receipt_window_hours=6, receipt_channels=["email", "sms"])
    default = campaign_with(shop, "default")
    touch(default, customer, shop, channel="email", delivered_at=T - timedelta(hours=1))  # email: off by default
    touch(campaign, customer, shop, channel="email", delivered_at=T - delivered_before)

    answer = place(storefront, "O-1", customer, T)

    assert answer["attributed_campaign"] == (campaign.pk if credited else None)
    assert credits("O-1", "linear") == ({campaign.pk: (Decimal(1), Decimal("100.00"), "receipt")} if credited else {})


def test_a_delivery_reported_after_the_order_credits_it(storefront, shop, heard, django_capture_on_commit_callbacks):
    """Sent 30 hours before the order (outside the 1-day receipt window), delivered 2 hours before it, but the
    provider's webhook arrives after the order: the order is credited then, by the delivery's own time."""
    (customer,) = people(1)
    campaign = campaign_with(shop, "late delivery")
    assign(campaign, [customer])
    touch(campaign, customer, shop, sent_at=T - timedelta(hours=30))
    with django_capture_on_commit_callbacks(execute=True):
        answer = place(storefront, "O-1", customer, T)
    assert answer["attributed_campaign"] is None and credits("O-1", "last_touch") == {}

    message = Message.objects.get(campaign_id=campaign.pk)
    with django_capture_on_commit_callbacks(execute=True):
        message_engagement_record(message=message, status="delivered", at=T - timedelta(hours=2), key="late", detail={})

    assert credits("O-1", "last_touch") == {campaign.pk: (Decimal(1), Decimal("100.00"), "receipt")}
    assert heard == [(campaign.pk, "O-1", "A")]


def test_a_late_click_moves_the_order_to_its_campaign_and_each_conversion_is_announced_once(
    storefront, shop, heard, django_capture_on_commit_callbacks
):
    (customer,) = people(1)
    receipt, clicked = campaign_with(shop, "receipt"), campaign_with(shop, "clicked")
    assign(receipt, [customer])
    assign(clicked, [customer])
    touch(receipt, customer, shop, delivered_at=T - timedelta(hours=1))
    touch(clicked, customer, shop, sent_at=T - timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        answer = place(storefront, "O-1", customer, T)
    assert answer["attributed_campaign"] == receipt.pk  # its delivery is the later receipt
    assert heard == [(receipt.pk, "O-1", "A")]

    late = Message.objects.get(campaign_id=clicked.pk)
    for _retry in range(2):  # the provider sends its webhook twice
        with django_capture_on_commit_callbacks(execute=True):
            message_engagement_record(message=late, status="clicked", at=T - timedelta(minutes=30), key="c", detail={})
    late_touch_credit(customer_id=customer.pk, campaign_id=clicked.pk, at=T - timedelta(minutes=30))  # and again

    assert credits("O-1", "last_touch") == {clicked.pk: (Decimal(1), Decimal("100.00"), "click")}
    assert credits("O-1", "first_touch") == {clicked.pk: (Decimal(1), Decimal("100.00"), "click")}
    assert heard == [(receipt.pk, "O-1", "A"), (clicked.pk, "O-1", "A")]
    assert ConversionEvent.objects.count() == 2


def test_a_touch_after_the_order_or_past_its_window_changes_nothing(
    storefront, shop, django_capture_on_commit_callbacks
):
    (customer,) = people(1)
    campaign = campaign_with(shop, "too late")
    touch(campaign, customer, shop, sent_at=T - timedelta(days=7))
    place(storefront, "O-1", customer, T)
    message = Message.objects.get(campaign_id=campaign.pk)
    with django_capture_on_commit_callbacks(execute=True):
        message_engagement_record(message=message, status="clicked", at=T + SECOND, key="after", detail={})
    assert not Conversion.objects.exists()

    Message.objects.filter(pk=message.pk).update(clicked_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        message_engagement_record(
            message=message, status="clicked", at=T - timedelta(days=5) - SECOND, key="past", detail={}
        )
    assert not Conversion.objects.exists()


def _import(external_id: str, customer, placed_at: datetime, channel: str = "pos", total: int = 80) -> None:
    orders_import(orders={external_id: {
        "customer": customer.external_id, "store": "DHK-01", "channel": channel, "currency": "BDT",
        "placed_at": placed_at, "shipping_price": Decimal(0),
        "lines": [{"sku": "RICE", "quantity": 1, "unit_price": Decimal(total), "discount": Decimal(0)}],
    }})  # fmt: skip


def test_imported_store_visits_are_credited_by_customer(marketer, shop, heard, django_capture_on_commit_callbacks):
    clicked, quiet = people(2)
    campaign = campaign_with(shop, "store visits")
    assign(campaign, [clicked, quiet])
    touch(campaign, clicked, shop, clicked_at=T - timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        _import("POS-1", clicked, T)
        _import("POS-2", quiet, T)

    assert credits("POS-1", "last_touch") == {campaign.pk: (Decimal(1), Decimal("80.00"), "click")}
    assert Conversion.objects.get(order__external_id="POS-1", model="linear").in_store is True
    assert credits("POS-2", "last_touch") == {}
    assert heard == [(campaign.pk, "POS-1", "A")]
    answer = marketer.get(f"/api/v1/campaigns/{campaign.pk}/results").json()
    assert (answer["converted"], answer["revenue"]) == (1, "80.00")


@pytest.mark.django_db(transaction=True)
def test_late_touches_credited_at_once_on_two_connections_announce_each_order_once(shop, heard):
    (customer,) = people(1)
    campaign = campaign_with(shop, "parallel")
    assign(campaign, [customer])
    for n in range(3):
        _import(f"O-{n}", customer, T + timedelta(hours=n))  # no touch yet: nothing credited
    assert not Conversion.objects.exists()
    touch(campaign, customer, shop, clicked_at=T - timedelta(hours=1))  # recorded late

    def credit(_):
        try:
            return late_touch_credit(customer_id=customer.pk, campaign_id=campaign.pk, at=T - timedelta(hours=1))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(credit, range(2))) == [3, 3]

    assert Conversion.objects.filter(model="last_touch").count() == 3
    assert sorted(heard) == [(campaign.pk, f"O-{n}", "A") for n in range(3)]
    assert ConversionEvent.objects.count() == 3


def test_a_cancelled_order_loses_its_credit_and_a_late_touch_does_not_bring_it_back(
    storefront, shop, django_capture_on_commit_callbacks
):
    (customer,) = people(1)
    campaign = campaign_with(shop, "cancelled")
    touch(campaign, customer, shop, sent_at=T - timedelta(hours=30))
    place(storefront, "O-1", customer, T)
    assert storefront.post("/api/v1/orders/O-1/cancel").status_code == 200
    message = Message.objects.get(campaign_id=campaign.pk)
    with django_capture_on_commit_callbacks(execute=True):
        message_engagement_record(message=message, status="clicked", at=T - timedelta(hours=1), key="k", detail={})
    assert Order.objects.get().status == "cancelled" and not Conversion.objects.exists()


def test_the_worked_example_of_a_late_delivery_in_the_docs(storefront, shop, heard, django_capture_on_commit_callbacks):
    """docs/campaigns.md: 7's SMS sent Monday 09:00, 8 (48-hour click window) clicked Tuesday 10:00, order
    Thursday 12:00 for 120.00; Thursday 15:00 the webhook reports 7's SMS delivered Wednesday 13:00."""
    monday, thursday_noon = datetime(2026, 11, 23, 9, tzinfo=UTC), datetime(2026, 11, 26, 12, tzinfo=UTC)
    (customer,) = people(1)
    seven, eight = campaign_with(shop, "seven"), campaign_with(shop, "eight")
    Campaign.objects.filter(pk=eight.pk).update(click_window_hours=48)
    touch(seven, customer, shop, sent_at=monday)
    touch(eight, customer, shop, clicked_at=monday + timedelta(days=1, hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert place(storefront, "O-1", customer, thursday_noon, price="120.00")["attributed_campaign"] is None

    with django_capture_on_commit_callbacks(execute=True):
        message_engagement_record(
            message=Message.objects.get(campaign_id=seven.pk), status="delivered",
            at=datetime(2026, 11, 25, 13, tzinfo=UTC), key="dlr", detail={},
        )  # fmt: skip

    for model in ("last_touch", "first_touch", "linear"):
        assert credits("O-1", model) == {seven.pk: (Decimal(1), Decimal("120.00"), "receipt")}
    assert heard == [(seven.pk, "O-1", "")]  # not assigned in this fixture: no variant


def test_a_file_of_orders_is_credited_in_rounds_with_the_same_answer(shop, monkeypatch):
    monkeypatch.setattr("campaigns.conversions.CREDIT_BATCH", 2)
    customers = people(5)
    campaign = campaign_with(shop, "rounds")
    for customer in customers[:4]:
        touch(campaign, customer, shop, clicked_at=T - timedelta(hours=1))
    orders_import(orders={f"F-{n}": {
        "customer": c.external_id, "store": "DHK-01", "channel": "web", "currency": "BDT", "placed_at": T,
        "shipping_price": Decimal(0),
        "lines": [{"sku": "RICE", "quantity": 1, "unit_price": Decimal(10 + n), "discount": Decimal(0)}],
    } for n, c in enumerate(customers)})  # fmt: skip

    rows = Conversion.objects.filter(model="last_touch").order_by("order__external_id")
    assert [(row.order.external_id, row.revenue) for row in rows] == [
        ("F-0", Decimal("10.00")), ("F-1", Decimal("11.00")), ("F-2", Decimal("12.00")), ("F-3", Decimal("13.00")),
    ]  # fmt: skip
    assert ConversionEvent.objects.count() == 4
