"""Local calendars (pure): the public holidays of a country and the retailer's own dates, as occasions.

Public holidays come from the `holidays` package. Its Islamic holidays (Eid al-Fitr, Eid al-Adha, the Prophet's
Birthday...) are computed from a tabular lunar calendar: estimates that may be a day off the sighting of the
moon. The package says so in the name ("Eid al-Fitr (estimated)"); we keep the plain name, for triggers to
match across countries, and carry `estimated`.

An occasion spans one or more consecutive days (Eid al-Fitr: three in Bangladesh); "7 days before Eid al-Fitr"
counts from its first day, so a trigger fires once a year, not once per day of the holiday.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

ESTIMATED_SUFFIX = " (estimated)"

# A store's country when none is given, from its currency (a single-country currency only).
COUNTRY_OF_CURRENCY = {
    "BDT": "BD",
    "TZS": "TZ",
    "KES": "KE",
    "UGX": "UG",
    "RWF": "RW",
    "INR": "IN",
    "PKR": "PK",
    "LKR": "LK",
    "NPR": "NP",
    "NGN": "NG",
    "GHS": "GH",
    "ZAR": "ZA",
    "EGP": "EG",
    "ETB": "ET",
    "MYR": "MY",
    "IDR": "ID",
    "GBP": "GB",
    "USD": "US",
    "AED": "AE",
    "SAR": "SA",
}


@dataclass(frozen=True, order=True)
class Occasion:
    """One day of a holiday or a retailer's date in a country ("" for a retailer date of no one country)."""

    day: date
    name: str
    country: str = ""
    public: bool = True  # a public holiday; False: a retailer's own date (a sale)
    estimated: bool = False


def country_for_currency(currency: str) -> str:
    return COUNTRY_OF_CURRENCY.get(currency, "")


def is_supported_country(country: str) -> bool:
    return country in holidays.list_supported_countries()


@cache
def country_name(country: str) -> str:
    """ "Tanzania" for TZ, "United States" for US (the package's class name); the code itself when unknown."""
    if not is_supported_country(country):
        return country
    class_name = type(holidays.country_holidays(country)).__mro__[1].__name__
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", class_name)


@cache
def _public_days(country: str, year: int) -> tuple[Occasion, ...]:
    if not is_supported_country(country):
        return ()
    found = holidays.country_holidays(country, years=year, language="en_US")
    occasions = []
    for day, names in sorted(found.items()):
        for name in names.split("; "):
            estimated = name.endswith(ESTIMATED_SUFFIX)
            plain = name.removesuffix(ESTIMATED_SUFFIX)
            occasions.append(Occasion(day=day, name=plain, country=country, estimated=estimated))
    return tuple(occasions)


def public_holidays(country: str, *, start: date, end: date) -> list[Occasion]:
    """The country's public holidays from `start` to `end` (inclusive); none for an unknown country."""
    return [
        occasion
        for year in range(start.year, end.year + 1)
        for occasion in _public_days(country, year)
        if start <= occasion.day <= end
    ]


def first_days(occasions: Iterable[Occasion]) -> list[Occasion]:
    """The first day of each run of consecutive days of the same occasion in the same country."""
    days = {(occasion.country, occasion.name, occasion.day) for occasion in occasions}
    return sorted(
        occasion
        for occasion in set(occasions)
        if (occasion.country, occasion.name, occasion.day - timedelta(days=1)) not in days
    )


def same_name(a: str, b: str) -> bool:
    """Occasion names match ignoring case and the package's "(estimated)"."""
    return a.removesuffix(ESTIMATED_SUFFIX).strip().casefold() == b.removesuffix(ESTIMATED_SUFFIX).strip().casefold()
