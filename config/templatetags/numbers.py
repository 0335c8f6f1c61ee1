"""Template filters over config/numbers.py, so every page writes counts, money and percents the same way."""

from decimal import Decimal

from django import template

from config import numbers

register = template.Library()


@register.filter
def count(value) -> str:
    """A count with thousands separators; a whole one without places ("1,234", never "1234.000000")."""
    number = numbers.count(value)
    return f"{number:,}"


@register.filter
def money(amount, currency: str) -> str:
    return "" if amount is None else numbers.money(amount, currency)


@register.filter
def signed_percent(ratio) -> str:
    return "" if ratio is None else numbers.signed_percent(ratio)


@register.filter
def grouped(value):
    """A table cell: a number with thousands separators ("8,921,709.00"), anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return value
    return f"{value:,}"
