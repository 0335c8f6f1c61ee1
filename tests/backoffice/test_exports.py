"""Exports an analyst asks for: customers with segments and scores, redemptions, messages with status (CSV, XLSX)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from audiences.models import Customer, CustomerScore, Order, SegmentMembership
from audiences.resources import CustomerWithScoresResource
from audiences.segments.services import segment_create
from audiences.services.customers import customer_upsert
from config.spreadsheets import CSV
from messaging.models import Message
from messaging.resources import MessageResource
from messaging.services.templates import template_create
from promotions.models import Redemption
from promotions.resources import RedemptionResource
from promotions.services.definitions import promotion_create

pytestmark = pytest.mark.django_db


def exported(resource, queryset) -> list[dict]:
    dataset = resource().export(queryset)
    return [dict(zip(dataset.headers, row, strict=True)) for row in dataset]


def test_customers_come_with_their_segments_and_scores(django_assert_max_num_queries):
    now = timezone.now()
    alice = customer_upsert(external_id="C-1", first_name="=HYPERLINK(1)")[0]
    customer_upsert(external_id="C-2")
    for code in ("vip", "bargain"):
        segment = segment_create(code=code, name=code, rules={"all": [{"field": "city", "op": "eq", "value": "x"}]})
        SegmentMembership.objects.create(segment=segment, customer=alice, entered_at=now)
    CustomerScore.objects.create(customer=alice, rfm_r=5, rfm_f=2, rfm_m=3, rfm_segment="potential_loyalist",
                                 computed_at=now)  # fmt: skip
    with django_assert_max_num_queries(4):  # not one query per customer
        rows = exported(CustomerWithScoresResource, Customer.objects.order_by("external_id"))
    assert [(r["external_id"], r["segments"], r["rfm_group"], r["score__rfm_r"]) for r in rows] == [
        ("C-1", "bargain;vip", "Potential loyalist", "5"),
        ("C-2", "", "", ""),
    ]
    csv_text = CSV().export_data(CustomerWithScoresResource().export(Customer.objects.order_by("external_id")))
    assert "'=HYPERLINK(1)" in csv_text  # a formula is written as text


def test_redemptions_and_messages_export_with_what_they_name(analyst_admin):
    now = timezone.now()
    alice = customer_upsert(external_id="C-1")[0]
    promotion = promotion_create(name="Ten", reward={"type": "percentage", "value": "10"})
    order = Order.objects.create(external_id="O-1", customer=alice, currency="BDT", placed_at=now,
                                 subtotal=Decimal(100), total=Decimal(90))  # fmt: skip
    Redemption.objects.create(order=order, promotion=promotion, customer=alice, amount=Decimal(10), currency="BDT")
    template = template_create(code="hi", name="Hi", channel="email", kind="marketing",
                               translations=[{"language": "en", "subject": "Hi", "html": "<p>Hi</p>"}])  # fmt: skip
    Message.objects.create(idempotency_key="k", customer=alice, template=template, channel="email", kind="marketing",
                           topic="marketing", status="bounced", reason="hard_bounce", scheduled_for=now)  # fmt: skip
    redemption = exported(RedemptionResource, Redemption.objects.all())[0]
    assert (redemption["order"], redemption["promotion"], redemption["customer"], redemption["status"]) == (
        "O-1", "Ten", "C-1", "active")  # fmt: skip
    message = exported(MessageResource, Message.objects.all())[0]
    assert (message["customer"], message["template"], message["status"], message["reason"]) == (
        "C-1", "hi", "bounced", "hard_bounce")  # fmt: skip
    for url in ("/admin/promotions/redemption/export/", "/admin/messaging/message/export/",
                "/admin/audiences/customer/export/"):  # fmt: skip
        assert analyst_admin.get(url).status_code == 200
    choices = analyst_admin.get("/admin/audiences/customer/export/").content.decode()
    assert "Customers with segments and scores" in choices
