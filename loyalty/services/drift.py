"""The nightly check that every balance is what its ledger and its lots say (docs/loyalty.md).

Balances are derived from lots; the check guards the derivation itself: a member's entries must add up to their
held lots less their debt, their debt to the entries' debt changes, and each lot's `remaining` to its
allocations. The one figure kept beside the ledger, a member's `order_points_earned` (what spares an order the
tier query), must equal their orders' earn entries. Two set-based statements, whatever the number of members."""

import logging
from dataclasses import dataclass

from django.db import connection

from loyalty.models import Allocation, LedgerEntry, Lot, Member

logger = logging.getLogger(__name__)
_MEMBER, _ENTRY, _LOT, _ALLOCATION = (m._meta.db_table for m in (Member, LedgerEntry, Lot, Allocation))
SAMPLE = 20  # ids reported per kind of drift

_MEMBERS_DRIFTING = f"""
WITH e AS (SELECT member_id, SUM(points) AS points, SUM(debt_change) AS debt,
                  SUM(CASE WHEN source_type = 'order' AND rule = 'earn' THEN points ELSE 0 END) AS order_earned
           FROM {_ENTRY} GROUP BY member_id),
     l AS (SELECT member_id, SUM(remaining) AS held FROM {_LOT} WHERE status <> 'expired' GROUP BY member_id)
SELECT m.id FROM {_MEMBER} m LEFT JOIN e ON e.member_id = m.id LEFT JOIN l ON l.member_id = m.id
WHERE COALESCE(e.points, 0) <> COALESCE(l.held, 0) - m.debt OR m.debt <> COALESCE(e.debt, 0)
   OR m.order_points_earned <> COALESCE(e.order_earned, 0)
ORDER BY m.id
"""  # noqa: S608 (table names from the models)
_LOTS_DRIFTING = f"""
SELECT l.id FROM {_LOT} l LEFT JOIN (SELECT lot_id, SUM(points) AS points FROM {_ALLOCATION} GROUP BY lot_id) a
ON a.lot_id = l.id WHERE l.remaining <> COALESCE(a.points, 0) ORDER BY l.id
"""  # noqa: S608


@dataclass(frozen=True)
class Drift:
    members: int
    lots: int
    member_ids: list[int]
    lot_ids: list[int]


def ledger_drift_check() -> Drift:
    """Count (and sample) members and lots whose numbers disagree; log an error when any do."""
    with connection.cursor() as cursor:
        cursor.execute(_MEMBERS_DRIFTING)
        members = [row[0] for row in cursor.fetchall()]
        cursor.execute(_LOTS_DRIFTING)
        lots = [row[0] for row in cursor.fetchall()]
    drift = Drift(members=len(members), lots=len(lots), member_ids=members[:SAMPLE], lot_ids=lots[:SAMPLE])
    if members or lots:
        logger.error("Loyalty ledger drift: %s members, %s lots (e.g. members %s, lots %s)",
                     drift.members, drift.lots, drift.member_ids, drift.lot_ids)  # fmt: skip
    return drift
