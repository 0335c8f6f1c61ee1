"""Double opt-in: the confirmation email and its signed link."""

from django.db import transaction
from django.utils import timezone

from audiences.models import ConsentStatus, ConsentTopic, Customer
from audiences.services.consent import DOUBLE_OPT_IN_SOURCE, consent_record
from messaging import links
from messaging.models import Channel, Message, Template
from messaging.selectors import link_customer
from messaging.services.outbox import message_enqueue

DOUBLE_OPT_IN_TEMPLATE = "double_opt_in"


@transaction.atomic
def email_consent_confirm(*, token: str) -> Customer:
    payload = links.confirm_payload(token)
    customer = link_customer(payload)
    consent_record(
        customer=customer,
        channel=Channel.EMAIL,
        topic=payload.get("t", ConsentTopic.MARKETING),
        status=ConsentStatus.OPTED_IN,
        source=DOUBLE_OPT_IN_SOURCE,
    )
    return customer


def email_confirmation_request(*, customer: Customer, topic: str) -> Message | None:
    """Queue the double opt-in email (transactional) with its signed confirmation link."""
    template = Template.objects.filter(code=DOUBLE_OPT_IN_TEMPLATE).first()
    if template is None:
        return None
    url = links.confirm_url(links.confirm_token(customer_id=customer.pk, topic=topic))
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    message, _ = message_enqueue(
        customer=customer,
        template=template,
        idempotency_key=f"double-opt-in:{customer.pk}:{topic}:{stamp}",
        context={"confirm_url": url},
    )
    return message
