"""The periodic jobs on lots: pending points become spendable, and due points expire. Both set-based
and safe to run twice (or at once): a lot already moved is not matched again, and an expiry entry's
idempotency key is its lot."""

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from loyalty.models import Allocation, LedgerEntry, Lot

EXPIRY_BATCH = 50_000  # lots per transaction: bounds the locks held and the transaction's size


def lots_activate(*, now: datetime | None = None) -> int:
    """Pending lots whose pending period ended become active; returns how many."""
    now = now or timezone.now()
    return Lot.objects.filter(status=Lot.Status.PENDING, activates_at__lte=now).update(status=Lot.Status.ACTIVE)


def lots_expire(*, now: datetime | None = None, batch: int = EXPIRY_BATCH) -> int:
    """Expire every lot due by `now`: one expire entry per lot with points left, taking only what
    remains. Works through id ranges, each in one transaction of three statements. Returns the entries."""
    now = now or timezone.now()
    due = Lot.objects.filter(status__in=[Lot.Status.PENDING, Lot.Status.ACTIVE], expires_at__lte=now)
    bounds = due.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return 0
    expired = 0
    for start in range(bounds["low"], bounds["high"] + 1, batch):
        expired += _expire_range(now, start, start + batch)
    return expired


# Table names come from the models and every value is a parameter (now, start, end).
_LOT, _ENTRY, _ALLOCATION = Lot._meta.db_table, LedgerEntry._meta.db_table, Allocation._meta.db_table
_DUE = f"{_LOT}.status IN ('pending', 'active') AND {_LOT}.expires_at <= %s AND {_LOT}.id >= %s AND {_LOT}.id < %s"
_INSERT_ENTRIES = (
    f"INSERT INTO {_ENTRY} (member_id, kind, points, debt_change, written_off, source_type, source_id, rule,"  # noqa: S608
    f" reason, occurred_at) SELECT member_id, 'expire', -remaining, 0, 0, 'lot', CAST(id AS VARCHAR(64)), 'expire',"
    f" '', %s FROM {_LOT} WHERE {_DUE} AND remaining > 0 ON CONFLICT (source_type, source_id, rule) DO NOTHING"
)
_INSERT_ALLOCATIONS = (
    f"INSERT INTO {_ALLOCATION} (entry_id, lot_id, points) SELECT e.id, {_LOT}.id, -{_LOT}.remaining"  # noqa: S608
    f" FROM {_LOT} JOIN {_ENTRY} e ON e.source_type = 'lot' AND e.rule = 'expire'"
    f" AND e.source_id = CAST({_LOT}.id AS VARCHAR(64)) WHERE {_DUE} AND {_LOT}.remaining > 0"
)
_EMPTY_LOTS = f"UPDATE {_LOT} SET remaining = 0, status = 'expired' WHERE {_DUE}"  # noqa: S608


def _expire_range(now: datetime, start: int, end: int) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        # Lock the range's due lots first, in id order as every spender does, so none is spent meanwhile.
        list(
            Lot.objects.select_for_update()
            .filter(status__in=[Lot.Status.PENDING, Lot.Status.ACTIVE], expires_at__lte=now, id__gte=start, id__lt=end)
            .order_by("id")
            .values_list("id", flat=True)
        )
        cursor.execute(_INSERT_ENTRIES, [now, now, start, end])
        inserted = cursor.rowcount
        cursor.execute(_INSERT_ALLOCATIONS, [now, start, end])
        cursor.execute(_EMPTY_LOTS, [now, start, end])
    return inserted
