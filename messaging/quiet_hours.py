"""Quiet hours: when a marketing message may go out in the customer's own time zone.

Pure logic (no database). A message that falls in quiet hours is deferred to the moment they end,
never dropped.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(local_time: time, *, start: time, end: time) -> bool:
    """Quiet hours run from `start` (inclusive) to `end` (exclusive) and may wrap past midnight."""
    if start == end:
        return False
    if start < end:
        return start <= local_time < end
    return local_time >= start or local_time < end


def next_allowed_at(now: datetime, *, timezone: str, start: time, end: time) -> datetime:
    """`now` if sending is allowed, otherwise the end of the current quiet period (aware, UTC)."""
    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    if not in_quiet_hours(local_now.time(), start=start, end=end):
        return now
    end_date = local_now.date()
    if local_now.time() >= end:
        end_date += timedelta(days=1)
    local_end = datetime.combine(end_date, end, tzinfo=zone)
    return local_end.astimezone(now.tzinfo)
