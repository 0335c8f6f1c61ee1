"""Entering a journey: from an event, a segment change or a date, under the version's re-entry policy.

An entry locks the customer's row, so two workers entering the same customer at once take turns: the
second sees the first's enrollment. The unique (version, customer, trigger key) is the backstop.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from audiences.models import Customer, Event, Order, Segment, SegmentMembershipChange
from campaigns.assignment import bucket_of, holdout_buckets
from campaigns.journeys import exits, rules, scans, step_kinds
from campaigns.journeys.models import Enrollment, JourneyVersion, StepRun, Trigger

YEARLY_DATE_FIELDS = ("birth_date", "signed_up_at")
ORDER_PLACED = "order_placed"  # orders are not events, but a journey may be entered (or reach its goal) on one


def live_versions(**filters) -> list[JourneyVersion]:
    """The newest published version of each active journey, among those matching `filters`."""
    newest = (
        JourneyVersion.objects.filter(journey__active=True, published_at__isnull=False)
        .values("journey_id")
        .annotate(number=Max("number"))
    )
    wanted = {(row["journey_id"], row["number"]) for row in newest}
    candidates = JourneyVersion.objects.select_related("journey").filter(
        journey__active=True, published_at__isnull=False, **filters
    )
    return [version for version in candidates if (version.journey_id, version.number) in wanted]


def journey_enter(
    *, version: JourneyVersion, customer_id: int, key: str = "", snapshot: dict | None = None, now: datetime
) -> Enrollment | None:
    """Enroll the customer unless the re-entry policy refuses; None when refused. Safe to call twice."""
    trigger_key = rules.entry_key(reentry=version.reentry, key=key, entered_at=now, cooldown_days=version.cooldown_days)
    if trigger_key is None:
        return None
    journey = version.journey
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk", flat=True).first()
        earlier = Enrollment.objects.filter(version__journey=journey, customer_id=customer_id)
        if version.reentry == "once" and earlier.exists():
            return None
        if version.reentry == "per_key" and earlier.filter(trigger_key=trigger_key).exists():
            return None
        if (
            version.reentry == "cooldown"
            and earlier.filter(entered_at__gt=now - timedelta(days=version.cooldown_days)).exists()
        ):
            return None
        bucket = bucket_of(salt=journey.salt, campaign_id=journey.pk, customer_id=customer_id)
        held_out = bucket < holdout_buckets(journey.holdout_percent)
        first = version.steps.order_by("position").values_list("position", flat=True).first()
        status = Enrollment.Status.HOLDOUT if held_out else Enrollment.Status.ACTIVE
        if first is None and not held_out:
            status = Enrollment.Status.COMPLETED
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(
                    version=version,
                    customer_id=customer_id,
                    trigger_key=trigger_key,
                    status=status,
                    bucket=bucket,
                    snapshot=snapshot or {},
                    entered_at=now,
                    goal_deadline=now + timedelta(days=version.goal_window_days) if version.goal_event_type else None,
                )
        except IntegrityError:
            return None
        if status == Enrollment.Status.ACTIVE:
            StepRun.objects.create(enrollment=enrollment, position=first, run_at=now)
            transaction.on_commit(_tick_soon)
    return enrollment


def _tick_soon() -> None:
    from campaigns.journeys.tasks import journeys_tick_task

    journeys_tick_task.delay()


def event_process(*, event_id: int) -> int:
    """An event recorded: goals it reaches, then the journeys it enters. Returns how many entered."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    exits.goals_reach(
        customer_id=event.customer_id, event_type=event.type, properties=event.properties, occurred_at=event.occurred_at
    )
    now = timezone.now()
    if step_kinds.waiting_runs_wake(customer_id=event.customer_id, event_type=event.type, now=now):
        transaction.on_commit(_tick_soon)
    entered = _nth_event_enter(event, now)
    for version in live_versions(trigger=Trigger.EVENT, event_type=event.type):
        if not rules.matches(event.properties, version.event_filters):
            continue
        key = str(event.properties.get(version.key_property, "")) if version.key_property else ""
        snapshot = {"event": event.type, "event_id": event.pk, "properties": event.properties}
        entered += bool(
            journey_enter(version=version, customer_id=event.customer_id, key=key, snapshot=snapshot, now=now)
        )
    return entered


def _nth_event_enter(event: Event, now: datetime) -> int:
    """The Nth event of a type (a visit) enters the journeys counting that type."""
    versions = live_versions(trigger=Trigger.NTH_ORDER, event_type=event.type)
    if not versions:
        return 0
    count = Event.objects.filter(customer_id=event.customer_id, type=event.type, occurred_at__lte=event.occurred_at)
    return _nth_enter(versions, event.customer_id, count.count(), {"event": event.type, "event_id": event.pk}, now)


def _nth_enter(versions: list[JourneyVersion], customer_id: int, count: int, snapshot: dict, now: datetime) -> int:
    entered = 0
    for version in versions:
        if version.order_number == count:
            entered += bool(
                journey_enter(
                    version=version, customer_id=customer_id, key=str(count), snapshot={**snapshot, "count": count},
                    now=now,
                )
            )  # fmt: skip
    return entered


