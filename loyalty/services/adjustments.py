"""Points a person grants or removes by hand, with a reason, and transfers between members."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from loyalty.earning import expiry_of
from loyalty.errors import InsufficientPoints
from loyalty.models import LedgerEntry, Member
from loyalty.services.ledger import debt_settle, entry_record, lot_grant, lots_take, member_lock, spendable_points


@transaction.atomic
def points_adjust(*, member: Member, points: int, reason: str, created_by=None) -> LedgerEntry:
    """Add (a new active lot that does not count toward a tier) or remove points; the reason is kept
    with who did it. Removing more than the spendable balance is refused."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the points change."})
    if points == 0:
        raise ValidationError({"points": "Give a number of points other than 0."})
    member = member_lock(member.pk)
    if points < 0 and spendable_points(member) < -points:
        raise InsufficientPoints(needed=-points, balance=spendable_points(member))
    now = timezone.now()
    entry = entry_record(
        member=member, kind=LedgerEntry.Kind.ADJUST, source_type="adjustment", source_id=uuid.uuid4().hex,
        rule="adjust", occurred_at=now, reason=reason.strip(), created_by=created_by,
    )  # fmt: skip
    if points < 0:
        if lots_take(entry, -points) < -points:
            raise InsufficientPoints(needed=-points, balance=spendable_points(member))
        return entry
    program = member.program
    lot = lot_grant(
        entry, points, activates_at=now, expires_at=expiry_of(now, program.expiry, program.expiry_n),
        qualifying=False, now=now,
    )  # fmt: skip
    debt_settle(entry, member, lot)
    return entry


@transaction.atomic
def points_transfer(
    *, sender: Member, receiver: Member, points: int, reason: str = ""
) -> tuple[LedgerEntry, LedgerEntry]:
    """Move spendable points between two members of one program: two entries in one transaction; the
    receiver's lots keep the expiry dates of the lots the points came from."""
    if sender.program_id != receiver.program_id or sender.pk == receiver.pk:
        raise ValidationError({"receiver": "Transfer to another member of the same program."})
    if points <= 0:
        raise ValidationError({"points": "Transfer a positive number of points."})
    # Lock both members in id order so that two opposite transfers cannot deadlock.
    locked = {m.pk: member_lock(m.pk) for m in sorted([sender, receiver], key=lambda m: m.pk)}
    sender, receiver = locked[sender.pk], locked[receiver.pk]
    if spendable_points(sender) < points:
        raise InsufficientPoints(needed=points, balance=spendable_points(sender))
    now, key = timezone.now(), uuid.uuid4().hex
    out = entry_record(
        member=sender, kind=LedgerEntry.Kind.TRANSFER, source_type="transfer", source_id=key, rule="out",
        occurred_at=now, reason=reason,
    )  # fmt: skip
    if lots_take(out, points) < points:
        raise InsufficientPoints(needed=points, balance=spendable_points(sender))
    into = entry_record(
        member=receiver, kind=LedgerEntry.Kind.TRANSFER, source_type="transfer", source_id=key, rule="in",
        occurred_at=now, reason=reason,
    )  # fmt: skip
    for allocation in out.allocations.select_related("lot"):
        lot_grant(
            into, -allocation.points, activates_at=now, expires_at=allocation.lot.expires_at, qualifying=False, now=now
        )
    return out, into
