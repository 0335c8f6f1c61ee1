"""Pure checks for contact data: E.164 phone numbers and IANA time zones."""

from functools import cache
from zoneinfo import available_timezones

import phonenumbers


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
