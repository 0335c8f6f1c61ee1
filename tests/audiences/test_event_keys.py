"""An event's idempotency key stays unique across months, although on PostgreSQL the database holds only
(key, occurred_at) unique (the table is partitioned by month): the writers lock the key, then look it up."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from audiences.models import Event
from audiences.services.customers import customer_upsert
from audiences.services.events import EventInput, events_record

JANUARY = datetime(2027, 1, 10, tzinfo=UTC)
MARCH = datetime(2027, 3, 10, tzinfo=UTC)


@pytest.mark.django_db
def test_a_key_sent_again_in_another_month_answers_the_first_event():
    customer = customer_upsert(external_id="C-1")[0]
    ((first, created),) = events_record(
        events=[EventInput(customer=customer, type="signed_up", occurred_at=JANUARY, idempotency_key="k-1")]
    )
    ((again, created_again),) = events_record(
        events=[EventInput(customer=customer, type="signed_up", occurred_at=MARCH, idempotency_key="k-1")]
    )

    assert created and not created_again and again.pk == first.pk
    assert list(Event.objects.values_list("occurred_at", flat=True)) == [JANUARY]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (SQLite has one)")
def test_the_same_key_sent_twice_at_once_with_two_times_is_stored_once():
    """The first writer holds its transaction open after recording; the second, sent meanwhile, must wait for it
    and answer its event instead of inserting another in another month."""
    customer = customer_upsert(external_id="C-1")[0]
    recorded, answers = threading.Event(), {}

    def first_writer():
        try:
            with transaction.atomic():
                answers["first"] = events_record(
                    events=[EventInput(customer=customer, type="signed_up", occurred_at=JANUARY, idempotency_key="k")]
                )
                recorded.set()
                second.join(timeout=0.5)  # the second writer is blocked meanwhile
        finally:
            recorded.set()
            connection.close()

    def second_writer():
        try:
            recorded.wait(timeout=10)
            answers["second"] = events_record(
                events=[EventInput(customer=customer, type="signed_up", occurred_at=MARCH, idempotency_key="k")]
            )
        finally:
            connection.close()

    second = threading.Thread(target=second_writer)
    first = threading.Thread(target=first_writer)
    first.start()
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)

    ((stored, created),) = answers["first"]
    ((answered, created_again),) = answers["second"]
    assert created and not created_again and answered.pk == stored.pk
    assert Event.objects.filter(idempotency_key="k").count() == 1
