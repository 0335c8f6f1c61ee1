"""Money arithmetic of the engine, in whole minor units (ints): exact, and several times faster
than Decimal on the pricing path.

A cart enters as Decimals and is converted once (`exact_units`); rewards compute in ints (or
exact fractions where they divide); the result is converted back (times `unit_of`). Every rounding
the engine does is one of three, each named here: half up for amounts a marketer configures or a
percentage yields, up for thresholds a cart must reach, down where a part must never exceed a
whole (budgets, bundle savings).
"""

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

from audiences.currencies import CURRENCY_EXPONENTS, exponent, minor_unit, quantize, unit_of

__all__ = [
    "HUNDRED",
    "allocate",
    "allocate_by_position",
    "ceil_units",
    "exact_units",
    "exponent",
    "floor_units",
    "minor_unit",
    "quantize",
    "ratio",
    "round_half_up",
    "thresholds_per_places",
    "to_units",
    "unit_of",
    "units_per_places",
]


HUNDRED = Decimal(100)  # a whole, in percent


def exact_units(amount: Decimal, places: int) -> int:
    """`amount` in minor units; raises ValueError when it has more decimals than the currency."""
    scaled = amount.scaleb(places)
    units = int(scaled)
    if units != scaled:
        raise ValueError(f"{amount} has more decimals than the currency's minor unit allows.")
    return units


def to_units(amount: Decimal, places: int) -> int:
    """A configured amount (a reward's value, a cap) in minor units, rounded half up."""
    return int(amount.scaleb(places).to_integral_value(ROUND_HALF_UP))


def ceil_units(amount: Decimal, places: int) -> int:
    """A threshold in minor units: a subtotal of n units reaches it when n >= this."""
    return int(amount.scaleb(places).to_integral_value(ROUND_CEILING))


MAX_PLACES = max(CURRENCY_EXPONENTS.values())
# A configured amount in minor units for every currency exponent, indexed by the exponent
# (amounts[2] for BDT): rules convert their amounts once, when compiled, not on every cart.
PerPlaces = tuple[int, ...]


def units_per_places(amount: Decimal) -> PerPlaces:
    return tuple(to_units(amount, places) for places in range(MAX_PLACES + 1))


def thresholds_per_places(amount: Decimal) -> PerPlaces:
    return tuple(ceil_units(amount, places) for places in range(MAX_PLACES + 1))


def floor_units(amount: Decimal, places: int) -> int:
    """What is left of a budget in minor units: never more than is left."""
    return int(amount.scaleb(places).to_integral_value(ROUND_FLOOR))


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for a non-negative numerator and positive denominator."""
    return (2 * numerator + denominator) // (2 * denominator)


def ratio(percent: Decimal) -> tuple[int, int]:
    """A percentage as the exact fraction of a whole: Decimal('12.5') -> (125, 1000)."""
    numerator, denominator = percent.as_integer_ratio()
    return numerator, denominator * 100


def allocate(total: int, weights: Sequence[int | Fraction]) -> list[int]:
    """Split `total` minor units over `weights` in proportion, in whole units (largest remainder).

    The parts always sum to `total`; leftover units go to the largest remainders, ties to the
    earlier weight, so the split is deterministic. When `total` does not exceed the sum of the
    weights, no part exceeds its weight: a line is never discounted below zero.
    """
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    if len(weights) == 1:  # the common case of one discounted line: the whole total is its share
        return [total]
    parts: list[int] = []
    remainders: list[tuple[int | Fraction, int]] = []
    for position, weight in enumerate(weights):
        quotient, remainder = divmod(total * weight, weight_sum)
        parts.append(int(quotient))
        remainders.append((remainder, position))
    leftover = total - sum(parts)
    if leftover:
        remainders.sort(key=lambda item: (-item[0], item[1]))
        for _, position in remainders[:leftover]:
            parts[position] += 1
    return parts


def allocate_by_position(total: int, positions: Sequence[int], weights: Sequence[int | Fraction]) -> dict[int, int]:
    """`allocate`, keyed by the cart line position of each weight, listing only the lines that get
    a part."""
    parts = allocate(total, weights)
    return {position: part for position, part in zip(positions, parts, strict=True) if part > 0}
