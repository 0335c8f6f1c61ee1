"""Retention of messages: those older than `RETENTION_MESSAGES_MONTHS` are anonymised nightly, not deleted.

Campaign results count message rows (sent, delivered, opened, clicked per campaign and variant) and the
frequency caps read their times, so the rows stay and only what they say of the recipient goes: the
address, the rendered content, the template's values and the provider's error; their delivery events lose
the recipient and the provider's detail. A campaign's results read the same before and after.
"""

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Min
from django.utils import timezone

from audiences.data_subjects.retention import months_before
from messaging.data_subjects import messages_anonymise
from messaging.models import Message, TrackingEvent

# Where the last run stopped: every message below it is anonymised already, so the next run starts there
# instead of walking years of cleared messages again. Lost (a cache flush), the next run walks from the start.
WATERMARK_KEY = "messaging.retention.watermark"


def messages_prune(*, now: datetime | None = None, months: int | None = None, batch: int | None = None) -> int:
    """Anonymise messages created before the retention's cutoff, walking ids in ranges of `batch` (each range
    one short UPDATE) from where the last run stopped until a range holds only newer ones. The outbox writes
    messages with the clock, so ids grow with `created_at`. Returns how many were cleared."""
    months = settings.RETENTION_MESSAGES_MONTHS if months is None else months
    if months <= 0:
        return 0
    cutoff = months_before(now or timezone.now(), months)
    batch = batch or settings.RETENTION_BATCH
    bounds = Message.objects.aggregate(first=Min("id"), last=Max("id"))
    if bounds["first"] is None:
        return 0
    cleared, start = 0, max(bounds["first"], cache.get(WATERMARK_KEY, 0))
    resume = None  # the first range still holding messages newer than the cutoff: where the next run starts
    while start <= bounds["last"]:
        in_range = Message.objects.filter(pk__gte=start, pk__lt=start + batch)
        times = in_range.aggregate(oldest=Min("created_at"), newest=Max("created_at"))
        if times["oldest"] is not None and times["oldest"] >= cutoff:
            break  # ids grow with time: past the first range of only newer messages, none are older
        if times["oldest"] is not None:
            cleared += messages_anonymise(in_range.filter(created_at__lt=cutoff), batch=batch)
            TrackingEvent.objects.filter(
                message_id__gte=start, message_id__lt=start + batch, occurred_at__lt=cutoff
            ).exclude(recipient="", detail="").update(recipient="", detail="")
            if resume is None and times["newest"] >= cutoff:
                resume = start
        start += batch
    cache.set(WATERMARK_KEY, resume if resume is not None else min(start, bounds["last"] + 1), timeout=None)
    return cleared
