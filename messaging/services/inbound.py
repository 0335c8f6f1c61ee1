"""Inbound SMS and WhatsApp replies: STOP / START / HELP keywords, anything else an event."""

from django.conf import settings
from django.db import transaction

from audiences.models import ConsentStatus, ConsentTopic
from audiences.services.consent import consent_record
from audiences.services.events import EventInput, events_record
from messaging import keywords
from messaging.models import SuppressionReason
from messaging.services.suppression import customers_with, opt_out_everywhere, suppression_add, suppression_remove

OPTED_OUT_TOPICS = (ConsentTopic.MARKETING, ConsentTopic.LOYALTY)


@transaction.atomic
def inbound_text_handle(*, channel: str, from_number: str, body: str, provider_id: str = "") -> str:
    """An SMS or WhatsApp reply: STOP / START / HELP keywords, anything else a `message_replied` event.

    Returns the reply to send back ("" for none).
    """
    keyword = keywords.keyword_of(body)
    action = keyword.action if keyword else None
    if action == keywords.STOP:
        suppression_add(channel=channel, address=from_number, reason=SuppressionReason.SMS_STOP, source="keyword")
        opt_out_everywhere(channel=channel, address=from_number, source="sms_keyword", topics=OPTED_OUT_TOPICS)
        return keywords.confirmation(keyword)
    if action == keywords.START:
        suppression_remove(channel=channel, address=from_number, reasons=[SuppressionReason.SMS_STOP])
        for customer in customers_with(channel, from_number):
            consent_record(customer=customer, channel=channel, status=ConsentStatus.OPTED_IN, source="sms_keyword")
        return keywords.confirmation(keyword)
    if action == keywords.HELP:
        return settings.MESSAGING_SMS_HELP_TEXT
    events_record(
        events=[
            EventInput(
                customer=customer,
                type="message_replied",
                properties={"channel": channel, "text": body[:1000]},
                idempotency_key=f"reply:{channel}:{provider_id}:{customer.pk}" if provider_id else None,
            )
            for customer in customers_with(channel, from_number)
        ]
    )
    return ""
