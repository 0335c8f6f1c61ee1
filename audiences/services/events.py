"""Events: recorded in batches, each once per idempotency key."""

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audiences import signals
from audiences.models import Customer, Event
from audiences.segments.recheck import customers_mark_changed


@dataclass(frozen=True)
class EventInput:
    customer: Customer
    type: str
    occurred_at: datetime | None = None
    properties: dict | None = None
    idempotency_key: str | None = None


# Advisory locks (namespace, bucket) that writers of keyed events hold for their transaction. Buckets, not keys,
# so a batch takes at most KEY_LOCK_BUCKETS locks however many keys it writes.
KEY_LOCK_NAMESPACE = 0x4556_4B59
KEY_LOCK_BUCKETS = 1024


def event_keys_lock(keys: Iterable[str]) -> None:
    """Hold off, until this transaction ends, every other writer of these idempotency keys.

    On PostgreSQL the database keeps (key, occurred_at) unique, month by month (the table is partitioned by
    occurred_at), not the key alone: a writer takes these locks, then looks the keys up, then inserts, so a key
    sent twice at once, with two different times, is still stored once. SQLite has one writer at a time.
    """
    if connection.vendor != "postgresql":
        return
    buckets = sorted({zlib.crc32(key.encode()) % KEY_LOCK_BUCKETS for key in keys if key})
    if buckets:
        with connection.cursor() as cursor:
            # In bucket order, so two writers never wait for each other's locks in a cycle.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, bucket) FROM unnest(%s::int[]) AS bucket ORDER BY bucket",
                [KEY_LOCK_NAMESPACE, buckets],
            )


@transaction.atomic
def events_record(*, events: Iterable[EventInput]) -> list[tuple[Event, bool]]:
    """Record events all together or not at all; a repeated idempotency key returns the first event."""
    events = list(events)
    keys = [event.idempotency_key for event in events if event.idempotency_key]
    event_keys_lock(keys)
    existing = {event.idempotency_key: event for event in Event.objects.filter(idempotency_key__in=keys)}
    now = timezone.now()
    results: list[tuple[Event, bool]] = []
    for event_input in events:
        key = event_input.idempotency_key or None
        if key in existing:
            results.append((existing[key], False))
            continue
        event = Event(
            customer=event_input.customer,
            type=event_input.type,
            occurred_at=event_input.occurred_at or now,
            properties=event_input.properties or {},
            idempotency_key=key,
        )
        results.append((event, True))
        if key:
            existing[key] = event
    new_events = [event for event, created in results if created]
    try:
        with transaction.atomic():
            Event.objects.bulk_create(new_events)
    except IntegrityError:
        # Another request stored one of these idempotency keys meanwhile: nothing of ours was written.
        raise ValidationError({"idempotency_key": ["An event with this idempotency key is being recorded."]}) from None
    customers_mark_changed(customer_ids=[event.customer_id for event in new_events])
    for event in new_events:
        signals.send_after_commit(signals.event_recorded, event=event)
    if new_events:
        signals.send_after_commit(signals.events_recorded, events=new_events)
    return results
