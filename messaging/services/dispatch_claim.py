"""The claim: lock a batch of due messages (no two workers hold the same one), then lease those to send.

The claim's time is its identity: whoever holds a message has that `claimed_at` on it."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, OuterRef, Q, Subquery, Value

from audiences.contact import normalised_email_sql
from audiences.models import Customer
from messaging.models import Channel, Message, MessageStatus, TemplateKind
from messaging.selectors import pick_language
from messaging.services.dispatch_report import DispatchReport

DUE_STATUSES = (MessageStatus.QUEUED, MessageStatus.DEFERRED, MessageStatus.SENDING)


def due_messages_claim(*, size: int, now: datetime) -> list[Message]:
    """Lock up to `size` due messages, oldest first, skipping those another worker holds, and the customers
    of the marketing ones. Run it in the transaction that writes their outcomes: the locks are the claim."""
    messages = list(
        Message.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("customer__store")
        .filter(status__in=DUE_STATUSES, scheduled_for__lte=now)
        .filter(~Q(status=MessageStatus.SENDING) | Q(claimed_until__lt=now))
        .order_by("scheduled_for", "id")[:size]
    )
    marketing_ids = sorted({m.customer_id for m in messages if m.kind == TemplateKind.MARKETING})
    if marketing_ids:
        # Two workers holding messages of one customer count caps one after the other.
        list(
            Customer.objects.select_for_update(no_key=True).filter(id__any_of=marketing_ids).order_by("id").values("id")
        )
    return messages


def messages_lease(
    *, messages: list[Message], translations: dict[int, dict[str, dict]], now: datetime, report: DispatchReport
) -> list[Message]:
    """Pick each message's language (failing those without one) and lease the rest as SENDING, with the
    address taken from the customer row. Returns the leased messages."""
    untranslated = []
    for message in messages:
        message.claimed_at = now
        message.language = pick_language(translations[message.template_id], message.customer.language) or ""
        if not message.language:
            untranslated.append(message.pk)
    to_send = messages
    if untranslated:
        Message.objects.filter(id__any_of=untranslated).update(
            status=MessageStatus.FAILED, reason="template_error", error="The template has no translation."
        )
        report.failed += len(untranslated)
        to_send = [message for message in messages if message.language]
    # One UPDATE per channel and language (not per message): the address comes from the customer row.
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for message in to_send:
        groups[(message.channel, message.language)].append(message.pk)
    for (channel, language), group_ids in groups.items():
        Message.objects.filter(id__any_of=group_ids).update(
            status=MessageStatus.SENDING,
            claimed_at=now,
            claimed_until=now + timedelta(seconds=settings.MESSAGING_LEASE_SECONDS),
            attempts=F("attempts") + 1,
            language=language,
            address=_address_expression(channel),
        )
    return to_send


def _address_expression(channel: str):
    customer = Customer.objects.filter(pk=OuterRef("customer_id"))
    if channel == Channel.EMAIL:
        return Subquery(customer.values(address=normalised_email_sql("email"))[:1])
    if channel in (Channel.SMS, Channel.WHATSAPP):
        return Subquery(customer.values("phone")[:1])
    return Value("")
