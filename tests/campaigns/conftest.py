"""Campaign fixtures: a segment of customers (some consenting), an SMS template, a code promotion."""

from datetime import UTC, datetime

import pytest

from audiences.models import Consent, Customer, Segment, SegmentMembership
from messaging.backends import sms
from messaging.models import SenderAddress, Template, TemplateTranslation
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
