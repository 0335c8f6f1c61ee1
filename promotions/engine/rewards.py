"""One class per reward type. Each computes, from the running line prices, how much it takes off.

`apply(lines, running, matched, shipping, currency)` gets the cart lines, their running totals
(already reduced by earlier rewards), the indexes of the lines the promotion targets and the
running shipping price, and returns an `Outcome`. Rewards never take a line below zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from promotions.engine.money import ZERO, allocate, minor_unit, quantize
from promotions.engine.types import CartLine, Stage, Target

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Outcome:
    line_discounts: dict[int, Decimal]
    shipping_discount: Decimal = ZERO
    gifts: tuple[tuple[str, int], ...] = ()


def _share(total: Decimal, matched: Sequence[int], weights: Sequence[Decimal], currency: str) -> Outcome:
    return Outcome(dict(zip(matched, allocate(total, weights, currency), strict=True)))


def _rounded_down_to(raw_total: Decimal, currency: str) -> Decimal:
    """Quantise half up, but never above `raw_total`: the allocation then never exceeds a line."""
    total = quantize(raw_total, currency)
    return total - minor_unit(currency) if total > raw_total else total


@dataclass(frozen=True, slots=True)
class Percentage:
    value: Decimal
    max_discount: Decimal | None = None
    type: ClassVar[str] = "percentage"
    stage: ClassVar[int] = Stage.ITEM

    def apply(self, lines, running, matched, shipping, currency) -> Outcome:
        weights = [running[i] for i in matched]
        total = quantize(sum(weights, ZERO) * self.value / HUNDRED, currency)
        if self.max_discount is not None:
            total = min(total, quantize(self.max_discount, currency))
        return _share(total, matched, weights, currency)


@dataclass(frozen=True, slots=True)
class FixedAmount:
    value: Decimal
    per: str = "order"  # order | item
    type: ClassVar[str] = "fixed_amount"

    @property
    def stage(self) -> int:
        return Stage.ITEM if self.per == "item" else Stage.ORDER

    def apply(self, lines, running, matched, shipping, currency) -> Outcome:
        value = quantize(self.value, currency)
        if self.per == "item":
            return Outcome({i: min(value * lines[i].quantity, running[i]) for i in matched})
        weights = [running[i] for i in matched]
        return _share(min(value, sum(weights, ZERO)), matched, weights, currency)


@dataclass(frozen=True, slots=True)
class FixedPrice:
    value: Decimal
    type: ClassVar[str] = "fixed_price"
    stage: ClassVar[int] = Stage.ITEM

    def apply(self, lines, running, matched, shipping, currency) -> Outcome:
        price = quantize(self.value, currency)
        return Outcome({i: max(ZERO, running[i] - price * lines[i].quantity) for i in matched})


def _unit_groups(lines: Sequence[CartLine], running: Sequence[Decimal], indexes) -> list[tuple[Decimal, int, int]]:
    """(running unit price, line index, units) for lines that still have a price, cheapest first."""
    return sorted((running[i] / lines[i].quantity, i, lines[i].quantity) for i in indexes if running[i] > 0)


@dataclass(frozen=True, slots=True)
class BuyXGetY:
    buy: int
    get: int
    percent_off: Decimal = HUNDRED
    get_target: Target | None = None
    max_applications: int | None = None
    type: ClassVar[str] = "buy_x_get_y"
    stage: ClassVar[int] = Stage.ITEM

    def apply(self, lines, running, matched, shipping, currency) -> Outcome:
        if self.get_target is None:
            groups = _unit_groups(lines, running, matched)
            applications = sum(units for _, _, units in groups) // (self.buy + self.get)
            if self.max_applications is not None:
                applications = min(applications, self.max_applications)
            free = self._cheapest(groups, applications * self.get)
        else:
            free = self._with_other_target(lines, running, matched)
        raw = {i: price * units * self.percent_off / HUNDRED for i, (price, units) in free.items()}
        return Outcome({i: min(quantize(amount, currency), running[i]) for i, amount in raw.items()})

    @staticmethod
    def _cheapest(groups, wanted: int) -> dict[int, tuple[Decimal, int]]:
        taken: dict[int, tuple[Decimal, int]] = {}
        for price, index, units in groups:
            if wanted <= 0:
                break
            take = min(units, wanted)
            taken[index] = (price, take)
            wanted -= take
        return taken

    def _with_other_target(self, lines, running, matched) -> dict[int, tuple[Decimal, int]]:
        get_indexes = [i for i, line in enumerate(lines) if self.get_target.matches(line)]
        groups = _unit_groups(lines, running, get_indexes)
        buy_lines = set(matched)
        buy_units = sum(lines[i].quantity for i in matched if running[i] > 0)
        applications = sum(units for _, _, units in groups) // self.get
        if self.max_applications is not None:
            applications = min(applications, self.max_applications)
        while applications > 0:
            free = self._cheapest(groups, applications * self.get)
            overlap = sum(units for i, (_, units) in free.items() if i in buy_lines)
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

    def apply(self, lines, running, matched, shipping, currency) -> Outcome:
        price = quantize(self.price, currency)
        left = {i: lines[i].quantity for i in matched if running[i] > 0}
        unit_price = {i: running[i] / lines[i].quantity for i in left}
        dearest_first = sorted(left, key=lambda i: (-unit_price[i], i))
        candidates = [[i for i in dearest_first if item.matches(lines[i])] for item in self.items]
        raw: dict[int, Decimal] = {}
        while True:
            taken = self._fill_one_set(candidates, left)
            if taken is None:
                break
            set_value = sum((unit_price[i] * units for i, units in taken.items()), ZERO)
            saving = set_value - price
            if saving <= 0:
                break  # the dearest sets save the most: cheaper sets would not save either
            for i, units in taken.items():
                raw[i] = raw.get(i, ZERO) + saving * unit_price[i] * units / set_value
        if not raw:
            return Outcome({})
        indexes = sorted(raw)
        weights = [raw[i] for i in indexes]
        return _share(_rounded_down_to(sum(weights, ZERO), currency), indexes, weights, currency)

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


@dataclass(frozen=True, slots=True)
class Tiered:
    tiers: tuple[Tier, ...]  # ascending by min_subtotal
    type: ClassVar[str] = "tiered"
    stage: ClassVar[int] = Stage.ORDER

    def apply(self, lines, running, matched, shipping, currency) -> Outcome:
        weights = [running[i] for i in matched]
        subtotal = sum(weights, ZERO)
        reached = [tier for tier in self.tiers if subtotal >= tier.min_subtotal]
        if not reached:
            return Outcome({})
        tier = reached[-1]
        if tier.amount is not None:
            total = min(quantize(tier.amount, currency), subtotal)
        else:
            total = quantize(subtotal * tier.percent / HUNDRED, currency)
        return _share(total, matched, weights, currency)

    @property
    def lowest_threshold(self) -> Decimal:
        return self.tiers[0].min_subtotal


@dataclass(frozen=True, slots=True)
class FreeShipping:
    max_amount: Decimal | None = None
    type: ClassVar[str] = "free_shipping"
    stage: ClassVar[int] = Stage.SHIPPING

    def apply(self, lines, running, matched, shipping, currency) -> Outcome:
        discount = shipping if self.max_amount is None else min(shipping, quantize(self.max_amount, currency))
        return Outcome({}, shipping_discount=discount)


@dataclass(frozen=True, slots=True)
class Gift:
    sku: str
    quantity: int = 1
    type: ClassVar[str] = "gift"
    stage: ClassVar[int] = Stage.ORDER

    def apply(self, lines, running, matched, shipping, currency) -> Outcome:
        return Outcome({}, gifts=((self.sku, self.quantity),))


REWARD_TYPES = {
    cls.type: cls for cls in (Percentage, FixedAmount, FixedPrice, BuyXGetY, Bundle, Tiered, FreeShipping, Gift)
}

# Rewards that give something even when no money changes hands (a gift; free shipping on a
# cart whose shipping is already free still counts as applied).
NON_MONETARY = frozenset({"gift", "free_shipping"})
