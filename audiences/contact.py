"""The rules for contact data: E.164 phone numbers, IANA time zones, and the one form of an email address.

An email address is stored, compared and suppressed trimmed and lower-cased: `normalised_email` in Python,
`normalised_email_sql` in a query (whose TRIM takes spaces only; customer_upsert stores addresses normalised).
"""

from functools import cache
from zoneinfo import available_timezones

import phonenumbers
from django.db.models.functions import Lower, Trim


class InvalidPhone(ValueError):
    pass


def phone_to_e164(raw: str, *, default_region: str) -> str:
    """'01712-345678' with region BD -> '+8801712345678'; raises InvalidPhone when not a real number."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"'{raw}' is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(f"'{raw}' is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_known_timezone(name: str) -> bool:
    return name in known_timezones()


def normalised_email(raw: str) -> str:
    """' Rahim@Example.com ' -> 'rahim@example.com'."""
    return raw.strip().lower()


def normalised_email_sql(field: str) -> Lower:
    return Lower(Trim(field))
