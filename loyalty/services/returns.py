"""Taking back the points of a cancelled order, or of the lines a return brought back, under the program's
policy (docs/loyalty.md)."""

from django.db.models import F, Sum
from django.utils import timezone

from audiences.models import Order, OrderReturn, OrderReturnLine
from loyalty.earning import points_kept
from loyalty.models import Allocation, LedgerEntry
from loyalty.services.earning import ORDER, order_line_values
from loyalty.services.ledger import HELD, debt_add, entry_find, entry_record, lots_take, member_lock


def order_points_reverse(*, order: Order) -> dict:
    """A cancel: reverse what the order earned and no earlier return took back, once."""
    reversed_before = entry_find(ORDER, order.pk, "reverse")
    if reversed_before is not None:
        return {"points_reversed": -reversed_before.points}
    entry = _reverse(order, rule="reverse", reason=f"Order {order.external_id} cancelled", keep_lines=False)
    return {"points_reversed": -entry.points if entry else 0}


def order_return_points_reverse(*, order_return: OrderReturn) -> dict:
    """A return of some lines: reverse the points of what came back, once per return."""
    order = order_return.order
    rule = f"return:{order_return.pk}"
    reversed_before = entry_find(ORDER, order.pk, rule)
    if reversed_before is not None:
        return {"points_reversed": -reversed_before.points}
    entry = _reverse(order, rule=rule, reason=f"Order {order.external_id}: return {order_return.return_id}",
                     keep_lines=True)  # fmt: skip
    return {"points_reversed": -entry.points if entry else 0}


def _reverse(order: Order, *, rule: str, reason: str, keep_lines: bool) -> LedgerEntry | None:
    """Bring what the order's reversals took back up to what it earned less what it still earns (nothing
    after a cancel; the points of the lines kept after a return): first from what is left of the order's own
    lots, then (the points were spent) from the member's other lots, soonest to expire first, then as debt
    down to the program's negative balance limit; the rest is written off. Points of the order that expired
    unspent are already gone and count as taken back first."""
    earned = entry_find(ORDER, order.pk, "earn")
    if earned is None:
        return None
    member = member_lock(earned.member_id)
    kept = _points_still_earned(order, member, earned.points) if keep_lines else 0
    own_lots = list(earned.created_lots.values_list("pk", flat=True))
    expired = -(
        Allocation.objects.filter(lot_id__in=own_lots, entry__kind=LedgerEntry.Kind.EXPIRE).aggregate(
            total=Sum("points")
        )["total"]
        or 0
    )
    owed_before = (
        LedgerEntry.objects.filter(source_type=ORDER, source_id=str(order.pk), kind=LedgerEntry.Kind.REVERSE).aggregate(
            total=Sum(F("written_off") - F("points"))
        )["total"]
        or 0
    )
    owed = max(0, earned.points - kept - expired - owed_before)
    entry = entry_record(
        member=member, kind=LedgerEntry.Kind.REVERSE, source_type=ORDER, source_id=order.pk, rule=rule,
        occurred_at=timezone.now(), reason=reason,
    )  # fmt: skip
    taken = lots_take(entry, owed, among=HELD, first=own_lots)
    as_debt = max(0, min(owed - taken, member.program.negative_balance_limit - member.debt))
    debt_add(entry, member, as_debt)
    written_off = owed - taken - as_debt
    if written_off:
        # Written-off points still leave the qualifying total: what came back no longer counts toward a tier.
        LedgerEntry.objects.filter(pk=entry.pk).update(written_off=written_off)
    return entry


def _points_still_earned(order: Order, member, earned: int) -> int:
    returned = dict(
        OrderReturnLine.objects.filter(order_return__order=order)
        .values_list("line__line_no")
        .annotate(quantity=Sum("quantity"))
    )
    values = order_line_values(order=order, member=member)
    return points_kept(
        earned, [(value, bought, bought - returned.get(line_no, 0)) for line_no, (value, bought) in values.items()]
    )
