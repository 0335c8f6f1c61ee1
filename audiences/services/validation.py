"""Checks the audiences services share: they raise ValidationError naming the field."""

from django.core.exceptions import ValidationError

from audiences.contact import is_known_timezone
from audiences.currencies import CURRENCY_EXPONENTS


def check_currency(currency: str, field: str = "currency") -> None:
    if currency not in CURRENCY_EXPONENTS:
        raise ValidationError({field: [f"Unknown currency '{currency}'; use an ISO 4217 code such as BDT or TZS."]})


def check_timezone(name: str, field: str = "timezone") -> None:
    if not is_known_timezone(name):
        raise ValidationError({field: [f"Unknown time zone '{name}'; use an IANA name such as Asia/Dhaka."]})
