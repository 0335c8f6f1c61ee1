"""How many points an order earns and when they expire: pure, no database."""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

ROUNDING = {"down": ROUND_FLOOR, "half_up": ROUND_HALF_UP, "up": ROUND_CEILING}
ONE = Decimal(1)


@dataclass(frozen=True)
class EarnLine:
    sku: str
    net: Decimal  # what the customer paid for the line, after every discount
    categories: tuple[str, ...] = ()  # the line's category code and its ancestors'


@dataclass(frozen=True)
class EarnPolicy:
    points_per_unit: Decimal
    rounding: str = "down"
    excluded_skus: frozenset[str] = frozenset()
    excluded_categories: frozenset[str] = frozenset()
    category_multipliers: Mapping[str, Decimal] | None = None
    order_multiplier: Decimal = ONE  # the store's and the tier's, multiplied


def line_values(lines: Iterable[EarnLine], policy: EarnPolicy) -> list[Decimal]:
    """What each line earns on before the rate: its net paid amount at its best category multiplier, 0 for an
    excluded line."""
    multipliers = policy.category_multipliers or {}
    values = []
    for line in lines:
        if line.sku in policy.excluded_skus or policy.excluded_categories.intersection(line.categories):
            values.append(Decimal(0))
            continue
        line_multiplier = max((multipliers[code] for code in line.categories if code in multipliers), default=ONE)
        values.append(line.net * line_multiplier)
    return values


def order_points(lines: Iterable[EarnLine], policy: EarnPolicy) -> int:
    """Points on the net paid amount of the lines that earn, each at its best category multiplier.

    Rounded once, for the whole order, so that splitting a basket never earns more or less.
    """
    exact = sum(line_values(lines, policy), Decimal(0)) * policy.points_per_unit * policy.order_multiplier
    return max(0, int(exact.to_integral_value(rounding=ROUNDING[policy.rounding])))


def points_kept(earned: int, kept: Sequence[tuple[Decimal, int, int]]) -> int:
    """What an order still earns once some of its lines came back: `earned` in proportion to the value (from
    `line_values`) of what was kept, rounded half up. `kept` is (line value, quantity bought, quantity kept)
    per line. Nothing returned keeps every point; everything returned keeps none."""
    total = sum((Fraction(value) for value, _, _ in kept), Fraction(0))
    if total == 0:
        return 0
    share = sum((Fraction(value) * still / bought for value, bought, still in kept), Fraction(0)) / total
    return math.floor(earned * share + Fraction(1, 2))


def expiry_of(earned_at: datetime, policy: str, n: int) -> datetime | None:
    """The instant points earned at `earned_at` expire (UTC); None when they never do.

    `end_of_month` is the end of the month `n` months after earning, `end_of_year` the end of the year
    `n` years after (0: this year's). An end is the first instant of what follows it.
    """
    earned_at = earned_at.astimezone(UTC)
    if policy == "never":
        return None
    if policy == "days":
        return earned_at + timedelta(days=n)
    if policy == "end_of_month":
        months = earned_at.year * 12 + earned_at.month - 1 + n + 1
        return datetime(months // 12, months % 12 + 1, 1, tzinfo=UTC)
    if policy == "end_of_year":
        return datetime(earned_at.year + n + 1, 1, 1, tzinfo=UTC)
    raise ValueError(f"Unknown expiry policy {policy!r}.")


def pending_days_for(
    store: str | None, channel: str | None, by_store: Mapping, by_channel: Mapping, default: int
) -> int:
    """The store's pending period, else the channel's, else the program's."""
    if store and store in by_store:
        return int(by_store[store])
    if channel and channel in by_channel:
        return int(by_channel[channel])
    return default
