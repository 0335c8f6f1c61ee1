"""Writes for segments: define, edit, refresh the membership snapshot (set-based)."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from audiences import signals
from audiences.models import Customer, Segment, SegmentMembership, SegmentMembershipChange
from audiences.pricing_inputs import pricing_inputs_changed
from audiences.segments.fields import RuleError
from audiences.segments.language import compile_rules, validate_rules

SEGMENT_FIELDS = ("name", "description", "rules")


def rules_of(code: str) -> dict | None:
    return Segment.objects.filter(code=code).values_list("rules", flat=True).first()


def segment_rules_check(*, rules, own_code: str | None = None) -> None:
    """Raise a ValidationError on `rules` that names the problem (unknown field, wrong type, cycle)."""
    try:
        validate_rules(rules, resolve=rules_of, own_code=own_code)
        compile_rules(rules, resolve=rules_of)
    except RuleError as exc:
        raise ValidationError({"rules": [str(exc)]}) from None


def matching_customers(rules: dict, *, now: datetime | None = None):
    """The customers a rule tree matches, as a lazy queryset (one SQL query, nothing loaded)."""
    return Customer.objects.filter(compile_rules(rules, resolve=rules_of, now=now)).order_by()


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


@transaction.atomic
def segment_refresh(*, segment: Segment, now: datetime | None = None) -> RefreshResult:
    """Rewrite the segment's membership from its rules and record who entered and who exited.

    Everything happens in the database (INSERT ... SELECT, DELETE of the rows it recorded as exited):
    no customer is loaded into Python, whatever the size of the segment. Live rechecks of changed
    customers (audiences/segments/recheck.py) take the same segment lock.
    """
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    # Taken after the lock: a live recheck that held it has committed, and history stays in order.
    now = now or timezone.now()
    try:
        matched = matching_customers(segment.rules, now=now).annotate(matched_id=F("pk")).values("matched_id")
        matched_sql, matched_params = matched.query.sql_with_params()
    except RuleError as exc:
        raise ValidationError({"rules": [str(exc)]}) from None
    membership = SegmentMembership._meta.db_table
    changes = SegmentMembershipChange._meta.db_table
    # Table names come from the models and every value is a parameter. NOT EXISTS (not NOT IN) so
    # that PostgreSQL plans hash anti-joins: NOT IN over 500,000 ids degrades to a nested loop.
    matched_member = f"SELECT 1 FROM ({matched_sql}) matched WHERE matched.matched_id = {membership}.customer_id"  # noqa: S608
    member_matched = f"SELECT 1 FROM {membership} m WHERE m.segment_id = %s AND m.customer_id = matched.matched_id"  # noqa: S608
    # As the ORM writes it: SQLite keeps datetimes as text, and a raw aware datetime would gain a
    # "+00:00" the ORM's rows lack (comparisons and ordering by time would then disagree).
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        # Ids only grow, and nobody else writes this segment's rows while its lock is held: rows
        # above these marks are the ones this refresh writes.
        cursor.execute(f"SELECT (SELECT MAX(id) FROM {changes}), (SELECT MAX(id) FROM {membership})")  # noqa: S608
        history_before, members_before = (mark or 0 for mark in cursor.fetchone())
        cursor.execute(
            f"INSERT INTO {changes} (segment_id, customer_id, kind, changed_at) "  # noqa: S608
            f"SELECT %s, customer_id, %s, %s FROM {membership} "
            f"WHERE segment_id = %s AND NOT EXISTS ({matched_member})",
            [segment.pk, SegmentMembershipChange.Kind.EXITED, stamp, segment.pk, *matched_params],
        )
        exited = cursor.rowcount
        # Delete exactly the members just written as exited, not a second evaluation of the rules:
        # on PostgreSQL each statement sees the latest commits, so a customer changed in between
        # would leave without an 'exited' row (and later show two 'entered' in a row).
        cursor.execute(
            f"DELETE FROM {membership} WHERE segment_id = %s AND EXISTS ("  # noqa: S608
            f"SELECT 1 FROM {changes} c WHERE c.segment_id = {membership}.segment_id AND c.changed_at = %s "
            f"AND c.id > %s AND c.kind = %s AND c.customer_id = {membership}.customer_id)",
            [segment.pk, stamp, history_before, SegmentMembershipChange.Kind.EXITED],
        )
        cursor.execute(
            f"INSERT INTO {membership} (segment_id, customer_id, entered_at) "  # noqa: S608
            f"SELECT %s, matched.matched_id, %s FROM ({matched_sql}) matched WHERE NOT EXISTS ({member_matched})",
            [segment.pk, stamp, *matched_params, segment.pk],
        )
        entered = cursor.rowcount
        # The rows just inserted are the entries: no second evaluation of the rules. By id, not by
        # entered_at: a live recheck may have entered someone at this very instant (a frozen clock).
        cursor.execute(
            f"INSERT INTO {changes} (segment_id, customer_id, kind, changed_at) "  # noqa: S608
            f"SELECT segment_id, customer_id, %s, entered_at FROM {membership} WHERE segment_id = %s AND id > %s",
            [SegmentMembershipChange.Kind.ENTERED, segment.pk, members_before],
        )
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
