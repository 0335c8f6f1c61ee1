"""Celery tasks: take ids, call one service, safe to run twice."""

from celery import shared_task

from messaging.services.dispatch import outbox_dispatch


@shared_task(name="messaging.outbox_dispatch", ignore_result=True)
def outbox_dispatch_task() -> int:
    """Send what is due. Several may run at once: each claims different messages."""
    return outbox_dispatch().sent
