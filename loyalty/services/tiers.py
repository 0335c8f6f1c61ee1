"""Tier reviews and the notices journeys send: set-based beat jobs, safe to run twice (docs/loyalty.md)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from audiences.models import Customer
from audiences.pricing_inputs import pricing_inputs_changed
from audiences.services.events import EventInput, events_record
from loyalty.models import Lot, Member, Program
from loyalty.selectors import with_qualifying
from loyalty.services.ledger import HELD
from loyalty.tiers import YEAR, one_year_after, tier_reached, tier_review

CHUNK = 2_000  # members per statement and transaction
NOTICE_DAYS = 30
EXPIRING_NOTICE_DAYS = (7, 30)
TIER_WILL_DOWNGRADE = "tier_will_downgrade"
POINTS_EXPIRING = "points_expiring"

# A member's review is due at its date, or at the end of the grace a review gave them.
_REVIEW_END = Coalesce(F("tier_grace_until"), F("tier_review_at"))


def tiers_review(*, now: datetime | None = None) -> int:
    """Review every member whose review (or grace) is due, per program and in chunks: each chunk's values in
    one query, its changes in one bulk update. Returns the members whose tier changed."""
    now = now or timezone.now()
    changed = 0
    for program in Program.objects.filter(active=True):
        tiers = list(program.tiers.order_by("threshold"))
        due = Member.objects.filter(
            Q(tier_grace_until__isnull=True, tier_review_at__lte=now) | Q(tier_grace_until__lte=now),
            program=program, tier__isnull=False,
        )  # fmt: skip
        while True:
            with transaction.atomic():
                ids = list(due.select_for_update(skip_locked=True).order_by("id").values_list("id", flat=True)[:CHUNK])
                if not ids:
                    break
                changed += _review_chunk(program, tiers, ids, now)
    if changed:
        pricing_inputs_changed()  # the tier is a customer fact promotions check
    return changed


def _review_chunk(program: Program, tiers, ids: list[int], now: datetime) -> int:
    members = with_qualifying(
        Member.objects.filter(pk__in=ids).annotate(review_end=_REVIEW_END),
        program=program, since=F("review_end") - YEAR, until=F("review_end"),
    )  # fmt: skip
    index_of = {tier.pk: index for index, tier in enumerate(tiers)}
    thresholds = [tier.threshold for tier in tiers]
    updated, changed = [], 0
    for member in members:
        decision = tier_review(
            current=index_of[member.tier_id], reached=tier_reached(thresholds, member.qualifying),
            policy=program.downgrade_policy, grace_days=program.downgrade_grace_days,
            grace_over=member.tier_grace_until is not None,
        )  # fmt: skip
        new_tier = None if decision.tier is None else tiers[decision.tier]
        changed += (new_tier.pk if new_tier else None) != member.tier_id
        member.tier = new_tier
        if decision.grace:
            member.tier_grace_until = member.tier_review_at + timedelta(days=program.downgrade_grace_days)
        else:
            member.tier_grace_until = None
            review_at = member.tier_review_at
            while review_at <= now:
                review_at = one_year_after(review_at)
            member.tier_review_at = review_at if new_tier else None
        updated.append(member)
    Member.objects.bulk_update(updated, ["tier", "tier_review_at", "tier_grace_until"])
    return changed


def loyalty_notices_record(*, now: datetime | None = None) -> int:
    """Record the audiences events journeys send: `tier_will_downgrade` within 30 days of a review the member
    would not pass today, `points_expiring` 30 and 7 days before points expire. Each once (its idempotency key
    names the member, the date and the notice), whenever and however often this runs. Returns events recorded."""
    now = now or timezone.now()
    return _downgrade_notices(now) + _expiring_notices(now)


def _downgrade_notices(now: datetime) -> int:
    recorded = 0
    for program in Program.objects.filter(active=True).exclude(downgrade_policy=Program.Downgrade.NONE):
        tiers = list(program.tiers.order_by("threshold"))
        thresholds = [tier.threshold for tier in tiers]
        index_of = {tier.pk: index for index, tier in enumerate(tiers)}
        soon = Member.objects.filter(program=program, tier__isnull=False).annotate(review_end=_REVIEW_END)
        soon = soon.filter(review_end__gt=now, review_end__lte=now + timedelta(days=NOTICE_DAYS)).order_by("id")
        notices = []
        for member in with_qualifying(soon, program=program, since=F("review_end") - YEAR, until=F("review_end")):
            current = index_of[member.tier_id]
            reached = tier_reached(thresholds, member.qualifying)
            if reached is not None and reached >= current:
                continue
            review_on = member.review_end.date().isoformat()
            notices.append((member.customer_id, f"loyalty:{TIER_WILL_DOWNGRADE}:{member.pk}:{review_on}", {
                "program": program.name, "tier": tiers[current].name, "review_on": review_on,
                "qualifying": member.qualifying, "needed": tiers[current].threshold - member.qualifying,
            }))  # fmt: skip
        recorded += _record(TIER_WILL_DOWNGRADE, notices, now)
    return recorded


def _expiring_notices(now: datetime) -> int:
    due = (
        Lot.objects.filter(HELD, expires_at__gt=now, expires_at__lte=now + timedelta(days=max(EXPIRING_NOTICE_DAYS)))
        .annotate(day=TruncDate(F("expires_at") - timedelta(microseconds=1)))  # the last day to spend them
        .values("member_id", "member__customer_id", "day")
        .annotate(points=Sum("remaining"))
        .order_by("member_id", "day")
    )
    notices = []
    for row in due.iterator():
        # The nearest notice due: a lot first seen 5 days before it expires gets the 7-day notice only.
        expires_in = (row["day"] - now.date()).days
        days_before = min(days for days in EXPIRING_NOTICE_DAYS if expires_in <= days)
        expires_on = row["day"].isoformat()
        notices.append((row["member__customer_id"], f"loyalty:{POINTS_EXPIRING}:{row['member_id']}:{expires_on}:"
                        f"{days_before}", {"points": row["points"], "expires_on": expires_on,
                                           "days_before": days_before}))  # fmt: skip
    return _record(POINTS_EXPIRING, notices, now)


def _record(event_type: str, notices: list[tuple[int, str, dict]], now: datetime) -> int:
    recorded = 0
    for start in range(0, len(notices), 1_000):
        batch = notices[start : start + 1_000]
        customers = Customer.objects.in_bulk([customer_id for customer_id, _, _ in batch])
        results = events_record(
            events=[EventInput(customer=customers[customer_id], type=event_type, occurred_at=now, properties=data,
                               idempotency_key=key) for customer_id, key, data in batch]
        )  # fmt: skip
        recorded += sum(created for _, created in results)
    return recorded
