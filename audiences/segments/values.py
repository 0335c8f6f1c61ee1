"""Reading the values of segment rules from JSON: each field's kind, and the bounds on every number.

A value is checked against its field's kind (text, whole number, amount, date-time, ...) and
bounded, so that no value overflows Python's dates or a column's type on its way to PostgreSQL
(each did, as a 500); the RuleError says what is expected instead.
"""

import math
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

# A century of days, whole numbers well inside PostgreSQL's integer, amounts and ratios inside their
# DecimalField's digits (audiences.models.MONEY, the RFM trends), years of real dates.
MAX_DAYS = 36_525
MAX_WHOLE_NUMBER = 10**9
MAX_MAGNITUDE = {"money": Decimal(10) ** 13, "decimal": Decimal(10) ** 7}  # max_digits - decimal_places
YEARS = (1900, 2999)


class RuleError(ValueError):
    """A rule that cannot be used; the message names where it is and what is wrong."""


def _scalar(kind: str, value, choices: tuple[str, ...] = ()):
    if kind == "text":
        if not isinstance(value, str):
            raise RuleError(f"expects text, got {value!r}")
        return value
    if kind == "choice":
        if value not in choices:
            raise RuleError(f"expects one of {', '.join(choices)}, got {value!r}")
        return value
    if kind == "integer":
        return whole_number(value, minimum=-MAX_WHOLE_NUMBER, maximum=MAX_WHOLE_NUMBER)
    if kind in ("money", "decimal"):
        return _amount(kind, value)
    if kind == "datetime":
        return _datetime(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise RuleError(f"expects true or false, got {value!r}")
        return value
    if kind == "json":
        # NaN and infinities reach here from JSON read leniently (the admin's form), not from the API's parser.
        if not isinstance(value, (str, int, float, bool)) or (isinstance(value, float) and not math.isfinite(value)):
            raise RuleError(f"expects a text, number or boolean, got {value!r}")
        return value
    raise RuleError(f"has an unknown kind {kind!r}")


def whole_number(value, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(f"expects a whole number, got {value!r}")
    if not minimum <= value <= maximum:
        raise RuleError(f"expects a whole number from {minimum:,} to {maximum:,}, got {value!r}")
    return value


def _amount(kind: str, value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)) or (kind, type(value)) == ("money", float):
        raise RuleError(f'expects an amount as a string such as "100000.00", got {value!r}')
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise RuleError(f'expects an amount such as "100000.00", got {value!r}') from None
    limit = MAX_MAGNITUDE[kind]
    if not amount.is_finite() or abs(amount) >= limit:
        raise RuleError(f"expects an amount between -{limit:,} and {limit:,} (not included), got {value!r}")
    return amount


def _datetime(value) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is UTC. Impossible values (year 0, an offset
    of +99:00) are refused here rather than in Python's datetime or PostgreSQL."""
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value) or (parse_date(value) if len(value) == 10 else None)
        except ValueError:
            parsed = None
    if isinstance(parsed, datetime):
        moment = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)
    elif isinstance(parsed, date):
        moment = datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)
    else:
        raise RuleError(f"expects an ISO 8601 date or date-time, got {value!r}")
    first, last = YEARS
    if not first <= moment.year <= last:
        raise RuleError(f"expects a date in the years {first} to {last}, got {value!r}")
    return moment


def parse_value(spec, op: str, value):
    """Check the value against the field (a SegmentField: its kind and choices) and the operator; return it in
    Python form."""
    if op == "exists":
        return _scalar("boolean", value)
    if op in ("within_days", "older_than_days"):
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            raise RuleError("expects a number of days that is not negative")
        return whole_number(value, minimum=0, maximum=MAX_DAYS)
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise RuleError(f"'{op}' expects a non-empty list, got {value!r}")
        return [_scalar(spec.kind, item, spec.choices) for item in value]
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise RuleError(f"'between' expects a list of two values [low, high], got {value!r}")
        low, high = (_scalar(spec.kind, item, spec.choices) for item in value)
        if _comparable_kind(low) != _comparable_kind(high):
            raise RuleError(f"'between' expects two values of one kind (two numbers, two texts), got {value!r}")
        if low > high:
            raise RuleError(f"'between' expects low <= high, got {value!r}")
        return [low, high]
    if op == "contains" and spec.kind not in ("text", "json"):
        raise RuleError("'contains' applies to text only")
    return _scalar(spec.kind, value, spec.choices)


def _comparable_kind(value) -> type:
    """Attribute values of JSON kind compare only with their own kind: numbers with numbers, text with text."""
    if isinstance(value, bool):
        return bool
    return float if isinstance(value, (int, float, Decimal)) else type(value)
