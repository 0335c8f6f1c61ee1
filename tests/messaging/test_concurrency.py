"""Frequency caps hold when several dispatchers claim messages of the same customers at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from messaging.models import Message
from messaging.services.dispatch import outbox_dispatch

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-level concurrency needs PostgreSQL (SQLite serialises writers)"
    ),
]

CUSTOMERS = 30
OFFERS = 4
DISPATCHERS = 8


def test_parallel_dispatchers_send_each_customer_no_more_than_the_cap(settings, make_customer, make_template):
    settings.MESSAGING_CAP_PER_CHANNEL = "1/7"
    templates = [make_template(code=f"offer{n}") for n in range(OFFERS)]
    customers = [make_customer() for _ in range(CUSTOMERS)]
    now = timezone.now()
    # Written directly, not through messages_enqueue, whose dispatch-on-commit would send them now.
    # A customer's offers lie side by side in the queue, so dispatchers split them between them.
    Message.objects.bulk_create(
        Message(
            idempotency_key=f"{template.code}:{customer.pk}",
            customer=customer,
            template=template,
            channel="email",
            kind="marketing",
            topic="marketing",
            scheduled_for=now,
        )
        for customer in customers
        for template in templates
    )
    start = threading.Barrier(DISPATCHERS)

    def dispatcher(_number: int) -> int:
        try:
            start.wait(timeout=30)
            return outbox_dispatch(batch_size=2).sent
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=DISPATCHERS) as pool:
        sent = sum(pool.map(dispatcher, range(DISPATCHERS)))

    assert sent == CUSTOMERS
    assert sorted(address for email in mail.outbox for address in email.to) == sorted(c.email for c in customers)
    for customer in customers:
        statuses = sorted(customer.messages.values_list("status", "reason"))
        assert statuses == [("sent", "")] + [("skipped", "frequency_cap")] * (OFFERS - 1)
    assert not Message.objects.filter(status__in=["queued", "sending"]).exists()
