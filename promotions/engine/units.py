"""Rewards that count units rather than lines: a line's running price per unit, exactly, and
which units are the cheapest (buy X get Y gives them, "at most N units" discounts them)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from promotions.engine.types import CartLine


def unit_price(lines: Sequence[CartLine], running: Sequence[int], i: int) -> Fraction:
    """A line's running unit price, exactly: its denominator is at most the line's quantity (a
    common multiple of many quantities would grow without bound on a large cart)."""
    return Fraction(running[i], lines[i].quantity)


def unit_groups(lines: Sequence[CartLine], running: Sequence[int], indexes) -> list[tuple[Fraction, int, int]]:
    """(running unit price, line index, units) for lines that still have a price, cheapest first."""
    return sorted((unit_price(lines, running, i), i, lines[i].quantity) for i in indexes if running[i] > 0)


def cheapest(groups, wanted: int) -> dict[int, int]:
    """Line index -> units taken, the cheapest units first, `wanted` of them at most."""
    taken: dict[int, int] = {}
    for _, index, units in groups:
        if wanted <= 0:
            break
        take = min(units, wanted)
        taken[index] = take
        wanted -= take
    return taken


def cheapest_units(lines, running, matched, wanted: int) -> tuple[list[int], list[Fraction], list[int]]:
    """The `wanted` cheapest targeted units that still have a price: their lines, what they are worth now on each line,
    and how many units of each line they are."""
    groups = unit_groups(lines, running, matched)
    prices = {index: price for price, index, _ in groups}
    taken = cheapest(groups, wanted)
    positions = list(taken)
    return positions, [prices[i] * taken[i] for i in positions], [taken[i] for i in positions]
