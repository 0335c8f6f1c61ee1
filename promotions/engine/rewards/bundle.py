"""`bundle`: a set of items (each a sku or a category, with a quantity) at one `price`; as many
sets as the cart fills, the dearest units first, while a set still saves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

from promotions.engine.money import PerPlaces, allocate_by_position, units_per_places
from promotions.engine.rewards.registry import MONEY, TEXT, WHOLE, Reward, RewardFields, Rows, register_reward
from promotions.engine.rewards.shares import subtotal_of
from promotions.engine.types import LINES, CartLine, Stage
from promotions.engine.units import unit_price


@dataclass(frozen=True, slots=True)
class BundleItem:
    quantity: int
    sku: str | None = None
    category: str | None = None

    @classmethod
    def parse(cls, fields: RewardFields) -> BundleItem:
        fields.only("sku", "category", "quantity")
        sku, category = fields.get("sku"), fields.get("category")
        if bool(sku) == bool(category) or not isinstance(sku or category, str):
            raise fields.error("A bundle item names exactly one of 'sku' or 'category'.")
        return cls(quantity=fields.whole("quantity", default=1), sku=sku or None, category=category or None)

    def matches(self, line: CartLine) -> bool:
        return line.sku == self.sku if self.sku else self.category in line.categories


@register_reward
@dataclass(frozen=True, slots=True)
class Bundle(Reward):
    items: tuple[BundleItem, ...]
    price: Decimal
    type: ClassVar[str] = "bundle"
    options: ClassVar[tuple[str, ...]] = ("items", "price")
    option_kinds: ClassVar[Mapping[str, object]] = {
        "items": Rows({"sku": TEXT, "category": TEXT, "quantity": WHOLE}),
        "price": MONEY,
    }
    stage: ClassVar[int] = Stage.ITEM
    effect: ClassVar[int] = LINES
    _price: PerPlaces = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_price", units_per_places(self.price))

    @classmethod
    def parse(cls, fields: RewardFields) -> Bundle:
        items = fields.objects("items", missing="A bundle needs a list of at least one item.")
        return cls(items=tuple(BundleItem.parse(item) for item in items), price=fields.money("price"))

    def index_keys(self) -> list[tuple[str, str]]:
        """Over the whole catalogue a bundle still needs its items in the cart: it is found by them."""
        return [("sku", item.sku) if item.sku else ("category", item.category) for item in self.items]

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

    def most_off(self, lines, subtotals, matched, places) -> int:
        return subtotal_of(subtotals, matched)  # the saving is spread over the set's lines

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
