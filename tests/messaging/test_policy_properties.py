"""Property: whatever the history of consent statements and suppressions, a marketing message
reaches a customer exactly when the statement in force is an opt-in and the address is not
suppressed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audiences.models import Customer
from audiences.services.consent import consent_record
from messaging.backends import sms
from messaging.models import Message
from messaging.services.dispatch import outbox_dispatch
from messaging.services.outbox import message_enqueue
from messaging.services.suppression import suppression_add

pytestmark = pytest.mark.django_db

CHANNELS = ["email", "sms", "whatsapp"]

statement = st.tuples(
    st.sampled_from(CHANNELS),
    st.sampled_from(["marketing", "loyalty"]),
    st.sampled_from(["opted_in", "opted_out"]),
    st.integers(min_value=0, max_value=20),  # minutes after the start: ties and late arrivals happen
)


def consent_in_force(history, channel, topic):
    """The reference rule: the latest recorded_at rules; on a tie the statement recorded last."""
    in_force = None
    for statement_channel, statement_topic, status, minute in history:
        if (statement_channel, statement_topic) == (channel, topic) and (in_force is None or minute >= in_force[0]):
            in_force = (minute, status)
    return in_force is not None and in_force[1] == "opted_in"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(statement, max_size=12), suppressed=st.sets(st.sampled_from(CHANNELS)))
def test_marketing_reaches_exactly_the_consenting_unsuppressed(make_template, history, suppressed):
    start = timezone.now() - timedelta(days=1)
    with transaction.atomic():
        templates = {channel: make_template(code=f"offer-{channel}", channel=channel) for channel in CHANNELS}
        customer = Customer.objects.create(external_id="P-1", email="p@example.com", phone="+8801712345678")
        for channel, topic, status, minute in history:
            consent_record(
                customer=customer,
                channel=channel,
                topic=topic,
                status=status,
                source="property",
                recorded_at=start + timedelta(minutes=minute),
            )
        for channel in suppressed:
            address = customer.email if channel == "email" else customer.phone
            suppression_add(channel=channel, address=address, reason="manual")
        for channel, template in templates.items():
            message_enqueue(customer=customer, template=template, idempotency_key=f"p:{channel}")
        mail.outbox = []
        sms.outbox.clear()

        outbox_dispatch()

        reached = {"email"} if mail.outbox else set()
        reached |= {message.channel for message in sms.outbox}
        expected = {
            channel
            for channel in CHANNELS
            if consent_in_force(history, channel, "marketing") and channel not in suppressed
        }
        assert reached == expected
        reasons = dict(Message.objects.values_list("channel", "reason"))
        for channel in set(CHANNELS) - expected:
            assert reasons[channel] == (
                "no_consent" if not consent_in_force(history, channel, "marketing") else "suppressed"
            )
        transaction.set_rollback(True)
