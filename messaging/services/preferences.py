"""A customer's own choices: one-click unsubscribe and the preference centre."""

from django.db import transaction

from audiences.models import ConsentStatus, Customer
from audiences.services.consent import consent_record
from messaging import links
from messaging.selectors import link_customer


@transaction.atomic
def unsubscribe_one_click(*, token: str) -> tuple[Customer, str, str]:
    """RFC 8058 one-click: opt the token's customer out of that channel and topic."""
    payload = links.unsubscribe_payload(token)
    customer = link_customer(payload)
    consent_record(
        customer=customer,
        channel=payload["ch"],
        topic=payload["t"],
        status=ConsentStatus.OPTED_OUT,
        source="unsubscribe_link",
    )
    return customer, payload["ch"], payload["t"]


@transaction.atomic
def preferences_update(*, customer: Customer, choices: dict[tuple[str, str], bool]) -> int:
    """Save the preference centre's choices; only changed ones are recorded. Returns how many changed."""
    current = {
        (consent.channel, consent.topic): consent.status == ConsentStatus.OPTED_IN
        for consent in customer.consents.all()
    }
    changed = 0
    for (channel, topic), wanted in choices.items():
        if current.get((channel, topic), False) != wanted:
            status = ConsentStatus.OPTED_IN if wanted else ConsentStatus.OPTED_OUT
            consent_record(customer=customer, channel=channel, topic=topic, status=status, source="preference_centre")
            changed += 1
    return changed
