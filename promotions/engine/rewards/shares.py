"""How a reward over lines reads their running prices and spreads an amount over them."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from promotions.engine.money import allocate_by_position, round_half_up


def subtotal_of(running: Sequence[int], matched: Sequence[int]) -> int:
    """What the matched lines cost now, in minor units."""
    return running[matched[0]] if len(matched) == 1 else sum([running[i] for i in matched])


def share(total: int, matched: Sequence[int], running: Sequence[int]) -> dict[int, int]:
    """`total` spread over the matched lines in proportion to their running prices."""
    if total <= 0:
        return {}
    if len(matched) == 1:  # most promotions a cart meets discount one line: nothing to split
        return {matched[0]: total}
    return allocate_by_position(total, matched, [running[i] for i in matched])


def fraction_half_up(amount: Fraction) -> int:
    return round_half_up(amount.numerator, amount.denominator)
