"""Leaving a journey: the goal reached (a conversion), or an exit with its reason; pending steps are cancelled."""

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audiences.models import Consent, ConsentStatus, ConsentTopic
from campaigns.journeys.models import Enrollment, StepRun

RUNNING = (Enrollment.Status.ACTIVE, Enrollment.Status.HOLDOUT)


def _lock_pending(enrollment_ids: list[int]) -> None:
    """Lock the pending steps before their enrollments, the order a tick takes them in (no deadlock)."""
    list(
        StepRun.objects.select_for_update()
        .filter(enrollment_id__in=enrollment_ids, status=StepRun.Status.PENDING)
        .values_list("pk", flat=True)
    )


def _cancel_pending(enrollment_ids: list[int], reason: str, now: datetime) -> None:
    StepRun.objects.filter(enrollment_id__in=enrollment_ids, status=StepRun.Status.PENDING).update(
        status=StepRun.Status.CANCELLED, reason=reason, finished_at=now
    )


def enrollments_exit(*, enrollments, reason: str, now: datetime | None = None) -> int:
    """Exit active enrollments with `reason`, cancelling their pending steps. Returns how many exited.

    Holdout enrollments stay in the holdout: they are sent nothing anyway, and dropping them from the arm
    would bias the lift (the treated who exit stay counted among the treated)."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_pending([e.pk for e in enrollments])
        ids = list(
            Enrollment.objects.select_for_update()
            .filter(pk__in=[e.pk for e in enrollments], status=Enrollment.Status.ACTIVE)
            .values_list("pk", flat=True)
        )
        _cancel_pending(ids, reason, now)
        Enrollment.objects.filter(pk__in=ids).update(
            status=Enrollment.Status.EXITED, exit_reason=reason, finished_at=now
        )
    return len(ids)


def customer_journeys_leave(*, customer_id: int, reason: str = "manual", journey_code: str | None = None) -> int:
    """Take a customer out of every journey (or one), e.g. removed by hand. Returns how many exited."""
    enrollments = Enrollment.objects.filter(customer_id=customer_id, status__in=RUNNING)
    if journey_code:
        enrollments = enrollments.filter(version__journey__code=journey_code)
    return enrollments_exit(enrollments=list(enrollments), reason=reason)


def consent_withdrawal_apply(*, customer_id: int) -> int:
    """A customer left with no marketing consent on any channel leaves every journey (reason consent_withdrawn)."""
    if Consent.objects.filter(
        customer_id=customer_id, topic=ConsentTopic.MARKETING, status=ConsentStatus.OPTED_IN
    ).exists():
        return 0
    return customer_journeys_leave(customer_id=customer_id, reason="consent_withdrawn")


def goals_reach(*, customer_id: int, event_type: str, properties: dict, occurred_at: datetime) -> int:
    """Count a conversion for each enrollment whose goal this is, within its window; active ones exit. Returns how
    many. One that already completed its steps (or left) still counts, as the holdout does: otherwise a journey
    whose last message goes out before the customer buys would report fewer conversions than its holdout."""
    return goals_reach_many(reached=[(customer_id, event_type, properties, occurred_at)])


def goals_reach_many(*, reached: list[tuple[int, str, dict, datetime]]) -> int:
    """`goals_reach` for many (customer, event type, properties, occurred at) at once: the candidate enrollments
    read in one query, each conversion then written on its own (they are few)."""
    if not reached:
        return 0
    candidates = Enrollment.objects.select_related("version").filter(
        customer_id__any_of=list({customer_id for customer_id, *_ in reached}),
        converted_at__isnull=True,
        version__goal_event_type__in={event_type for _, event_type, *_ in reached},
        entered_at__lte=max(occurred_at for *_, occurred_at in reached),
        goal_deadline__gte=min(occurred_at for *_, occurred_at in reached),
    )
    by_customer = defaultdict(list)
    for enrollment in candidates:
        by_customer[enrollment.customer_id].append(enrollment)
    converted = {}
    for customer_id, event_type, properties, occurred_at in reached:
        for enrollment in by_customer[customer_id]:
            version = enrollment.version
            if (
                enrollment.pk not in converted
                and version.goal_event_type == event_type
                and enrollment.entered_at <= occurred_at <= enrollment.goal_deadline
                and (
                    not version.goal_matches_key
                    or str(properties.get(version.key_property, "")) == enrollment.trigger_key
                )
            ):
                converted[enrollment.pk] = (enrollment, occurred_at)
    now = timezone.now()
    counted = 0
    with transaction.atomic():
        for enrollment, occurred_at in converted.values():
            treated = enrollment.status == Enrollment.Status.ACTIVE
            if treated:
                _lock_pending([enrollment.pk])
            # Converted once: a second goal task at once, or a later event, finds converted_at set and changes nothing.
            updated = Enrollment.objects.filter(
                pk=enrollment.pk, status=enrollment.status, converted_at__isnull=True
            ).update(
                converted_at=occurred_at,
                **(
                    {"status": Enrollment.Status.CONVERTED, "exit_reason": "goal", "finished_at": now}
                    if treated
                    else {}
                ),
            )
            counted += updated
            if updated and treated:
                _cancel_pending([enrollment.pk], "goal", now)
    return counted
