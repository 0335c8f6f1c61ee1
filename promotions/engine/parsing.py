"""Reading a promotion's JSON definition: each reader checks one value and raises a
`DefinitionError` naming its field (`reward.tiers.1.percent`), so the API can answer a 400 that
says what is wrong and where. Pure: no database.

The three parts of a definition are read by `parse_target` (here), `definition.parse_eligibility`
and `definition.parse_reward`, which hands a reward's object to its registered class.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from promotions.engine.types import NOTHING, Target

TARGET_KEYS = ("skus", "categories", "brands", "exclude_skus", "exclude_categories")
MAX_MONEY = Decimal(10**12)  # written out, so messages say 1000000000000 rather than 1E+12
# Every count a definition takes (units to buy, gifts, applications, a bundle's items) stays within what a cart
# line may hold (the API's cart line quantity): a larger one could never be met and only overflows columns.
MAX_COUNT = 100_000


class DefinitionError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def json_object(data, field: str) -> dict:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DefinitionError(field, "Expected a JSON object.")
    return data


def refuse_unknown_keys(data: dict, allowed, field: str) -> None:
    for key in data:
        if key not in allowed:
            raise DefinitionError(f"{field}.{key}", f"Unknown key; use one of: {', '.join(sorted(allowed))}.")


def decimal_value(value, field: str, *, minimum=Decimal(0), maximum=MAX_MONEY, required=True) -> Decimal | None:
    if value is None and not required:
        return None
    # A JSON number with a fraction arrives as a binary float, which cannot say 0.1 exactly: strings only.
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise DefinitionError(field, 'Expected a decimal number as a string, e.g. "15.00".')
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise DefinitionError(field, f"'{value}' is not a decimal number.") from None
    if not number.is_finite() or number < minimum or number > maximum:
        raise DefinitionError(field, f"Must be between {minimum} and {maximum}.")
    return number


def int_value(value, field: str, *, minimum=1, maximum=MAX_COUNT, required=True) -> int | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise DefinitionError(field, f"Expected a whole number between {minimum} and {maximum}.")
    return value


def string_set(value, field: str) -> frozenset[str]:
    if value is None:
        return NOTHING
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise DefinitionError(field, "Expected a list of non-empty strings.")
    return frozenset(value) or NOTHING


def choice(value, choices, field: str) -> str:
    if value not in choices:
        raise DefinitionError(field, f"Use one of: {', '.join(choices)}.")
    return value


def parse_target(data, field: str = "target") -> Target:
    data = json_object(data, field)
    refuse_unknown_keys(data, TARGET_KEYS, field)
    return Target(**{key: string_set(data.get(key), f"{field}.{key}") for key in TARGET_KEYS})
