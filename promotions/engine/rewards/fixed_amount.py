"""`fixed_amount`: an amount off the targeted lines together (`per: order`) or off each unit
(`per: item`), optionally only on the `max_units` cheapest units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

from promotions.engine.money import PerPlaces, allocate_by_position, units_per_places
from promotions.engine.rewards.registry import MONEY, WHOLE, Choice, Reward, RewardFields, register_reward
from promotions.engine.rewards.shares import share, subtotal_of
from promotions.engine.types import LINES, Stage
from promotions.engine.units import cheapest_units

PER = ("order", "item")


@register_reward
@dataclass(frozen=True, slots=True)
class FixedAmount(Reward):
    value: Decimal
    per: str = "order"  # order | item
    max_units: int | None = None  # only the N cheapest targeted units are discounted
    type: ClassVar[str] = "fixed_amount"
    options: ClassVar[tuple[str, ...]] = ("value", "per", "max_units")
    option_kinds: ClassVar[Mapping[str, object]] = {
        "value": MONEY,
        "per": Choice(("order", "item")),
        "max_units": WHOLE,
    }
    effect: ClassVar[int] = LINES
    _value: PerPlaces = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_value", units_per_places(self.value))

    @classmethod
    def parse(cls, fields: RewardFields) -> FixedAmount:
        per = fields.get("per", "order")
        if per not in PER:
            raise fields.error("Use 'order' or 'item'.", "per")
        return cls(value=fields.money("value"), per=per, max_units=fields.whole("max_units", required=False))

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
        return share(min(value, subtotal_of(running, matched)), matched, running)

    def most_off(self, lines, subtotals, matched, places) -> int:
        value = self._value[places]
        if self.per == "item":
            value *= sum(lines[i].quantity for i in matched)
        return min(value, subtotal_of(subtotals, matched))

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
