"""A segment refresh's plans do not depend on what the statistics say about the membership table.

The refresh used to insert into segmentmembership with NOT EXISTS against segmentmembership itself.
When the statistics say that table is empty (a fresh install, after VACUUM ANALYZE, after a mass
delete), PostgreSQL picks a nested loop whose inner side scans it once per matched customer,
rescanning the statement's own inserts: quadratic (12.4 s instead of 1.2 s at 100,000 rows). The
danger is a table empty when the statement is planned that fills while it runs. The tests put the
table in those states, capture the plan of every statement a refresh runs and check that no nested
loop rescans the membership table, and that the old statement would.
"""

import json

import pytest
from django.db import connection

from audiences.models import Customer, Segment, SegmentMembership, SegmentMembershipChange
from audiences.segments import services as segments

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the planner hazard is PostgreSQL's (SQLite has no such statistics)"
    ),
]

MEMBERSHIP = SegmentMembership._meta.db_table
CUSTOMERS = 3_000
DHAKA = {"all": [{"field": "city", "op": "eq", "value": "Dhaka"}]}


def empty_and_analyze_membership() -> None:
    """The tables as a fresh install after VACUUM ANALYZE leaves them: no pages, statistics of none.
    (Pages left by earlier tests' rolled-back rows would make a scan look costly to the planner.)"""
    tables = f"{MEMBERSHIP}, {SegmentMembershipChange._meta.db_table}"
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")
        cursor.execute(f"ANALYZE {tables}")


def rescans_membership(plan: dict) -> bool:
    """A nested loop whose inner side reads the membership table: it runs once per outer row."""
    children = plan.get("Plans", [])
    if plan["Node Type"] == "Nested Loop" and len(children) == 2 and reads_membership(children[1]):
        return True
    return any(rescans_membership(child) for child in children)


def reads_membership(plan: dict) -> bool:
    return plan.get("Relation Name") == MEMBERSHIP or any(reads_membership(child) for child in plan.get("Plans", []))


def explain(sql: str, params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        document = cursor.fetchone()[0]
    return (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]


def refresh_plans(segment: Segment) -> list[tuple[str, dict]]:
    """Refresh the segment, planning each statement just before it runs (in the state it runs in)."""
    plans = []

    def capture(execute, sql, params, many, context):
        if not many and sql.lstrip().upper().startswith(("INSERT", "DELETE", "UPDATE", "SELECT")):
            raw = context["cursor"].cursor  # the driver's cursor: no wrapper, so no recursion
            raw.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            document = raw.fetchone()[0]
            plans.append((sql, (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        segments.segment_refresh(segment=segment)
    return plans


def old_entry_statement(segment: Segment) -> tuple[str, list]:
    """The statement the refresh ran before: NOT EXISTS against the table it inserts into."""
    return (
        f"INSERT INTO {MEMBERSHIP} (segment_id, customer_id, entered_at) "  # noqa: S608
        f"SELECT %s, c.id, now() FROM {Customer._meta.db_table} c WHERE c.city = %s AND NOT EXISTS "
        f"(SELECT 1 FROM {MEMBERSHIP} m WHERE m.segment_id = %s AND m.customer_id = c.id)",
        [segment.pk, "Dhaka", segment.pk],
    )


@pytest.fixture
def dhaka_segment(db) -> Segment:
    Customer.objects.bulk_create(
        Customer(external_id=f"C{number:05}", city="Dhaka" if number % 2 else "Arusha") for number in range(CUSTOMERS)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Customer._meta.db_table}")
    return segments.segment_create(code="dhaka", name="Dhaka", rules=DHAKA)


def assert_linear_refreshes(segment: Segment, *, expected_count: int) -> None:
    for _ in range(2):  # from the state as given, then again with the statistics now stale
        plans = refresh_plans(segment)
        assert plans, "no statement was captured"
        for sql, plan in plans:
            assert not rescans_membership(plan), f"a nested loop rescans {MEMBERSHIP} in:\n{sql}\n{plan}"
        assert SegmentMembership.objects.filter(segment=segment).count() == expected_count


def test_the_old_statement_goes_quadratic_on_empty_statistics(dhaka_segment):
    """The state the other tests build is the dangerous one: the old plan rescans the table."""
    empty_and_analyze_membership()
    assert rescans_membership(explain(*old_entry_statement(dhaka_segment)))


def test_refresh_after_analyze_of_an_empty_membership_table(dhaka_segment):
    empty_and_analyze_membership()
    assert_linear_refreshes(dhaka_segment, expected_count=CUSTOMERS // 2)


@pytest.mark.django_db(transaction=True)
def test_refresh_after_a_mass_delete_and_vacuum(dhaka_segment):
    """VACUUM gives the emptied pages back: the table is as empty to the planner as on a fresh install."""
    segments.segment_refresh(segment=dhaka_segment)
    SegmentMembership.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {MEMBERSHIP}")  # outside a transaction: this test commits
    assert_linear_refreshes(dhaka_segment, expected_count=CUSTOMERS // 2)
