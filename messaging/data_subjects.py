"""Messaging's section of a customer's data: the messages sent them (with status; no provider ids or errors),
their delivery events and the suppressions of their addresses; and its eraser.

Erasure keeps each message row (campaign results and frequency caps count them) without its address,
rendered content, values or error; cancels what is still queued; and turns the suppressions of the
customer's addresses into salted hashes, adding one (reason `erased`) on every channel the addresses reach,
so the address is never sent to again, whoever it belongs to next.
"""

from django.db.models import Q

from audiences.contact import normalised_email
from audiences.data_subjects.hashing import hashed_address
from audiences.data_subjects.registry import DataSection, register_data_section
from messaging.models import Channel, Message, MessageStatus, Suppression, SuppressionReason, TrackingEvent

ERASE_BATCH = 5_000
PENDING = (MessageStatus.QUEUED, MessageStatus.DEFERRED)


def _addresses(customer) -> list[tuple[str, str]]:
    """(channel, address) of every channel the customer's addresses reach."""
    pairs = []
    if customer.email:
        pairs.append((Channel.EMAIL, normalised_email(customer.email)))
    if customer.phone:
        pairs += [(Channel.SMS, customer.phone), (Channel.WHATSAPP, customer.phone)]
    return pairs


def _messages(customer) -> dict:
    messages = list(
        Message.objects.filter(customer=customer)
        .order_by("created_at", "id")
        .values(
            "id", "template__code", "channel", "kind", "topic", "campaign_id", "journey", "variant", "status",
            "reason", "address", "language", "content", "scheduled_for", "sent_at", "delivered_at", "opened_at",
            "clicked_at", "created_at",
        )
    )  # fmt: skip
    events: dict[int, list] = {}
    for row in (
        TrackingEvent.objects.filter(message__customer=customer)
        .order_by("occurred_at", "id")
        .values("message_id", "event_type", "occurred_at")
    ):
        events.setdefault(row.pop("message_id"), []).append(row)
    for message in messages:
        message["template"] = message.pop("template__code")
        message["delivery_events"] = events.get(message.pop("id"), [])
    addresses = _addresses(customer)
    suppressions = list(
        Suppression.objects.filter(
            Q(address__in=[a for _, a in addresses]) | Q(address__in=[hashed_address(a) for _, a in addresses])
        )
        .order_by("created_at", "id")
        .values("channel", "reason", "created_at")
    )
    return {"messages": messages, "suppressions": suppressions}


def _messages_size(customer) -> int:
    return Message.objects.filter(customer=customer).count()


def _messages_erase(customer) -> None:
    Message.objects.filter(customer=customer, status__in=PENDING).update(
        status=MessageStatus.SKIPPED, reason="erased", claimed_until=None
    )
    messages_anonymise(Message.objects.filter(customer=customer))
    TrackingEvent.objects.filter(message__customer=customer).exclude(recipient="", detail="").update(
        recipient="", detail=""
    )
    addresses = _addresses(customer)
    plain = {address for _, address in addresses}
    if plain:
        TrackingEvent.objects.filter(recipient__in=plain).update(recipient="", detail="")
    for suppression in Suppression.objects.filter(address__in=plain):
        hashed = hashed_address(suppression.address)
        if Suppression.objects.filter(channel=suppression.channel, address=hashed).exists():
            suppression.delete()
        else:
            Suppression.objects.filter(pk=suppression.pk).update(address=hashed)
    for channel, address in addresses:
        Suppression.objects.get_or_create(
            channel=channel, address=hashed_address(address),
            defaults={"reason": SuppressionReason.ERASED, "source": "erasure"},
        )  # fmt: skip


def messages_anonymise(messages, batch: int = ERASE_BATCH) -> int:
    """Clear what a message says of its recipient (address, rendered content, values, error), a batch at a
    time; its status and times stay, for results and caps. Returns how many were cleared."""
    cleared = 0
    pending = messages.exclude(address="", error="", context={}, content={}).order_by()
    while ids := list(pending.values_list("pk", flat=True)[:batch]):
        cleared += Message.objects.filter(pk__in=ids).update(address="", error="", context={}, content={})
    return cleared


def register_messaging_data_sections() -> None:
    register_data_section(
        DataSection("messages", "Messages", _messages, _messages_erase, size=_messages_size, position=60)
    )
