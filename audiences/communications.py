"""Reading a communications log (phone, date, message, amount, name?): the starting point of seed 004.

Pure: rows in, cleaned rows and rejections out, plus what the import derives from a row's text
(a complaint, by keywords in English and Swahili) and the key that makes a re-import a no-op.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from audiences.contact import InvalidPhone, phone_to_e164
from audiences.currencies import CURRENCY_EXPONENTS, minor_unit_error

MAX_AMOUNT = Decimal(10) ** 12  # as the API: the money columns' range


@dataclass(frozen=True)
class LogRow:
    phone: str  # E.164
    occurred_at: datetime
    text: str
    amount: Decimal
    name: str

    @property
    def key(self) -> str:
        """The same message gives the same key, so importing a log twice records it once."""
        digest = hashlib.sha256(
            "\x1f".join((self.phone, self.occurred_at.isoformat(), self.text, str(self.amount))).encode()
        )
        return digest.hexdigest()[:40]


def currency_error(currency: str) -> str | None:
    if currency not in CURRENCY_EXPONENTS:
        return f"Unknown currency '{currency}'; use an ISO 4217 code such as TZS or BDT."
    return None


def region_error(region: str) -> str | None:
    if region not in phonenumbers.SUPPORTED_REGIONS:
        return f"Unknown phone region '{region}'; use a country code such as TZ or BD."
    return None


def log_options_error(*, currency: str, region: str) -> dict[str, str]:
    """What is wrong with the import's currency and phone region, by option name (empty when fine)."""
    errors = {"currency": currency_error(currency), "region": region_error(region)}
    return {option: message for option, message in errors.items() if message}


def _when(raw: str) -> datetime | None:
    when = parse_datetime(raw)
    if when is None and parse_date(raw) is not None:
        when = parse_datetime(raw + "T00:00:00")
    if when is not None and timezone.is_naive(when):
        when = timezone.make_aware(when, UTC)
    return when


def communications_log_rows(rows, *, currency: str, region: str) -> tuple[list[LogRow], list[tuple[int, str]]]:
    """Clean a log's rows: phones to E.164 (`region` for national numbers such as 0755...), dates
    to aware date-times, amounts to Decimals of `currency`. Returns (cleaned, [(row number, reason)])."""
    cleaned, rejected = [], []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        try:
            phone = phone_to_e164((row.get("phone") or "").strip(), default_region=region)
        except InvalidPhone as exc:
            rejected.append((number, f"phone: {exc}"))
            continue
        raw_date = (row.get("date") or "").strip()
        when = _when(raw_date)
        if when is None:
            rejected.append((number, f"date: '{raw_date}' is not an ISO 8601 date or date-time."))
            continue
        raw_amount = (row.get("amount") or "").replace(",", "").strip()
        try:
            amount = Decimal(raw_amount or "0")
        except InvalidOperation:
            rejected.append((number, f"amount: '{row.get('amount')}' is not a number."))
            continue
        problem = None
        if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
            problem = f"'{row.get('amount')}' is not an amount between 0 and {MAX_AMOUNT:f}."
        else:
            problem = minor_unit_error(amount, currency)
        if problem:
            rejected.append((number, f"amount: {problem}"))
            continue
        name = (row.get("name") or "").strip()[:100]
        cleaned.append(LogRow(phone, when, (row.get("message") or "").strip(), amount, name))
    return cleaned, rejected


def keyword_pattern(keywords: list[str]) -> re.Pattern | None:
    """One case-insensitive pattern matching any keyword as whole words ("late" is not "chocolate")."""
    words = sorted({word.strip().lower() for word in keywords if word.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(word) for word in words) + r")(?!\w)", re.IGNORECASE)


def complaint_keyword(text: str, pattern: re.Pattern | None) -> str | None:
    """The first complaint keyword in a message, or None."""
    found = pattern.search(text) if pattern else None
    return found.group(0).lower() if found else None
