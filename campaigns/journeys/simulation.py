"""What a journey would do for one customer entering now: the entry decision, each step with its time, the
messages with their text, and how it would end. Reads only: nothing is sent, written or drawn.

The answer uses today's facts (consent, suppression, caps, segment membership) at each step's future time;
a condition on an event since entry is false at entry, so the path shown is the one taken when nothing
happens in between. Step kinds without a simulation are listed as such and the path goes on past them."""

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from audiences.models import Customer, SegmentMembership
from campaigns.assignment import bucket_of, holdout_buckets
from campaigns.journeys import rules
from campaigns.journeys.batch import EXIT_REASONS, UNREACHABLE
from campaigns.journeys.models import Condition, Enrollment, JourneyStep, JourneyVersion, StepKind
from campaigns.suppression import recipient_of, recipient_zone, would_be_decisions
from messaging.previews import template_preview


@dataclass
class SimulatedStep:
    position: int
    kind: str
    at: datetime
    outcome: str
    message: dict | None = None


@dataclass
class Simulation:
    journey: str
    version: int
    customer: str
    entry: str  # enters, holdout, or why not (already_entered, no_key)
    started_at: datetime
    steps: list[SimulatedStep] = field(default_factory=list)
    ends: str = ""  # completed, exited:<reason>, or not_entered / holdout
    goal: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def journey_simulate(*, version: JourneyVersion, customer: Customer, key: str = "", now: datetime | None = None):
    """The path `customer` entering `version` at `now` would take (see the module's note)."""
    now = now or timezone.now()
    journey = version.journey
    simulation = Simulation(
        journey=journey.code, version=version.number, customer=customer.external_id, entry="", started_at=now
    )
    simulation.entry = _entry(version, customer, key, now)
    if simulation.entry != "enters":
        simulation.ends = simulation.entry
        return simulation
    if version.goal_event_type:
        deadline = now + timedelta(days=version.goal_window_days)
        simulation.goal = f"{version.goal_event_type} by {deadline.isoformat()} exits as a conversion"
    steps = {step.position: step for step in version.steps.all()}
    position, at = min(steps, default=None), now
    while position is not None:
        step = steps[position]
        taken, at, ends = _step(step, steps, customer, at)
        simulation.steps.append(taken)
        if ends:
            simulation.ends = ends
            return simulation
        position = _next(step, steps, taken.outcome)
    simulation.ends = "completed"
    return simulation


def _entry(version: JourneyVersion, customer: Customer, key: str, now: datetime) -> str:
    trigger_key = rules.entry_key(reentry=version.reentry, key=key, entered_at=now, cooldown_days=version.cooldown_days)
    if trigger_key is None:
        return "no_key"
    earlier = Enrollment.objects.filter(version__journey=version.journey, customer=customer)
    if (
        (version.reentry == "once" and earlier.exists())
        or (version.reentry == "per_key" and earlier.filter(trigger_key=trigger_key).exists())
        or (
            version.reentry == "cooldown"
            and earlier.filter(entered_at__gt=now - timedelta(days=version.cooldown_days)).exists()
        )
    ):
        return "already_entered"
    journey = version.journey
    bucket = bucket_of(salt=journey.salt, campaign_id=journey.pk, customer_id=customer.pk)
    return "holdout" if bucket < holdout_buckets(journey.holdout_percent) else "enters"


def _step(step: JourneyStep, steps: dict, customer: Customer, at: datetime) -> tuple[SimulatedStep, datetime, str]:
    """The step run at `at`: what it does, when the next step is due, and how the journey ends here (or "")."""
    if step.kind == StepKind.WAIT:
        until = at + (step.wait or timedelta())
        return SimulatedStep(step.position, step.kind, at, f"waits until {until.isoformat()}"), until, ""
    if step.kind == StepKind.WAIT_UNTIL:
        zone_name = recipient_zone(customer)
        until = rules.next_local_time(now=at, at=step.local_time, zone_name=zone_name, next_day=step.next_day)
        return SimulatedStep(step.position, step.kind, at, f"waits until {until.isoformat()} ({zone_name})"), until, ""
    if step.kind == StepKind.BRANCH:
        holds = step.condition == Condition.IN_SEGMENT and (
            SegmentMembership.objects.filter(segment_id=step.condition_segment_id, customer=customer).exists()
        )
        outcome = "condition_true" if holds else "condition_false"
        ends = "" if holds or _next(step, steps, outcome) is not None else "exited:branch"
        return SimulatedStep(step.position, step.kind, at, outcome), at, ends
    if step.kind == StepKind.SEND:
        return _send(step, customer, at)
    return SimulatedStep(step.position, step.kind, at, "not simulated"), at, ""


def _send(step: JourneyStep, customer: Customer, at: datetime) -> tuple[SimulatedStep, datetime, str]:
    templates = [link.template for link in step.step_templates.all()]
    if not templates:
        return SimulatedStep(step.position, step.kind, at, "no template"), at, ""
    decisions = would_be_decisions(
        customers=[recipient_of(customer)] * len(templates),
        templates=templates,
        topic=templates[0].topic,
        moments=[at] * len(templates),
    )
    for template, decision in zip(templates, decisions, strict=True):
        if decision.action == "skip" and decision.reason in UNREACHABLE:
            continue
        message = {"template": template.code, "channel": template.channel, "outbox": decision.action}
        if decision.reason:
            message["outbox_reason"] = decision.reason
        if decision.not_before:
            message["not_before"] = decision.not_before.isoformat()
        if step.promotion_id or step.coupon_percent:
            message["coupon"] = "a fresh single-use code, drawn when it is sent"
        try:
            preview = template_preview(template=template, customer=customer)
            message.update(
                language=preview.language,
                subject=preview.rendered.subject,
                text=preview.rendered.text or preview.rendered.body,
            )
        except ValidationError as error:
            message["text_error"] = " ".join(error.messages)
        return SimulatedStep(step.position, step.kind, at, f"sends {template.channel}", message), at, ""
    reason = decisions[0].reason
    skipped = SimulatedStep(step.position, step.kind, at, f"skipped: {reason}")
    return skipped, at, f"exited:{EXIT_REASONS.get(reason, reason)}"


def _next(step: JourneyStep, steps: dict, outcome: str) -> int | None:
    after = step.position
    if outcome == "condition_false":
        if not (step.else_position and step.else_position > step.position and step.else_position in steps):
            return None
        after = step.else_position - 1
    return min((position for position in steps if position > after), default=None)
