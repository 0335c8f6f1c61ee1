"""Points held at checkout: reserved for an order not placed yet, spent when it is placed (an order hook, in
the order's transaction), given back when it is cancelled, released by hand or when the hold lapses."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audiences.models import Customer, Order
from config.errors import Conflict
from loyalty.errors import InsufficientPoints
from loyalty.models import LedgerEntry, Reservation
from loyalty.selectors import member_of
from loyalty.services.ledger import entry_find, entry_record, lot_restore, lots_take, member_lock, spendable_points

RESERVATION = "reservation"
MAX_HOLD = timedelta(hours=24)


@transaction.atomic
def points_reserve(
    *, customer: Customer, order: str, points: int, hold: timedelta, now: datetime | None = None
) -> tuple[Reservation, int]:
    """Hold `points` of the member's spendable balance for the order `order` (its external id) until
    `hold` has passed. Reserving again for the same order replaces the amount and the hold. Returns
    (reservation, the spendable balance left)."""
    now = now or timezone.now()
    if points <= 0:
        raise ValidationError({"points": "Reserve a positive number of points."})
    if not timedelta(0) < hold <= MAX_HOLD:
        raise ValidationError({"hold_minutes": "Hold the points for a minute to 24 hours."})
    if Order.objects.filter(external_id=order).exists():
        raise Conflict(code="order_placed", message=f"Order {order} is already placed: reserve before placing it.")
    member = member_of(customer=customer)
    if member is None:
        raise InsufficientPoints(needed=points, balance=0)
    member = member_lock(member.pk)
    reservation = Reservation.objects.filter(member=member, order=order).first()
    if reservation is not None and reservation.status == Reservation.Status.COMMITTED:
        raise Conflict(code="order_placed", message=f"Order {order} already spent its reserved points.")
    balance = spendable_points(member, now=now, reservation_excluded=reservation.pk if reservation else None)
    if balance < points:
        raise InsufficientPoints(needed=points, balance=balance)
    if reservation is None:
        reservation = Reservation(member=member, order=order, created_at=now)
    reservation.points, reservation.status, reservation.expires_at = points, Reservation.Status.HELD, now + hold
    reservation.save()
    return reservation, balance - points


@transaction.atomic
def reservation_release(*, reservation: Reservation) -> Reservation:
    """Give a held reservation's points back to the balance; one already spent or released stays as it is."""
    member_lock(reservation.member_id)
    reservation.refresh_from_db()
    if reservation.status == Reservation.Status.HELD:
        reservation.status = Reservation.Status.RELEASED
        reservation.save(update_fields=["status"])
    return reservation


def reservation_commit(*, order: Order) -> dict:
    """Spend what a checkout held for this order, in the order's transaction. A hold that lapsed spends
    nothing. Lots that expired meanwhile may leave too little: then the order is refused (409), not placed."""
    if order.customer_id is None:
        return {"points_spent": 0}
    now = timezone.now()
    found = Reservation.objects.filter(
        member__customer_id=order.customer_id, order=order.external_id, status=Reservation.Status.HELD
    ).first()
    if found is None:
        return {"points_spent": 0}
    member = member_lock(found.member_id)
    reservation = Reservation.objects.select_for_update().get(pk=found.pk)
    if reservation.status != Reservation.Status.HELD or reservation.expires_at <= now:
        return {"points_spent": 0}
    entry = entry_record(
        member=member, kind=LedgerEntry.Kind.REDEEM, source_type=RESERVATION, source_id=reservation.pk,
        rule="commit", occurred_at=now, reason=f"Order {order.external_id}",
    )  # fmt: skip
    if lots_take(entry, reservation.points) < reservation.points:
        raise InsufficientPoints(needed=reservation.points, balance=spendable_points(member, now=now))
    reservation.status, reservation.entry = Reservation.Status.COMMITTED, entry
    reservation.save(update_fields=["status", "entry"])
    return {"points_spent": reservation.points}


def reservation_refund(*, order: Order) -> dict:
    """On a cancel: the points the order spent go back to exactly the lots they came from, once (lots
    that expired since stay expired)."""
    reservation = Reservation.objects.filter(
        order=order.external_id, status=Reservation.Status.COMMITTED, member__customer_id=order.customer_id
    ).first()
    if reservation is None:
        return {"points_refunded": 0}
    refunded = entry_find(RESERVATION, reservation.pk, "refund")
    if refunded is not None:
        return {"points_refunded": refunded.points}
    member = member_lock(reservation.member_id)
    entry = entry_record(
        member=member, kind=LedgerEntry.Kind.REVERSE, source_type=RESERVATION, source_id=reservation.pk,
        rule="refund", occurred_at=timezone.now(), reason=f"Order {order.external_id} cancelled",
    )  # fmt: skip
    spent = reservation.entry.allocations.select_related("lot").select_for_update(of=("lot",)).order_by("lot_id")
    for allocation in spent:
        if allocation.lot.status != allocation.lot.Status.EXPIRED:
            lot_restore(entry, allocation.lot, -allocation.points)
    return {"points_refunded": entry.points}


def reservations_lapse(*, now: datetime | None = None) -> int:
    """Mark every held reservation whose hold passed as released (set-based, safe to run twice). Lapsed holds
    stop counting against the balance at once; this makes it visible."""
    now = now or timezone.now()
    return Reservation.objects.filter(status=Reservation.Status.HELD, expires_at__lte=now).update(
        status=Reservation.Status.RELEASED
    )
