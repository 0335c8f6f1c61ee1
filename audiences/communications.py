"""Reading a communications log (phone, date, message, amount, name?): the starting point of seed 004.

Pure: rows in, cleaned rows and rejections out, plus what the import derives from a row's text
(a complaint, by keywords in English and Swahili) and the key that makes a re-import a no-op.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import phonenumbers

from audiences.contact import InvalidPhone, phone_to_e164
from audiences.currencies import CURRENCY_EXPONENTS, minor_unit_error
from audiences.dates import iso_datetime

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
        try:
            when = iso_datetime(row.get("date") or "")
        except ValueError as exc:
            rejected.append((number, f"date: {exc}"))
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


# Words that turn a complaint keyword into its opposite when they come right before it: "hakuna
# tatizo" / "no problem" (Swahili / English for "no problem"), "sina shida" ("I have no problem").
NEGATIONS = ("hakuna", "bila", "sina", "si", "no", "not", "without")


def keyword_pattern(keywords: list[str], negations: tuple[str, ...] = NEGATIONS) -> re.Pattern | None:
    """One case-insensitive pattern matching any keyword as whole words ("late" is not "chocolate"),
    with the negation before it, if any, in the group `negation`."""
    words = sorted({word.strip().lower() for word in keywords if word.strip()}, key=len, reverse=True)
    if not words:
        return None
    negation = "|".join(re.escape(word) for word in sorted(negations, key=len, reverse=True))
    keyword = "|".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w)(?:(?P<negation>(?:{negation})\s+)?(?P<keyword>{keyword}))(?!\w)", re.IGNORECASE)


def complaint_keyword(text: str, pattern: re.Pattern | None) -> str | None:
    """The first complaint keyword in a message that is not negated ("hakuna tatizo"), or None."""
    for found in pattern.finditer(text) if pattern else ():
        if not found.group("negation"):
            return found.group("keyword").lower()
    return None
