"""The registry of eligibility conditions: a name in a promotion's `eligibility` -> a checker.

Apps above promotions register their own (on facts they provide) without promotions
importing them. A checker is pure: it gets the condition's configured value and the customer's
facts and says whether the customer qualifies. When it refuses a code, the answer names the
condition (`detail`) and says why in the condition's own `message`.
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
    # What a shopper reads when this condition refuses a code; `{value}` is the configured value
    # as `describe` words it (tier names, say). Never lists a customer's own facts.
    message: str
    describe: Callable[[object], str]


GENERAL_MESSAGE = "This code is not available to this customer."
_conditions: dict[str, Condition] = {}


def register_condition(
    name: str,
    *,
    check: Callable[[object, CustomerFacts], bool],
    parse: Callable[[object], object] | None = None,
    message: str = GENERAL_MESSAGE,
    describe: Callable[[object], str] = str,
) -> None:
    _conditions[name] = Condition(check=check, parse=parse or (lambda value: value), message=message, describe=describe)


def condition(name: str) -> Condition | None:
    return _conditions.get(name)


def condition_names() -> list[str]:
    return sorted(_conditions)


def string_set(value: object) -> frozenset[str]:
    """Parse a condition's list of names (segments, tiers): refuses anything but a list of strings."""
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
    parse=string_set,
    message="This code is for selected customers only.",  # segment names are internal
)
register_condition(
    "first_order_only",
    check=lambda required, facts: facts.is_first_order or not required,
    parse=_flag,
    message="This code is for a customer's first order only.",
)
