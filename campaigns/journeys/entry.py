"""Entering a journey: from events, an order, a segment change or a date, under the version's re-entry policy.

Entries are made a batch at a time (`journeys_enter`): one transaction locks the batch's customers in id
order (`SELECT ... FOR UPDATE`), so two workers entering the same customers take turns without deadlocking and
the second sees the first's enrollments; the re-entry checks read the customers' earlier enrollments in one
query, and the enrollments and their first step runs are one insert each. The unique (version, customer,
trigger key) is the backstop.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import islice

from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone

from audiences.calendar_selectors import occasion_starts
from audiences.models import Customer, Event, Order, Segment, SegmentMembershipChange, Vehicle, VehicleStatus
from campaigns.assignment import bucket_of, holdout_buckets
from campaigns.journeys import exits, rules, scans, step_kinds
from campaigns.journeys.models import Enrollment, JourneyStep, JourneyVersion, StepRun, Trigger

YEARLY_DATE_FIELDS = ("birth_date", "signed_up_at")
VEHICLE_DATE_FIELDS = ("vehicle.next_service_due", "vehicle.warranty_ends")  # an owned vehicle's date, once per date
ORDER_PLACED = "order_placed"  # orders are not events, but a journey may be entered (or reach its goal) on one
BATCH_SIZE = 500  # entries (or events) per transaction


@dataclass(frozen=True)
class Entry:
    """A customer a trigger would enter into a version, with the trigger's key and facts."""

    version: JourneyVersion
    customer_id: int
    key: str = ""
    snapshot: dict = field(default_factory=dict)


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
    made = journeys_enter(entries=[Entry(version, customer_id, key, snapshot or {})], now=now)
    return made[0] if made else None


def journeys_enter(*, entries: Sequence[Entry], now: datetime) -> list[Enrollment]:
    """Enroll each entry its version's re-entry policy lets in, in one transaction; an earlier entry of the
    batch counts as an earlier enrollment. Returns the enrollments made. Safe to call twice with the same."""
    keyed = []
    for entry in entries:
        version = entry.version
        trigger_key = rules.entry_key(
            reentry=version.reentry, key=entry.key, entered_at=now, cooldown_days=version.cooldown_days
        )
        if trigger_key is not None:
            keyed.append((entry, trigger_key))
    if not keyed:
        return []
    customer_ids = sorted({entry.customer_id for entry, _ in keyed})
    first_positions = _first_positions({entry.version.pk for entry, _ in keyed})
    with transaction.atomic():
        list(Customer.objects.select_for_update().filter(pk__any_of=customer_ids).order_by("pk").values_list("pk"))
        earlier = _earlier_entries({entry.version.journey_id for entry, _ in keyed}, customer_ids)
        enrollments = []
        for entry, trigger_key in keyed:
            past = earlier[(entry.version.journey_id, entry.customer_id)]
            if _refused(entry.version, trigger_key, past, now):
                continue
            past.append((trigger_key, now))
            enrollments.append(_enrollment(entry, trigger_key, first_positions.get(entry.version.pk), now))
        made = _insert(enrollments)
        first_runs = [
            StepRun(enrollment=enrollment, position=first_positions[enrollment.version_id], run_at=now)
            for enrollment in made
            if enrollment.status == Enrollment.Status.ACTIVE
        ]
        StepRun.objects.bulk_create(first_runs)
        if first_runs:
            transaction.on_commit(_tick_soon)
    return made


def _first_positions(version_ids: set[int]) -> dict[int, int]:
    rows = JourneyStep.objects.filter(version_id__in=version_ids).values("version_id").annotate(first=Min("position"))
    return {row["version_id"]: row["first"] for row in rows}


def _earlier_entries(journey_ids: set[int], customer_ids: list[int]) -> defaultdict:
    """(journey, customer) -> [(trigger key, entered at)] of every version of the journey."""
    earlier = defaultdict(list)
    rows = Enrollment.objects.filter(version__journey_id__in=journey_ids, customer_id__any_of=customer_ids).values_list(
        "version__journey_id", "customer_id", "trigger_key", "entered_at"
    )
    for journey_id, customer_id, trigger_key, entered_at in rows:
        earlier[(journey_id, customer_id)].append((trigger_key, entered_at))
    return earlier


