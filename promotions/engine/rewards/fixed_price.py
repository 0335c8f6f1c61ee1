"""`fixed_price`: each targeted unit costs `value` (units already cheaper are left alone)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from promotions.engine.money import PerPlaces, units_per_places
from promotions.engine.rewards.registry import MONEY, Reward, RewardFields, register_reward
from promotions.engine.types import LINES, Stage


@register_reward
@dataclass(frozen=True, slots=True)
class FixedPrice(Reward):
    value: Decimal
    type: ClassVar[str] = "fixed_price"
    options: ClassVar[tuple[str, ...]] = ("value",)
    option_kinds: ClassVar[Mapping[str, object]] = {"value": MONEY}
    stage: ClassVar[int] = Stage.ITEM
    effect: ClassVar[int] = LINES
    _value: PerPlaces = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_value", units_per_places(self.value))

    @classmethod
    def parse(cls, fields: RewardFields) -> FixedPrice:
        return cls(value=fields.money("value"))

    def discounts(self, lines, running, matched, places) -> dict[int, int]:
        price = self._value[places]
        return {i: off for i in matched if (off := running[i] - price * lines[i].quantity) > 0}

    def most_off(self, lines, subtotals, matched, places) -> int:
        price = self._value[places]
        return sum([off for i in matched if (off := subtotals[i] - price * lines[i].quantity) > 0])
