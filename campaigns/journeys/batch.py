"""Running the claimed steps of the common kinds (wait, wait until, send, branch) a batch at a time.

Each kind reads what it needs for the whole batch in a few queries: the branches' conditions in one query
per step, the consent, suppression and caps decisions of every send in one `would_be_decisions` call per
topic, every message in one `messages_enqueue`. The outcomes are collected in `Outcomes` and written set-wise
by `Outcomes.write`: finished runs updated per (status, reason), next steps bulk-created (a step already
queued is left alone), completed enrollments updated together and exits made per reason.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import CharField, Max, Value
from django.db.models.functions import Cast, Concat

from audiences import send_time
from audiences.models import Event, SegmentMembership
from campaigns import best_time, send_times
from campaigns.journeys import exits, rules
from campaigns.journeys.models import Condition, Enrollment, JourneyStep, StepKind, StepRun
from campaigns.suppression import recipient_of, recipient_zone, would_be_decisions
from messaging.models import Message, Template
from messaging.services.dispatch_decisions import configured_policy
from messaging.services.outbox import MessageRequest, messages_enqueue
from promotions.code_patterns import codes_from_pattern
from promotions.models import PromotionCode

KINDS = frozenset({StepKind.WAIT, StepKind.WAIT_UNTIL, StepKind.SEND, StepKind.BRANCH})
# A channel that cannot reach the customer: try the next template; when none can, the customer leaves.
UNREACHABLE = {"no_address", "no_consent", "suppressed", "no_postal_address"}
EXIT_REASONS = {"no_consent": "consent_withdrawn", "suppressed": "suppressed"}

Steps = dict[int, dict[int, JourneyStep]]  # version id -> position -> step


def message_key(enrollment_id: int, position: int) -> str:
    return f"enrollment:{enrollment_id}:step:{position}"


def _message_key_in_sql():
    """`message_key` computed by the database, so a batch's sends are marked in one UPDATE."""
    return Concat(
        Value("enrollment:"),
        Cast("enrollment_id", CharField()),
        Value(":step:"),
        Cast("position", CharField()),
        output_field=CharField(),
    )


@dataclass
class Outcomes:
    """What a batch did, written together by `write` inside the tick's transaction."""

    now: datetime
    finished: dict[tuple[str, str, bool], list[int]] = field(default_factory=lambda: defaultdict(list))
    next_runs: list[StepRun] = field(default_factory=list)
    completed: dict[datetime, list[int]] = field(default_factory=lambda: defaultdict(list))
    exits: dict[str, list[Enrollment]] = field(default_factory=lambda: defaultdict(list))

    def finish(self, run: StepRun, status: str, reason: str = "", *, queued_message: bool = False) -> None:
        self.finished[(status, reason, queued_message)].append(run.pk)

    def schedule(self, enrollment: Enrollment, steps: dict[int, JourneyStep], after: int, at: datetime) -> None:
        """Queue the first step past position `after`; none left: the enrollment is completed at `at`.

        A wait due by now (a send's "then wait a day") is run here rather than queued for a second claim: its
        run is written done, as running it would have, and the step after it is queued for when it ends."""
        following = min((position for position in steps if position > after), default=None)
        if following is None:
            self.completed[at].append(enrollment.pk)
        elif steps[following].kind == StepKind.WAIT and at <= self.now:
            self.next_runs.append(
                StepRun(
                    enrollment_id=enrollment.pk, position=following, attempt=1, run_at=at,
                    status=StepRun.Status.DONE, finished_at=self.now,
                )
            )  # fmt: skip
            self.schedule(enrollment, steps, following, max(at + (steps[following].wait or timedelta()), self.now))
        else:
            self.next_runs.append(StepRun(enrollment_id=enrollment.pk, position=following, attempt=1, run_at=at))

    def exit(self, enrollment: Enrollment, reason: str) -> None:
        self.exits[reason].append(enrollment)

    def write(self) -> None:
        for (status, reason, queued_message), ids in self.finished.items():
            marks = {"message_key": _message_key_in_sql()} if queued_message else {}
            StepRun.objects.filter(pk__any_of=ids).update(status=status, reason=reason, finished_at=self.now, **marks)
        StepRun.objects.bulk_create(self.next_runs, ignore_conflicts=True)
        for at, ids in self.completed.items():
            Enrollment.objects.filter(pk__any_of=ids, status=Enrollment.Status.ACTIVE).update(
                status=Enrollment.Status.COMPLETED, finished_at=at
            )
        for reason, enrollments in self.exits.items():
            exits.enrollments_exit(enrollments=enrollments, reason=reason, now=self.now)


