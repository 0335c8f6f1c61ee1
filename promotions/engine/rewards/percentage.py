"""`percentage`: a share of the targeted lines off, at most `max_discount`, optionally only on the
`max_units` cheapest units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

from promotions.engine.money import PerPlaces, allocate_by_position, ratio, round_half_up, units_per_places
from promotions.engine.rewards.registry import MONEY, PERCENT, WHOLE, Reward, RewardFields, register_reward
from promotions.engine.rewards.shares import fraction_half_up, share, subtotal_of
from promotions.engine.types import LINES, Stage
from promotions.engine.units import cheapest_units


@register_reward
@dataclass(frozen=True, slots=True)
class Percentage(Reward):
    value: Decimal
    max_discount: Decimal | None = None
    max_units: int | None = None  # only the N cheapest targeted units are discounted
    type: ClassVar[str] = "percentage"
    options: ClassVar[tuple[str, ...]] = ("value", "max_discount", "max_units")
    option_kinds: ClassVar[Mapping[str, object]] = {"value": PERCENT, "max_discount": MONEY, "max_units": WHOLE}
    stage: ClassVar[int] = Stage.ITEM
    effect: ClassVar[int] = LINES
    _ratio: tuple[int, int] = field(init=False, repr=False, compare=False)
    _cap: PerPlaces | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_ratio", ratio(self.value))
        object.__setattr__(self, "_cap", None if self.max_discount is None else units_per_places(self.max_discount))

    @classmethod
    def parse(cls, fields: RewardFields) -> Percentage:
        return cls(value=fields.percent("value"), max_discount=fields.money("max_discount", required=False),
                   max_units=fields.whole("max_units", required=False))  # fmt: skip

    def discounts(self, lines, running, matched, places) -> dict[int, int]:
        numerator, denominator = self._ratio
        if self.max_units is not None:
            positions, worth, _ = cheapest_units(lines, running, matched, self.max_units)
            value = sum(worth, Fraction(0))
            total = min(fraction_half_up(value * numerator / denominator), int(value))
            if self._cap is not None:
                total = min(total, self._cap[places])
            return allocate_by_position(total, positions, worth)
        total = round_half_up(subtotal_of(running, matched) * numerator, denominator)
        if self._cap is not None:
            total = min(total, self._cap[places])
        return share(total, matched, running)

    def most_off(self, lines, subtotals, matched, places) -> int:
        """Its share of the targeted lines (the cheapest units are worth no more than them)."""
        numerator, denominator = self._ratio
        total = round_half_up(subtotal_of(subtotals, matched) * numerator, denominator)
        return total if self._cap is None else min(total, self._cap[places])
