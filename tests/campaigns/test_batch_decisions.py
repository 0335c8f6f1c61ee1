"""A launch batch asks the outbox's policy once per kind of customer: the answers are the ones each customer
would get asked alone, with caps, quiet hours in several zones, suppressions and missing consent all in play."""

from datetime import UTC, datetime, timedelta

import pytest

from audiences.models import Customer
from campaigns.suppression import recipient_of, would_be_decisions
from messaging.models import Message, Template, TemplateTranslation
from messaging.services.suppression import suppression_add
from tests.campaigns.conftest import people

pytestmark = pytest.mark.django_db

ZONES = ("Asia/Dhaka", "Africa/Dar_es_Salaam", "America/New_York", "")
MOMENT = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # 22:30 in Dhaka (quiet), 19:30 in Dar, 11:30 in New York


def test_a_batch_decides_as_each_customer_alone(settings, sms_template):
    settings.MESSAGING_QUIET_HOURS = "21:00-08:00"
    email = Template.objects.create(code="offer_mail", name="Offer", channel="email", kind="marketing")
    TemplateTranslation.objects.create(template=email, language="en", subject="Hi", body="Offer")
    customers = people(80, consenting=lambda n: n % 3 != 0)
    for n, customer in enumerate(customers):
        Customer.objects.filter(pk=customer.pk).update(
            timezone=ZONES[n % 4], phone="" if n % 11 == 0 else customer.phone
        )
        if n % 7 == 0:
            suppression_add(channel="sms", address=customer.phone, reason="complaint")
        # Every fifth has had messages lately: two SMS for some (under the cap of 3), three for others (capped).
        for k in range(2 + n % 2 if n % 5 == 0 else 0):
            Message.objects.create(
                idempotency_key=f"old:{n}:{k}", customer=customer, template=sms_template, channel="sms",
                kind="marketing", topic="marketing", status="sent", claimed_at=MOMENT - timedelta(days=1 + k),
                scheduled_for=MOMENT - timedelta(days=1 + k),
            )  # fmt: skip
    recipients = [recipient_of(customer) for customer in Customer.objects.select_related("store").order_by("pk")]
    templates = [sms_template if n % 4 else email for n in range(len(recipients))]
    moments = [MOMENT] * len(recipients)

    together = would_be_decisions(customers=recipients, templates=templates, topic="marketing", moments=moments)
    alone = [
        would_be_decisions(customers=[r], templates=[t], topic="marketing", moments=[MOMENT])[0]
        for r, t in zip(recipients, templates, strict=True)
    ]

    assert together == alone
    reasons = {decision.reason for decision in together}
    assert {"no_consent", "suppressed", "frequency_cap", "quiet_hours", "no_address", ""} <= reasons