def steps_run(runs: list[StepRun], steps: Steps, outcomes: Outcomes) -> None:
    """Run claimed steps of active enrollments whose kind is in KINDS, each kind as one batch."""
    by_kind: dict[str, list[StepRun]] = defaultdict(list)
    for run in runs:
        by_kind[_step(run, steps).kind].append(run)
    for kind, run_kind in _RUNNERS.items():
        if by_kind[kind]:
            run_kind(by_kind[kind], steps, outcomes)


def _step(run: StepRun, steps: Steps) -> JourneyStep:
    return steps[run.enrollment.version_id][run.position]


def _waits_run(runs: list[StepRun], steps: Steps, outcomes: Outcomes) -> None:
    for run in runs:
        step = _step(run, steps)
        outcomes.finish(run, StepRun.Status.DONE)
        at = max(run.run_at + (step.wait or timedelta()), outcomes.now)
        outcomes.schedule(run.enrollment, steps[run.enrollment.version_id], step.position, at)


def _waits_until_run(runs: list[StepRun], steps: Steps, outcomes: Outcomes) -> None:
    best = _best_local_times([run for run in runs if _step(run, steps).best_hour_until], steps, outcomes.now)
    for run in runs:
        step = _step(run, steps)
        zone_name = recipient_zone(run.enrollment.customer)
        local_time = best.get(run.pk, step.local_time)
        at = rules.next_local_time(now=outcomes.now, at=local_time, zone_name=zone_name, next_day=step.next_day)
        outcomes.finish(run, StepRun.Status.DONE)
        outcomes.schedule(run.enrollment, steps[run.enrollment.version_id], step.position, at)


def _best_local_times(runs: list[StepRun], steps: Steps, now: datetime) -> dict[int, time]:
    """Run id -> the customer's best hour within its step's window (quiet hours excluded). Their hours are shrunk
    toward those of the batch's customers of their store and of the whole batch: no query beyond their own."""
    if not runs:
        return {}
    customers = {run.enrollment.customer_id: run.enrollment.customer for run in runs}
    counts = send_times.customer_hour_counts(
        zones={pk: recipient_zone(customer) for pk, customer in customers.items()}, now=now
    )
    by_store: dict[int | None, list[int]] = defaultdict(lambda: [0] * send_time.HOURS)
    for pk, customer in customers.items():
        by_store[customer.store_id] = [a + b for a, b in zip(by_store[customer.store_id], counts[pk], strict=True)]
    everyone = [sum(column) for column in zip(*by_store.values(), strict=True)]
    quiet = configured_policy().quiet_hours
    chosen = {}
    for run in runs:
        step, customer = _step(run, steps), run.enrollment.customer
        allowed = best_time.allowed_hours(
            start=step.local_time, end=step.best_hour_until, quiet=(quiet.start, quiet.end) if quiet else None
        )
        if allowed:
            prior = send_time.group_prior(by_store[customer.store_id], everyone)
            hour = send_time.best_hour(send_time.customer_distribution(counts[customer.pk], prior), allowed)
            chosen[run.pk] = time(hour)
    return chosen


def _branches_run(runs: list[StepRun], steps: Steps, outcomes: Outcomes) -> None:
    by_step: dict[JourneyStep, list[StepRun]] = defaultdict(list)
    for run in runs:
        by_step[_step(run, steps)].append(run)
    for step, step_runs in by_step.items():
        holding = _holding(step, [run.enrollment for run in step_runs])
        version_steps = steps[step.version_id]
        for run in step_runs:
            enrollment = run.enrollment
            if enrollment.pk in holding:
                outcomes.finish(run, StepRun.Status.DONE, "condition_true")
                outcomes.schedule(enrollment, version_steps, step.position, outcomes.now)
                continue
            outcomes.finish(run, StepRun.Status.DONE, "condition_false")
            if step.else_position and step.else_position > step.position and step.else_position in version_steps:
                outcomes.schedule(enrollment, version_steps, step.else_position - 1, outcomes.now)
            else:
                outcomes.exit(enrollment, "branch")


