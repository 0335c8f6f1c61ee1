"""The registry of eligibility conditions: a name in a promotion's `eligibility` -> a checker.

Apps above promotions register their own (loyalty adds tier-based ones) without promotions
importing them. A checker is pure: it gets the condition's configured value and the customer's
facts and says whether the customer qualifies.
"""

from collections.abc import Callable
from dataclasses import dataclass

from promotions.engine.types import CustomerFacts


@dataclass(frozen=True)
class Condition:
    check: Callable[[object, CustomerFacts], bool]
    # Turns the configured JSON value into what `check` gets; raises ValueError naming the problem.
    # A parsed value that is falsy (an empty list, False) asks nothing and is dropped.
    parse: Callable[[object], object]


_conditions: dict[str, Condition] = {}


def register_condition(
    name: str,
    *,
    check: Callable[[object, CustomerFacts], bool],
    parse: Callable[[object], object] | None = None,
) -> None:
    _conditions[name] = Condition(check=check, parse=parse or (lambda value: value))


def condition(name: str) -> Condition | None:
    return _conditions.get(name)


def condition_names() -> list[str]:
    return sorted(_conditions)


def _string_set(value: object) -> frozenset[str]:
    if not isinstance(value, list | tuple | set | frozenset) or not all(isinstance(item, str) for item in value):
        raise ValueError("Expected a list of strings.")
    return frozenset(value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("Expected true or false.")
    return value


register_condition(
    "segments",
    check=lambda segments, facts: not segments.isdisjoint(facts.segments),
    parse=_string_set,
)
register_condition(
    "first_order_only",
    check=lambda required, facts: facts.is_first_order or not required,
    parse=_flag,
)
register_condition(
    "loyalty_tiers",
    check=lambda tiers, facts: facts.loyalty_tier in tiers,
    parse=_string_set,
)
