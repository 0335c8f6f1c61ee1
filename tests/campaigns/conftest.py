"""Campaign fixtures: a segment of customers (some consenting), an SMS template, a code promotion; and for
results, a shop to order from, campaigns with assignments and touches written directly."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from audiences.models import Consent, Customer, Segment, SegmentMembership
from audiences.services.catalog import category_upsert, product_upsert, store_upsert
from campaigns.models import Assignment, Campaign, Variant
from messaging.backends import sms
from messaging.models import Message, SenderAddress, Template, TemplateTranslation
from promotions.models import Promotion


@pytest.fixture(autouse=True)
def _test_backends(settings):
    settings.SMS_BACKEND = "messaging.backends.sms.LocmemSMSBackend"
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.MESSAGING_QUIET_HOURS = ""
    settings.MESSAGING_RATE_LIMITS = {}
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def sms_template(db) -> Template:
    SenderAddress.objects.get_or_create(store=None, defaults={"postal_address": "Shop Ltd, Road 7, Dhaka"})
    template = Template.objects.create(code="winback", name="Win back", channel="sms", kind="marketing")
    TemplateTranslation.objects.create(template=template, language="en", body="We miss you! Code {{ coupon.code }}")
    return template


@pytest.fixture
def code_promotion(db) -> Promotion:
    return Promotion.objects.create(
        name="Comeback 30%", status="active", trigger="code", reward={"type": "percentage", "value": "30"},
        reward_type="percentage",
    )  # fmt: skip


def people(count: int, *, consenting=lambda n: True, prefix="P", timezone="Asia/Dhaka") -> list[Customer]:
    customers = Customer.objects.bulk_create(
        Customer(external_id=f"{prefix}-{n}", phone=f"+8801{n:09d}", email=f"{prefix.lower()}{n}@example.com",
                 first_name=f"N{n}", timezone=timezone)
        for n in range(count)
    )  # fmt: skip
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    Consent.objects.bulk_create(
        Consent(customer=customer, channel=channel, topic="marketing", status="opted_in", source="test",
                recorded_at=moment)
        for n, customer in enumerate(customers)
        if consenting(n)
        for channel in ("sms", "email")
    )  # fmt: skip
    return customers


def segment_of(code: str, customers: list[Customer]) -> Segment:
    segment = Segment.objects.create(code=code, name=code, rules={"all": []})
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    SegmentMembership.objects.bulk_create(
        SegmentMembership(segment=segment, customer=customer, entered_at=moment) for customer in customers
    )
    return segment


# Results: a shop, campaigns with their assignments and touches written directly, orders through the API.
LAUNCH = datetime(2026, 11, 20, tzinfo=UTC)
NO_HOLDOUT = Decimal(0)


@pytest.fixture
def shop(db, sms_template):
    store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")
    category_upsert(code="grocery", name="Grocery")
    product_upsert(sku="RICE", name="Rice", price=100, currency="BDT", category_code="grocery")
    return sms_template


def campaign_with(template, name, *, variants=("A",), holdout_percent=NO_HOLDOUT) -> Campaign:
    campaign = Campaign.objects.create(
        name=name, status="running", launch_started_at=LAUNCH, holdout_percent=holdout_percent, channels=["sms"]
    )
    for variant in variants:
        Variant.objects.create(campaign=campaign, name=variant, weight=1, template=template)
    return campaign


def assign(campaign, customers, variant: str | None = "A", **fields):
    chosen = Variant.objects.get(campaign=campaign, name=variant) if variant else None
    Assignment.objects.bulk_create(
        Assignment(campaign=campaign, customer=customer, bucket=0, variant=chosen,
                   status="queued" if chosen else "holdout", **fields)
        for customer in customers
    )  # fmt: skip


def touch(campaign, customer, template, *, channel="sms", key="", **moments):
    """A sent message of the campaign to the customer, with the given sent_at/delivered_at/clicked_at."""
    sent_at = min(moments.values())
    Message.objects.create(
        idempotency_key=f"campaign:{campaign.pk}:A:{customer.pk}{key}", customer=customer, template=template,
        channel=channel, kind="marketing", topic="marketing", campaign_id=campaign.pk, variant="A", status="sent",
        scheduled_for=sent_at, **{"sent_at": sent_at, **moments},
    )  # fmt: skip


def place(storefront, external_id, customer, placed_at, *, price="100.00", codes=()):
    answer = storefront.post(
        "/api/v1/orders",
        {"external_id": external_id, "currency": "BDT", "customer": customer.external_id, "store": "DHK-01",
         "channel": "web", "placed_at": placed_at.isoformat(), "codes": list(codes),
         "lines": [{"sku": "RICE", "quantity": 1, "unit_price": price}]},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 201, answer.json()
    return answer.json()
