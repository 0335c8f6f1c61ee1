"""Which status a promotion is in, from what the marketer asked for and its dates (pure)."""

from datetime import datetime

REQUESTABLE = ("draft", "active", "paused")


def lifecycle_status(*, requested: str, starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> str:
    """draft and paused stay as asked; an active promotion is scheduled, active or expired by its dates."""
    if requested in ("draft", "paused"):
        return requested
    if ends_at is not None and now >= ends_at:
        return "expired"
    if starts_at is not None and now < starts_at:
        return "scheduled"
    return "active"
