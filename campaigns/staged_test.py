"""Who gets which arm, and "test on X%, wait N hours, send the winner to the rest".

Pure: no database, no Django. Every recipient has a stable bucket in [0, 10 000) (`hash(salt, campaign,
customer) % 10000`, computed at launch). `bucket_layout` cuts the bucket range into consecutive slices:

    [ holdout | variant A | variant B | ... | remainder ]

The holdout takes `holdout_percent` of the buckets; the variants share the test slice (`test_percent` of the
buckets, or everything after the holdout when the campaign sends all variants at once) in proportion to their
weights; the remainder waits for the winner. Because buckets are uniform, each slice is a random sample of the
audience and the slices' sizes follow the weights, which the sample-ratio check verifies afterwards.
Percentages have at most two decimals (one bucket is 0.01%).

`staged_test_errors` checks a campaign's settings (the services turn its answer into a ValidationError).

`remainder_release` says, each time it is asked, whether the remainder may now be sent and which variant:
the winner once the wait is over, else the campaign's fallback rule. By default it does not release early on
a winner found before the wait ends: deciding at the first significant look, checked every few minutes, makes
a false winner far likelier than the 5% a single look allows (docs/campaigns.md has the figure).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from campaigns.statistics import Metric, WinnerDecision, invalid, is_number
from config.errors import DomainError

BUCKETS = 10_000


class ArmKind(StrEnum):
    HOLDOUT = "holdout"
    VARIANT = "variant"
    REMAINDER = "remainder"


@dataclass(frozen=True)
class Arm:
    kind: ArmKind
    variant: str | None = None


@dataclass(frozen=True)
class BucketLayout:
    holdout: range
    variants: tuple[tuple[str, range], ...]
    remainder: range

    def arm_for(self, bucket: int) -> Arm:
        if not 0 <= bucket < BUCKETS:
            raise invalid("invalid_bucket", f"A bucket is between 0 and {BUCKETS - 1}, not {bucket}.")
        if bucket in self.holdout:
            return Arm(ArmKind.HOLDOUT)
        for key, buckets in self.variants:
            if bucket in buckets:
                return Arm(ArmKind.VARIANT, key)
        return Arm(ArmKind.REMAINDER)


def _buckets(name: str, percent: int | Decimal) -> int:
    if not is_number(percent) or not 0 <= percent <= 100:
        raise invalid("invalid_percent", f"{name} is a percentage between 0 and 100, not {percent!r}.")
    buckets = Decimal(percent) * BUCKETS / 100
    if buckets != buckets.to_integral_value():
        raise invalid("invalid_percent", f"{name} has at most two decimals (0.01% steps), not {percent}.")
    return int(buckets)


def bucket_layout(
    variant_weights: Sequence[tuple[str, int | Decimal]],
    *,
    holdout_percent: int | Decimal,
    test_percent: int | Decimal | None = None,
) -> BucketLayout:
    """The slices of the bucket range; `test_percent` None sends every variant to all non-holdout recipients."""
    if not variant_weights:
        raise invalid("too_few_variants", "A campaign needs at least one variant.")
    if len({key for key, _ in variant_weights}) != len(variant_weights):
        raise invalid("duplicate_variant", "Each variant needs its own name.")
    for key, weight in variant_weights:
        if not is_number(weight) or not weight > 0:
            raise invalid("invalid_weight", f"The weight of {key} must be a number above 0, not {weight!r}.")
    holdout = _buckets("holdout_percent", holdout_percent)
    test = BUCKETS - holdout if test_percent is None else _buckets("test_percent", test_percent)
    if test_percent is not None and not 0 < test <= BUCKETS - holdout:
        raise invalid("invalid_percent", "test_percent must be above 0 and at most 100 minus holdout_percent.")
    total_weight = sum(Decimal(weight) for _, weight in variant_weights)
    slices, start, cumulative = [], holdout, Decimal(0)
    for key, weight in variant_weights:
        cumulative += Decimal(weight)
        # Cut at the floor of each cumulative share, so the slices tile the test range exactly.
        end = holdout + int(test * cumulative / total_weight)
        if end == start:
            raise invalid("invalid_percent", f"The test slice is too small to give {key} any recipients.")
        slices.append((key, range(start, end)))
        start = end
    return BucketLayout(holdout=range(holdout), variants=tuple(slices), remainder=range(holdout + test, BUCKETS))


class Fallback(StrEnum):
    """What the remainder gets when the wait ends without a significant winner."""

    BEST_OBSERVED = "best_observed"
    FIRST_VARIANT = "first_variant"
    NOTHING = "nothing"


class ReleaseReason(StrEnum):
    WAITING = "waiting"
    WINNER = "winner"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class RemainderRelease:
    """`release` False: ask again at `decide_at`. True: send `variant` to the remainder (None: send nothing)."""

    release: bool
    variant: str | None
    reason: ReleaseReason
    message: str
    decide_at: datetime


def remainder_release(
    decision: WinnerDecision,
    *,
    test_sent_at: datetime,
    wait: timedelta,
    now: datetime,
    fallback: Fallback | str = Fallback.BEST_OBSERVED,
    release_early: bool = False,
) -> RemainderRelease:
    """Whether the remainder may be sent now, and what: the winner, or the fallback once the wait is over.

    The wait ends at `test_sent_at + wait`, inclusive. With `release_early`, a winner found before then is
    sent at once (see the module's note on why that is off by default).
    """
    try:
        fallback = Fallback(fallback)
    except ValueError:
        choices = ", ".join(Fallback)
        raise invalid("invalid_fallback", f"Unknown fallback '{fallback}'; use one of: {choices}.") from None
    if test_sent_at.tzinfo is None or now.tzinfo is None:
        raise invalid("naive_datetime", "Times must carry a time zone.")
    if wait < timedelta(0):
        raise invalid("invalid_wait", "The wait cannot be negative.")
    decide_at = test_sent_at + wait
    waited = now >= decide_at
    if decision.winner is not None and (waited or release_early):
        return RemainderRelease(True, decision.winner, ReleaseReason.WINNER, decision.message, decide_at)
    if not waited:
        message = f"Waiting until {decide_at.isoformat()} before sending the rest."
        return RemainderRelease(False, None, ReleaseReason.WAITING, message, decide_at)
    variant = {
        Fallback.BEST_OBSERVED: decision.best_observed,
        Fallback.FIRST_VARIANT: next(iter(decision.rates)),
        Fallback.NOTHING: None,
    }[fallback]
    sends = f"sending {variant} to the rest ({fallback})" if variant else "sending nothing to the rest"
    return RemainderRelease(
        True, variant, ReleaseReason.FALLBACK, f"{decision.message} The wait is over: {sends}.", decide_at
    )


MAX_WAIT_HOURS = 24 * 60


def staged_test_errors(
    *,
    test_percent: Decimal | None,
    holdout_percent: Decimal | None,
    wait_hours,
    metric: str,
    fallback: str,
    variant_weights: Sequence[tuple[str, int]],
    broadcast: bool,
) -> dict[str, list[str]]:
    """A campaign's staged-test settings' problems, by field: at least two variants and room for the rest."""
    errors: dict[str, list[str]] = {}
    if metric not in set(Metric):
        errors["test_metric"] = [f"One of: {', '.join(Metric)} (never opens)."]
    if fallback not in set(Fallback):
        errors["test_fallback"] = [f"One of: {', '.join(Fallback)}."]
    if not isinstance(wait_hours, int) or not 0 <= wait_hours <= MAX_WAIT_HOURS:
        errors["test_wait_hours"] = [f"A whole number of hours from 0 to {MAX_WAIT_HOURS}."]
    if test_percent is None:
        return errors
    holdout = Decimal(holdout_percent or 0)
    if not broadcast or len(variant_weights) < 2:
        errors["test_percent"] = ["A staged test needs a broadcast with at least two variants."]
    elif not Decimal(0) < Decimal(test_percent) < Decimal(100) - holdout:
        errors["test_percent"] = [
            f"Above 0 and below {Decimal(100) - holdout} (100 minus the holdout), so that a rest is left."
        ]
    else:
        try:
            bucket_layout(variant_weights, holdout_percent=holdout, test_percent=Decimal(test_percent))
        except DomainError as problem:
            errors["test_percent"] = [problem.message]
    return errors
