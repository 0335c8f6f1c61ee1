"""ISO 4217 minor units and quantisation: the one money rounding rule of the engine."""

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 exponents for the currencies a retailer here is likely to price in.
CURRENCY_EXPONENTS: dict[str, int] = {
    "AED": 2, "AUD": 2, "BDT": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0, "CNY": 2,
    "DKK": 2, "EGP": 2, "ETB": 2, "EUR": 2, "GBP": 2, "GHS": 2, "HKD": 2, "IDR": 2, "INR": 2,
    "IQD": 3, "ISK": 0, "JOD": 3, "JPY": 0, "KES": 2, "KRW": 0, "KWD": 3, "LKR": 2, "MAD": 2,
    "MXN": 2, "MYR": 2, "NGN": 2, "NOK": 2, "NPR": 2, "NZD": 2, "OMR": 3, "PHP": 2, "PKR": 2,
    "PLN": 2, "QAR": 2, "RWF": 0, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2, "TND": 3, "TRY": 2,
    "TZS": 2, "UGX": 0, "USD": 2, "VND": 0, "XAF": 0, "XOF": 0, "ZAR": 2, "ZMW": 2,
}  # fmt: skip

CURRENCY_CHOICES = [(code, code) for code in sorted(CURRENCY_EXPONENTS)]
# The minor unit of each exponent, built once: Decimal('0.01') for 2.
_UNITS = {places: Decimal(1).scaleb(-places) for places in set(CURRENCY_EXPONENTS.values())}


class UnknownCurrency(ValueError):
    pass


def exponent(currency: str) -> int:
    """Decimal places of the currency's minor unit: 2 for BDT, 0 for JPY, 3 for KWD."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrency(f"Unknown currency '{currency}'.") from None


def unit_of(places: int) -> Decimal:
    """The minor unit of `places` decimals; a count of minor units times it is an amount with the
    currency's decimals: 1234 * unit_of(2) == Decimal('12.34'), 0 * unit_of(2) == Decimal('0.00')."""
    return _UNITS[places]


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency`: Decimal('0.01') for BDT, Decimal('1') for JPY."""
    return _UNITS[exponent(currency)]


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, half up (ISO 4217, as the API promises)."""
    return Decimal(amount).quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def minor_unit_error(amount: Decimal, currency: str) -> str | None:
    """Why `amount` cannot be an amount of `currency` (it is finer than the minor unit), or None."""
    if quantize(amount, currency) != amount:
        return f"{currency} amounts have at most the currency's minor unit of decimals."
    return None
