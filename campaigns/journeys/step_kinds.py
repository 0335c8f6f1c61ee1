"""The step kinds beyond wait, wait until, send and branch: waiting for an event with a timeout, a send that
falls back to the next channel when its message is not read, updating the customer, notifying staff.

Each kind does its own writes (messages, events, attributes) and answers an `Outcome`; execution applies it
(finishes the run, queues what comes next or leaves the journey), so how runs are claimed stays its concern.
A kind that waits asks to run again later (a new attempt of the same step) marked `waiting:<event type>`, and
an event of that type wakes it early (`waiting_runs_wake`). Every check is made again when it runs, so an
early or spurious wake only re-arms the wait.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audiences.models import Customer, Event
from audiences.services.customers import customer_upsert
from audiences.services.events import EventInput, events_record
from campaigns.journeys import rules
from campaigns.journeys.batch import EXIT_REASONS, UNREACHABLE
from campaigns.journeys.models import Enrollment, JourneyStep, JourneyStepTemplate, OnEvent, StepKind, StepRun
from campaigns.scheduling import zone
from campaigns.suppression import recipient_of, recipient_zone, would_be_decisions
from messaging.models import Message
from messaging.services.outbox import MessageRequest, messages_enqueue
from promotions.code_patterns import codes_from_pattern
from promotions.models import PromotionCode

READ_EVENTS = ("message_opened", "message_clicked")
WAITING_READ = "waiting:read"
TODAY = "$today"


@dataclass(frozen=True)
class Outcome:
    """What a step decided. By default: done, and the next step is due now."""

    reason: str = ""
    status: str = StepRun.Status.DONE
    message_key: str = ""
    goto: int | None = None  # the position to go on at, instead of the next step (forward only)
    exit_reason: str = ""  # leave the journey with this reason
    again_at: datetime | None = None  # run this step again at this moment (a new attempt)...
    again_reason: str = ""  # ...marked so that an event can wake it earlier


def waiting_reason(event_type: str) -> str:
    return f"waiting:{event_type}"[:64]


def send_key(enrollment_id: int, position: int, order: int = 1) -> str:
    """The outbox key of a send step's message; its fallbacks (template 2, 3...) add their order."""
    key = f"enrollment:{enrollment_id}:step:{position}"
    return key if order == 1 else f"{key}:fallback:{order}"


def handles(step: JourneyStep) -> bool:
    """Whether this module runs the step (a send only when it falls back on no read)."""
    return step.kind in KINDS or (step.kind == StepKind.SEND and step.fallback_after is not None)


def step_run(run: StepRun, step: JourneyStep, now: datetime) -> Outcome:
    kind = send_with_fallback if step.kind == StepKind.SEND else KINDS[step.kind]
    return kind(run, step, now)


def waiting_runs_wake(*, customers_by_event_type: dict[str, list[int]], now: datetime) -> int:
    """Events arrived: their customers' steps waiting for their type (or for a read) are due now, one update per
    event type. Returns how many."""
    woken = 0
    for event_type, customer_ids in customers_by_event_type.items():
        reasons = [waiting_reason(event_type)] + ([WAITING_READ] if event_type in READ_EVENTS else [])
        woken += StepRun.objects.filter(
            enrollment__customer_id__any_of=customer_ids,
            enrollment__status=Enrollment.Status.ACTIVE,
            status=StepRun.Status.PENDING,
            reason__in=reasons,
            run_at__gt=now,
        ).update(run_at=now)
    return woken


# Waiting for an event ------------------------------------------------------------------------------------


def wait_for_event(run: StepRun, step: JourneyStep, now: datetime) -> Outcome:
    """The event since entry (of the same key when asked): go on, or leave when `on_event` says exit. None by
    the timeout (`wait`, counted from when the step was reached): go to `else_position`, or the next step."""
    if _event_seen(step, run.enrollment):
        if step.on_event == OnEvent.EXIT:
            return Outcome(reason="event", exit_reason="event_arrived")
        return Outcome(reason="event")
    started = (
        StepRun.objects.filter(enrollment_id=run.enrollment_id, position=run.position, reason="wait_started")
        .values_list("finished_at", flat=True)
        .first()
    )
    deadline = rules.wait_deadline(started_at=started or now, timeout=step.wait)
    if deadline > now:
        reason = "wait_started" if started is None else "woken_early"
        return Outcome(reason=reason, again_at=deadline, again_reason=waiting_reason(step.wait_event_type))
    return Outcome(reason="timeout", goto=step.else_position)


