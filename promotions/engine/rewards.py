"""One class per reward type. Each computes, from the running line prices, how much it takes off.

A reward has one `effect`:
- `LINES`: `discounts(lines, running, matched, places)` gets the cart lines, their running totals
  in minor units (already reduced by earlier rewards), the indexes of the lines the promotion
  targets and the currency's decimal places, and returns line position -> discount in minor
  units, listing only the lines it discounts and never taking a line below zero;
- `TIERED`: the same from `discounts_reaching(basis, running, matched, places)`, where `basis` is
  the subtotal its thresholds are measured on;
- `SHIPPING`: `shipping_discount(shipping, places)` takes off the running shipping price;
- `GIFT`: gives `sku` x `quantity` and no money.

Configured amounts are rounded half up to the currency's minor unit. Rewards over units of
several lines (buy X get Y, bundles) live in `multibuy.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

from promotions.engine.money import (
    PerPlaces,
    allocate_by_position,
    ratio,
    round_half_up,
    thresholds_per_places,
    units_per_places,
)
from promotions.engine.multibuy import HUNDRED, Bundle, BuyXGetY
from promotions.engine.types import GIFT, LINES, SHIPPING, TIERED, Stage
from promotions.engine.units import cheapest_units


def subtotal_of(running: Sequence[int], matched: Sequence[int]) -> int:
    """What the matched lines cost now, in minor units."""
    return running[matched[0]] if len(matched) == 1 else sum([running[i] for i in matched])


def _share(total: int, matched: Sequence[int], running: Sequence[int]) -> dict[int, int]:
    """`total` spread over the matched lines in proportion to their running prices."""
    if total <= 0:
        return {}
    if len(matched) == 1:  # most promotions a cart meets discount one line: nothing to split
        return {matched[0]: total}
    return allocate_by_position(total, matched, [running[i] for i in matched])


def _round_half_up(amount: Fraction) -> int:
    return round_half_up(amount.numerator, amount.denominator)


@dataclass(frozen=True, slots=True)
class Percentage:
    value: Decimal
    max_discount: Decimal | None = None
    max_units: int | None = None  # only the N cheapest targeted units are discounted
    type: ClassVar[str] = "percentage"
    stage: ClassVar[int] = Stage.ITEM
    effect: ClassVar[int] = LINES
    _ratio: tuple[int, int] = field(init=False, repr=False, compare=False)
    _cap: PerPlaces | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_ratio", ratio(self.value))
        object.__setattr__(self, "_cap", None if self.max_discount is None else units_per_places(self.max_discount))

    def discounts(self, lines, running, matched, places) -> dict[int, int]:
        numerator, denominator = self._ratio
        if self.max_units is not None:
            positions, worth, _ = cheapest_units(lines, running, matched, self.max_units)
            value = sum(worth, Fraction(0))
            total = min(_round_half_up(value * numerator / denominator), int(value))
            if self._cap is not None:
                total = min(total, self._cap[places])
            return allocate_by_position(total, positions, worth)
        total = round_half_up(subtotal_of(running, matched) * numerator, denominator)
        if self._cap is not None:
            total = min(total, self._cap[places])
        return _share(total, matched, running)


@dataclass(frozen=True, slots=True)
class FixedAmount:
    value: Decimal
    per: str = "order"  # order | item
    max_units: int | None = None  # only the N cheapest targeted units are discounted
    type: ClassVar[str] = "fixed_amount"
    effect: ClassVar[int] = LINES
    _value: PerPlaces = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_value", units_per_places(self.value))

    @property
    def stage(self) -> int:
        return Stage.ITEM if self.per == "item" else Stage.ORDER

    def discounts(self, lines, running, matched, places) -> dict[int, int]:
        value = self._value[places]
        if self.max_units is not None:
            return self._on_cheapest_units(value, lines, running, matched)
        if self.per == "item":  # the line's running price caps it, so lines at zero get nothing
            if value <= 0:  # worth nothing in this currency (0.4 yen): it discounts no line
                return {}
            return {i: min(value * lines[i].quantity, running[i]) for i in matched if running[i] > 0}
        return _share(min(value, subtotal_of(running, matched)), matched, running)

    def _on_cheapest_units(self, value: int, lines, running, matched) -> dict[int, int]:
        """Per item: `value` off each of the N cheapest units; per order: `value` spread over
        them. Never more than those units are worth (rounded down to a whole minor unit)."""
        positions, worth, units = cheapest_units(lines, running, matched, self.max_units)
        if value <= 0:
            return {}
        if self.per == "item":
            discounts = {i: min(value * n, int(w)) for i, w, n in zip(positions, worth, units, strict=True)}
            return {i: amount for i, amount in discounts.items() if amount > 0}
        return allocate_by_position(min(value, int(sum(worth, Fraction(0)))), positions, worth)


@dataclass(frozen=True, slots=True)
class FixedPrice:
    value: Decimal
    type: ClassVar[str] = "fixed_price"
    stage: ClassVar[int] = Stage.ITEM
    effect: ClassVar[int] = LINES
    _value: PerPlaces = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_value", units_per_places(self.value))

    def discounts(self, lines, running, matched, places) -> dict[int, int]:
        price = self._value[places]
        return {i: off for i in matched if (off := running[i] - price * lines[i].quantity) > 0}


@dataclass(frozen=True, slots=True)
class Tier:
    min_subtotal: Decimal
    amount: Decimal | None = None
    percent: Decimal | None = None
    threshold: PerPlaces = field(init=False, repr=False, compare=False)
    _amount: PerPlaces | None = field(init=False, repr=False, compare=False)
    _ratio: tuple[int, int] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "threshold", thresholds_per_places(self.min_subtotal))
        object.__setattr__(self, "_amount", None if self.amount is None else units_per_places(self.amount))
        object.__setattr__(self, "_ratio", None if self.percent is None else ratio(self.percent))

    def discount(self, subtotal: int, places: int) -> int:
        if self._amount is not None:
            return min(self._amount[places], subtotal)
        numerator, denominator = self._ratio
        return round_half_up(subtotal * numerator, denominator)


@dataclass(frozen=True, slots=True)
class Tiered:
    tiers: tuple[Tier, ...]  # ascending by min_subtotal
    type: ClassVar[str] = "tiered"
    stage: ClassVar[int] = Stage.ORDER
    effect: ClassVar[int] = TIERED

    def discounts_reaching(self, basis: int, running, matched, places) -> dict[int, int]:
        """The discount of the highest tier `basis` reaches, on the targeted lines' running prices."""
        reached = [tier for tier in self.tiers if basis >= tier.threshold[places]]
        if not reached:
            return {}
        subtotal = subtotal_of(running, matched)
        return _share(reached[-1].discount(subtotal, places), matched, running)

    @property
    def lowest_threshold(self) -> Decimal:
        return self.tiers[0].min_subtotal


