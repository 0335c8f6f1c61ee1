"""Who gets which variant, or the holdout: a stable bucket per (salt, campaign, customer) (pure).

The bucket is `sha256("salt:campaign:customer") % 10000`: the same customer lands in the same bucket on
every run, on every machine. Buckets below the holdout's share (in basis points) are the holdout; the
rest are split between the variants in proportion to their weights, by integer arithmetic only.
"""

import hashlib
from collections.abc import Sequence
from decimal import Decimal

BUCKETS = 10_000


def bucket_of(*, salt: str, campaign_id: int, customer_id: int) -> int:
    digest = hashlib.sha256(f"{salt}:{campaign_id}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def holdout_buckets(holdout_percent: Decimal) -> int:
    """How many of the 10,000 buckets the holdout takes: 10% is 1,000; 0.25% is 25."""
    return int(Decimal(holdout_percent) * BUCKETS / 100)


def pick(bucket: int, *, holdout: int, weights: Sequence[int]) -> int | None:
    """The index of the variant for `bucket`, or None for the holdout.

    `holdout` is a number of buckets (holdout_buckets); `weights` are the variants' weights, at least one
    of them positive. Buckets [holdout, 10000) are cut into consecutive ranges proportional to the weights.
    """
    if bucket < holdout:
        return None
    treated = BUCKETS - holdout
    position = bucket - holdout
    total = sum(weights)
    running = 0
    for index, weight in enumerate(weights):
        running += weight
        # position / treated < running / total, in integers
        if position * total < running * treated:
            return index
    raise ValueError("weights must include a positive weight")
