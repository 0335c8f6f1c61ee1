"""Referrals: a member's code, the referee's first paid order that names it, and the reward of both sides
once that order's points clear their pending period (docs/loyalty.md)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from audiences.contact import normalised_email
from audiences.models import Order
from config.errors import Conflict
from loyalty.earning import expiry_of
from loyalty.models import LedgerEntry, Member, Program, Referral, ReferralCode
from loyalty.services.earning import ORDER, member_enrol
from loyalty.services.ledger import debt_settle, entry_find, entry_record, lot_grant, member_lock
from promotions.code_patterns import codes_from_pattern
from promotions.engine.evaluate import normalize_code
from promotions.models import PromotionCode

REFERRAL = "referral"
REFERRAL_CODE_PATTERN = "REF-########"


@transaction.atomic
def referral_code_issue(*, member: Member) -> ReferralCode:
    """The member's referral code, issued the first time they ask: a code of the program's referral promotion."""
    member = member_lock(member.pk)
    existing = ReferralCode.objects.filter(member=member).select_related("code").first()
    if existing is not None:
        return existing
    # Read under the program's row lock: a program save changing the promotion then lands before or after this
    # code's commit, never between, so the referral promotions kept with the program rules include it.
    promotion_id = (
        Program.objects.select_for_update().values_list("referral_promotion_id", flat=True).get(pk=member.program_id)
    )
    if promotion_id is None:
        raise Conflict(code="referrals_off", message=f"{member.program.name} has no referral promotion.")
    code = PromotionCode.objects.create(promotion_id=promotion_id, code=codes_from_pattern(REFERRAL_CODE_PATTERN, 1)[0])
    return ReferralCode.objects.create(member=member, code=code)


CONTACT_HASH_SALT = "loyalty.referral.contact"


def contact_hash(value: str) -> str | None:
    """What a referee is told apart by: an HMAC-SHA-256 of their normalised phone or email under the site's
    secret key (never stored plain here; a plain hash of a phone number is undone by trying every number),
    None when they gave none."""
    return salted_hmac(CONTACT_HASH_SALT, value, algorithm="sha256").hexdigest() if value else None


def referral_record(*, order: Order, evaluation, referral_promotions: frozenset[int] | None = None) -> None:
    """In the order's transaction: when the order applied a member's referral code and is the customer's first,
    record a pending referral, unless it refers the referrer themselves, the referee (or their phone or email)
    was referred before, or the referrer reached the program's monthly cap. Two orders at once record one.
    `referral_promotions` (`ProgramRules.referral_promotions`): a code of none of them is no referral code, no
    query asks (most orders)."""
    if evaluation is None or order.customer_id is None:
        return
    codes = [c for c in evaluation.codes if c.status == "applied"]
    if referral_promotions is not None:
        codes = [c for c in codes if c.promotion_id in referral_promotions]
    applied = [normalize_code(c.code) for c in codes]
    if not applied:
        return
    referral_code = (
        ReferralCode.objects.filter(code__code__in=applied, member__program__currency=order.currency)
        .select_related("member__customer", "member__program")
        .first()
    )
    if referral_code is None:
        return
    referrer, referee = referral_code.member, order.customer
    phone, email = contact_hash(referee.phone), contact_hash(normalised_email(referee.email))
    if (
        referee.pk == referrer.customer_id
        or (phone and phone == contact_hash(referrer.customer.phone))
        or (email and email == contact_hash(normalised_email(referrer.customer.email)))
        or Order.objects.filter(customer_id=referee.pk).exclude(pk=order.pk).exists()
    ):
        return
    now = timezone.now()
    member_lock(referrer.pk)  # the monthly count and the new referral under the referrer's lock
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    this_month = Referral.objects.filter(referrer=referrer, created_at__gte=month_start).exclude(
        status=Referral.Status.VOID
    )
    if this_month.count() >= referrer.program.referral_monthly_cap:
        return
    referee_member = member_enrol(customer=referee, program=referrer.program)
    earned = entry_find(ORDER, order.pk, "earn")
    lot = earned.created_lots.first() if earned is not None else None
    # A referee already referred (as a member, or by phone or email), even by a concurrent order, stays as is.
    Referral.objects.bulk_create(
        [
            Referral(
                referrer=referrer, referee=referee_member, order=order, phone_hash=phone, email_hash=email,
                clears_at=lot.activates_at if lot else order.placed_at, created_at=now,
            )
        ],
        ignore_conflicts=True,
    )  # fmt: skip


def referrals_grant(*, now: datetime | None = None) -> int:
    """Reward both sides of every pending referral whose order cleared its pending period, once; a referral
    whose order was cancelled first is void. Each in its own short transaction; rows another run holds are
    skipped, so running it twice, or at once, grants nothing twice. Returns the referrals granted."""
    now = now or timezone.now()
    due = Referral.objects.filter(status=Referral.Status.PENDING, clears_at__lte=now).order_by("id")
    granted = 0
    for referral_id in due.values_list("id", flat=True).iterator():
        granted += _referral_grant(referral_id, now)
    return granted


@transaction.atomic
def _referral_grant(referral_id: int, now: datetime) -> int:
    referral = (
        Referral.objects.select_for_update(skip_locked=True)
        .filter(pk=referral_id, status=Referral.Status.PENDING)
        .select_related("order", "referrer__program")
        .first()
    )
    if referral is None:
        return 0
    if referral.order.status == Order.Status.CANCELLED:
        referral.status = Referral.Status.VOID
        referral.save(update_fields=["status"])
        return 0
    program = referral.referrer.program
    sides = sorted([("referrer", referral.referrer_id, program.referrer_points),
                    ("referee", referral.referee_id, program.referee_points)], key=lambda side: side[1])  # fmt: skip
    for rule, member_id, points in sides:  # members locked in id order
        member = member_lock(member_id)
        if points == 0:
            continue
        entry = entry_record(
            member=member, kind=LedgerEntry.Kind.EARN, source_type=REFERRAL, source_id=referral.pk, rule=rule,
            occurred_at=now, reason=f"Referral of order {referral.order.external_id}",
        )  # fmt: skip
        lot = lot_grant(
            entry, points, activates_at=now, expires_at=expiry_of(now, program.expiry, program.expiry_n),
            qualifying=False, now=now,
        )  # fmt: skip
        debt_settle(entry, member, lot)
    referral.status, referral.granted_at = Referral.Status.GRANTED, now
    referral.save(update_fields=["status", "granted_at"])
    return 1
