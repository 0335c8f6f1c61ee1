"""Stock levels as the storefront reports them, and `back_in_stock` when a product returns to a store.

A return from 0 (or from out of stock in the catalog, for a store that never reported the product) to more
fires one `back_in_stock` event for each customer of the store (or with no home store) who viewed the
product in the last VIEWED_WITHIN_DAYS days: one INSERT ... SELECT, idempotent through keys naming the
level, its restock number (counted under the level's row lock, so no key is written twice) and the customer.
Journeys enter on it like on any event.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audiences import signals
from audiences.inventory import VIEWED_WITHIN_DAYS, viewers_of
from audiences.models import Event, Product, StockLevel, Store
from audiences.segments.recheck import customers_mark_changed
from config.rows import created_or_locked

BACK_IN_STOCK = "back_in_stock"
MAX_QUANTITY = 10**9
MAX_LEVELS = 1000  # per request


@dataclass(frozen=True)
class StockInput:
    sku: str
    store: str
    quantity: int


@dataclass(frozen=True)
class StockChange:
    sku: str
    store: str
    quantity: int
    restocked: bool
    back_in_stock_events: int


def _field(levels: list[StockInput], index: int, name: str = "") -> str:
    """The field an error names: `store` for a single level, `levels[2].store` in a batch."""
    if len(levels) == 1:
        return name or "levels"
    return f"levels[{index}].{name}" if name else f"levels[{index}]"


def _check(levels: list[StockInput]) -> tuple[dict[str, Product], dict[str, Store]]:
    if not levels:
        raise ValidationError({"levels": ["Send at least one stock level."]})
    if len(levels) > MAX_LEVELS:
        raise ValidationError({"levels": [f"Send at most {MAX_LEVELS:,} stock levels at once."]})
    seen = set()
    for index, level in enumerate(levels):
        if isinstance(level.quantity, bool) or not isinstance(level.quantity, int):
            raise ValidationError({_field(levels, index, "quantity"): ["A quantity is a whole number."]})
        if not 0 <= level.quantity <= MAX_QUANTITY:
            raise ValidationError({_field(levels, index, "quantity"): [f"A quantity is from 0 to {MAX_QUANTITY:,}."]})
        if (level.sku, level.store) in seen:
            raise ValidationError({_field(levels, index): [f"{level.sku} at {level.store} is given twice."]})
        seen.add((level.sku, level.store))
    products = {p.sku: p for p in Product.objects.filter(sku__in={level.sku for level in levels})}
    stores = {s.code: s for s in Store.objects.filter(code__in={level.store for level in levels})}
    for index, level in enumerate(levels):
        if level.sku not in products:
            raise ValidationError({_field(levels, index, "sku"): [f"Unknown product '{level.sku}'."]})
        if level.store not in stores:
            raise ValidationError({_field(levels, index, "store"): [f"Unknown store '{level.store}'."]})
    return products, stores


@transaction.atomic
def stock_set(*, levels: list[StockInput], now: datetime | None = None) -> list[StockChange]:
    """Set each (product, store)'s quantity, all or none; fire back_in_stock for each return from 0."""
    now = now or timezone.now()
    products, stores = _check(levels)
    wanted = {(products[level.sku].pk, stores[level.store].pk): level for level in levels}
    existing = {
        (row.product_id, row.store_id): row
        for row in StockLevel.objects.select_for_update().filter(
            product_id__in={product_id for product_id, _ in wanted}, store_id__in={store_id for _, store_id in wanted}
        )
    }
    changes = []
    for (product_id, store_id), level in wanted.items():
        row = existing.get((product_id, store_id))
        if row is None:
            # Two first reports of one (product, store) at once: the second updates the first's row.
            row, new = created_or_locked(
                StockLevel, key={"product_id": product_id, "store_id": store_id}, quantity=level.quantity
            )
            was_out = not products[level.sku].in_stock if new else row.quantity == 0
        else:
            was_out = row.quantity == 0
        restocked = was_out and level.quantity > 0
        if restocked:
            row.restocks += 1
        row.quantity = level.quantity
        row.save(update_fields=["quantity", "restocks", "updated_at"])
        fired = _back_in_stock_fire(level=row, sku=level.sku, store_code=level.store, now=now) if restocked else 0
        changes.append(StockChange(level.sku, level.store, level.quantity, restocked, fired))
    # The catalog's flag follows the levels: in stock somewhere.
    Product.objects.filter(pk__in={product_id for product_id, _ in wanted}).update(
        in_stock=Exists(StockLevel.objects.filter(product=OuterRef("pk"), quantity__gt=0))
    )
    return changes


def _back_in_stock_fire(*, level: StockLevel, sku: str, store_code: str, now: datetime) -> int:
    """Insert the restock's events in one statement (a repeat inserts nothing) and announce them."""
    viewers = (
        Event.objects.filter(
            viewers_of(sku=sku, since=now - timedelta(days=VIEWED_WITHIN_DAYS), store_id=level.store_id)
        )
        .values("customer_id")
        .distinct()
    )
    select_sql, select_params = viewers.query.sql_with_params()
    table = connection.ops.quote_name(Event._meta.db_table)
    properties = json.dumps({"sku": sku, "store": store_code, "product": level.product.name})
    as_json = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    moment = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (customer_id, type, occurred_at, properties, idempotency_key, created_at) "  # noqa: S608 - the model's table
            f"SELECT viewer.customer_id, %s, %s, {as_json}, %s || CAST(viewer.customer_id AS TEXT), %s "
            f"FROM ({select_sql}) viewer WHERE true "  # WHERE: SQLite reads ON CONFLICT after a bare FROM as a join's
            "ON CONFLICT DO NOTHING RETURNING id",
            [
                BACK_IN_STOCK,
                moment,
                properties,
                f"{BACK_IN_STOCK}:{level.pk}:{level.restocks}:",
                moment,
                *select_params,
            ],
        )
        event_ids = [row[0] for row in cursor.fetchall()]
    if event_ids:
        events = list(Event.objects.filter(pk__in=event_ids))
        customers_mark_changed(customer_ids=[event.customer_id for event in events])
        for event in events:
            signals.send_after_commit(signals.event_recorded, event=event)
        signals.send_after_commit(signals.events_recorded, events=events)
    return len(event_ids)
