"""What customers said about being contacted: every statement kept, the latest in force."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audiences import signals
from audiences.models import Consent, ConsentChannel, ConsentRecord, ConsentStatus, Customer
from audiences.segments.recheck import customers_mark_changed

DOUBLE_OPT_IN_SOURCE = "double_opt_in"


@transaction.atomic
def consent_record(
    *,
    customer: Customer,
    channel: str,
    status: str,
    source: str,
    topic: str = "marketing",
    recorded_at: datetime | None = None,
) -> ConsentRecord:
    """Keep what the customer said; the latest statement (by recorded_at) is the one in force.

    With EMAIL_DOUBLE_OPT_IN on, an email opt-in is pending until the customer confirms it through
    the link messaging sends (source "double_opt_in"); one already in force needs no confirmation.
    """
    recorded_at = recorded_at or timezone.now()
    confirmation_needed = (
        settings.EMAIL_DOUBLE_OPT_IN
        and channel == ConsentChannel.EMAIL
        and status == ConsentStatus.OPTED_IN
        and source != DOUBLE_OPT_IN_SOURCE
        and not Consent.objects.filter(
            customer=customer, channel=channel, topic=topic, status=ConsentStatus.OPTED_IN
        ).exists()
    )
    if confirmation_needed:
        status = ConsentStatus.PENDING
    record = ConsentRecord.objects.create(
        customer=customer, channel=channel, topic=topic, status=status, source=source, recorded_at=recorded_at
    )
    current = Consent.objects.select_for_update().filter(customer=customer, channel=channel, topic=topic).first()
    if current is None:
        Consent.objects.create(
            customer=customer, channel=channel, topic=topic, status=status, source=source, recorded_at=recorded_at
        )
    elif recorded_at >= current.recorded_at:
        current.status, current.source, current.recorded_at = status, source, recorded_at
        current.save(update_fields=["status", "source", "recorded_at"])
    else:
        return record
    customers_mark_changed(customer_ids=[customer.pk])
    signals.send_after_commit(signals.consent_changed, customer=customer, channel=channel, topic=topic, status=status)
    if confirmation_needed:
        signals.send_after_commit(
            signals.consent_confirmation_requested, customer=customer, channel=channel, topic=topic
        )
    return record
