"""`free_shipping`: `percent` of the running shipping price off (100, the default: all of it), at
most `max_amount`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from promotions.engine.money import HUNDRED, PerPlaces, ratio, round_half_up, units_per_places
from promotions.engine.rewards.registry import MONEY, PERCENT, Reward, RewardFields, register_reward
from promotions.engine.types import SHIPPING, Stage


@register_reward
@dataclass(frozen=True, slots=True)
class FreeShipping(Reward):
    max_amount: Decimal | None = None
    percent: Decimal = HUNDRED
    type: ClassVar[str] = "free_shipping"
    options: ClassVar[tuple[str, ...]] = ("max_amount", "percent")
    option_kinds: ClassVar[Mapping[str, object]] = {"percent": PERCENT, "max_amount": MONEY}
    stage: ClassVar[int] = Stage.SHIPPING
    effect: ClassVar[int] = SHIPPING
    _max: PerPlaces | None = field(init=False, repr=False, compare=False)
    _ratio: tuple[int, int] | None = field(init=False, repr=False, compare=False)  # None: all of it

    def __post_init__(self):
        object.__setattr__(self, "_max", None if self.max_amount is None else units_per_places(self.max_amount))
        object.__setattr__(self, "_ratio", None if self.percent == HUNDRED else ratio(self.percent))

    @classmethod
    def parse(cls, fields: RewardFields) -> FreeShipping:
        percent = fields.percent("percent", required=False)
        max_amount = fields.money("max_amount", required=False)
        return cls(max_amount=max_amount, percent=HUNDRED if percent is None else percent)

    def shipping_discount(self, shipping: int, places: int) -> int:
        off = shipping
        if self._ratio is not None:
            numerator, denominator = self._ratio
            off = round_half_up(shipping * numerator, denominator)
        return off if self._max is None else min(off, self._max[places])
