"""Celery tasks: take ids, call one service, safe to run twice."""

from celery import shared_task

from messaging import retention
from messaging.services.dispatch import outbox_dispatch


@shared_task(name="messaging.outbox_dispatch", ignore_result=True)
def outbox_dispatch_task() -> int:
    """Send what is due. Several may run at once: each claims different messages."""
    return outbox_dispatch().sent


@shared_task(name="messaging.messages_retention", ignore_result=True)
def messages_retention_task() -> int:
    """Anonymise messages past their retention; safe to run twice (cleared ones are skipped)."""
    return retention.messages_prune()
