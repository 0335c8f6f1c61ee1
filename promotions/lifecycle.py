"""Which status a promotion is in, from what the marketer asked for and its dates (pure)."""

from datetime import datetime

from promotions.engine.types import HELD, PromotionStatus

# What a marketer may ask for: scheduled and expired follow from an active promotion's dates.
REQUESTABLE = (PromotionStatus.DRAFT, PromotionStatus.ACTIVE, PromotionStatus.PAUSED)


def lifecycle_status(*, requested: str, starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> str:
    """draft and paused stay as asked; an active promotion is scheduled, active or expired by its dates."""
    if requested in HELD:
        return requested
    if ends_at is not None and now >= ends_at:
        return PromotionStatus.EXPIRED
    if starts_at is not None and now < starts_at:
        return PromotionStatus.SCHEDULED
    return PromotionStatus.ACTIVE
