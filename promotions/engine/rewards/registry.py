"""The registry of reward types: a `type` in a promotion's reward -> the class that reads and applies it.

A reward type is one class that says everything about itself (see `Reward`) and registers with
`@register_reward`; the definition parser, the index, the pipeline and the refusal messages ask
the class, never its name. An unregistered `type` is refused, naming the registered ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, TypeVar

from promotions.engine.money import PerPlaces
from promotions.engine.parsing import (
    DefinitionError,
    decimal_value,
    int_value,
    json_object,
    parse_target,
    refuse_unknown_keys,
)
from promotions.engine.types import GIFT, LINES, SHIPPING, TIERED, Target

# What the pipeline calls on a reward of each effect (types.py says what each effect does).
EFFECT_ATTRIBUTES = {
    LINES: ("discounts",),
    TIERED: ("discounts_reaching",),
    SHIPPING: ("shipping_discount",),
    GIFT: ("sku", "quantity"),
}


# How the back office asks for an option (`Reward.option_kinds`); the admin's promotion form picks a widget
# per kind, so a new reward type gets its form by declaring them. An option not declared is asked as text.
MONEY, PERCENT, WHOLE, TEXT, TARGET = "money", "percent", "whole", "text", "target"


@dataclass(frozen=True)
class Choice:
    """One of a few fixed words (a fixed amount's `per`: order or item)."""

    values: tuple[str, ...]


@dataclass(frozen=True)
class Rows:
    """A list of objects (a tiered reward's tiers), each with these options."""

    kinds: Mapping[str, object]
    rows: int = 5


class Reward:
    """What every reward type declares. Subclasses are frozen, slotted dataclasses.

    - `type`: its name in the JSON definition; `options`: the keys its definition may hold beside
      `type` (any other is refused, naming the field);
    - `parse(fields)`: a classmethod building the reward from a `RewardFields`, raising
      `DefinitionError` (through the fields' readers) that names the bad field;
    - `stage` (a `types.Stage`) and `effect` (`types.LINES`, `TIERED`, `SHIPPING` or `GIFT`) with
      the method or attributes that effect needs (`EFFECT_ATTRIBUTES`);
    - `threshold` and `threshold_units`: the subtotal below which it gives nothing (a tiered
      reward's lowest tier), as configured and in minor units per currency exponent; None if any
      cart may get it. A threshold makes the pipeline check it and a refused code name it;
    - `option_kinds` (optional): how the back office asks for each option (MONEY, PERCENT, WHOLE, TEXT,
      TARGET, a `Choice` or `Rows`);
    - `index_keys()`: what a promotion with this reward and a whole-cart target is found by in
      the index, as (kind, value) pairs; None when every cart is a candidate;
    - `most_off(lines, subtotals, matched, places)` (LINES and TIERED effects): at least what it
      could take off the cart alone at full prices, cheaply; an exclusive promotion whose bound
      cannot beat the best scenario so far is not priced. The default, the whole cart, is always
      safe; a type that knows better says so (a percentage: its share of the targeted lines).
    """

    __slots__ = ()

    type: ClassVar[str]
    options: ClassVar[tuple[str, ...]]
    stage: ClassVar[int]
    effect: ClassVar[int]
    option_kinds: ClassVar[Mapping[str, object]] = {}
    threshold: Decimal | None = None
    threshold_units: PerPlaces | None = None

    def index_keys(self) -> list[tuple[str, str]] | None:
        return None

    def most_off(self, lines, subtotals, matched, places) -> int:
        return sum(subtotals)


class RewardFields:
    """A reward's JSON object (or an object inside it, such as one tier) as `parse` reads it: each
    reader checks one key and raises a `DefinitionError` naming it (`reward.tiers.0.amount`)."""

    __slots__ = ("data", "path")

    def __init__(self, data: dict, path: str):
        self.data = data
        self.path = path

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, default=None):
        return self.data.get(key, default)

    def field(self, key: str) -> str:
        return f"{self.path}.{key}"

    def error(self, message: str, key: str | None = None) -> DefinitionError:
        """The error for this object as a whole, or for one of its keys."""
        return DefinitionError(self.path if key is None else self.field(key), message)

    def only(self, *keys: str) -> None:
        refuse_unknown_keys(self.data, keys, self.path)

    def money(self, key: str, *, required: bool = True) -> Decimal | None:
        return decimal_value(self.data.get(key), self.field(key), required=required)

    def percent(self, key: str, *, required: bool = True) -> Decimal | None:
        return decimal_value(self.data.get(key), self.field(key), maximum=Decimal(100), required=required)

    def whole(self, key: str, *, required: bool = True, minimum: int = 1, default: int | None = None) -> int | None:
        return int_value(self.data.get(key, default), self.field(key), required=required, minimum=minimum)

    def target(self, key: str) -> Target | None:
        """A nested target (buy X get Y's `get_target`); None when absent or empty."""
        return parse_target(self.data[key], self.field(key)) if self.data.get(key) else None

    def objects(self, key: str, *, missing: str) -> list[RewardFields]:
        """A non-empty list of JSON objects, each as fields of its own; `missing` says what is expected."""
        items = self.data.get(key)
        if not isinstance(items, list) or not items:
            raise self.error(missing, key)
        return [RewardFields(json_object(item, f"{self.field(key)}.{n}"), f"{self.field(key)}.{n}")
                for n, item in enumerate(items)]  # fmt: skip


RewardClass = TypeVar("RewardClass", bound=type[Reward])
_rewards: dict[str, type[Reward]] = {}


def register_reward(cls: RewardClass) -> RewardClass:
    """Register a reward class under its `type` (a class decorator). Refuses a name taken already
    or a class that lacks what the pipeline will call, so a half-declared type fails at import
    rather than pricing carts wrongly."""
    name = getattr(cls, "type", None)
    if not isinstance(name, str) or not name:
        raise TypeError(f"{cls.__name__} needs a `type` name.")
    if name in _rewards:
        raise ValueError(f"A reward type '{name}' is registered already ({_rewards[name].__name__}).")
    needed = ["parse", "options", "stage", *EFFECT_ATTRIBUTES.get(getattr(cls, "effect", None), ("effect",))]
    missing = [attribute for attribute in needed if not hasattr(cls, attribute)]
    if missing:
        raise TypeError(f"Reward type '{name}' lacks: {', '.join(missing)}.")
    undeclared = sorted(set(cls.option_kinds) - set(cls.options))
    if undeclared:
        raise TypeError(f"Reward type '{name}' describes options it does not take: {', '.join(undeclared)}.")
    _rewards[name] = cls
    return cls


def unregister_reward(name: str) -> None:
    """Forget a reward type (tests that register their own put the registry back with it)."""
    del _rewards[name]


def reward_class(name: object) -> type[Reward] | None:
    return _rewards.get(name) if isinstance(name, str) else None


def reward_type_names() -> list[str]:
    return sorted(_rewards)