def _refused(version: JourneyVersion, trigger_key: str, past: list[tuple[str, datetime]], now: datetime) -> bool:
    if version.reentry == "once":
        return bool(past)
    if version.reentry == "per_key":
        return any(key == trigger_key for key, _ in past)
    since = now - timedelta(days=version.cooldown_days)
    return any(entered_at > since for _, entered_at in past)


def _enrollment(entry: Entry, trigger_key: str, first_position: int | None, now: datetime) -> Enrollment:
    version, journey = entry.version, entry.version.journey
    bucket = bucket_of(salt=journey.salt, campaign_id=journey.pk, customer_id=entry.customer_id)
    held_out = bucket < holdout_buckets(journey.holdout_percent)
    status = Enrollment.Status.HOLDOUT if held_out else Enrollment.Status.ACTIVE
    if first_position is None and not held_out:
        status = Enrollment.Status.COMPLETED
    return Enrollment(
        version=version,
        customer_id=entry.customer_id,
        trigger_key=trigger_key,
        status=status,
        bucket=bucket,
        snapshot=entry.snapshot,
        entered_at=now,
        goal_deadline=now + timedelta(days=version.goal_window_days) if version.goal_event_type else None,
    )


def _insert(enrollments: list[Enrollment]) -> list[Enrollment]:
    """One insert; should one collide on the unique entry after all (the backstop), each is tried on its own."""
    try:
        with transaction.atomic():
            return Enrollment.objects.bulk_create(enrollments)
    except IntegrityError:
        made = []
        for enrollment in enrollments:
            try:
                with transaction.atomic():
                    enrollment.save(force_insert=True)
            except IntegrityError:
                continue
            made.append(enrollment)
        return made


def _tick_soon() -> None:
    from campaigns.journeys.tasks import journeys_tick_task

    journeys_tick_task.delay()


def _batches(items: Iterable, size: int = BATCH_SIZE) -> Iterable[list]:
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


def events_process(*, event_ids: Sequence[int]) -> int:
    """Events recorded: the goals they reach, the waits they end, then the journeys they enter, a batch at a
    time (the live versions read once per batch). Returns how many entered. Safe to run twice."""
    entered = 0
    for batch_ids in _batches(sorted(set(event_ids))):
        events = list(Event.objects.filter(pk__any_of=batch_ids).order_by("pk"))
        if not events:
            continue
        exits.goals_reach_many(
            reached=[(event.customer_id, event.type, event.properties, event.occurred_at) for event in events]
        )
        now = timezone.now()
        types = {event.type for event in events}
        if step_kinds.waiting_runs_wake(
            customers_by_event_type={t: [e.customer_id for e in events if e.type == t] for t in types}, now=now
        ):
            transaction.on_commit(_tick_soon)
        entries = _nth_event_entries(events, types)
        by_type = defaultdict(list)
        for version in live_versions(trigger=Trigger.EVENT, event_type__in=types):
            by_type[version.event_type].append(version)
        for event in events:
            for version in by_type[event.type]:
                if not rules.matches(event.properties, version.event_filters):
                    continue
                key = str(event.properties.get(version.key_property, "")) if version.key_property else ""
                snapshot = {"event": event.type, "event_id": event.pk, "properties": event.properties}
                entries.append(Entry(version, event.customer_id, key, snapshot))
        entered += len(journeys_enter(entries=entries, now=now))
    return entered


def _nth_event_entries(events: list[Event], types: set[str]) -> list[Entry]:
    """The Nth event of a type (a visit) enters the journeys counting that type."""
    versions = live_versions(trigger=Trigger.NTH_ORDER, event_type__in=types)
    entries = []
    for event in events:
        counting = [version for version in versions if version.event_type == event.type]
        if not counting:
            continue
        count = Event.objects.filter(
            customer_id=event.customer_id, type=event.type, occurred_at__lte=event.occurred_at
        ).count()
        entries += _nth_entries(counting, event.customer_id, count, {"event": event.type, "event_id": event.pk})
    return entries


def _nth_entries(versions: list[JourneyVersion], customer_id: int, count: int, snapshot: dict) -> list[Entry]:
    return [
        Entry(version, customer_id, str(count), {**snapshot, "count": count})
        for version in versions
        if version.order_number == count
    ]


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
    properties = {
        **order.attribution,
        "order": order.external_id,
        "channel": order.channel,
        "store": order.store.code if order.store else "",
    }
    entries = []
    for version in event_versions:
        if rules.matches(properties, version.event_filters):
            key = str(properties.get(version.key_property, "")) if version.key_property else ""
            entries.append(Entry(version, customer_id, key, {"event": ORDER_PLACED, "properties": properties}))
    if nth_versions:
        placed = Order.objects.filter(
            customer_id=customer_id, status=Order.Status.PLACED, placed_at__lte=order.placed_at
        )
        entries += _nth_entries(nth_versions, customer_id, placed.count(), {"order": order.external_id})
    return len(journeys_enter(entries=entries, now=timezone.now()))


