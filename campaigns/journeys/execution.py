"""Running due steps: any worker claims them with `FOR UPDATE SKIP LOCKED`, a batch per transaction.

A step and the scheduling of the next one commit together, so a worker killed mid-batch leaves the batch
pending for the next tick, and the outbox's idempotency key `enrollment:<id>:step:<n>` keeps a step run
twice from sending twice. A step that raises is retried (a new attempt) and then skipped: it never stalls
the journey, and the outbox retries failed sends on its own.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from audiences.models import Event, SegmentMembership
from campaigns.journeys import exits, rules, step_kinds
from campaigns.journeys.models import Condition, Enrollment, JourneyStep, StepKind, StepRun
from campaigns.suppression import recipient_of, recipient_zone, would_be_decisions
from messaging.models import Message
from messaging.services.outbox import MessageRequest, messages_enqueue
from promotions.code_patterns import codes_from_pattern
from promotions.models import PromotionCode

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=5)
# A channel that cannot reach the customer: try the next template; when none can, the customer leaves.
UNREACHABLE = {"no_address", "no_consent", "suppressed", "no_postal_address"}
EXIT_REASONS = {"no_consent": "consent_withdrawn", "suppressed": "suppressed"}


def message_key(enrollment_id: int, position: int) -> str:
    return f"enrollment:{enrollment_id}:step:{position}"


def step_runs_due_execute(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """Run one batch of due steps; returns how many were claimed (0: nothing due, or all taken)."""
    now = now or timezone.now()
    with transaction.atomic():
        runs = list(
            StepRun.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("enrollment__version__journey", "enrollment__customer__store")
            .filter(status=StepRun.Status.PENDING, run_at__lte=now)
            .order_by("run_at", "id")[:batch_size]
        )
        steps = _steps_of({run.enrollment.version_id for run in runs})
        for run in runs:
            try:
                with transaction.atomic():
                    _execute(run, steps[run.enrollment.version_id], now)
            except Exception as error:
                logger.exception("Journey step %s failed", run.pk)
                _retry_or_skip(run, steps[run.enrollment.version_id], now, repr(error)[:64])
    return len(runs)


def step_runs_due_drain(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """Run batches until nothing due is left unclaimed; returns how many steps ran."""
    total = 0
    while claimed := step_runs_due_execute(now=now, batch_size=batch_size):
        total += claimed
    return total


def _steps_of(version_ids: set[int]) -> dict[int, dict[int, JourneyStep]]:
    steps: dict[int, dict[int, JourneyStep]] = {version_id: {} for version_id in version_ids}
    templates = Prefetch(
        "step_templates", queryset=JourneyStep.step_templates.rel.related_model.objects.select_related("template")
    )
    for step in (
        JourneyStep.objects.filter(version_id__in=version_ids).prefetch_related(templates).select_related("promotion")
    ):
        steps[step.version_id][step.position] = step
    return steps


def _finish(run: StepRun, status: str, now: datetime, reason: str = "") -> None:
    run.status, run.reason, run.finished_at = status, reason, now
    run.save(update_fields=["status", "reason", "message_key", "finished_at"])


def _schedule(enrollment: Enrollment, steps: dict[int, JourneyStep], after: int | None, at: datetime) -> None:
    """Queue the first step past position `after` (None: the journey is done)."""
    following = sorted(position for position in steps if after is not None and position > after)
    if not following:
        enrollment.status, enrollment.finished_at = Enrollment.Status.COMPLETED, at
        enrollment.save(update_fields=["status", "finished_at"])
        return
    StepRun.objects.get_or_create(enrollment=enrollment, position=following[0], attempt=1, defaults={"run_at": at})


def _execute(run: StepRun, steps: dict[int, JourneyStep], now: datetime) -> None:
    enrollment = run.enrollment
    if enrollment.status != Enrollment.Status.ACTIVE:
        _finish(run, StepRun.Status.CANCELLED, now, enrollment.exit_reason or enrollment.status)
        return
    step = steps.get(run.position)
    if step is None:
        _finish(run, StepRun.Status.SKIPPED, now, "step_removed")
        _schedule(enrollment, steps, run.position, now)
        return
    if step.kind == StepKind.WAIT:
        _finish(run, StepRun.Status.DONE, now)
        _schedule(enrollment, steps, step.position, max(run.run_at + (step.wait or timedelta()), now))
    elif step.kind == StepKind.WAIT_UNTIL:
        zone_name = recipient_zone(enrollment.customer)
        at = rules.next_local_time(now=now, at=step.local_time, zone_name=zone_name, next_day=step.next_day)
        _finish(run, StepRun.Status.DONE, now)
        _schedule(enrollment, steps, step.position, at)
    elif step.kind == StepKind.BRANCH:
        _finish(run, StepRun.Status.DONE, now, "condition_true" if _holds(step, enrollment) else "condition_false")
        if run.reason == "condition_true":
            _schedule(enrollment, steps, step.position, now)
        elif step.else_position and step.else_position > step.position and step.else_position in steps:
            _schedule(enrollment, steps, step.else_position - 1, now)
        else:
            exits.enrollments_exit(enrollments=[enrollment], reason="branch", now=now)
    elif step_kinds.handles(step):
        _apply(run, steps, step_kinds.step_run(run, step, now), now)
    else:
        _send(run, step, steps, now)


def _apply(run: StepRun, steps: dict[int, JourneyStep], outcome: step_kinds.Outcome, now: datetime) -> None:
    """Carry out what a kind of step_kinds.py decided: leave, wait (run again later), jump, or go on."""
    run.message_key = outcome.message_key or run.message_key
    _finish(run, outcome.status, now, outcome.reason)
    if outcome.exit_reason:
        exits.enrollments_exit(enrollments=[run.enrollment], reason=outcome.exit_reason, now=now)
    elif outcome.again_at is not None:
        StepRun.objects.get_or_create(
            enrollment=run.enrollment,
            position=run.position,
            attempt=run.attempt + 1,
            defaults={"run_at": outcome.again_at, "reason": outcome.again_reason},
        )
    elif outcome.goto is not None and outcome.goto > run.position and outcome.goto in steps:
        _schedule(run.enrollment, steps, outcome.goto - 1, now)
    else:
        _schedule(run.enrollment, steps, run.position, now)


def _holds(step: JourneyStep, enrollment: Enrollment) -> bool:
    if step.condition == Condition.IN_SEGMENT:
        return SegmentMembership.objects.filter(
            segment_id=step.condition_segment_id, customer_id=enrollment.customer_id
        ).exists()
    return Event.objects.filter(
        customer_id=enrollment.customer_id, type=step.condition_event_type, occurred_at__gte=enrollment.entered_at
    ).exists()


def _send(run: StepRun, step: JourneyStep, steps: dict[int, JourneyStep], now: datetime) -> None:
    enrollment = run.enrollment
    customer = enrollment.customer
    templates = [link.template for link in step.step_templates.all()]
    decisions = would_be_decisions(
        customers=[recipient_of(customer)] * len(templates),
        templates=templates,
        topic=templates[0].topic,
        moments=[now] * len(templates),
    )
    chosen = next(
        (t for t, d in zip(templates, decisions, strict=True) if d.action != "skip" or d.reason not in UNREACHABLE),
        None,
    )
    if chosen is None:
        reason = decisions[0].reason
        _finish(run, StepRun.Status.SKIPPED, now, reason)
        exits.enrollments_exit(enrollments=[enrollment], reason=EXIT_REASONS.get(reason, reason), now=now)
        return
    key = message_key(enrollment.pk, step.position)
    context = {}
    if step.promotion_id and not Message.objects.filter(idempotency_key=key).exists():
        code = codes_from_pattern(step.coupon_pattern.upper(), 1)[0]
        PromotionCode.objects.create(promotion_id=step.promotion_id, code=code, usage_limit=1)
        context = {"coupon": {"code": code, "description": step.promotion.name}}
    messages_enqueue(
        requests=[
            MessageRequest(
                customer_id=customer.pk,
                template=chosen,
                idempotency_key=key,
                context=context,
                journey=enrollment.version.journey.code,
                scheduled_for=now,
            )
        ]
    )
    run.message_key = key
    _finish(run, StepRun.Status.DONE, now, chosen.channel)
    _schedule(enrollment, steps, step.position, now)


def _retry_or_skip(run: StepRun, steps: dict[int, JourneyStep], now: datetime, error: str) -> None:
    _finish(run, StepRun.Status.FAILED, now, error)
    if run.attempt < MAX_ATTEMPTS:
        StepRun.objects.get_or_create(
            enrollment=run.enrollment,
            position=run.position,
            attempt=run.attempt + 1,
            defaults={"run_at": now + RETRY_AFTER},
        )
    else:
        _schedule(run.enrollment, steps, run.position, now)
