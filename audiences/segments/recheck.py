"""Live segment membership: re-evaluate, within seconds, the customers whose data changed.

The audiences services call `customers_mark_changed` inside the transaction that changes a
customer's data (profile, consent, event, order), so a committed change always leaves a mark.
The periodic task `audiences.segment_memberships_recheck` calls `memberships_recheck`, which takes
the marks a batch at a time and evaluates every segment's compiled rules for just those customers
(the rule query of the full refresh filtered by their ids: one query per segment), records who
entered and who exited exactly as `segment_refresh` does, and deletes the marks it evaluated, all
in one transaction. A worker killed halfway rolls back and leaves the marks for the next run.

Against the full refresh and other rechecks, each batch locks the segment rows (in code order, as
`segments_refresh_all` takes them one by one) before reading the current memberships, so it
compares against the last committed snapshot: running twice writes nothing the second time, and
no customer gets two 'entered' rows for one entry.

Rules that depend only on time passing (`within_days`) change membership without any change to the
customer; those still move only at the nightly refresh.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from audiences import signals
from audiences.models import MembershipRecheck, Segment, SegmentMembership, SegmentMembershipChange
from audiences.pricing_inputs import customers_changed
from audiences.segments.fields import RuleError
from audiences.segments.selectors import matching_customers

logger = logging.getLogger(__name__)


def customers_mark_changed(*, customer_ids: Iterable[int | None]) -> None:
    """Queue these customers for a membership recheck; call it inside the transaction of the change."""
    ids = sorted({customer_id for customer_id in customer_ids if customer_id is not None})
    if ids:
        customers_changed(customer_ids=ids)
        now = timezone.now()
        MembershipRecheck.objects.bulk_create(
            [MembershipRecheck(customer_id=customer_id, marked_at=now) for customer_id in ids], batch_size=1000
        )


@dataclass(frozen=True)
class RecheckResult:
    customers: int = 0
    entered: int = 0
    exited: int = 0

    def __add__(self, other: "RecheckResult") -> "RecheckResult":
        return RecheckResult(
            customers=self.customers + other.customers,
            entered=self.entered + other.entered,
            exited=self.exited + other.exited,
        )


def memberships_recheck(*, batch_size: int | None = None, max_batches: int = 20) -> RecheckResult:
    """Evaluate marked customers batch by batch (each its own transaction) until none are left."""
    batch_size = batch_size or settings.SEGMENT_RECHECK_BATCH_SIZE
    total = RecheckResult()
    for _ in range(max_batches):
        result = memberships_recheck_batch(batch_size=batch_size)
        total += result
        if result.customers == 0:
            break
    return total


@transaction.atomic
def memberships_recheck_batch(*, batch_size: int) -> RecheckResult:
    # SKIP LOCKED: a recheck running alongside takes the next marks instead of waiting for these.
    marks = list(
        MembershipRecheck.objects.select_for_update(skip_locked=True)
        .order_by("pk")
        .values_list("pk", "customer_id")[:batch_size]
    )
    if not marks:
        return RecheckResult()
    customer_ids = sorted({customer_id for _, customer_id in marks})
    segments = list(Segment.objects.select_for_update().order_by("code"))
    # Taken after the locks, so history written here never predates a refresh that just committed.
    now = timezone.now()
    members: dict[int, set[int]] = defaultdict(set)
    for segment_id, customer_id in SegmentMembership.objects.filter(customer_id__in=customer_ids).values_list(
        "segment_id", "customer_id"
    ):
        members[segment_id].add(customer_id)
    result = RecheckResult(customers=len(customer_ids))
    for segment in segments:
        try:
            matched = set(
                matching_customers(segment.rules, now=now).filter(pk__in=customer_ids).values_list("pk", flat=True)
            )
        except RuleError as exc:
            # A segment whose rules no longer compile (a nested segment was deleted) must not hold
            # up every other segment; the nightly refresh reports it.
            logger.warning("segment %s skipped by the membership recheck: %s", segment.code, exc)
            continue
        result += _apply(segment, entered=matched - members[segment.pk], exited=members[segment.pk] - matched, now=now)
    MembershipRecheck.objects.filter(pk__in=[pk for pk, _ in marks]).delete()
    return result


def _apply(segment: Segment, *, entered: set[int], exited: set[int], now: datetime) -> RecheckResult:
    if not entered and not exited:
        if segment.member_count is None:  # never refreshed: its count starts here, as its rows stand
            Segment.objects.filter(pk=segment.pk, member_count__isnull=True).update(
                member_count=SegmentMembership.objects.filter(segment=segment).count()
            )
        return RecheckResult()
    Kind = SegmentMembershipChange.Kind
    customers_changed(customer_ids=entered | exited)
    SegmentMembership.objects.filter(segment=segment, customer_id__in=exited).delete()
    SegmentMembership.objects.bulk_create(
        [SegmentMembership(segment=segment, customer_id=customer_id, entered_at=now) for customer_id in sorted(entered)]
    )
    SegmentMembershipChange.objects.bulk_create(
        [
            SegmentMembershipChange(segment=segment, customer_id=customer_id, kind=kind, changed_at=now)
            for kind, customer_ids in ((Kind.EXITED, exited), (Kind.ENTERED, entered))
            for customer_id in sorted(customer_ids)
        ]
    )
    Segment.objects.filter(pk=segment.pk).update(
        member_count=Coalesce(F("member_count"), Value(0)) + len(entered) - len(exited)
    )
    transaction.on_commit(
        partial(
            signals.segment_membership_changed.send,
            sender=None,
            segment=segment,
            entered=len(entered),
            exited=len(exited),
            changed_at=now,
        )
    )
    return RecheckResult(entered=len(entered), exited=len(exited))
