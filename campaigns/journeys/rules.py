"""Journey rules that need no database (pure): event filters, trigger keys, re-entry periods, local times,
the frequency-drop and spend-decrease verdicts, wait deadlines."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise

from campaigns.scheduling import zone


def matches(properties: dict, filters: dict) -> bool:
    """Every filter's property equals its value (compared as text, so 5 matches "5")."""
    return all(key in properties and str(properties[key]) == str(value) for key, value in filters.items())


def entry_key(*, reentry: str, key: str, entered_at: datetime, cooldown_days: int) -> str | None:
    """The enrollment's trigger key under the re-entry policy; None when the entry has no key it needs.

    once: always "" (one enrollment ever); per_key: the trigger's key; cooldown: the cooldown period's
    number, so two entries racing in one period collide on the unique constraint.
    """
    if reentry == "once":
        return ""
    if reentry == "per_key":
        return key or None
    days = max(cooldown_days, 1)
    return f"period:{(entered_at.date() - date(1970, 1, 1)).days // days}"


def next_local_time(*, now: datetime, at: time, zone_name: str, next_day: bool) -> datetime:
    """The next moment the customer's clock reads `at` (from tomorrow when `next_day`), in UTC."""
    local_now = now.astimezone(zone(zone_name))
    day = local_now.date() + timedelta(days=1 if next_day else 0)
    while True:
        moment = datetime.combine(day, at, tzinfo=zone(zone_name)).astimezone(UTC)
        if moment >= now:
            return moment
        day += timedelta(days=1)


def occasion_date(*, today: date, offset_days: int) -> date:
    """The date whose occasion enters today: with offset -3, the birthday three days from now."""
    return today - timedelta(days=offset_days)


def median_gap(order_times: list[datetime]) -> timedelta | None:
    """The median time between consecutive orders; None with fewer than three orders (two gaps)."""
    ordered = sorted(order_times)
    gaps = sorted(later - earlier for earlier, later in pairwise(ordered))
    if len(gaps) < 2:
        return None
    middle = len(gaps) // 2
    return gaps[middle] if len(gaps) % 2 else (gaps[middle - 1] + gaps[middle]) / 2


def frequency_dropped(*, order_times: list[datetime], now: datetime, factor: Decimal) -> bool:
    """The time since the last order passes `factor` times the customer's median gap (no verdict under 3 orders).

    The daily scan's SQL (campaigns/journeys/scans.py) computes the same on PostgreSQL; tests hold them equal."""
    gap = median_gap(order_times)
    if gap is None:
        return False
    return (now - max(order_times)).total_seconds() > float(factor) * gap.total_seconds()


SPEND_WINDOW = timedelta(days=90)


def spend_decreased(*, recent: Decimal, previous: Decimal, drop_percent: Decimal) -> bool:
    """The last 90 days' spend is at least `drop_percent` % below the 90 days before (which spent something)."""
    return previous > 0 and recent <= previous * (100 - drop_percent) / 100


def wait_deadline(*, started_at: datetime, timeout: timedelta | None) -> datetime:
    """When a wait for an event gives up: its start plus the timeout (no timeout: at once)."""
    return started_at + (timeout or timedelta())


def key_matches(*, properties: dict, key_property: str, trigger_key: str) -> bool:
    """The event carries the entry's key under the version's key property (compared as text)."""
    return bool(key_property and trigger_key) and str(properties.get(key_property, "")) == trigger_key


def one_intent_cap(overall: str, already_sent: int) -> str:
    """The overall cap ("5/7") raised by the messages this send already made, so a fallback chain (WhatsApp,
    then SMS, then email) counts as one message against it."""
    limit, _, days = overall.partition("/")
    return f"{int(limit) + already_sent}/{days}"
