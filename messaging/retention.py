"""Retention of messages: those older than `RETENTION_MESSAGES_MONTHS` are anonymised nightly, not deleted.

Campaign results count message rows (sent, delivered, opened, clicked per campaign and variant) and the
frequency caps read their times, so the rows stay and only what they say of the recipient goes: the
address, the rendered content, the template's values and the provider's error; their delivery events lose
the recipient and the provider's detail. A campaign's results read the same before and after.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone

from audiences.data_subjects.retention import months_before
from messaging.data_subjects import messages_anonymise
from messaging.models import Message, TrackingEvent


def messages_prune(*, now: datetime | None = None, months: int | None = None, batch: int | None = None) -> int:
    """Anonymise messages created before the retention's cutoff, walking ids in ranges of `batch` (each range
    one short UPDATE) until a range holds none that old. Returns how many were cleared."""
    months = settings.RETENTION_MESSAGES_MONTHS if months is None else months
    if months <= 0:
        return 0
    cutoff = months_before(now or timezone.now(), months)
    batch = batch or settings.RETENTION_BATCH
    bounds = Message.objects.aggregate(first=Min("id"), last=Max("id"))
    if bounds["first"] is None:
        return 0
    cleared, start = 0, bounds["first"]
    while start <= bounds["last"]:
        in_range = Message.objects.filter(pk__gte=start, pk__lt=start + batch)
        oldest = in_range.aggregate(oldest=Min("created_at"))["oldest"]
        if oldest is not None and oldest >= cutoff:
            break  # ids grow with time: past the first range of only newer messages, none are older
        cleared += messages_anonymise(in_range.filter(created_at__lt=cutoff), batch=batch)
        TrackingEvent.objects.filter(
            message_id__gte=start, message_id__lt=start + batch, occurred_at__lt=cutoff
        ).exclude(recipient="", detail="").update(recipient="", detail="")
        start += batch
    return cleared
