"""Writes for segments: define, edit, refresh the membership snapshot (set-based)."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audiences import signals
from audiences.models import Segment, SegmentMembership, SegmentMembershipChange
from audiences.pricing_inputs import pricing_inputs_changed
from audiences.segments.fields import RuleError
from audiences.segments.language import compile_rules, validate_rules
from audiences.segments.selectors import matching_customers, rules_of

SEGMENT_FIELDS = ("name", "description", "rules")


def segment_rules_check(*, rules, own_code: str | None = None) -> None:
    """Raise a ValidationError on `rules` that names the problem (unknown field, wrong type, cycle)."""
    try:
        validate_rules(rules, resolve=rules_of, own_code=own_code)
        compile_rules(rules, resolve=rules_of)
    except RuleError as exc:
        raise ValidationError({"rules": [str(exc)]}) from None


@transaction.atomic
def segment_create(*, code: str, name: str, rules: dict, description: str = "", predefined: bool = False) -> Segment:
    if Segment.objects.filter(code=code).exists():
        raise ValidationError({"code": [f"A segment with code '{code}' exists already."]})
    segment_rules_check(rules=rules, own_code=code)
    return Segment.objects.create(code=code, name=name, rules=rules, description=description, predefined=predefined)


@transaction.atomic
def segment_update(*, segment: Segment, **changes) -> Segment:
    unknown = set(changes) - set(SEGMENT_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    if "rules" in changes:
        segment_rules_check(rules=changes["rules"], own_code=segment.code)
    for name, value in changes.items():
        setattr(segment, name, value)
    segment.save()
    return segment


@dataclass(frozen=True)
class RefreshResult:
    count: int
    entered: int
    exited: int
    refreshed_at: datetime


# The rule query's result, staged once per refresh (a temporary table lives in one connection).
STAGED = "segment_refresh_matched"


@transaction.atomic
def segment_refresh(*, segment: Segment, now: datetime | None = None) -> RefreshResult:
    """Rewrite the segment's membership from its rules and record who entered and who exited.

    Everything happens in the database: no customer is loaded into Python, whatever the size of the
    segment. The rule query runs once, into a temporary table with a primary key; the leavers are
    the members not in it, the entrants are inserted from it with ON CONFLICT DO NOTHING. No
    statement reads the table it writes, so no plan can rescan its own inserts: a refresh stays
    linear whatever the statistics say (docs/benchmarks.md, segment refresh). Live rechecks of
    changed customers (audiences/segments/recheck.py) take the same segment lock.
    """
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    # Taken after the lock: a live recheck that held it has committed, and history stays in order.
    now = now or timezone.now()
    try:
        matched = matching_customers(segment.rules, now=now).values("pk")
        matched_sql, matched_params = matched.query.sql_with_params()
    except RuleError as exc:
        raise ValidationError({"rules": [str(exc)]}) from None
    membership = SegmentMembership._meta.db_table
    changes = SegmentMembershipChange._meta.db_table
    # Table names come from the models and every value is a parameter.
    not_matched = f"NOT EXISTS (SELECT 1 FROM {STAGED} s WHERE s.customer_id = {membership}.customer_id)"  # noqa: S608
    # As the ORM writes it: SQLite keeps datetimes as text, and a raw aware datetime would gain a
    # "+00:00" the ORM's rows lack (comparisons and ordering by time would then disagree).
    stamp = connection.ops.adapt_datetimefield_value(now)
    id_type = "bigint" if connection.vendor == "postgresql" else "integer"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGED} (customer_id {id_type} PRIMARY KEY)")
        cursor.execute(f"INSERT INTO {STAGED} (customer_id) {matched_sql}", matched_params)
        if connection.vendor == "postgresql":
            # Temporary tables get no statistics unless asked: the planner then knows the staged size.
            cursor.execute(f"ANALYZE {STAGED}")
        # Ids only grow, and nobody else writes this segment's rows while its lock is held: rows
        # above this mark are the ones this refresh writes.
        cursor.execute(f"SELECT MAX(id) FROM {membership}")  # noqa: S608
        members_before = cursor.fetchone()[0] or 0
        cursor.execute(
            f"INSERT INTO {changes} (segment_id, customer_id, kind, changed_at) "  # noqa: S608
            f"SELECT %s, customer_id, %s, %s FROM {membership} WHERE segment_id = %s AND {not_matched}",
            [segment.pk, SegmentMembershipChange.Kind.EXITED, stamp, segment.pk],
        )
        exited = cursor.rowcount
        # The same rows as just recorded: the staged set is fixed and the segment lock keeps rechecks out.
        cursor.execute(f"DELETE FROM {membership} WHERE segment_id = %s AND {not_matched}", [segment.pk])  # noqa: S608
        # "WHERE true": SQLite needs it to tell the upsert's ON CONFLICT from a join's ON.
        cursor.execute(
            f"INSERT INTO {membership} (segment_id, customer_id, entered_at) "  # noqa: S608
            f"SELECT %s, customer_id, %s FROM {STAGED} WHERE true ON CONFLICT (segment_id, customer_id) DO NOTHING",
            [segment.pk, stamp],
        )
        entered = cursor.rowcount
        # The rows just inserted are the entries: no second evaluation of the rules. By id, not by
        # entered_at: a live recheck may have entered someone at this very instant (a frozen clock).
        cursor.execute(
            f"INSERT INTO {changes} (segment_id, customer_id, kind, changed_at) "  # noqa: S608
            f"SELECT segment_id, customer_id, %s, entered_at FROM {membership} WHERE segment_id = %s AND id > %s",
            [SegmentMembershipChange.Kind.ENTERED, segment.pk, members_before],
        )
        cursor.execute(f"DROP TABLE {STAGED}")
    if entered or exited:
        pricing_inputs_changed()
    count = SegmentMembership.objects.filter(segment=segment).count()
    Segment.objects.filter(pk=segment.pk).update(member_count=count, refreshed_at=now)
    transaction.on_commit(
        lambda: signals.segment_membership_changed.send(
            sender=None, segment=segment, entered=entered, exited=exited, changed_at=now
        )
    )
    return RefreshResult(count=count, entered=entered, exited=exited, refreshed_at=now)


def segments_refresh_all(*, now: datetime | None = None) -> dict[str, RefreshResult]:
    """Refresh every segment, each in its own transaction."""
    return {segment.code: segment_refresh(segment=segment, now=now) for segment in Segment.objects.order_by("code")}