def order_process(*, customer_id: int, order_id: int) -> int:
    """An order placed enters the journeys triggered by the event `order_placed` (its properties: the order's
    attribution, `order` its external id, `channel`, `store`), and, when it is the customer's Nth placed
    order (cancelled ones do not count), those waiting for the Nth, keyed by the count. Returns how many entered."""
    nth_versions = live_versions(trigger=Trigger.NTH_ORDER, event_type="")
    event_versions = live_versions(trigger=Trigger.EVENT, event_type=ORDER_PLACED)
    order = (
        Order.objects.select_related("store")
        .filter(pk=order_id, customer_id=customer_id, status=Order.Status.PLACED)
        .first()
    )
    if order is None or not (nth_versions or event_versions):
        return 0
    now = timezone.now()
    properties = {
        **order.attribution,
        "order": order.external_id,
        "channel": order.channel,
        "store": order.store.code if order.store else "",
    }
    entered = 0
    for version in event_versions:
        if rules.matches(properties, version.event_filters):
            key = str(properties.get(version.key_property, "")) if version.key_property else ""
            snapshot = {"event": ORDER_PLACED, "properties": properties}
            entered += bool(
                journey_enter(version=version, customer_id=customer_id, key=key, snapshot=snapshot, now=now)
            )
    if nth_versions:
        placed = Order.objects.filter(
            customer_id=customer_id, status=Order.Status.PLACED, placed_at__lte=order.placed_at
        )
        entered += _nth_enter(nth_versions, customer_id, placed.count(), {"order": order.external_id}, now)
    return entered


def scan_triggers_run(*, now: datetime | None = None) -> int:
    """Daily: enter the journeys of a frequency drop, a spend decrease or lapsed engagement, for the customers
    the set-based scans find. Keys: the last order (one entry per lapse), the 90-day period, the lapse period."""
    now = now or timezone.now()
    epoch_days = (now.date() - date(1970, 1, 1)).days
    entered = 0
    scanned = (Trigger.FREQUENCY_DROP, Trigger.SPEND_DECREASE, Trigger.NO_ENGAGEMENT)
    for version in live_versions(trigger__in=scanned):
        if version.trigger == Trigger.FREQUENCY_DROP:
            factor = version.gap_factor or Decimal(2)
            found = [
                (customer_id, last.isoformat(), {"last_order_at": last.isoformat(), "gap_factor": str(factor)})
                for customer_id, last in scans.frequency_drops(now=now, factor=factor)
            ]
        elif version.trigger == Trigger.SPEND_DECREASE:
            percent = version.spend_drop_percent or Decimal(30)
            period = f"spend:{epoch_days // rules.SPEND_WINDOW.days}"
            found = [
                (customer_id, period, {"recent_90d": f"{recent:.2f}", "previous_90d": f"{previous:.2f}"})
                for customer_id, recent, previous in scans.spend_decreases(now=now, drop_percent=percent)
            ]
        else:
            days = version.lapsed_days or 90
            found = [
                (customer_id, f"lapsed:{epoch_days // days}", {"no_engagement_days": days})
                for customer_id in scans.engagement_lapses(now=now, days=days)
            ]
        for customer_id, key, snapshot in found:
            entered += bool(
                journey_enter(
                    version=version, customer_id=customer_id, key=key, now=now,
                    snapshot={"trigger": version.trigger, **snapshot},
                )
            )  # fmt: skip
    return entered


def segment_changes_process(*, segment_id: int, changed_at: datetime) -> int:
    """A segment's members changed at `changed_at`: enter the journeys it triggers; eject where configured."""
    segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        return 0
    changes = SegmentMembershipChange.objects.filter(segment=segment, changed_at=changed_at)
    kinds = {
        SegmentMembershipChange.Kind.ENTERED: Trigger.SEGMENT_ENTERED,
        SegmentMembershipChange.Kind.EXITED: Trigger.SEGMENT_EXITED,
    }
    now = timezone.now()
    entered = 0
    for kind, trigger in kinds.items():
        customer_ids = list(changes.filter(kind=kind).values_list("customer_id", flat=True))
        if not customer_ids:
            continue
        for version in live_versions(trigger=trigger, segment=segment):
            for customer_id in customer_ids:
                snapshot = {"segment": segment.code, "change": kind}
                entered += bool(
                    journey_enter(
                        version=version, customer_id=customer_id, key=changed_at.isoformat(), snapshot=snapshot, now=now
                    )
                )
    left = list(changes.filter(kind=SegmentMembershipChange.Kind.EXITED).values_list("customer_id", flat=True))
    if left:
        ejected = Enrollment.objects.filter(
            customer_id__in=left,
            status__in=exits.RUNNING,
            version__trigger=Trigger.SEGMENT_ENTERED,
            version__segment=segment,
            version__exit_on_segment_exit=True,
        )
        exits.enrollments_exit(enrollments=list(ejected), reason="left_segment", now=now)
    return entered


def date_triggers_run(*, today: date | None = None) -> int:
    """Enter today's date-triggered journeys (birthday -3 days...); the occasion's date keys the entry."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    entered = 0
    for version in live_versions(trigger=Trigger.DATE):
        occasion = rules.occasion_date(today=today, offset_days=version.offset_days)
        if version.date_field in YEARLY_DATE_FIELDS:
            field = version.date_field
            customers = Customer.objects.filter(**{f"{field}__month": occasion.month, f"{field}__day": occasion.day})
        elif version.date_field.startswith("attributes."):
            name = version.date_field.removeprefix("attributes.")
            customers = Customer.objects.filter(**{f"attributes__{name}": occasion.isoformat()})
        else:
            continue
        for customer_id in customers.values_list("pk", flat=True).iterator(chunk_size=2000):
            snapshot = {"date_field": version.date_field, "occasion": occasion.isoformat()}
            entered += bool(
                journey_enter(
                    version=version, customer_id=customer_id, key=occasion.isoformat(), snapshot=snapshot, now=now
                )
            )
    return entered
