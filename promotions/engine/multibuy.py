"""Rewards over units of several lines: buy X get Y, and bundles (a set of items at one price)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

from promotions.engine.money import PerPlaces, allocate_by_position, ratio, round_half_up, units_per_places
from promotions.engine.types import LINES, CartLine, Stage, Target
from promotions.engine.units import cheapest, unit_groups, unit_price

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class BuyXGetY:
    """Each Y unit (the cheapest first) is discounted by one of: `percent_off` (100: free),
    `amount_off` (that much off each unit) or `price` (each unit costs that)."""

    buy: int
    get: int
    percent_off: Decimal | None = HUNDRED
    get_target: Target | None = None
    max_applications: int | None = None
    amount_off: Decimal | None = None
    price: Decimal | None = None
    type: ClassVar[str] = "buy_x_get_y"
    stage: ClassVar[int] = Stage.ITEM
    effect: ClassVar[int] = LINES
    _ratio: tuple[int, int] | None = field(init=False, repr=False, compare=False)
    _amount_off: PerPlaces | None = field(init=False, repr=False, compare=False)
    _price: PerPlaces | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_ratio", None if self.percent_off is None else ratio(self.percent_off))
        object.__setattr__(self, "_amount_off", None if self.amount_off is None else units_per_places(self.amount_off))
        object.__setattr__(self, "_price", None if self.price is None else units_per_places(self.price))

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
            groups = unit_groups(lines, running, matched)
            free = cheapest(groups, self._applications(sum(units for _, _, units in groups)) * self.get)
        discounts = {}
        for i, units in free.items():
            amount = min(self._unit_discount(running[i], lines[i].quantity, units, places), running[i])
            if amount > 0:
                discounts[i] = amount
        return discounts

    def _unit_discount(self, line_running: int, quantity: int, units: int, places: int) -> int:
        """What `units` of a line of `quantity` units, worth `line_running` now, get off."""
        if self._ratio is not None:
            numerator, denominator = self._ratio
            return round_half_up(line_running * units * numerator, quantity * denominator)
        if self._amount_off is not None:  # never more than the units are worth
            return min(self._amount_off[places] * units, line_running * units // quantity)
        return round_half_up(line_running * units, quantity) - self._price[places] * units

    def _applications(self, units: int) -> int:
        """How many times buy X get Y fits in `units` targeted units."""
        applications = units // (self.buy + self.get)
        return applications if self.max_applications is None else min(applications, self.max_applications)

    def _with_other_target(self, lines, running, matched) -> dict[int, int]:
        get_indexes = [i for i, line in enumerate(lines) if self.get_target.matches(line)]
        groups = unit_groups(lines, running, get_indexes)
        buy_lines = set(matched)
        buy_units = sum(lines[i].quantity for i in matched if running[i] > 0)
        applications = sum(units for _, _, units in groups) // self.get
        if self.max_applications is not None:
            applications = min(applications, self.max_applications)
        while applications > 0:
            free = cheapest(groups, applications * self.get)
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
        prices = {i: unit_price(lines, running, i) for i in priced}
        for item_candidates in candidates:
            item_candidates.sort(key=lambda i: (-prices[i], i))  # dearest first
        left = {i: lines[i].quantity for i in priced}
        price = self._price[places]
        raw: dict[int, Fraction] = {}
        while True:
            taken = self._fill_one_set(candidates, left)
            if taken is None:
                break
            set_value = sum(prices[i] * units for i, units in taken.items())
            saving = set_value - price
            if saving <= 0:
                break  # the dearest sets save the most: cheaper sets would not save either
            for i, units in taken.items():
                raw[i] = raw.get(i, 0) + saving * prices[i] * units / set_value
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
