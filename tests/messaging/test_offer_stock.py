"""Stock at send time: a message whose template offers a product out of stock at the customer's store is
skipped (out_of_stock); `interested_in_stock` lists what the customer viewed lately that their store has."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audiences.services.catalog import product_upsert, store_upsert
from audiences.services.events import EventInput, events_record
from audiences.services.stock import StockInput, stock_set
from messaging import context
from messaging.backends import sms
from messaging.models import Message
from messaging.services.dispatch import outbox_dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def lot(db):
    """Dealer X has no Corolla left and two Yaris; dealer Y has three Corollas and no Yaris."""
    for code in ("DLR-X", "DLR-Y"):
        store_upsert(code=code, name=code, timezone="Asia/Dhaka", currency="BDT")
    product_upsert(sku="COR", name="Corolla", price=Decimal("2500000"), currency="BDT")
    product_upsert(sku="YAR", name="Yaris", price=Decimal("1900000"), currency="BDT")
    stock_set(
        levels=[
            StockInput("COR", "DLR-X", 0),
            StockInput("COR", "DLR-Y", 3),
            StockInput("YAR", "DLR-X", 2),
            StockInput("YAR", "DLR-Y", 0),
        ]
    )


def at(make_customer, code: str | None):
    from audiences.models import Store

    return make_customer(store=Store.objects.get(code=code) if code else None)


def test_an_offer_out_of_stock_at_the_customers_store_is_skipped(lot, make_customer, make_template, enqueue):
    offer = make_template(code="corolla", channel="sms", offer_product="COR")
    plain = make_template(code="hello", channel="sms")
    at_x, at_y, nowhere = at(make_customer, "DLR-X"), at(make_customer, "DLR-Y"), at(make_customer, None)
    messages = [enqueue(customer, offer) for customer in (at_x, at_y, nowhere)] + [enqueue(at_x, plain)]

    report = outbox_dispatch()

    assert report.sent == 3 and report.skipped == {"out_of_stock": 1}
    outcome = {m.pk: (m.status, m.reason) for m in Message.objects.all()}
    assert outcome[messages[0].pk] == ("skipped", "out_of_stock"), "no Corolla at X"
    assert outcome[messages[1].pk] == ("sent", ""), "three at Y"
    assert outcome[messages[2].pk] == ("sent", ""), "no home store: in stock somewhere"
    assert outcome[messages[3].pk] == ("sent", ""), "a message offering nothing is not held back"
    assert sorted(message.to for message in sms.outbox) == sorted([at_y.phone, nowhere.phone, at_x.phone])


def test_interested_in_stock_lists_recent_views_the_store_has(lot, make_customer, make_template, enqueue):
    template = make_template(
        code="for_you",
        channel="sms",
        translations=[
            {"language": "en", "body": "In stock for you:{% for p in interested_in_stock %} {{ p.name }}{% endfor %}."}
        ],
    )
    at_x = at(make_customer, "DLR-X")
    now = timezone.now()
    events_record(
        events=[
            EventInput(customer=at_x, type="product_viewed", occurred_at=now - timedelta(days=d), properties={"sku": s})
            for s, d in (("COR", 1), ("YAR", 2), ("YAR", 40))
        ]
    )
    enqueue(at_x, template)

    assert outbox_dispatch().sent == 1
    assert sms.outbox[0].body.startswith("In stock for you: Yaris."), "the Corolla is viewed but none is at X"


def test_interest_is_read_only_for_templates_that_name_it(lot, make_customer, make_template, enqueue, monkeypatch):
    def refuse(customers):
        raise AssertionError("interested_in_stock was computed for a template that does not use it")

    monkeypatch.setitem(context._providers, "interested_in_stock", (refuse, True))
    enqueue(at(make_customer, "DLR-X"), make_template(code="hello", channel="sms"))
    assert outbox_dispatch().sent == 1


def test_the_template_api_takes_the_offer_by_sku_and_names_an_unknown_one(lot, marketer, sender_address):
    body = {
        "code": "corolla",
        "name": "Corolla",
        "channel": "sms",
        "offer_product": "COR",
        "translations": [{"language": "en", "body": "The Corolla is here."}],
    }
    created = marketer.post("/api/v1/templates", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["offer_product"] == "COR"
    unknown = marketer.post("/api/v1/templates", {**body, "code": "other", "offer_product": "NOPE"}, format="json")
    assert unknown.status_code == 400
    assert "offer_product" in unknown.json()["fields"]
    cleared = marketer.patch("/api/v1/templates/corolla", {"offer_product": None}, format="json")
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["offer_product"] is None
