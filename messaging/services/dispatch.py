"""Dispatching the outbox: claim a batch of due messages, decide each, send those to send; until none is due.

The outbox guarantees: a message is a row with a unique idempotency key, so asking twice queues it
once; workers claim due rows with SELECT ... FOR UPDATE SKIP LOCKED, so no two workers hold the
same message; hand-offs to the provider are confirmed a small group at a time
(MESSAGING_HANDOFF_GROUP, default 100), so a worker killed mid-batch leaves at most that group
unconfirmed. Those messages are claimed again when their lease ends and handed off with the same
idempotency keys, which providers that honour idempotency keys (and our file and locmem backends)
take once; set the group to 1 for the narrowest window with a provider that does not.
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from messaging.models import Message
from messaging.selectors import template_translations
from messaging.services.dispatch_claim import due_messages_claim, messages_lease
from messaging.services.dispatch_decisions import decisions_record, delivery_decisions
from messaging.services.dispatch_report import DispatchReport
from messaging.services.dispatch_send import messages_send


def outbox_dispatch(*, batch_size: int | None = None, max_batches: int | None = None) -> DispatchReport:
    """Send every due message, batch by batch, until none is due (or `max_batches` were taken)."""
    report = DispatchReport()
    size = batch_size or settings.MESSAGING_BATCH_SIZE
    with _commits_without_flush_wait():
        while max_batches is None or report.batches < max_batches:
            claimed = _batch_claim(size=size, report=report)
            if claimed is None:
                break
            report.batches += 1
            to_send, translations = claimed
            if to_send:
                messages_send(to_send, translations, report)
    return report


def _batch_claim(*, size: int, report: DispatchReport) -> tuple[list[Message], dict[int, dict[str, dict]]] | None:
    """Claim a batch, decide each message, write the skips and deferrals and lease the rest: one
    transaction, so the outcomes are written under the locks that claimed them.

    Returns (messages to send, their templates' translations), or None when nothing is due."""
    now = timezone.now()
    with transaction.atomic():
        messages = due_messages_claim(size=size, now=now)
        if not messages:
            return None
        to_send = decisions_record(delivery_decisions(messages, now), report)
        translations = template_translations({m.template_id for m in to_send})
        to_send = messages_lease(messages=to_send, translations=translations, now=now, report=report)
    return to_send, translations


@contextmanager
def _commits_without_flush_wait():
    """Hand-off confirmations commit often; on PostgreSQL they do not wait for the WAL flush. A
    killed worker loses nothing by it (the server has the commit); only a crash of the database
    server itself could forget the last moment's confirmations, whose messages would then be
    handed off again, with the same idempotency keys, when their lease ends."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
