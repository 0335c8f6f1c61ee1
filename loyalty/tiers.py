"""Tier reviews: which tier a member keeps at a review, under the program's downgrade policy; pure, no database."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

YEAR = timedelta(days=365)


def one_year_after(moment: datetime) -> datetime:
    """The same instant a year later (the 28th of February for the 29th)."""
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:
        return moment.replace(year=moment.year + 1, day=28)


def period_start(period: str, joined_at: datetime, now: datetime) -> datetime:
    """Where the qualifying period running at `now` began: 365 days ago (rolling), or the membership's last
    anniversary (membership year)."""
    if period == "rolling_12_months":
        return now - YEAR
    start = joined_at
    while one_year_after(start) <= now:
        start = one_year_after(start)
    return start


def first_review(period: str, joined_at: datetime, reached_at: datetime) -> datetime:
    """When a tier reached at `reached_at` is first reviewed: a year later, or at the end of the membership year."""
    if period == "rolling_12_months":
        return one_year_after(reached_at)
    return one_year_after(period_start(period, joined_at, reached_at))


def tier_reached(thresholds: Sequence[int], value: int) -> int | None:
    """The index of the highest threshold `value` reaches (thresholds ascending), None below the first."""
    reached = None
    for index, threshold in enumerate(thresholds):
        if value >= threshold:
            reached = index
    return reached


@dataclass(frozen=True)
class Review:
    tier: int | None  # the index of the tier kept, None for no tier
    grace: bool = False  # the tier is no longer reached and kept through the grace period


def tier_review(*, current: int, reached: int | None, policy: str, grace_days: int, grace_over: bool) -> Review:
    """What a review decides. Reaching the tier (or a higher one) keeps it (or lifts it). Below it: `none`
    keeps it; otherwise a grace period, when the program has one and it has not run yet, keeps it until it
    ends; then `one_level` lowers it one level at most, `by_balance` to the tier the value reaches."""
    floor = -1 if reached is None else reached
    if floor >= current or policy == "none":
        return Review(tier=max(floor, current))
    if grace_days and not grace_over:
        return Review(tier=current, grace=True)
    target = max(floor, current - 1) if policy == "one_level" else floor
    return Review(tier=None if target < 0 else target)
