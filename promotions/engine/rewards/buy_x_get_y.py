"""`buy_x_get_y`: for every `buy` targeted units, `get` units (the cheapest first; of `get_target`
if given) are discounted, at most `max_applications` times."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from promotions.engine.money import HUNDRED, PerPlaces, ratio, round_half_up, units_per_places
from promotions.engine.rewards.registry import MONEY, PERCENT, TARGET, WHOLE, Reward, RewardFields, register_reward
from promotions.engine.rewards.shares import subtotal_of
from promotions.engine.types import LINES, Stage, Target
from promotions.engine.units import cheapest, unit_groups

DISCOUNTS = ("percent_off", "amount_off", "price")  # at most one; none: the Y units are free


@register_reward
@dataclass(frozen=True, slots=True)
class BuyXGetY(Reward):
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
    options: ClassVar[tuple[str, ...]] = ("buy", "get", "get_target", "max_applications", *DISCOUNTS)
    option_kinds: ClassVar[Mapping[str, object]] = {
        "buy": WHOLE,
        "get": WHOLE,
        "get_target": TARGET,
        "max_applications": WHOLE,
        "percent_off": PERCENT,
        "amount_off": MONEY,
        "price": MONEY,
    }
    stage: ClassVar[int] = Stage.ITEM
    effect: ClassVar[int] = LINES
    _ratio: tuple[int, int] | None = field(init=False, repr=False, compare=False)
    _amount_off: PerPlaces | None = field(init=False, repr=False, compare=False)
    _price: PerPlaces | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_ratio", None if self.percent_off is None else ratio(self.percent_off))
        object.__setattr__(self, "_amount_off", None if self.amount_off is None else units_per_places(self.amount_off))
        object.__setattr__(self, "_price", None if self.price is None else units_per_places(self.price))

    @classmethod
    def parse(cls, fields: RewardFields) -> BuyXGetY:
        if sum(key in fields for key in DISCOUNTS) > 1:
            raise fields.error("Give at most one of 'percent_off', 'amount_off' or 'price' (none: free).")
        percent_off = fields.percent("percent_off", required=False)
        amount_off, price = fields.money("amount_off", required=False), fields.money("price", required=False)
        if percent_off is None and amount_off is None and price is None:
            percent_off = HUNDRED  # the Y units are free
        return cls(
            buy=fields.whole("buy"),
            get=fields.whole("get"),
            percent_off=percent_off,
            amount_off=amount_off,
            price=price,
            get_target=fields.target("get_target"),
            max_applications=fields.whole("max_applications", required=False),
        )

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

    def most_off(self, lines, subtotals, matched, places) -> int:
        if self.get_target is not None:  # the Y units may be on lines it does not target
            return sum(subtotals)
        if len(matched) == 1 and lines[matched[0]].quantity < self.buy + self.get:
            return 0
        return subtotal_of(subtotals, matched)

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
