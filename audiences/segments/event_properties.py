"""Conditions on an event's properties: `{"event": "product_viewed", "properties": {"model": "Corolla"}}`.

Each key holds one value (text, number or true/false), or `{"in": [...]}` for any of several; all keys
must match. On PostgreSQL the condition is one containment (`properties @> '{"model": "Corolla"}'`, one
per value of an "in"), which the GIN index `event_properties_gin` (jsonb_path_ops) answers; on SQLite
each key is compared through JSON1's `json_extract`. Both agree: text matches exactly (case counts),
numbers by value (2020 is 2020.0), true only true, and "2020" the text is not 2020 the number.
"""

import math
import re

from django.db import connection
from django.db.models import Q

from audiences.segments.values import RuleError

MAX_PROPERTIES = 10
MAX_CHOICES = 100
MAX_TEXT = 200
PROPERTY_KEY = re.compile(r"^(?!.*__)[A-Za-z0-9_.-]{1,64}$")  # no "__": the ORM would split the key there


def _scalar(value, where: str):
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise RuleError(f"{where}: expects at most {MAX_TEXT} characters")
        return value
    if isinstance(value, bool) or (isinstance(value, int) and abs(value) <= 10**15):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise RuleError(f'{where}: expects a text, number or true/false, or {{"in": [...]}}, got {value!r}')


def parse_properties(properties, where: str) -> dict[str, list]:
    """{key: [accepted values]} of a valid `properties`; raise RuleError naming the first problem."""
    if not isinstance(properties, dict) or not properties:
        raise RuleError(f'{where}: expects an object of property values such as {{"model": "Corolla"}}')
    if len(properties) > MAX_PROPERTIES:
        raise RuleError(f"{where}: expects at most {MAX_PROPERTIES} properties")
    parsed: dict[str, list] = {}
    for key, value in properties.items():
        if not PROPERTY_KEY.match(key):
            raise RuleError(f"{where}: property name {key!r} must be 1 to 64 letters, digits, _ . or - (no __)")
        at = f"{where}.{key}"
        if isinstance(value, dict):
            if set(value) != {"in"}:
                raise RuleError(f'{at}: expects a value or {{"in": [...]}}, got the keys {", ".join(sorted(value))}')
            choices = value["in"]
            if not isinstance(choices, list) or not 1 <= len(choices) <= MAX_CHOICES:
                raise RuleError(f"{at}.in: expects a list of 1 to {MAX_CHOICES} values")
            parsed[key] = [_scalar(choice, f"{at}.in[{index}]") for index, choice in enumerate(choices)]
        else:
            parsed[key] = [_scalar(value, at)]
    return parsed


def properties_match(properties: dict) -> Q:
    """A Q over Event: its properties hold every key's value (one of them, for an "in")."""
    parsed = parse_properties(properties, "properties")
    if connection.vendor == "postgresql":
        single = {key: values[0] for key, values in parsed.items() if len(values) == 1}
        condition = Q(properties__contains=single) if single else Q()
        for key, values in parsed.items():
            if len(values) > 1:
                any_of = Q()
                for value in values:
                    any_of |= Q(properties__contains={key: value})
                condition &= any_of
        return condition
    # Each path ends in an explicit lookup, so that a key named like one ("contains") is read as a key.
    condition = Q()
    for key, values in parsed.items():
        condition &= Q(
            **{f"properties__{key}__exact": values[0]} if len(values) == 1 else {f"properties__{key}__in": values}
        )
    return condition
