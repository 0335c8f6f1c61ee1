"""Checks every ledger test makes: the balance is what the ledger and the lots say, and nothing is negative."""

from django.db.models import Sum

from loyalty.models import Allocation, LedgerEntry, Lot, Member


def _sum(queryset, field) -> int:
    return queryset.aggregate(total=Sum(field))["total"] or 0


def assert_ledger_consistent(member: Member) -> int:
    """Returns the member's balance (pending and active points less debt) once every invariant held."""
    member.refresh_from_db()
    lots = Lot.objects.filter(member=member)
    assert not lots.filter(remaining__lt=0).exists()
    for lot in lots:
        assert lot.remaining == _sum(Allocation.objects.filter(lot=lot), "points"), lot
        assert 0 <= lot.remaining <= lot.amount
        assert lot.status != Lot.Status.EXPIRED or lot.remaining == 0
    entries = LedgerEntry.objects.filter(member=member)
    for entry in entries:
        assert entry.points == _sum(entry.allocations.all(), "points") - entry.debt_change, entry
    assert member.debt == _sum(entries, "debt_change")
    assert 0 <= member.debt <= member.program.negative_balance_limit
    assert member.order_points_earned == _sum(entries.filter(source_type="order", rule="earn"), "points")
    balance = _sum(lots.exclude(status=Lot.Status.EXPIRED), "remaining") - member.debt
    assert balance == _sum(entries, "points")
    return balance
