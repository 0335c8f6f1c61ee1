"""The shapes of the demo rows, shared by the generator's modules and the writers.

Rows are plain tuples in the column order of the `*_COLUMNS` constants so that the writers can stream them with
COPY without building model instances. Money is kept in minor units (ints) while generating and written as
decimal strings; JSON is written as text; times are aware UTC datetimes.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from audiences.currencies import CURRENCY_EXPONENTS

DAY = 86_400

CUSTOMER_COLUMNS = (
    "id", "external_id", "email", "phone", "first_name", "last_name", "birth_date", "language", "timezone",
    "store_id", "city", "signed_up_at", "attributes", "currency", "total_spent", "orders_count", "first_order_at",
    "last_order_at", "created_at", "updated_at",
)  # fmt: skip
ORDER_COLUMNS = (
    "id", "external_id", "customer_id", "store_id", "channel", "currency", "placed_at", "status", "subtotal",
    "discount_total", "shipping_price", "shipping_discount", "total", "attribution", "cancelled_at", "created_at",
)  # fmt: skip
ORDER_LINE_COLUMNS = (
    "id", "order_id", "line_no", "sku", "product_id", "category_id", "quantity", "unit_price", "subtotal",
    "discount", "total", "customer_id", "placed_at", "order_status",
)  # fmt: skip
EVENT_COLUMNS = ("id", "customer_id", "type", "occurred_at", "properties", "idempotency_key", "created_at")
CONSENT_RECORD_COLUMNS = ("id", "customer_id", "channel", "topic", "status", "source", "recorded_at", "created_at")
CONSENT_COLUMNS = ("id", "customer_id", "channel", "topic", "status", "source", "recorded_at")


def money(minor: int, currency: str) -> str:
    """12345 BDT minor units -> '123.45'."""
    exponent = CURRENCY_EXPONENTS[currency]
    if not exponent:
        return str(minor)
    units, cents = divmod(minor, 10**exponent)
    return f"{units}.{cents:0{exponent}d}"


def as_datetime(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def compact_json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Chunk:
    customers: list[tuple] = field(default_factory=list)
    orders: list[tuple] = field(default_factory=list)
    order_lines: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    consent_records: list[tuple] = field(default_factory=list)
    consents: list[tuple] = field(default_factory=list)


@dataclass
class FirstIds:
    """The primary keys the next rows of each table get (ids are written explicitly)."""

    customer: int = 1
    order: int = 1
    order_line: int = 1
    event: int = 1
    consent_record: int = 1
    consent: int = 1
