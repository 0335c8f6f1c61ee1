"""The days a report covers, in the site's time zone."""

from datetime import datetime, time, timedelta

from django.utils import timezone

REPORT_DAYS = 30


def last_days(count: int = REPORT_DAYS) -> list:
    today = timezone.localdate()
    return [today - timedelta(days=n) for n in range(count - 1, -1, -1)]


def start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
