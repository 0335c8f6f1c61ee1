"""A journey triggered by `back_in_stock`: a restock enters the recent viewers at the store, once per restock
(keyed by the product), and sending the same quantity again enters nobody."""

from datetime import timedelta
from decimal import Decimal

import pytest

from audiences.services.catalog import product_upsert, store_upsert
from audiences.services.events import EventInput, events_record
from audiences.services.stock import StockInput, stock_set
from campaigns.journeys.models import Enrollment
from tests.campaigns.conftest import people
from tests.campaigns.journeys.conftest import journey_of

pytestmark = pytest.mark.django_db


def test_a_restock_enters_the_viewers_once(sms_template, clock, django_capture_on_commit_callbacks):
    store = store_upsert(code="DLR-X", name="X", timezone="Asia/Dhaka", currency="BDT")[0]
    product_upsert(sku="COR", name="Corolla", price=Decimal("2500000"), currency="BDT")
    journey_of(
        "back_in_stock", [("send", {}, [sms_template])], event_type="back_in_stock", key_property="sku",
        reentry="per_key",
    )  # fmt: skip
    viewer, _never_viewed = people(2)
    viewer.store = store
    viewer.save()
    events_record(
        events=[
            EventInput(
                customer=viewer, type="product_viewed", occurred_at=clock.now - timedelta(days=3),
                properties={"sku": "COR"},
            )
        ]
    )  # fmt: skip
    stock_set(levels=[StockInput("COR", "DLR-X", 0)])

    with django_capture_on_commit_callbacks(execute=True):
        stock_set(levels=[StockInput("COR", "DLR-X", 4)])
    with django_capture_on_commit_callbacks(execute=True):
        stock_set(levels=[StockInput("COR", "DLR-X", 4)])

    entered = list(Enrollment.objects.values_list("customer_id", "trigger_key"))
    assert entered == [(viewer.pk, "COR")], "the viewer once; the one who never viewed it, never"
