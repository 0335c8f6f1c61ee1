"""Reading the date-times people type into files: one parser for every CSV import (pure)."""

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


def iso_datetime(value) -> datetime:
    """An ISO 8601 date-time, aware (no offset means UTC; a date alone is midnight UTC).

    Raises ValueError with a message for the person who wrote the file, also for a well-formed
    but impossible value such as 2025-02-30, which Django's parsers reject with a bare ValueError.
    """
    text = str(value).strip()
    try:
        parsed = parse_datetime(text)
        if parsed is None and parse_date(text) is not None:
            parsed = parse_datetime(f"{text}T00:00:00")
    except ValueError:
        raise ValueError(f"'{text}' is not a real date or time (check the day of the month and the hour).") from None
    if parsed is None:
        raise ValueError(f"'{text}' is not an ISO 8601 date or date-time such as 2026-11-22T10:00:00+06:00.")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)
