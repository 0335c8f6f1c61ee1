"""A promotion's JSON definition (target, eligibility, reward) -> the engine's dataclasses.

Used twice: by the API and admin to validate what a marketer sends (errors name the field,
e.g. `reward.tiers.1.percent`), and by the index compiler. The target is read by
`parsing.parse_target`, a reward by the class its `type` names (`rewards/registry.py`). Pure: no
database.
"""

from __future__ import annotations

from audiences.payment_methods import PAYMENT_METHODS
from promotions.engine.conditions import condition, condition_names
from promotions.engine.parsing import (
    DefinitionError,
    choice,
    decimal_value,
    int_value,
    json_object,
    refuse_unknown_keys,
    string_set,
)
from promotions.engine.rewards.registry import Reward, RewardFields, reward_class, reward_type_names
from promotions.engine.types import Eligibility, SubtotalBasis

ELIGIBILITY_KEYS = ("min_subtotal", "min_quantity", "subtotal_basis", "payment_methods")


def parse_eligibility(data, field: str = "eligibility") -> Eligibility:
    data = json_object(data, field)
    refuse_unknown_keys(data, {*ELIGIBILITY_KEYS, *condition_names()}, field)
    conditions = []
    for name in sorted(data):
        if name in ELIGIBILITY_KEYS:
            continue
        try:
            value = condition(name).parse(data[name])
        except ValueError as exc:
            raise DefinitionError(f"{field}.{name}", str(exc)) from None
        if value:
            conditions.append((name, value))
    return Eligibility(
        min_subtotal=decimal_value(data.get("min_subtotal"), f"{field}.min_subtotal", required=False),
        min_quantity=int_value(data.get("min_quantity"), f"{field}.min_quantity", required=False),
        conditions=tuple(conditions),
        payment_methods=_payment_methods(data.get("payment_methods"), f"{field}.payment_methods"),
        subtotal_basis=choice(data.get("subtotal_basis", SubtotalBasis.CART), SubtotalBasis.ALL,
                              f"{field}.subtotal_basis"),
    )  # fmt: skip


def _payment_methods(value, field: str) -> frozenset[str]:
    methods = string_set(value, field)
    for method in sorted(methods):
        if method not in PAYMENT_METHODS:
            raise DefinitionError(field, f"Unknown payment method '{method}'; use: {', '.join(PAYMENT_METHODS)}.")
    return methods


def parse_reward(data, field: str = "reward") -> Reward:
    """A reward's JSON object -> the reward, read by the registered class its `type` names; an
    unregistered `type` is refused, naming the registered ones."""
    data = json_object(data, field)
    cls = reward_class(data.get("type"))
    if cls is None:
        raise DefinitionError(f"{field}.type", f"Unknown reward type; use one of: {', '.join(reward_type_names())}.")
    refuse_unknown_keys(data, ("type", *cls.options), field)
    return cls.parse(RewardFields(data, field))
