"""The events table's monthly partitions on PostgreSQL (docs/operations.md, "Monthly partitions").

Beat creates the next months' partitions daily (and moves into their month any rows the DEFAULT partition took);
retention drops a month whole once all of it is past the retention. On SQLite the table is plain and both do
nothing.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

from audiences.models import Event
from config import partitions
from config.month_ranges import Month

TABLE = Event._meta.db_table
COLUMN = Event._meta.get_field("occurred_at").column


def event_partitions_ensure(*, now: datetime, since: datetime | None = None) -> dict[Month, int]:
    """This month's (or every month's from `since`) to EVENTS_PARTITIONS_AHEAD_MONTHS on; the months created and
    the rows each took from DEFAULT."""
    if not partitions.is_partitioned(TABLE):
        return {}
    ahead = settings.EVENTS_PARTITIONS_AHEAD_MONTHS
    return partitions.partitions_ensure(TABLE, COLUMN, now=now, ahead=ahead, since=since)


def event_months_drop(*, before: datetime) -> int:
    """Drop every month's partition that ends by `before`; how many events went.

    The models pointing at events hold no database foreign key (a partitioned table's id alone is not unique),
    so what Django's delete would do to them is done here first, within the drop's transaction.
    """
    if not partitions.is_partitioned(TABLE):
        return 0
    dropped = 0
    for month in partitions.monthly_partitions(TABLE):
        if month.end > before:
            break
        with transaction.atomic():
            _referencing_rows_release(month)
            dropped += partitions.partition_drop(TABLE, month)
    return dropped


def _referencing_rows_release(month: Month) -> None:
    for relation in Event._meta.related_objects:
        if relation.on_delete is not models.SET_NULL:
            raise ImproperlyConfigured(
                f"{relation.related_model._meta.label}.{relation.field.name} points at events with "
                "on_delete other than SET_NULL: dropping a month of events would leave it dangling."
            )
        name = relation.field.name
        relation.related_model._base_manager.filter(
            **{f"{name}__occurred_at__gte": month.start, f"{name}__occurred_at__lt": month.end}
        ).update(**{name: None})
