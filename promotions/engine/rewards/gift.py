"""`gift`: `quantity` units of `sku` given with the order; no money off."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from promotions.engine.rewards.registry import TEXT, WHOLE, Reward, RewardFields, register_reward
from promotions.engine.types import GIFT, Stage


@register_reward
@dataclass(frozen=True, slots=True)
class Gift(Reward):
    sku: str
    quantity: int = 1
    type: ClassVar[str] = "gift"
    options: ClassVar[tuple[str, ...]] = ("sku", "quantity")
    option_kinds: ClassVar[Mapping[str, object]] = {"sku": TEXT, "quantity": WHOLE}
    stage: ClassVar[int] = Stage.ORDER
    effect: ClassVar[int] = GIFT

    @classmethod
    def parse(cls, fields: RewardFields) -> Gift:
        sku = fields.get("sku")
        if not isinstance(sku, str) or not sku:
            raise fields.error("A gift names the sku given away.", "sku")
        return cls(sku=sku, quantity=fields.whole("quantity", required=False) or 1)
