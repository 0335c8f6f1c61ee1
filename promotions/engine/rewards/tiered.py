"""`tiered`: the highest tier the threshold basis reaches gives its `amount` or `percent` off the
targeted lines. Its lowest tier is the reward's threshold: below it a cart gets nothing and a
refused code says how much to spend."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from promotions.engine.money import PerPlaces, ratio, round_half_up, thresholds_per_places, units_per_places
from promotions.engine.rewards.registry import MONEY, PERCENT, Reward, RewardFields, Rows, register_reward
from promotions.engine.rewards.shares import share, subtotal_of
from promotions.engine.types import TIERED, Stage


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

    @classmethod
    def parse(cls, fields: RewardFields) -> Tier:
        fields.only("min_subtotal", "amount", "percent")
        if ("amount" in fields) == ("percent" in fields):
            raise fields.error("A tier gives exactly one of 'amount' or 'percent'.")
        return cls(min_subtotal=fields.money("min_subtotal"), amount=fields.money("amount", required=False),
                   percent=fields.percent("percent", required=False))  # fmt: skip

    def discount(self, subtotal: int, places: int) -> int:
        if self._amount is not None:
            return min(self._amount[places], subtotal)
        numerator, denominator = self._ratio
        return round_half_up(subtotal * numerator, denominator)


@register_reward
@dataclass(frozen=True, slots=True)
class Tiered(Reward):
    tiers: tuple[Tier, ...]  # ascending by min_subtotal
    type: ClassVar[str] = "tiered"
    options: ClassVar[tuple[str, ...]] = ("tiers",)
    option_kinds: ClassVar[Mapping[str, object]] = {
        "tiers": Rows({"min_subtotal": MONEY, "amount": MONEY, "percent": PERCENT})
    }
    stage: ClassVar[int] = Stage.ORDER
    effect: ClassVar[int] = TIERED
    threshold: Decimal = field(init=False, repr=False, compare=False)
    threshold_units: PerPlaces = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "threshold", self.tiers[0].min_subtotal)
        object.__setattr__(self, "threshold_units", self.tiers[0].threshold)

    @classmethod
    def parse(cls, fields: RewardFields) -> Tiered:
        tiers = fields.objects("tiers", missing="Tiered rewards need a list of at least one tier.")
        return cls(tiers=tuple(sorted((Tier.parse(tier) for tier in tiers), key=lambda tier: tier.min_subtotal)))

    def discounts_reaching(self, basis: int, running, matched, places) -> dict[int, int]:
        """The discount of the highest tier `basis` reaches, on the targeted lines' running prices."""
        reached = [tier for tier in self.tiers if basis >= tier.threshold[places]]
        if not reached:
            return {}
        subtotal = subtotal_of(running, matched)
        return share(reached[-1].discount(subtotal, places), matched, running)

    def most_off(self, lines, subtotals, matched, places) -> int:
        """The best tier's discount, whichever tier the cart reaches."""
        subtotal = subtotal_of(subtotals, matched)
        most = 0
        for tier in self.tiers:
            most = max(most, tier.discount(subtotal, places))
        return most
