"""Running due steps: any worker claims a batch with `FOR UPDATE SKIP LOCKED` and runs it in one transaction.

The common kinds (wait, wait until, send, branch) run together (campaigns/journeys/batch.py): one decision
call and one outbox enqueue for all sends, the next steps and finished runs written set-wise. A batch and the
scheduling of its next steps commit together, so a worker killed mid-batch leaves the batch pending for the
next tick, and the outbox's idempotency key `enrollment:<id>:step:<n>` keeps a step run twice from sending
twice. When the batch fails, its steps run one by one (`_execute`, each in a savepoint) so one bad step
cannot hold back the others; a step that raises is retried (a new attempt) and then skipped: it never stalls
the journey, and the outbox retries failed sends on its own.
"""

import logging
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from campaigns.journeys import batch, exits, step_kinds
from campaigns.journeys.batch import message_key
from campaigns.journeys.models import Enrollment, JourneyStep, JourneyStepTemplate, JourneyVersion, StepRun
from messaging.services.outbox import outbox_wake

logger = logging.getLogger(__name__)

__all__ = ["message_key", "step_runs_due_drain", "step_runs_due_execute"]

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=5)
BATCH_SIZE = 500
OUTBOX_WAKE_SECONDS = 2
# What running a step reads of a claimed run's enrollment, customer and journey: a batch builds thousands of
# model instances, and the customer's other columns would cost more than the rest of the step.
CLAIMED_FIELDS = (
    *(f.name for f in StepRun._meta.concrete_fields),
    *(
        f"enrollment__{name}"
        for name in ("status", "exit_reason", "entered_at", "customer_id", "trigger_key", "version")
    ),
    *(f"enrollment__customer__{name}" for name in ("email", "phone", "timezone", "store__timezone")),
)


def step_runs_due_execute(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, wake_outbox: bool = True
) -> int:
    """Run one batch of due steps; returns how many were claimed (0: nothing due, or all taken).

    `wake_outbox=False`: the caller wakes the outbox's dispatcher for the messages queued (the drain does, once
    every few seconds rather than after every batch: a wake-up is a Celery publish)."""
    now = now or timezone.now()
    with transaction.atomic():
        runs = list(
            StepRun.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("enrollment__customer__store")
            .only(*CLAIMED_FIELDS)
            .filter(status=StepRun.Status.PENDING, run_at__lte=now)
            .order_by("run_at", "id")[:batch_size]
        )
        version_ids = {run.enrollment.version_id for run in runs}
        steps = _steps_of(version_ids)
        _versions_attach(runs, version_ids)
        together = [run for run in runs if _batched(run, steps)]
        one_by_one = [run for run in runs if not _batched(run, steps)]
        try:
            with transaction.atomic():
                outcomes = batch.Outcomes(now)
                batch.steps_run(together, steps, outcomes)
                outcomes.write()
        except Exception:
            logger.warning("A batch of %s journey steps failed; running them one by one", len(together), exc_info=True)
            one_by_one = together + one_by_one
        for run in one_by_one:
            try:
                with transaction.atomic():
                    _execute(run, steps[run.enrollment.version_id], now)
            except Exception as error:
                logger.exception("Journey step %s failed", run.pk)
                _retry_or_skip(run, steps[run.enrollment.version_id], now, repr(error)[:64])
    if runs and wake_outbox:
        outbox_wake()
    return len(runs)


def step_runs_due_drain(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Run batches until nothing due is left unclaimed; returns how many steps ran. The outbox is woken every
    `OUTBOX_WAKE_SECONDS` while it runs and once at the end (the messages of a killed drain wait for the
    outbox's periodic dispatch)."""
    total, woken = 0, time.monotonic()
    while claimed := step_runs_due_execute(now=now, batch_size=batch_size, wake_outbox=False):
        total += claimed
        if time.monotonic() - woken >= OUTBOX_WAKE_SECONDS:
            outbox_wake()
            woken = time.monotonic()
    if total:
        outbox_wake()
    return total


def _steps_of(version_ids: set[int]) -> batch.Steps:
    steps: batch.Steps = {version_id: {} for version_id in version_ids}
    templates = Prefetch("step_templates", queryset=JourneyStepTemplate.objects.select_related("template"))
    for step in (
        JourneyStep.objects.filter(version_id__in=version_ids).prefetch_related(templates).select_related("promotion")
    ):
        steps[step.version_id][step.position] = step
    return steps


def _versions_attach(runs: list[StepRun], version_ids: set[int]) -> None:
    """Give each run's enrollment its version and journey, read once per batch instead of joined per run."""
    versions = JourneyVersion.objects.select_related("journey").in_bulk(version_ids)
    for run in runs:
        run.enrollment.version = versions[run.enrollment.version_id]


def _batched(run: StepRun, steps: batch.Steps) -> bool:
    step = steps[run.enrollment.version_id].get(run.position)
    return (
        run.enrollment.status == Enrollment.Status.ACTIVE
        and step is not None
        and step.kind in batch.KINDS
        and not step_kinds.handles(step)
    )


def _finish(run: StepRun, status: str, now: datetime, reason: str = "") -> None:
    run.status, run.reason, run.finished_at = status, reason, now
    run.save(update_fields=["status", "reason", "message_key", "finished_at"])


def _schedule(enrollment: Enrollment, steps: dict[int, JourneyStep], after: int, at: datetime) -> None:
    """Queue the first step past position `after` (none left: the journey is done)."""
    outcomes = batch.Outcomes(at)
    outcomes.schedule(enrollment, steps, after, at)
    outcomes.write()


def _execute(run: StepRun, steps: dict[int, JourneyStep], now: datetime) -> None:
    """One claimed step on its own: the per-run dispatch point.

    The kinds of step_kinds.py (wait for an event, send with fallback on no read, update the customer, notify
    staff) answer an `Outcome` that `_apply` carries out; a kind in `batch.KINDS` runs as a batch of one (the
    path a failed batch falls back to)."""
    enrollment = run.enrollment
    if enrollment.status != Enrollment.Status.ACTIVE:
        _finish(run, StepRun.Status.CANCELLED, now, enrollment.exit_reason or enrollment.status)
        return
    step = steps.get(run.position)
    if step is None:
        _finish(run, StepRun.Status.SKIPPED, now, "step_removed")
        _schedule(enrollment, steps, run.position, now)
        return
    if step_kinds.handles(step):
        _apply(run, steps, step_kinds.step_run(run, step, now), now)
        return
    if step.kind in batch.KINDS:
        outcomes = batch.Outcomes(now)
        batch.steps_run([run], {enrollment.version_id: steps}, outcomes)
        outcomes.write()
        return
    raise ValueError(f"Unknown journey step kind {step.kind!r}.")


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
