"""Money arithmetic of the engine: quantisation per currency and exact allocation."""

from collections.abc import Sequence
from decimal import Decimal

from audiences.currencies import minor_unit, quantize

ZERO = Decimal(0)

__all__ = ["ZERO", "allocate", "minor_unit", "quantize"]


def allocate(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Split `total` over `weights` in proportion, in whole minor units (largest remainder).

    The parts always sum to `total` (quantised); leftover units go to the largest remainders,
    ties to the earlier weight, so the split is deterministic. When `total` does not exceed the
    sum of the weights, no part exceeds its weight: a line is never discounted below zero.
    """
    unit = minor_unit(currency)
    total_units = int(quantize(total, currency) / unit)
    weight_sum = sum(weights, ZERO)
    if total_units <= 0 or weight_sum <= 0:
        return [ZERO * unit for _ in weights]
    if len(weights) == 1:  # the common case of one discounted line: the whole total is its share
        return [total_units * unit]
    parts: list[int] = []
    remainders: list[tuple[Decimal, int]] = []
    for position, weight in enumerate(weights):
        quotient, remainder = divmod(total_units * weight, weight_sum)
        parts.append(int(quotient))
        remainders.append((remainder, position))
    leftover = total_units - sum(parts)
    if leftover:
        remainders.sort(key=lambda item: (-item[0], item[1]))
        for _, position in remainders[:leftover]:
            parts[position] += 1
    return [part * unit for part in parts]