def _event_seen(step: JourneyStep, enrollment: Enrollment) -> bool:
    events = Event.objects.filter(
        customer_id=enrollment.customer_id, type=step.wait_event_type, occurred_at__gte=enrollment.entered_at
    ).values_list("properties", flat=True)
    if not step.wait_matches_key:
        return events.exists()
    key_property = enrollment.version.key_property
    return any(
        rules.key_matches(properties=properties, key_property=key_property, trigger_key=enrollment.trigger_key)
        for properties in events
    )


# A send falling back on no read --------------------------------------------------------------------------


def send_with_fallback(run: StepRun, step: JourneyStep, now: datetime) -> Outcome:
    """Send on the first channel that may reach the customer; when nothing of it is read (opened or clicked)
    within `fallback_after`, send on the next one, and so on. A failed, bounced or skipped message is unread
    too. The chain is one intent: each fallback's overall frequency cap is raised by the messages before it."""
    enrollment = run.enrollment
    links = list(step.step_templates.all())
    keys = {send_key(enrollment.pk, step.position, link.order): link for link in links}
    sent = list(Message.objects.filter(idempotency_key__in=list(keys)).order_by("created_at"))
    if any(message.opened_at or message.clicked_at for message in sent):
        return Outcome(reason="read")
    if sent:
        last = sent[-1]
        deadline = max(last.created_at, last.sent_at or last.scheduled_for) + step.fallback_after
        if deadline > now:
            return Outcome(reason="woken_early", again_at=deadline, again_reason=WAITING_READ)
    tried = max((keys[message.idempotency_key].order for message in sent), default=0)
    remaining = [link for link in links if link.order > tried]
    reachable = _reachable(remaining, enrollment.customer, now)
    if not reachable:
        if sent:
            return Outcome(reason="unread")
        reason = _first_refusal(remaining, enrollment.customer, now)
        return Outcome(status=StepRun.Status.SKIPPED, reason=reason, exit_reason=EXIT_REASONS.get(reason, reason))
    link = reachable[0]
    key = send_key(enrollment.pk, step.position, link.order)
    messages_enqueue(
        requests=[
            MessageRequest(
                customer_id=enrollment.customer_id,
                template=link.template,
                idempotency_key=key,
                context=_coupon_context(step, key, sent),
                journey=enrollment.version.journey.code,
                scheduled_for=now,
                frequency_cap={"overall": rules.one_intent_cap(settings.MESSAGING_CAP_OVERALL, len(sent))}
                if sent
                else None,
            )
        ]
    )
    if len(reachable) > 1:
        return Outcome(
            reason=link.template.channel,
            message_key=key,
            again_at=now + step.fallback_after,
            again_reason=WAITING_READ,
        )
    return Outcome(reason=link.template.channel, message_key=key)


def _decisions(links: list[JourneyStepTemplate], customer: Customer, now: datetime):
    templates = [link.template for link in links]
    return would_be_decisions(
        customers=[recipient_of(customer)] * len(templates),
        templates=templates,
        topic=templates[0].topic,
        moments=[now] * len(templates),
    )


def _reachable(links: list[JourneyStepTemplate], customer: Customer, now: datetime) -> list[JourneyStepTemplate]:
    if not links:
        return []
    decisions = _decisions(links, customer, now)
    return [
        link
        for link, decision in zip(links, decisions, strict=True)
        if decision.action != "skip" or decision.reason not in UNREACHABLE
    ]


def _first_refusal(links: list[JourneyStepTemplate], customer: Customer, now: datetime) -> str:
    return _decisions(links, customer, now)[0].reason if links else "no_template"


