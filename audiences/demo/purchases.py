"""When the demo's buyers order: the BG/NBD process (Fader, Hardie & Lee 2005) that the lifetime-value model
assumes (docs/intelligence.md), so the model has a known process to find. Pure: no database.

Each buyer makes a first purchase somewhere in their window (sign-up, or two years back, to the data's end);
from then on they buy as a Poisson process at a rate λ ~ Gamma(RATE_SHAPE, scale 1/alpha) per day and, after
each repeat purchase, drop out for good with a chance p ~ Beta(DROPOUT_A, DROPOUT_B). Nothing else shapes the
counts, so the total is not fixed: alpha is chosen so that the expected total is the number of orders asked for.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import hyp2f1

RATE_SHAPE = 0.8  # r: most buyers buy rarely, a few often
DROPOUT_A = 2.0  # a, b: the chance of dropping out after a repeat purchase, 1 in 31 on average
DROPOUT_B = 60.0
# Never buy at all. Some who would have not yet had their first order when the data ends (FIRST_PURCHASE_DAYS), so
# about one customer in eight has no order.
NEVER_ORDERED_SHARE = 0.07
# A buyer has at least their first order; when fewer orders are asked for than buyers would make with a few
# repeats, there are fewer buyers: each then makes this many orders on average.
FEWEST_ORDERS_PER_BUYER = 1.25
# A buyer's first order comes this many days into their window on average (exponentially distributed).
FIRST_PURCHASE_DAYS = 60.0
# The grid of first-purchase points per window over which the expected orders are averaged.
FIRST_PURCHASE_POINTS = 24
# alpha is searched within these bounds (days): from a buyer a day to one in ten thousand years.
ALPHA_BOUNDS = (1e-3, 4e6)


class TooManyOrders(ValueError):
    """More orders asked for than the customers would make however fast they bought."""


@dataclass(frozen=True)
class PurchaseProcess:
    buyer_share: float  # the chance that a customer ever buys
    r: float
    alpha: float
    a: float
    b: float

    def expected_repeats(self, days) -> np.ndarray:
        """E[X(t)]: a buyer's expected repeat purchases in `days` after their first (equation 7 of the paper)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        t = np.asarray(days, dtype=float)
        share = t / (alpha + t)
        return (a + b - 1) / (a - 1) * (1.0 - (1.0 - share) ** r * hyp2f1(r, b, a + b - 1, share))

    def orders_of_one_buyer(self, rng: random.Random, window_days: float) -> list[float]:
        """One buyer's orders, in days from the start of their window of `window_days`: the first anywhere in
        it, the repeats at their rate until the window ends or they drop out."""
        moment = rng.expovariate(1.0 / FIRST_PURCHASE_DAYS)
        if moment > window_days:
            return []  # not yet: their first order would come after the data ends
        rate = rng.gammavariate(self.r, 1.0 / self.alpha)
        dropout = rng.betavariate(self.a, self.b)
        moments = [moment]
        if rate <= 0.0:
            return moments
        while True:
            moment += rng.expovariate(rate)
            if moment > window_days:
                return moments
            moments.append(moment)
            if rng.random() < dropout:
                return moments


def _first_purchase_ages(windows: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Days from the first purchase to the window's end at evenly spaced quantiles of the first purchase's time
    within each window, and each point's weight: the chance that the first purchase falls in the window at all,
    shared among its points, over the windows."""
    spans = np.asarray(windows, dtype=float)[:, None]
    within = 1.0 - np.exp(-spans / FIRST_PURCHASE_DAYS)
    quantiles = (np.arange(FIRST_PURCHASE_POINTS) + 0.5) / FIRST_PURCHASE_POINTS
    firsts = -FIRST_PURCHASE_DAYS * np.log1p(-quantiles[None, :] * within)
    weights = np.broadcast_to(within / (FIRST_PURCHASE_POINTS * len(spans)), firsts.shape)
    return (spans - firsts).ravel(), weights.ravel()


def purchase_process(customers: int, orders: int, windows: Sequence[float]) -> PurchaseProcess:
    """The process whose expected total over `customers` is `orders`. `windows` are the order windows (days) of
    equally likely customers: their distribution, not the customers themselves."""
    ages, weights = _first_purchase_ages(windows)
    reached = float(weights.sum())  # the share of buyers whose first order falls before the data ends
    buyer_share = 1.0 - NEVER_ORDERED_SHARE
    per_buyer = orders / (customers * buyer_share) if customers else 0.0
    if per_buyer < FEWEST_ORDERS_PER_BUYER * reached:
        buyer_share *= per_buyer / (FEWEST_ORDERS_PER_BUYER * reached)
        per_buyer = FEWEST_ORDERS_PER_BUYER * reached

    def process(log_alpha: float) -> PurchaseProcess:
        return PurchaseProcess(buyer_share, RATE_SHAPE, float(np.exp(log_alpha)), DROPOUT_A, DROPOUT_B)

    def surplus(log_alpha: float) -> float:
        return reached + float(weights @ process(log_alpha).expected_repeats(ages)) - per_buyer

    low, high = np.log(ALPHA_BOUNDS[0]), np.log(ALPHA_BOUNDS[1])
    if surplus(low) < 0:
        most = int((surplus(low) + per_buyer) * buyer_share * customers)
        raise TooManyOrders(f"{customers:,} customers make at most about {most:,} orders; {orders:,} were asked for.")
    # Fewer repeats as alpha grows (slower buyers); beyond the upper bound hardly any repeat at all.
    log_alpha = high if surplus(high) >= 0 else brentq(surplus, low, high, xtol=1e-9)
    return process(log_alpha)
