"""Queueing messages in the outbox: a unique idempotency key per message, so asking twice queues it once.

On PostgreSQL a chunk is streamed with COPY into a temporary table and moved in with one
INSERT ... ON CONFLICT DO NOTHING (a campaign queues hundreds of thousands); elsewhere the ORM inserts it.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audiences.models import Customer
from config.bulk_writes import copy_writes
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


def outbox_wake() -> None:
    """Have the dispatcher send what is queued once the current transaction commits (at once outside one)."""
    transaction.on_commit(_dispatch_soon)


@transaction.atomic
def messages_enqueue(
    *, requests: Iterable[MessageRequest], chunk_size: int = 5000, keys_are_new: bool = False, wake: bool = True
) -> int:
    """Queue messages; a key already in the outbox keeps its message. Returns how many were new.

    `wake=False`: the caller wakes the dispatcher itself (`outbox_wake`), e.g. once for many transactions in a
    row, each of which would otherwise publish its own wake-up; the periodic dispatch sends them regardless.

    `keys_are_new`: the caller guarantees no key is in the outbox yet (a campaign's launch batch, whose
    customers' assignments were just written under a unique constraint). On PostgreSQL the rows are then
    COPied straight into the outbox, without the staging table; a key that exists after all breaks the unique
    constraint and the caller's transaction rolls back, so nobody is queued twice either way.
    """
    now = timezone.now()
    created = 0
    pending = iter(requests)
    copying = copy_writes()
    while chunk := list(islice(pending, chunk_size)):
        for request in chunk:
            _check_frequency_cap(request.frequency_cap)
        if copying:
            created += _copy_new_chunk(chunk, now) if keys_are_new else _copy_chunk(chunk, now)
            continue
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
    if created and wake:
        outbox_wake()
    return created


# What a request sets; every other column takes its model default.
_REQUESTED = (
    "idempotency_key",
    "customer_id",
    "template_id",
    "channel",
    "kind",
    "topic",
    "campaign_id",
    "journey",
    "variant",
    "context",
    "frequency_cap",
    "scheduled_for",
)
_STAGING = "outbox_enqueue_staging"


def _defaults(now: datetime) -> tuple[list, list]:
    """The columns a request does not set, and their values (the model's defaults)."""
    defaults = [
        field for field in Message._meta.concrete_fields if not field.primary_key and field.column not in _REQUESTED
    ]
    values = [
        now if field.name == "created_at" else field.get_db_prep_save(field.get_default(), connection)
        for field in defaults
    ]
    return defaults, values


def _row(request: MessageRequest, now: datetime) -> tuple:
    template = request.template
    return (
        request.idempotency_key,
        request.customer_id,
        template.pk,
        template.channel,
        template.kind,
        template.topic,
        request.campaign_id,
        request.journey,
        request.variant,
        json.dumps(request.context),
        None if request.frequency_cap is None else json.dumps(request.frequency_cap),
        request.scheduled_for or now,
    )


def _copy_new_chunk(chunk: list[MessageRequest], now: datetime) -> int:
    """COPY the chunk straight into the outbox (its keys are new: see messages_enqueue)."""
    defaults, default_values = _defaults(now)
    tail = tuple(default_values)  # prepared for the database by their fields (JSON as Jsonb)
    columns = ", ".join([*_REQUESTED, *(field.column for field in defaults)])
    with (
        connection.wrap_database_errors,  # a known key is Django's IntegrityError, as from any other write
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Message._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for request in chunk:
            copy.write_row(_row(request, now) + tail)
    return len(chunk)


def _copy_chunk(chunk: list[MessageRequest], now: datetime) -> int:
    """COPY the chunk into a temporary table, then one INSERT ... ON CONFLICT DO NOTHING; how many were new."""
    columns = ", ".join(_REQUESTED)
    defaults, default_values = _defaults(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING} (idempotency_key varchar(200), customer_id bigint, "
            "template_id bigint, channel varchar(16), kind varchar(16), topic varchar(16), campaign_id bigint, "
            "journey varchar(64), variant varchar(32), context jsonb, frequency_cap jsonb, scheduled_for timestamptz) "
            "ON COMMIT DELETE ROWS"
        )
        with cursor.cursor.copy(f"COPY {_STAGING} ({columns}) FROM STDIN") as copy:
            for request in chunk:
                copy.write_row(_row(request, now))
        placeholders = ", ".join(["%s"] * len(defaults))
        cursor.execute(
            f"INSERT INTO {Message._meta.db_table} ({columns}, {', '.join(f.column for f in defaults)}) "  # noqa: S608
            f"SELECT {columns}, {placeholders} FROM {_STAGING} ON CONFLICT (idempotency_key) DO NOTHING",
            default_values,
        )
        created = cursor.rowcount
        cursor.execute(f"TRUNCATE {_STAGING}")
    return created


def message_enqueue(*, customer: Customer, template: Template, idempotency_key: str, **options) -> tuple[Message, bool]:
    created = messages_enqueue(
        requests=[
            MessageRequest(customer_id=customer.pk, template=template, idempotency_key=idempotency_key, **options)
        ]
    )
    return Message.objects.get(idempotency_key=idempotency_key), bool(created)
