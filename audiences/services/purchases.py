"""The per-customer purchase summary (models.CategoryPurchase), kept from the order lines.

Recomputed set-based from the lines of the customers named (a cancellation, an import, a bulk load), and
running it twice changes nothing; a placement only adds, so it upserts its own categories instead
(`category_purchases_add`). Callers that
write one customer's orders call it after they updated that customer's row in the same transaction
(the order statistics do): the row lock orders concurrent writers of the same customer, and the
statements here then read every line committed before it.
"""

from collections.abc import Iterable

from django.db import connection

from audiences.models import CategoryPurchase, Order, OrderLine

# Ids per statement: within SQLite's 999 query parameters.
CHUNK = 500


def _tables() -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(CategoryPurchase._meta.db_table), quote(OrderLine._meta.db_table)


def category_purchases_recompute(*, customer_ids: Iterable[int]) -> None:
    """Make these customers' category purchases agree with their placed order lines."""
    ids = sorted(set(customer_ids))
    summary, lines = _tables()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {summary} (customer_id, category_id, last_placed_at) "  # noqa: S608 - table names only
                f"SELECT customer_id, category_id, MAX(placed_at) FROM {lines} "
                f"WHERE customer_id IN ({marks}) AND order_status = %s AND category_id IS NOT NULL "
                "GROUP BY customer_id, category_id "
                "ON CONFLICT (customer_id, category_id) DO UPDATE SET last_placed_at = excluded.last_placed_at "
                f"WHERE {summary}.last_placed_at <> excluded.last_placed_at",
                [*chunk, Order.Status.PLACED],
            )
            cursor.execute(
                f"DELETE FROM {summary} WHERE customer_id IN ({marks}) AND NOT EXISTS ("  # noqa: S608 - table names only
                f"SELECT 1 FROM {lines} line WHERE line.customer_id = {summary}.customer_id "
                f"AND line.category_id = {summary}.category_id AND line.order_status = %s)",
                [*chunk, Order.Status.PLACED],
            )


def category_purchases_add(*, customer_id: int, category_ids: Iterable[int], placed_at) -> None:
    """A newly placed order's categories: placing only adds purchases, so the customer's summary moves forward
    to `placed_at` where it is older, with no need to read back their other lines."""
    ids = sorted(set(category_ids))
    if not ids:
        return
    summary, _ = _tables()
    rows = ", ".join(["(%s, %s, %s)"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {summary} (customer_id, category_id, last_placed_at) VALUES {rows} "  # noqa: S608 - table name only
            "ON CONFLICT (customer_id, category_id) DO UPDATE SET last_placed_at = excluded.last_placed_at "
            f"WHERE {summary}.last_placed_at < excluded.last_placed_at",
            [value for category_id in ids for value in (customer_id, category_id, placed_at)],
        )


def category_purchases_rebuild() -> int:
    """Recompute the whole summary from the lines in one pass (after a bulk load); returns its rows."""
    summary, lines = _tables()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {summary}")  # noqa: S608 - a model's table
        cursor.execute(
            f"INSERT INTO {summary} (customer_id, category_id, last_placed_at) "  # noqa: S608 - table names only
            f"SELECT customer_id, category_id, MAX(placed_at) FROM {lines} "
            "WHERE customer_id IS NOT NULL AND category_id IS NOT NULL AND order_status = %s "
            "GROUP BY customer_id, category_id ORDER BY customer_id, category_id",
            [Order.Status.PLACED],
        )
        return cursor.rowcount