def _coupon_context(step: JourneyStep, key: str, sent: list[Message]) -> dict:
    """The chain's one coupon: issued with its first message, repeated in the fallbacks."""
    if sent:
        return {"coupon": sent[0].context["coupon"]} if "coupon" in sent[0].context else {}
    if not step.promotion_id or Message.objects.filter(idempotency_key=key).exists():
        return {}
    code = codes_from_pattern(step.coupon_pattern.upper(), 1)[0]
    PromotionCode.objects.create(promotion_id=step.promotion_id, code=code, usage_limit=1)
    return {"coupon": {"code": code, "description": step.promotion.name}}


# Updating the customer -----------------------------------------------------------------------------------


def customer_update(run: StepRun, step: JourneyStep, now: datetime) -> Outcome:
    """Set a customer attribute (`$today`: today's date in their zone) and/or record an event, once per step."""
    enrollment = run.enrollment
    customer = Customer.objects.select_for_update().get(pk=enrollment.customer_id)
    if step.attribute_name:
        value = step.attribute_value
        if value == TODAY:
            value = timezone.localtime(now, _zone(customer)).date().isoformat()
        attributes = {**customer.attributes, step.attribute_name: value}
        customer_upsert(external_id=customer.external_id, attributes=attributes)
    if step.record_event_type:
        events_record(
            events=[
                EventInput(
                    customer=customer,
                    type=step.record_event_type,
                    occurred_at=now,
                    properties={
                        "journey": enrollment.version.journey.code,
                        "enrollment": enrollment.pk,
                        "key": enrollment.trigger_key,
                    },
                    idempotency_key=f"{send_key(enrollment.pk, step.position)}:event",
                )
            ]
        )
    return Outcome(reason="updated")


def _zone(customer: Customer):
    return zone(recipient_zone(customer))


# Notifying staff -----------------------------------------------------------------------------------------


def staff_notify(run: StepRun, step: JourneyStep, now: datetime) -> Outcome:
    """An email to the customer's store's manager (else JOURNEYS_STAFF_EMAIL): who, why, and by when to act.
    Sent once the step commits, through a task that retries; no address: skipped, and the journey goes on."""
    enrollment = run.enrollment
    customer = enrollment.customer
    store = customer.store
    address = (store.manager_email if store else "") or settings.JOURNEYS_STAFF_EMAIL
    if not address:
        return Outcome(status=StepRun.Status.SKIPPED, reason="no_staff_address")
    journey = enrollment.version.journey
    subject = step.staff_subject or f"{journey.name}: {customer.full_name or customer.external_id}"
    lines = [
        f"Customer: {customer.full_name or '-'} ({customer.external_id})",
        f"Phone: {customer.phone or '-'}   Email: {customer.email or '-'}",
        f"Store: {store.name if store else '-'}",
        f"Journey: {journey.name} ({journey.code}), entered {enrollment.entered_at:%Y-%m-%d %H:%M} UTC",
    ]
    if enrollment.trigger_key:
        lines.append(f"About: {enrollment.trigger_key}")
    lines += [f"{name}: {value}" for name, value in (enrollment.snapshot.get("properties") or {}).items()]
    if step.service_target:
        due = timezone.localtime(now + step.service_target, _zone(customer))
        lines.append(f"Please act by {due:%Y-%m-%d %H:%M} ({due.tzname()}).")
    body = "\n".join(lines)
    transaction.on_commit(lambda: _deliver(address, subject, body), robust=True)
    return Outcome(reason="notified")


def _deliver(address: str, subject: str, body: str) -> None:
    from campaigns.journeys.tasks import journeys_staff_email_task

    journeys_staff_email_task.delay(address, subject[:200], body)


KINDS: dict[str, Callable[[StepRun, JourneyStep, datetime], Outcome]] = {
    StepKind.WAIT_EVENT: wait_for_event,
    StepKind.UPDATE_CUSTOMER: customer_update,
    StepKind.NOTIFY_STAFF: staff_notify,
}
