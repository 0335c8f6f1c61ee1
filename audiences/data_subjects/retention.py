"""Retention of events: those older than `RETENTION_EVENTS_MONTHS` go, nightly.

On PostgreSQL the events are partitioned by month: a month goes whole, its partition dropped, on the night all of
it is past the retention (so an event is kept up to a month longer than the setting), and only the rows the
DEFAULT partition holds are deleted row by row. On SQLite every event past the retention is deleted, a batch at
a time.

Nothing reads events that old: the scores read the last year (RFM_WINDOW_DAYS) and the journeys' scans compare
it with the year before. Messages are messaging's (messaging/retention.py): anonymised, not deleted.
"""

import calendar
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audiences.models import Event
from audiences.services.event_partitions import event_months_drop
from config.month_ranges import Month
from config.partitions import is_partitioned


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day when it has fewer days)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def events_prune(*, now: datetime | None = None, months: int | None = None, batch: int | None = None) -> int:
    """Delete the events older than the retention (whole months on PostgreSQL); each batch its own short
    transaction. Returns how many."""
    months = settings.RETENTION_EVENTS_MONTHS if months is None else months
    if months <= 0:
        return 0
    cutoff = months_before(now or timezone.now(), months)
    batch = batch or settings.RETENTION_BATCH
    deleted = 0
    if is_partitioned(Event._meta.db_table):
        # Rows of the cutoff's own month wait for the whole month to pass; earlier ones are in DEFAULT now.
        cutoff = Month.of(cutoff).start
        deleted = event_months_drop(before=cutoff)
    while True:
        with transaction.atomic():
            ids = list(Event.objects.filter(occurred_at__lt=cutoff).order_by().values_list("pk", flat=True)[:batch])
            if not ids:
                return deleted
            deleted += Event.objects.filter(pk__in=ids).delete()[0]