@dataclass(frozen=True, slots=True)
class FreeShipping:
    """`percent` of the running shipping price off (100: free shipping), at most `max_amount`."""

    max_amount: Decimal | None = None
    percent: Decimal = HUNDRED
    type: ClassVar[str] = "free_shipping"
    stage: ClassVar[int] = Stage.SHIPPING
    effect: ClassVar[int] = SHIPPING
    _max: PerPlaces | None = field(init=False, repr=False, compare=False)
    _ratio: tuple[int, int] | None = field(init=False, repr=False, compare=False)  # None: all of it

    def __post_init__(self):
        object.__setattr__(self, "_max", None if self.max_amount is None else units_per_places(self.max_amount))
        object.__setattr__(self, "_ratio", None if self.percent == HUNDRED else ratio(self.percent))

    def shipping_discount(self, shipping: int, places: int) -> int:
        off = shipping
        if self._ratio is not None:
            numerator, denominator = self._ratio
            off = round_half_up(shipping * numerator, denominator)
        return off if self._max is None else min(off, self._max[places])


@dataclass(frozen=True, slots=True)
class Gift:
    sku: str
    quantity: int = 1
    type: ClassVar[str] = "gift"
    stage: ClassVar[int] = Stage.ORDER
    effect: ClassVar[int] = GIFT


REWARD_TYPES = {
    cls.type: cls for cls in (Percentage, FixedAmount, FixedPrice, BuyXGetY, Bundle, Tiered, FreeShipping, Gift)
}
