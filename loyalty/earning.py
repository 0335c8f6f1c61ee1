"""How many points an order earns and when they expire: pure, no database."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

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


def order_points(lines: Iterable[EarnLine], policy: EarnPolicy) -> int:
    """Points on the net paid amount of the lines that earn, each at its best category multiplier.

    Rounded once, for the whole order, so that splitting a basket never earns more or less.
    """
    multipliers = policy.category_multipliers or {}
    exact = Decimal(0)
    for line in lines:
        if line.sku in policy.excluded_skus or policy.excluded_categories.intersection(line.categories):
            continue
        line_multiplier = max((multipliers[code] for code in line.categories if code in multipliers), default=ONE)
        exact += line.net * line_multiplier
    exact *= policy.points_per_unit * policy.order_multiplier
    return max(0, int(exact.to_integral_value(rounding=ROUNDING[policy.rounding])))


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
