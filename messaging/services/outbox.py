"""Queueing messages in the outbox: a unique idempotency key per message, so asking twice queues it once."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audiences.models import Customer
from messaging.models import Message, Template
from messaging.policy import Cap
from messaging.tasks import outbox_dispatch_task


@dataclass(frozen=True)
class MessageRequest:
    customer_id: int
    template: Template
    idempotency_key: str
    context: dict = field(default_factory=dict)
    campaign_id: int | None = None
    journey: str = ""
    variant: str = ""
    scheduled_for: datetime | None = None
    frequency_cap: dict | None = None


def _check_frequency_cap(override: dict | None) -> None:
    if not override:
        return
    unknown = set(override) - {"per_channel", "overall"}
    if unknown:
        raise ValidationError({"frequency_cap": f"Unknown cap(s): {', '.join(sorted(unknown))}."})
    for text in override.values():
        try:
            Cap.parse(text)
        except ValueError as error:
            raise ValidationError({"frequency_cap": str(error)}) from None


def _dispatch_soon() -> None:
    outbox_dispatch_task.delay()


@transaction.atomic
def messages_enqueue(*, requests: Iterable[MessageRequest], chunk_size: int = 5000) -> int:
    """Queue messages; a key already in the outbox keeps its message. Returns how many were new."""
    now = timezone.now()
    created = 0
    pending = iter(requests)
    while chunk := list(islice(pending, chunk_size)):
        for request in chunk:
            _check_frequency_cap(request.frequency_cap)
        keys = [request.idempotency_key for request in chunk]
        existing = set(Message.objects.filter(idempotency_key__any_of=keys).values_list("idempotency_key", flat=True))
        Message.objects.bulk_create(
            [
                Message(
                    idempotency_key=request.idempotency_key,
                    customer_id=request.customer_id,
                    template=request.template,
                    channel=request.template.channel,
                    kind=request.template.kind,
                    topic=request.template.topic,
                    campaign_id=request.campaign_id,
                    journey=request.journey,
                    variant=request.variant,
                    context=request.context,
                    frequency_cap=request.frequency_cap,
                    scheduled_for=request.scheduled_for or now,
                )
                for request in chunk
                if request.idempotency_key not in existing
            ],
            ignore_conflicts=True,
        )
        created += len(set(keys) - existing)
    if created:
        transaction.on_commit(_dispatch_soon)
    return created


def message_enqueue(*, customer: Customer, template: Template, idempotency_key: str, **options) -> tuple[Message, bool]:
    created = messages_enqueue(
        requests=[
            MessageRequest(customer_id=customer.pk, template=template, idempotency_key=idempotency_key, **options)
        ]
    )
    return Message.objects.get(idempotency_key=idempotency_key), bool(created)
