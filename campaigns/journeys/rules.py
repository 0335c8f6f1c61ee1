"""Journey rules that need no database (pure): event filters, trigger keys, re-entry periods, local times."""

from datetime import UTC, date, datetime, time, timedelta

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
