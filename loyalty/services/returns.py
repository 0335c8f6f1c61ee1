"""Taking back the points of a cancelled order, under the program's policy (docs/loyalty.md)."""

from django.db.models import Sum
from django.utils import timezone

from audiences.models import Order
from loyalty.models import Allocation, LedgerEntry
from loyalty.services.earning import ORDER
from loyalty.services.ledger import HELD, debt_add, entry_find, entry_record, lots_take, member_lock


def order_points_reverse(*, order: Order) -> dict:
    """Reverse what the order earned, once: first what is left of its own lots, then (the points were
    spent) from the member's other lots, soonest to expire first, then as debt down to the program's
    negative balance limit; the rest is written off. Points that expired unspent are already gone."""
    earned = entry_find(ORDER, order.pk, "earn")
    if earned is None:
        return {"points_reversed": 0}
    reversed_before = entry_find(ORDER, order.pk, "reverse")
    if reversed_before is not None:
        return {"points_reversed": -reversed_before.points}
    member = member_lock(earned.member_id)
    own_lots = list(earned.created_lots.values_list("pk", flat=True))
    expired = -(
        Allocation.objects.filter(lot_id__in=own_lots, entry__kind=LedgerEntry.Kind.EXPIRE).aggregate(
            total=Sum("points")
        )["total"]
        or 0
    )
    owed = earned.points - expired
    entry = entry_record(
        member=member, kind=LedgerEntry.Kind.REVERSE, source_type=ORDER, source_id=order.pk, rule="reverse",
        occurred_at=timezone.now(), reason=f"Order {order.external_id} cancelled",
    )  # fmt: skip
    taken = lots_take(entry, owed, among=HELD, first=own_lots)
    as_debt = max(0, min(owed - taken, member.program.negative_balance_limit - member.debt))
    debt_add(entry, member, as_debt)
    written_off = owed - taken - as_debt
    if written_off:
        # Written-off points still leave the qualifying total: the order no longer counts toward a tier.
        LedgerEntry.objects.filter(pk=entry.pk).update(written_off=written_off)
    return {"points_reversed": -entry.points}
