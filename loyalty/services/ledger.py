"""The ledger's building blocks: entries, lots and the allocations between them.

Every write to a member's lots happens with the member's row locked (`member_lock`), so two writers
never both spend the same points; the set-based jobs (`loyalty.services.lots`) lock the lots they
touch, in id order, as `lots_take` does.
"""

from datetime import datetime

from django.db.models import Q, Sum
from django.utils import timezone

from loyalty.models import Allocation, LedgerEntry, Lot, Member, Reservation

SPENDABLE = Q(status=Lot.Status.ACTIVE, remaining__gt=0)
HELD = Q(status__in=[Lot.Status.PENDING, Lot.Status.ACTIVE], remaining__gt=0)


def member_lock(member_id: int) -> Member:
    return Member.objects.select_for_update().get(pk=member_id)


def spendable_points(member: Member, *, now: datetime | None = None, reservation_excluded: int | None = None) -> int:
    """Active points less the member's debt (negative when a return took back spent points) and less what
    checkouts hold (`Reservation`s not lapsed), but for `reservation_excluded`."""
    active = Lot.objects.filter(SPENDABLE, member=member).aggregate(total=Sum("remaining"))["total"] or 0
    held = Reservation.objects.filter(
        member=member, status=Reservation.Status.HELD, expires_at__gt=now or timezone.now()
    ).exclude(pk=reservation_excluded)
    return active - member.debt - (held.aggregate(total=Sum("points"))["total"] or 0)


def entry_find(source_type: str, source_id, rule: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(source_type=source_type, source_id=str(source_id), rule=rule).first()


def entry_record(
    *,
    member: Member,
    kind: str,
    source_type: str,
    source_id,
    rule: str,
    occurred_at: datetime,
    points: int = 0,
    **fields,
) -> LedgerEntry:
    """An entry with no points yet: `lot_grant`, `lots_take` and `debt_add` give it its points. An entry that
    only grants a lot may be written with its `points` at once, and its `lot_grant` then `counted`."""
    return LedgerEntry.objects.create(
        member=member,
        kind=kind,
        points=points,
        source_type=source_type,
        source_id=str(source_id),
        rule=rule,
        occurred_at=occurred_at,
        **fields,
    )


def lot_grant(
    entry: LedgerEntry,
    points: int,
    *,
    activates_at: datetime,
    expires_at: datetime | None,
    qualifying: bool,
    now: datetime,
    counted: bool = False,
) -> Lot:
    """A lot of `points` and its allocation to `entry`, which gains the points unless `counted` already."""
    status = Lot.Status.PENDING if activates_at > now else Lot.Status.ACTIVE
    lot = Lot.objects.create(
        member=entry.member,
        entry=entry,
        amount=points,
        remaining=points,
        status=status,
        qualifying=qualifying,
        activates_at=activates_at,
        expires_at=expires_at,
        created_at=now,
    )
    Allocation.objects.create(entry=entry, lot=lot, points=points)
    if not counted:
        _entry_add(entry, points)
    return lot


def lots_take(entry: LedgerEntry, points: int, *, among: Q = SPENDABLE, first: list[int] = ()) -> int:
    """Take up to `points` from the member's lots matching `among`: the lots in `first`, then the soonest
    to expire (never-expiring last, older before newer). Returns what it took."""
    if points <= 0:
        return 0
    lots = list(Lot.objects.select_for_update().filter(among, member_id=entry.member_id).order_by("id"))
    lots.sort(key=lambda lot: (lot.id not in first, lot.expires_at is None, lot.expires_at or lot.created_at, lot.id))
    taken = 0
    changed, allocations = [], []
    for lot in lots:
        if taken == points:
            break
        take = min(lot.remaining, points - taken)
        lot.remaining -= take
        taken += take
        changed.append(lot)
        allocations.append(Allocation(entry=entry, lot=lot, points=-take))
    Lot.objects.bulk_update(changed, ["remaining"])
    Allocation.objects.bulk_create(allocations)
    _entry_add(entry, -taken)
    return taken


def lot_restore(entry: LedgerEntry, lot: Lot, points: int) -> None:
    """Give `points` back to a lot an entry took them from (a reversal restores exactly those lots)."""
    Lot.objects.filter(pk=lot.pk).update(remaining=lot.remaining + points)
    lot.remaining += points
    Allocation.objects.create(entry=entry, lot=lot, points=points)
    _entry_add(entry, points)


def debt_add(entry: LedgerEntry, member: Member, points: int) -> None:
    """Change the member's debt by `points` (negative pays it back) and record it on the entry."""
    if points == 0:
        return
    member.debt += points
    Member.objects.filter(pk=member.pk).update(debt=member.debt)
    entry.debt_change += points
    _entry_add(entry, -points)


def debt_settle(entry: LedgerEntry, member: Member, lot: Lot) -> None:
    """New points pay back the member's debt first: the new lot keeps what is left."""
    if member.debt == 0:
        return
    settled = lots_take(entry, min(member.debt, lot.remaining), among=Q(pk=lot.pk))
    debt_add(entry, member, -settled)


def _entry_add(entry: LedgerEntry, points: int) -> None:
    entry.points += points
    LedgerEntry.objects.filter(pk=entry.pk).update(points=entry.points, debt_change=entry.debt_change)
