"""The periodic jobs on lots: pending points become spendable, and due points expire. Both set-based
and safe to run twice (or at once): a lot already moved is not matched again, and an expiry entry's
idempotency key is its lot."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from loyalty.models import Allocation, LedgerEntry, Lot

EXPIRY_BATCH = 50_000  # lots per transaction: bounds the locks held and the transaction's size
# Ranges expired at once, each on its own connection: the work is PostgreSQL's, and one backend uses one core.
# Ranges are disjoint and each locks its lots in id order, as spenders do, so they cannot deadlock.
EXPIRY_CONNECTIONS = 2


def lots_activate(*, now: datetime | None = None) -> int:
    """Pending lots whose pending period ended become active; returns how many."""
    now = now or timezone.now()
    return Lot.objects.filter(status=Lot.Status.PENDING, activates_at__lte=now).update(status=Lot.Status.ACTIVE)


def lots_expire(
    *, now: datetime | None = None, batch: int = EXPIRY_BATCH, connections: int = EXPIRY_CONNECTIONS
) -> int:
    """Expire every lot due by `now`: one expire entry per lot with points left, taking only what
    remains. Works through id ranges, each one statement in its own transaction, `connections` ranges at
    once on PostgreSQL (one at a time inside a caller's transaction, which other connections cannot see).
    Returns the entries."""
    now = now or timezone.now()
    due = Lot.objects.filter(status__in=[Lot.Status.PENDING, Lot.Status.ACTIVE], expires_at__lte=now)
    bounds = due.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return 0
    starts = range(bounds["low"], bounds["high"] + 1, batch)
    if connections < 2 or len(starts) < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return sum(_expire_range(now, start, start + batch) for start in starts)
    with ThreadPoolExecutor(max_workers=connections) as pool:
        return sum(pool.map(partial(_expire_range_on_own_connection, now, batch), starts))


def _expire_range_on_own_connection(now: datetime, batch: int, start: int) -> int:
    try:
        return _expire_range(now, start, start + batch)
    finally:
        connection.close()  # the pool's thread's own connection


# Table names come from the models and every value is a parameter (now, start, end, now).
_LOT, _ENTRY, _ALLOCATION = Lot._meta.db_table, LedgerEntry._meta.db_table, Allocation._meta.db_table
# One statement per range: lock the range's due lots in id order (as every spender does, so none is spent
# meanwhile), empty them, write an expire entry for each with points left and its allocation. The entries'
# RETURNING feeds the allocations, so no lookup of an entry by its lot's id is needed.
_EXPIRE_RANGE = f"""
WITH due AS (
    SELECT id, member_id, remaining FROM {_LOT}
    WHERE status IN ('pending', 'active') AND expires_at <= %s AND id >= %s AND id < %s
    ORDER BY id FOR UPDATE
), emptied AS (
    UPDATE {_LOT} SET remaining = 0, status = 'expired' FROM due WHERE {_LOT}.id = due.id
), entries AS (
    INSERT INTO {_ENTRY} (member_id, kind, points, debt_change, written_off, source_type, source_id, rule,
                          reason, occurred_at)
    SELECT member_id, 'expire', -remaining, 0, 0, 'lot', CAST(id AS VARCHAR(64)), 'expire', '', %s
    FROM due WHERE remaining > 0
    ON CONFLICT (source_type, source_id, rule) DO NOTHING
    RETURNING id, points, source_id
)
INSERT INTO {_ALLOCATION} (entry_id, lot_id, points)
SELECT id, CAST(source_id AS BIGINT), points FROM entries
"""  # noqa: S608


# Elsewhere (SQLite: no FOR UPDATE, no data-modifying WITH; its writer holds the whole database anyway), three
# statements: the entries, their allocations found by the entries' keys, then the lots emptied.
_DUE = f"{_LOT}.status IN ('pending', 'active') AND {_LOT}.expires_at <= %s AND {_LOT}.id >= %s AND {_LOT}.id < %s"
_PORTABLE_STATEMENTS = (
    f"INSERT INTO {_ENTRY} (member_id, kind, points, debt_change, written_off, source_type, source_id, rule,"  # noqa: S608
    f" reason, occurred_at) SELECT member_id, 'expire', -remaining, 0, 0, 'lot', CAST(id AS VARCHAR(64)), 'expire',"
    f" '', %s FROM {_LOT} WHERE {_DUE} AND remaining > 0 ON CONFLICT (source_type, source_id, rule) DO NOTHING",
    f"INSERT INTO {_ALLOCATION} (entry_id, lot_id, points) SELECT e.id, {_LOT}.id, -{_LOT}.remaining"  # noqa: S608
    f" FROM {_LOT} JOIN {_ENTRY} e ON e.source_type = 'lot' AND e.rule = 'expire'"
    f" AND e.source_id = CAST({_LOT}.id AS VARCHAR(64)) WHERE {_DUE} AND {_LOT}.remaining > 0",
    f"UPDATE {_LOT} SET remaining = 0, status = 'expired' WHERE {_DUE}",  # noqa: S608
)


def _expire_range(now: datetime, start: int, end: int) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_EXPIRE_RANGE, [now, start, end, now])
            return cursor.rowcount
        entries, allocations, lots = _PORTABLE_STATEMENTS
        cursor.execute(entries, [now, now, start, end])
        expired = cursor.rowcount
        cursor.execute(allocations, [now, start, end])
        cursor.execute(lots, [now, start, end])
        return expired
