"""How numbers read on pages and in CSVs, one definition each: counts, money with its currency, ratios as percents.
Pure: no database, no settings."""

from decimal import Decimal

MINUS = "\u2212"  # a real minus sign: a hyphen reads as a dash next to a percent


def count(value) -> int | Decimal:
    """A count, which may be a sum of attribution shares: a whole one as an int (119, never 119.000000); a
    fraction keeps only the places it needs (2.5)."""
    number = Decimal(value or 0)
    if number == number.to_integral_value():
        return int(number)
    return number.normalize()


def money(amount, currency: str) -> str:
    """An amount with thousands separators and its currency, at the places it was given: "8,921,709.00 BDT"
    (a promotion of any currency has none: the amount alone)."""
    return f"{Decimal(amount):,} {currency}".rstrip()


def signed_percent(ratio) -> str:
    """A ratio as a whole percent with its sign: 89.0149 reads "+8,901%", -1 reads "−100%"."""
    percent = (Decimal(ratio) * 100).quantize(Decimal(1))
    sign = "+" if percent > 0 else MINUS if percent < 0 else ""
    return f"{sign}{abs(percent):,}%"


def signed_points(fraction: float) -> str:
    """A difference of two rates in percentage points, signed, two places: 0.0123 reads "+1.23"."""
    points = round(fraction * 100, 2)
    sign = "+" if points > 0 else MINUS if points < 0 else "±"
    return f"{sign}{abs(points):.2f}"
