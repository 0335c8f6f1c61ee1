"""When a campaign's messages go out (pure).

A campaign sends at one moment (`starts_at`, entered in the store's zone), or at the same local wall-clock
time in each recipient's own zone: 10:00 in Dhaka, then 10:00 in Dar es Salaam three hours later. For the
second it must start early enough for the zone that reaches that wall-clock time first (UTC+14), and each
message waits for its recipient's moment.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

AT_TIME = "at_time"
RECIPIENT_LOCAL_TIME = "recipient_local_time"
BEST_HOUR = "best_hour"  # each recipient's best hour of a window, from the start on (campaigns/best_time.py)
EARLIEST_OFFSET = timedelta(hours=14)  # the easternmost zone (Kiribati) is UTC+14


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def wall_clock(starts_at: datetime, reference_zone: str) -> datetime:
    """`starts_at` as the naive local time it reads in the reference (store's) zone."""
    return starts_at.astimezone(zone(reference_zone)).replace(tzinfo=None)


def launch_moment(*, mode: str, starts_at: datetime, reference_zone: str) -> datetime:
    """When the launch must begin: `starts_at` itself, or early enough for the first zone to reach its hour."""
    if mode != RECIPIENT_LOCAL_TIME:
        return starts_at
    return wall_clock(starts_at, reference_zone).replace(tzinfo=UTC) - EARLIEST_OFFSET


def recipient_moment(*, wall: datetime, recipient_zone: str, now: datetime) -> datetime:
    """The moment `wall` (naive local time) happens in the recipient's zone; now if it has passed there."""
    moment = wall.replace(tzinfo=zone(recipient_zone)).astimezone(UTC)
    return max(moment, now)