def _holding(step: JourneyStep, enrollments: list[Enrollment]) -> set[int]:
    """The enrollments for which the branch's condition holds."""
    customer_ids = [enrollment.customer_id for enrollment in enrollments]
    if step.condition == Condition.IN_SEGMENT:
        members = set(
            SegmentMembership.objects.filter(
                segment_id=step.condition_segment_id, customer_id__in=customer_ids
            ).values_list("customer_id", flat=True)
        )
        return {enrollment.pk for enrollment in enrollments if enrollment.customer_id in members}
    latest = dict(
        Event.objects.filter(customer_id__in=customer_ids, type=step.condition_event_type)
        .order_by()
        .values("customer_id")
        .annotate(latest=Max("occurred_at"))
        .values_list("customer_id", "latest")
    )
    return {
        enrollment.pk
        for enrollment in enrollments
        if enrollment.customer_id in latest and latest[enrollment.customer_id] >= enrollment.entered_at
    }


def _sends_run(runs: list[StepRun], steps: Steps, outcomes: Outcomes) -> None:
    """Choose each send's template from one decision call per topic, draw the coupons, queue all messages."""
    now = outcomes.now
    chosen: dict[int, Template] = {}
    for topic_runs in _by_topic(runs, steps).values():
        choices = [[link.template for link in _step(run, steps).step_templates.all()] for run in topic_runs]
        flat = [(run, template) for run, templates in zip(topic_runs, choices, strict=True) for template in templates]
        decisions = iter(
            would_be_decisions(
                customers=[recipient_of(run.enrollment.customer) for run, _ in flat],
                templates=[template for _, template in flat],
                topic=choices[0][0].topic,
                moments=[now] * len(flat),
            )
        )
        for run, templates in zip(topic_runs, choices, strict=True):
            run_decisions = [next(decisions) for _ in templates]
            template = next(
                (
                    t
                    for t, d in zip(templates, run_decisions, strict=True)
                    if d.action != "skip" or d.reason not in UNREACHABLE
                ),
                None,
            )
            if template is None:
                reason = run_decisions[0].reason
                outcomes.finish(run, StepRun.Status.SKIPPED, reason)
                outcomes.exit(run.enrollment, EXIT_REASONS.get(reason, reason))
            else:
                chosen[run.pk] = template
    sending = [run for run in runs if run.pk in chosen]
    coupons = _coupons_draw(sending, steps)
    messages_enqueue(
        wake=False,  # execution wakes the outbox after the commit, once for many batches
        requests=[
            MessageRequest(
                customer_id=run.enrollment.customer_id,
                template=chosen[run.pk],
                idempotency_key=message_key(run.enrollment_id, run.position),
                context=coupons.get(run.pk, {}),
                journey=run.enrollment.version.journey.code,
                scheduled_for=now,
            )
            for run in sending
        ],
    )
    for run in sending:
        outcomes.finish(run, StepRun.Status.DONE, chosen[run.pk].channel, queued_message=True)
        outcomes.schedule(run.enrollment, steps[run.enrollment.version_id], run.position, now)


def _by_topic(runs: list[StepRun], steps: Steps) -> dict[str, list[StepRun]]:
    grouped: dict[str, list[StepRun]] = defaultdict(list)
    for run in runs:
        first = _step(run, steps).step_templates.all()[0]
        grouped[first.template.topic].append(run)
    return grouped


def _coupons_draw(runs: list[StepRun], steps: Steps) -> dict[int, dict]:
    """A fresh single-use code for each coupon send whose message is not queued yet (a rerun draws none)."""
    wanted = [run for run in runs if _step(run, steps).promotion_id]
    if not wanted:
        return {}
    queued = set(
        Message.objects.filter(
            idempotency_key__in=[message_key(run.enrollment_id, run.position) for run in wanted]
        ).values_list("idempotency_key", flat=True)
    )
    by_step: dict[JourneyStep, list[StepRun]] = defaultdict(list)
    for run in wanted:
        if message_key(run.enrollment_id, run.position) not in queued:
            by_step[_step(run, steps)].append(run)
    contexts, codes = {}, []
    for step, step_runs in by_step.items():
        for run, code in zip(step_runs, codes_from_pattern(step.coupon_pattern.upper(), len(step_runs)), strict=True):
            codes.append(PromotionCode(promotion_id=step.promotion_id, code=code, usage_limit=1))
            contexts[run.pk] = {"coupon": {"code": code, "description": step.promotion.name}}
    PromotionCode.objects.bulk_create(codes)
    return contexts


_RUNNERS = {
    StepKind.WAIT: _waits_run,
    StepKind.WAIT_UNTIL: _waits_until_run,
    StepKind.BRANCH: _branches_run,
    StepKind.SEND: _sends_run,
}
