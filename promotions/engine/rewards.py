"""One class per reward type. Each computes, from the running line prices, how much it takes off.

A reward has one `effect`:
- `LINES`: `discounts(lines, running, matched, places)` gets the cart lines, their running totals
  in minor units (already reduced by earlier rewards), the indexes of the lines the promotion
  targets and the currency's decimal places, and returns line position -> discount in minor
  units, listing only the lines it discounts and never taking a line below zero;
- `SHIPPING`: `shipping_discount(shipping, places)` takes off the running shipping price;
- `GIFT`: gives `sku` x `quantity` and no money.

Configured amounts are rounded half up to the currency's minor unit.
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
from promotions.engine.types import CartLine, Stage, Target

HUNDRED = Decimal(100)

# What a reward does; plain ints, compared on every candidate a cart meets.
LINES, SHIPPING, GIFT = 0, 1, 2


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


@dataclass(frozen=True, slots=True)
class Percentage:
    value: Decimal
    max_discount: Decimal | None = None
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
        total = round_half_up(subtotal_of(running, matched) * numerator, denominator)
        if self._cap is not None:
            total = min(total, self._cap[places])
        return _share(total, matched, running)


@dataclass(frozen=True, slots=True)
class FixedAmount:
    value: Decimal
    per: str = "order"  # order | item
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
        if self.per == "item":  # the line's running price caps it, so lines at zero get nothing
            if value <= 0:  # worth nothing in this currency (0.4 yen): it discounts no line
                return {}
            return {i: min(value * lines[i].quantity, running[i]) for i in matched if running[i] > 0}
        return _share(min(value, subtotal_of(running, matched)), matched, running)


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


def _unit_price(lines: Sequence[CartLine], running: Sequence[int], i: int) -> Fraction:
    """A line's running unit price, exactly: its denominator is at most the line's quantity (a
    common multiple of many quantities would grow without bound on a large cart)."""
    return Fraction(running[i], lines[i].quantity)


def _unit_groups(lines: Sequence[CartLine], running: Sequence[int], indexes) -> list[tuple[Fraction, int, int]]:
    """(running unit price, line index, units) for lines that still have a price, cheapest first."""
    return sorted((_unit_price(lines, running, i), i, lines[i].quantity) for i in indexes if running[i] > 0)


@dataclass(frozen=True, slots=True)
class BuyXGetY:
    buy: int
    get: int
    percent_off: Decimal = HUNDRED
    get_target: Target | None = None
    max_applications: int | None = None
    type: ClassVar[str] = "buy_x_get_y"
    stage: ClassVar[int] = Stage.ITEM
    effect: ClassVar[int] = LINES
    _ratio: tuple[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_ratio", ratio(self.percent_off))

    def discounts(self, lines, running, matched, places) -> dict[int, int]:
        if self.get_target is not None:
            free = self._with_other_target(lines, running, matched)
        elif len(matched) == 1:  # one targeted line (the usual case): its units are the cheapest
            i = matched[0]
            quantity = lines[i].quantity
            if quantity < self.buy + self.get or running[i] <= 0:
                return {}  # not one application fits, as on most single lines a cart has
            free = {i: self._applications(quantity) * self.get}
        else:
            groups = _unit_groups(lines, running, matched)
            free = self._cheapest(groups, self._applications(sum(units for _, _, units in groups)) * self.get)
        numerator, denominator = self._ratio
        discounts = {}
        for i, units in free.items():
            amount = min(round_half_up(running[i] * units * numerator, lines[i].quantity * denominator), running[i])
            if amount > 0:
                discounts[i] = amount
        return discounts

    def _applications(self, units: int) -> int:
        """How many times buy X get Y fits in `units` targeted units."""
        applications = units // (self.buy + self.get)
        return applications if self.max_applications is None else min(applications, self.max_applications)

    @staticmethod
    def _cheapest(groups, wanted: int) -> dict[int, int]:
        """Line index -> units given, the cheapest units first."""
        taken: dict[int, int] = {}
        for _, index, units in groups:
            if wanted <= 0:
                break
            take = min(units, wanted)
            taken[index] = take
            wanted -= take
        return taken

    def _with_other_target(self, lines, running, matched) -> dict[int, int]:
        get_indexes = [i for i, line in enumerate(lines) if self.get_target.matches(line)]
        groups = _unit_groups(lines, running, get_indexes)
        buy_lines = set(matched)
        buy_units = sum(lines[i].quantity for i in matched if running[i] > 0)
        applications = sum(units for _, _, units in groups) // self.get
        if self.max_applications is not None:
            applications = min(applications, self.max_applications)
        while applications > 0:
            free = self._cheapest(groups, applications * self.get)
            overlap = sum(units for i, units in free.items() if i in buy_lines)
            if buy_units - overlap >= applications * self.buy:
                return free
            applications -= 1
        return {}


@dataclass(frozen=True, slots=True)
class BundleItem:
    quantity: int
    sku: str | None = None
    category: str | None = None

    def matches(self, line: CartLine) -> bool:
        return line.sku == self.sku if self.sku else self.category in line.categories


@dataclass(frozen=True, slots=True)
class Bundle:
    items: tuple[BundleItem, ...]
    price: Decimal
    type: ClassVar[str] = "bundle"
    stage: ClassVar[int] = Stage.ITEM
    effect: ClassVar[int] = LINES
    _price: PerPlaces = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_price", units_per_places(self.price))

    def discounts(self, lines, running, matched, places) -> dict[int, int]:
        priced = [i for i in matched if running[i] > 0]
        candidates = []
        for item in self.items:
            found = [i for i in priced if item.matches(lines[i])]
            if not found:
                return {}  # an item of the set is not in the cart
            candidates.append(found)
        unit_price = {i: _unit_price(lines, running, i) for i in priced}
        for item_candidates in candidates:
            item_candidates.sort(key=lambda i: (-unit_price[i], i))  # dearest first
        left = {i: lines[i].quantity for i in priced}
        price = self._price[places]
        raw: dict[int, Fraction] = {}
        while True:
            taken = self._fill_one_set(candidates, left)
            if taken is None:
                break
            set_value = sum(unit_price[i] * units for i, units in taken.items())
            saving = set_value - price
            if saving <= 0:
                break  # the dearest sets save the most: cheaper sets would not save either
            for i, units in taken.items():
                raw[i] = raw.get(i, 0) + saving * unit_price[i] * units / set_value
        if not raw:
            return {}
        indexes = sorted(raw)
        weights = [raw[i] for i in indexes]
        # Rounded down, so the whole saving never exceeds what the sets are worth over the price.
        return allocate_by_position(int(sum(weights)), indexes, weights)

    def _fill_one_set(self, candidates, left: dict[int, int]) -> dict[int, int] | None:
        taken: dict[int, int] = {}
        for item, item_candidates in zip(self.items, candidates, strict=True):
            needed = item.quantity
            for i in item_candidates:
                available = left[i] - taken.get(i, 0)
                if available > 0:
                    take = min(available, needed)
                    taken[i] = taken.get(i, 0) + take
                    needed -= take
                    if not needed:
                        break
            if needed:
                return None
        for i, units in taken.items():
            left[i] -= units
        return taken


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
    effect: ClassVar[int] = LINES

    def discounts(self, lines, running, matched, places) -> dict[int, int]:
        subtotal = subtotal_of(running, matched)
        reached = [tier for tier in self.tiers if subtotal >= tier.threshold[places]]
        if not reached:
            return {}
        return _share(reached[-1].discount(subtotal, places), matched, running)

    @property
    def lowest_threshold(self) -> Decimal:
        return self.tiers[0].min_subtotal


@dataclass(frozen=True, slots=True)
class FreeShipping:
    max_amount: Decimal | None = None
    type: ClassVar[str] = "free_shipping"
    stage: ClassVar[int] = Stage.SHIPPING
    effect: ClassVar[int] = SHIPPING
    _max: PerPlaces | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_max", None if self.max_amount is None else units_per_places(self.max_amount))

    def shipping_discount(self, shipping: int, places: int) -> int:
        return shipping if self._max is None else min(shipping, self._max[places])


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
