"""Holding a sender's unsent messages (a paused campaign) and letting them go again, or dropping them.

Messages still queued or deferred are parked as deferred with the hold's reason and a date the outbox
never reaches; messages already claimed for sending go out. Senders are named by their plain id, as on
the message (campaigns sits above messaging).
"""

from datetime import UTC, datetime

from django.db import transaction

from messaging.models import Message, MessageStatus
from messaging.tasks import outbox_dispatch_task

HELD_UNTIL = datetime(9999, 12, 31, tzinfo=UTC)
WAITING = (MessageStatus.QUEUED, MessageStatus.DEFERRED)


def campaign_messages_hold(*, campaign_id: int, reason: str) -> int:
    return Message.objects.filter(campaign_id=campaign_id, status__in=WAITING).update(
        status=MessageStatus.DEFERRED, reason=reason, scheduled_for=HELD_UNTIL
    )


def campaign_messages_release(*, campaign_id: int, reason: str, at: datetime) -> int:
    released = Message.objects.filter(
        campaign_id=campaign_id, status=MessageStatus.DEFERRED, reason=reason, scheduled_for=HELD_UNTIL
    ).update(status=MessageStatus.QUEUED, reason="", scheduled_for=at)
    if released:
        transaction.on_commit(outbox_dispatch_task.delay)
    return released


def campaign_messages_drop(*, campaign_id: int, reason: str) -> int:
    """Skip what has not gone yet (a campaign that ended or ran out of budget)."""
    return Message.objects.filter(campaign_id=campaign_id, status__in=WAITING).update(
        status=MessageStatus.SKIPPED, reason=reason
    )
