"""Recompute every customer's scores in one set-based statement (formulas: docs/scores.md).

Portable SQL (PostgreSQL and SQLite both have window functions): orders in the window are
aggregated once per customer, ranked into quintiles with NTILE(5) among the customers of the same
currency (a TZS spend and a BDT spend are never compared), joined with the engagement events, and
written with INSERT ... SELECT. No customer is loaded into Python.

Each run also records how many customers moved between RFM groups since the run before (`RfmMovement`):
the previous groups are set aside in a temporary table before the old scores go, and one grouped
INSERT ... SELECT compares them with the new ones.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audiences.models import Customer, CustomerScore, Event, Order, RfmMovement
from audiences.rfm import rfm_group_sql

RECENT_DAYS = 90
ENGAGEMENT_DAYS = 90
# Points per event for the engagement score; other types do not count.
ENGAGEMENT_POINTS = {
    "message_opened": 1,
    "message_clicked": 3,
    "message_replied": 5,
    "product_viewed": 1,
    "cart_updated": 1,
    "checkout_started": 2,
    "message_logged": 2,  # a message of theirs in an imported communications log (seed 004)
}
ENGAGEMENT_POINTS_PER_PERCENT = 5  # 20 points in 90 days is a score of 100


def _sql(window_days: int) -> str:
    score, customer, order, event = (
        CustomerScore._meta.db_table,
        Customer._meta.db_table,
        Order._meta.db_table,
        Event._meta.db_table,
    )
    earlier_days = window_days - RECENT_DAYS
    points = " ".join(f"WHEN '{kind}' THEN {value}" for kind, value in ENGAGEMENT_POINTS.items())
    event_types = ", ".join(f"'{kind}'" for kind in ENGAGEMENT_POINTS)
    group = rfm_group_sql("ranked.r", "ranked.f")
    # Money is only added up in the customer's own currency (docs/scores.md).
    in_currency = "CASE WHEN o.currency = buyer.currency THEN o.total ELSE 0 END"
    return f"""
        INSERT INTO {score} (
            customer_id, rfm_r, rfm_f, rfm_m, rfm_segment, window_orders, window_spend, lifetime_value,
            avg_order_value, orders_per_month, frequency_trend, spend_trend, engagement_score, loyalty_score,
            computed_at
        )
        SELECT
            c.id, ranked.r, ranked.f, ranked.m,
            CASE WHEN ranked.customer_id IS NOT NULL THEN {group}
                 WHEN c.orders_count > 0 THEN 'lost' ELSE '' END,
            COALESCE(ranked.frequency, 0),
            COALESCE(ranked.monetary, 0),
            c.total_spent,
            CASE WHEN c.orders_count > 0 THEN c.total_spent / c.orders_count END,
            COALESCE(ranked.frequency, 0) * 30.0 / {window_days},
            CASE WHEN ranked.earlier_orders > 0
                 THEN (ranked.recent_orders * 1.0 / {RECENT_DAYS})
                      / (ranked.earlier_orders * 1.0 / {earlier_days}) - 1 END,
            CASE WHEN ranked.earlier_orders > 0 AND ranked.recent_orders > 0 AND ranked.earlier_spend > 0
                 THEN (ranked.recent_spend / ranked.recent_orders)
                      / (ranked.earlier_spend / ranked.earlier_orders) - 1 END,
            CASE WHEN COALESCE(engaged.points, 0) * {ENGAGEMENT_POINTS_PER_PERCENT} > 100 THEN 100
                 ELSE COALESCE(engaged.points, 0) * {ENGAGEMENT_POINTS_PER_PERCENT} END,
            CASE WHEN ranked.customer_id IS NULL THEN 0
                 ELSE ((ranked.r + ranked.f + ranked.m - 3) * 100) / 12 END,
            %s
        FROM {customer} c
        LEFT JOIN (
            SELECT w.*,
                NTILE(5) OVER (PARTITION BY w.currency ORDER BY w.last_at, w.customer_id) AS r,
                NTILE(5) OVER (PARTITION BY w.currency ORDER BY w.frequency, w.customer_id) AS f,
                NTILE(5) OVER (PARTITION BY w.currency ORDER BY w.monetary, w.customer_id) AS m
            FROM (
                SELECT o.customer_id, buyer.currency,
                    COUNT(*) AS frequency,
                    SUM({in_currency}) AS monetary,
                    MAX(o.placed_at) AS last_at,
                    SUM(CASE WHEN o.placed_at >= %s THEN 1 ELSE 0 END) AS recent_orders,
                    SUM(CASE WHEN o.placed_at < %s THEN 1 ELSE 0 END) AS earlier_orders,
                    SUM(CASE WHEN o.placed_at >= %s THEN {in_currency} ELSE 0 END) AS recent_spend,
                    SUM(CASE WHEN o.placed_at < %s THEN {in_currency} ELSE 0 END) AS earlier_spend
                FROM {order} o JOIN {customer} buyer ON buyer.id = o.customer_id
                WHERE o.status = 'placed' AND o.placed_at >= %s AND o.placed_at <= %s
                GROUP BY o.customer_id, buyer.currency
            ) w
        ) ranked ON ranked.customer_id = c.id
        LEFT JOIN (
            SELECT customer_id, SUM(CASE type {points} ELSE 0 END) AS points
            FROM {event}
            WHERE occurred_at >= %s AND occurred_at <= %s AND type IN ({event_types})
            GROUP BY customer_id
        ) engaged ON engaged.customer_id = c.id
    """  # noqa: S608 - table names from the models, constants from this module; values are parameters


# The groups of the run before, for the length of one run (a temporary table is the session's own).
PREVIOUS = "rfm_previous_groups"


def _movement_sql() -> str:
    """Customers per (previous group, new group); a customer scored for the first time has not moved."""
    return f"""
        INSERT INTO {RfmMovement._meta.db_table} (computed_at, from_group, to_group, customers)
        SELECT %s, previous.rfm_segment, score.rfm_segment, COUNT(*)
        FROM {PREVIOUS} previous JOIN {CustomerScore._meta.db_table} score ON score.customer_id = previous.customer_id
        GROUP BY previous.rfm_segment, score.rfm_segment
    """  # noqa: S608 - table names from the models and this module


@transaction.atomic
def scores_recompute(*, now: datetime | None = None, window_days: int | None = None) -> int:
    """Replace every customer's scores; returns how many customers were scored."""
    now = now or timezone.now()
    window_days = window_days or settings.RFM_WINDOW_DAYS
    if window_days <= RECENT_DAYS:
        raise ValueError(f"The RFM window must be longer than {RECENT_DAYS} days.")
    since = now - timedelta(days=window_days)
    recent_since = now - timedelta(days=RECENT_DAYS)
    engaged_since = now - timedelta(days=ENGAGEMENT_DAYS)
    score = CustomerScore._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {PREVIOUS} AS SELECT customer_id, rfm_segment FROM {score}")  # noqa: S608
        cursor.execute(f"DELETE FROM {score}")  # noqa: S608
        cursor.execute(
            _sql(window_days),
            [now, recent_since, recent_since, recent_since, recent_since, since, now, engaged_since, now],
        )
        scored = cursor.rowcount
        # As the ORM writes it (SQLite keeps text), so the page finds the run by its time.
        cursor.execute(_movement_sql(), [connection.ops.adapt_datetimefield_value(now)])
        cursor.execute(f"DROP TABLE {PREVIOUS}")
        return scored
