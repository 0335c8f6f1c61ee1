"""An order, its lines, its customer's statistics and their segment recheck mark in one statement (PostgreSQL).

`order_create` writes these on every order placed; through the ORM they are four statements, each compiled per
order. PostgreSQL runs them as one prebuilt statement of data-modifying CTEs; SQLite (which has none) keeps the
ORM's. Both write the same rows (tests/audiences/test_order_statement.py compares them).
"""

import json
from datetime import datetime
from decimal import Decimal

from django.db import connection

from audiences.models import Customer, Order, OrderLine
from audiences.segments.models import MembershipRecheck

_ORDER, _LINE, _CUSTOMER, _RECHECK = (m._meta.db_table for m in (Order, OrderLine, Customer, MembershipRecheck))

_ORDER_AND_LINES = f"""
WITH new_order AS (
  INSERT INTO {_ORDER} (external_id, customer_id, store_id, channel, payment_method, currency, placed_at, status,
                        subtotal, discount_total, shipping_price, shipping_discount, total, attribution,
                        cancelled_at, created_at)
  VALUES (%(external_id)s, %(customer)s, %(store)s, %(channel)s, %(payment_method)s, %(currency)s,
          %(placed_at)s, 'placed', %(subtotal)s, %(discount_total)s, %(shipping_price)s, %(shipping_discount)s,
          %(total)s, %(attribution)s::jsonb, NULL, %(now)s)
  RETURNING id
), new_lines AS (
  INSERT INTO {_LINE} (order_id, line_no, sku, product_id, category_id, quantity, unit_price, subtotal, discount,
                       total, customer_id, placed_at, order_status)
  SELECT new_order.id, line.line_no, line.sku, line.product_id, line.category_id, line.quantity, line.unit_price,
         line.subtotal, line.discount, line.total, %(customer)s, %(placed_at)s, 'placed'
  FROM new_order, UNNEST(%(line_nos)s::smallint[], %(skus)s::varchar[], %(products)s::bigint[],
                         %(categories)s::bigint[], %(quantities)s::integer[], %(unit_prices)s::numeric[],
                         %(subtotals)s::numeric[], %(discounts)s::numeric[], %(totals)s::numeric[])
       AS line(line_no, sku, product_id, category_id, quantity, unit_price, subtotal, discount, total)
  RETURNING id, line_no
){{customer_writes}}
SELECT new_order.id, ARRAY(SELECT id FROM new_lines ORDER BY line_no){{customer_columns}}
FROM new_order{{customer_join}}
"""  # noqa: S608 (table names from the models)
# A first order names the customer's currency if nothing did; spend in another one is not added. LEAST and
# GREATEST ignore NULL on PostgreSQL.
_CUSTOMER_WRITES = f""", customer_statistics AS (
  UPDATE {_CUSTOMER} SET
    currency = CASE WHEN currency = '' THEN %(currency)s ELSE currency END,
    total_spent = total_spent + CASE WHEN currency = %(currency)s OR currency = '' THEN %(total)s ELSE 0 END,
    orders_count = orders_count + 1,
    first_order_at = LEAST(first_order_at, %(placed_at)s),
    last_order_at = GREATEST(last_order_at, %(placed_at)s)
  WHERE id = %(customer)s
  RETURNING currency, total_spent, orders_count, first_order_at, last_order_at
), recheck_mark AS (
  INSERT INTO {_RECHECK} (customer_id, marked_at) VALUES (%(customer)s, %(now)s)
)"""  # noqa: S608
# The customer's statistics as the statement left them, read back into the row at hand.
STATISTICS = ("currency", "total_spent", "orders_count", "first_order_at", "last_order_at")
_WITHOUT_CUSTOMER = _ORDER_AND_LINES.format(customer_writes="", customer_columns="", customer_join="")
_WITH_CUSTOMER = _ORDER_AND_LINES.format(
    customer_writes=_CUSTOMER_WRITES,
    customer_columns=", " + ", ".join(f"statistics.{name}" for name in STATISTICS),
    customer_join=" LEFT JOIN customer_statistics statistics ON true",
)


def in_one_statement() -> bool:
    return connection.vendor == "postgresql"


def order_and_lines_insert(order: Order, lines: list[OrderLine], *, now: datetime) -> None:
    """Insert `order` and its `lines` (unsaved, in line order) and, when the order has a customer, add it to their
    statistics (read back into `order.customer`) and mark them for a segment recheck; gives the order and its
    lines their ids."""
    total = order.total
    params = {
        "external_id": order.external_id, "customer": order.customer_id, "store": order.store_id,
        "channel": order.channel, "payment_method": order.payment_method, "currency": order.currency,
        "placed_at": order.placed_at, "subtotal": order.subtotal, "discount_total": order.discount_total,
        "shipping_price": order.shipping_price, "shipping_discount": order.shipping_discount, "total": total,
        "attribution": json.dumps(order.attribution), "now": now,
        "line_nos": [line.line_no for line in lines], "skus": [line.sku for line in lines],
        "products": [line.product_id for line in lines], "categories": [line.category_id for line in lines],
        "quantities": [line.quantity for line in lines], "unit_prices": [Decimal(line.unit_price) for line in lines],
        "subtotals": [line.subtotal for line in lines], "discounts": [line.discount for line in lines],
        "totals": [line.total for line in lines],
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(_WITH_CUSTOMER if order.customer_id else _WITHOUT_CUSTOMER, params)
        order_id, line_ids, *statistics = cursor.fetchone()
    if order.customer_id:
        for name, value in zip(STATISTICS, statistics, strict=True):
            setattr(order.customer, name, value)
    order.pk, order.created_at = order_id, now
    order._state.adding, order._state.db = False, connection.alias
    for line, line_id in zip(lines, line_ids, strict=True):
        line.pk, line.order_id = line_id, order_id
        line._state.adding, line._state.db = False, connection.alias