def _enter_in_batches(entries: Iterable[Entry], now: datetime) -> int:
    return sum(len(journeys_enter(entries=batch, now=now)) for batch in _batches(entries))


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
        entered += _enter_in_batches(
            (
                Entry(version, customer_id, key, {"trigger": version.trigger, **snapshot})
                for customer_id, key, snapshot in found
            ),
            now,
        )
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
        snapshot = {"segment": segment.code, "change": kind}
        for version in live_versions(trigger=trigger, segment=segment):
            entered += _enter_in_batches(
                (Entry(version, customer_id, changed_at.isoformat(), snapshot) for customer_id in customer_ids), now
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
    """Enter today's date-triggered journeys (birthday -3 days...); the occasion's date keys the entry. Then
    the calendar-triggered ones."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    entered = calendar_triggers_run(today=today, now=now)
    for version in live_versions(trigger=Trigger.DATE):
        occasion = rules.occasion_date(today=today, offset_days=version.offset_days)
        if version.date_field in YEARLY_DATE_FIELDS:
            field_name = version.date_field
            customers = Customer.objects.filter(
                **{f"{field_name}__month": occasion.month, f"{field_name}__day": occasion.day}
            )
        elif version.date_field.startswith("attributes."):
            name = version.date_field.removeprefix("attributes.")
            customers = Customer.objects.filter(**{f"attributes__{name}": occasion.isoformat()})
        elif version.date_field in VEHICLE_DATE_FIELDS:
            entered += _enter_in_batches(_vehicle_date_entries(version, occasion), now)
            continue
        else:
            continue
        snapshot = {"date_field": version.date_field, "occasion": occasion.isoformat()}
        customer_ids = customers.values_list("pk", flat=True).iterator(chunk_size=2000)
        entered += _enter_in_batches(
            (Entry(version, customer_id, occasion.isoformat(), snapshot) for customer_id in customer_ids), now
        )
    return entered


def _vehicle_date_entries(version: JourneyVersion, occasion: date) -> Iterable[Entry]:
    """The owners of the vehicles whose date (next service, warranty end) is the occasion: one entry per vehicle
    and date, so a customer with two cars due the same day hears about each, and a moved date enters again."""
    column = version.date_field.removeprefix("vehicle.")
    vehicles = Vehicle.objects.filter(status=VehicleStatus.OWNED, owner__isnull=False, **{column: occasion})
    for owner_id, vin, make, model, year in vehicles.values_list("owner_id", "vin", "make", "model", "year").iterator(
        chunk_size=2000
    ):
        snapshot = {"date_field": version.date_field, "occasion": occasion.isoformat(), "vin": vin, "make": make,
                    "model": model, "year": year}  # fmt: skip
        yield Entry(version, owner_id, f"{vin}:{occasion.isoformat()}", snapshot)


def calendar_triggers_run(*, today: date, now: datetime) -> int:
    """Enter the journeys of a holiday or retailer date ("7 days before Eid al-Fitr"): the customers of each store
    whose calendar has the occasion's first day `-offset_days` from today. The year keys the entry, so a journey
    re-entered per key sends once a year, and running twice in a day enters nobody twice."""
    entered = 0
    for version in live_versions(trigger=Trigger.CALENDAR):
        day = rules.occasion_date(today=today, offset_days=version.offset_days)
        starts = occasion_starts(name=version.occasion, day=day)
        if not starts:
            continue
        key = f"{version.occasion.casefold()}:{day.year}"
        estimated = any(occasion.estimated for occasion in starts.values())
        snapshot = {"occasion": version.occasion, "occasion_date": day.isoformat(), "estimated": estimated}
        customer_ids = (
            Customer.objects.filter(store_id__in=sorted(starts)).values_list("pk", flat=True).iterator(chunk_size=2000)
        )
        entered += _enter_in_batches((Entry(version, customer_id, key, snapshot) for customer_id in customer_ids), now)
    return entered
