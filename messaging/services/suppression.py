"""Suppression: addresses we must not send to, and opting an address's customers out everywhere."""

from collections.abc import Iterable

from audiences.contact import normalised_email
from audiences.models import ConsentStatus, Customer
from audiences.services.consent import consent_record
from messaging.models import Channel, Suppression


def suppression_add(*, channel: str, address: str, reason: str, source: str = "") -> Suppression:
    address = normalised_email(address) if channel == Channel.EMAIL else address.strip()
    suppression, _ = Suppression.objects.get_or_create(
        channel=channel, address=address, defaults={"reason": reason, "source": source}
    )
    return suppression


def suppression_remove(*, channel: str, address: str, reasons: Iterable[str] | None = None) -> int:
    suppressions = Suppression.objects.filter(channel=channel, address=address)
    if reasons is not None:
        suppressions = suppressions.filter(reason__in=list(reasons))
    return suppressions.delete()[0]


def customers_with(channel: str, address: str):
    if channel == Channel.EMAIL:
        return Customer.objects.filter(email__iexact=address)
    return Customer.objects.filter(phone=address)


def opt_out_everywhere(*, channel: str, address: str, source: str, topics: Iterable[str]) -> None:
    for customer in customers_with(channel, address):
        for topic in topics:
            consent_record(
                customer=customer, channel=channel, topic=topic, status=ConsentStatus.OPTED_OUT, source=source
            )
