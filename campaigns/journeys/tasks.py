"""Journey tasks: take ids, call one service, safe to run twice (or on several workers at once)."""

from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from campaigns.journeys import entry, execution, exits


@shared_task(name="campaigns.journeys_tick", ignore_result=True)
def journeys_tick_task() -> int:
    """Run every due step; several workers share the work through SKIP LOCKED."""
    return execution.step_runs_due_drain()


@shared_task(name="campaigns.journeys_events", ignore_result=True)
def journeys_events_task(event_ids: list[int]) -> int:
    """Events recorded together: their goals, waits and entries, in one batch."""
    return entry.events_process(event_ids=event_ids)


@shared_task(name="campaigns.journeys_event", ignore_result=True)
def journeys_event_task(event_id: int) -> int:
    """One event, as queued before events went in batches: such tasks may still wait in a broker at upgrade."""
    return entry.events_process(event_ids=[event_id])


@shared_task(name="campaigns.journeys_order_goal", ignore_result=True)
def journeys_order_goal_task(customer_id: int, properties: dict, placed_at: str) -> int:
    return exits.goals_reach(
        customer_id=customer_id,
        event_type="order_placed",
        properties=properties,
        occurred_at=datetime.fromisoformat(placed_at),
    )


@shared_task(name="campaigns.journeys_segment_changes", ignore_result=True)
def journeys_segment_changes_task(segment_id: int, changed_at: str) -> int:
    return entry.segment_changes_process(segment_id=segment_id, changed_at=datetime.fromisoformat(changed_at))


@shared_task(name="campaigns.journeys_consent_withdrawn", ignore_result=True)
def journeys_consent_withdrawn_task(customer_id: int) -> int:
    return exits.consent_withdrawal_apply(customer_id=customer_id)


@shared_task(name="campaigns.journeys_dates", ignore_result=True)
def journeys_dates_task() -> int:
    """Daily: enter the journeys triggered by a date (birthday -3 days, a service due date)."""
    return entry.date_triggers_run()


@shared_task(name="campaigns.journeys_order", ignore_result=True)
def journeys_order_task(customer_id: int, order_id: int) -> int:
    """An order placed: enter the journeys of `order_placed` (post-purchase) and of the customer's Nth order."""
    return entry.order_process(customer_id=customer_id, order_id=order_id)


@shared_task(name="campaigns.journeys_scans", ignore_result=True)
def journeys_scans_task() -> int:
    """Daily: enter the journeys of a frequency drop, a spend decrease or lapsed engagement."""
    return entry.scan_triggers_run()


@shared_task(
    name="campaigns.journeys_staff_email",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
)
def journeys_staff_email_task(address: str, subject: str, body: str) -> int:
    """A journey's staff notification; a mail server that does not answer is tried again later."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
