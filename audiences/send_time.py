"""Best send time (pure): a customer's distribution over the 24 local hours, shrunk toward their groups'.

Each engagement of a customer (a click, a WhatsApp read, an order, a store visit) counts once at the local hour
it happened. A customer with three clicks says little on their own, so their hours are smoothed with a
Dirichlet prior (a Dirichlet-multinomial posterior mean):

    p(h) = (n_h + strength * prior(h)) / (n + strength)

where the prior is the mean of their store's and their segment's distributions, each itself smoothed toward the
flat 1/24 the same way. With no history a customer gets the prior's best hour; with much history their own.
"""

from collections.abc import Iterable, Sequence

HOURS = 24
CUSTOMER_STRENGTH = 8.0  # pseudo-engagements of the prior a customer's own history must outweigh
GROUP_STRENGTH = 24.0  # a store or segment with a few engagements stays near flat

FLAT = (1 / HOURS,) * HOURS


def hour_counts(local_hours: Iterable[int]) -> list[int]:
    """[count of engagements at 00:xx, at 01:xx, ...]."""
    counts = [0] * HOURS
    for hour in local_hours:
        counts[hour % HOURS] += 1
    return counts


def smoothed(counts: Sequence[float], prior: Sequence[float], strength: float) -> list[float]:
    """The posterior mean of the hour probabilities under a Dirichlet(strength * prior) prior; sums to 1."""
    if len(counts) != HOURS or len(prior) != HOURS:
        raise ValueError(f"Hour distributions have {HOURS} entries.")
    if strength <= 0:
        raise ValueError("The prior's strength is positive.")
    total = sum(counts) + strength
    return [(count + strength * weight) / total for count, weight in zip(counts, prior, strict=True)]


def group_prior(*groups: Sequence[float], strength: float = GROUP_STRENGTH) -> list[float]:
    """The mean of the groups' (store's, segment's) distributions, each shrunk toward flat; flat with none."""
    if not groups:
        return list(FLAT)
    shrunk = [smoothed(counts, FLAT, strength) for counts in groups]
    return [sum(column) / len(shrunk) for column in zip(*shrunk, strict=True)]


def customer_distribution(
    counts: Sequence[float], prior: Sequence[float], strength: float = CUSTOMER_STRENGTH
) -> list[float]:
    return smoothed(counts, prior, strength)


def best_hour(distribution: Sequence[float], allowed: Sequence[int]) -> int:
    """The allowed hour of highest probability, the earliest of equals; ValueError when nothing is allowed."""
    if not allowed:
        raise ValueError("No hour is allowed.")
    return max(sorted(allowed), key=lambda hour: (distribution[hour], -hour))
