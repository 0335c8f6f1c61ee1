"""Events partitioned by month on PostgreSQL: the months ahead are created, an event of any date is stored,
retention drops whole months, and a recent-window segment condition reads only the recent months.

The test database was migrated today, so these tests work in years no partition exists for yet."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from audiences.data_subjects.retention import events_prune
from audiences.models import Customer, Event
from audiences.segments.selectors import matching_customers
from audiences.services.event_partitions import event_partitions_ensure
from audiences.tasks import event_partitions_ensure_task
from config.month_ranges import Month
from config.partitions import default_partition, monthly_partitions

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps a plain events table"),
]

NOW = datetime(2031, 5, 15, 2, 10, tzinfo=UTC)
TABLE = Event._meta.db_table


def where_stored(event: Event) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def customer() -> Customer:
    return Customer.objects.create(external_id="C-1", phone="+8801700000001")


def event_at(customer: Customer, moment: datetime, type_: str = "product_viewed", **extra) -> Event:
    return Event.objects.create(customer=customer, type=type_, occurred_at=moment, **extra)


def test_the_migration_made_a_partitioned_table_with_this_months_partition_and_a_default():
    months = monthly_partitions(TABLE)
    assert Month.of(datetime.now(UTC)) in months
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [default_partition(TABLE)])
        assert cursor.fetchone()[0]


def test_beat_creates_this_month_and_the_next_ones_once(settings, customer):
    settings.EVENTS_PARTITIONS_AHEAD_MONTHS = 3

    created = event_partitions_ensure(now=NOW)

    assert sorted(created) == [Month(2031, 5), Month(2031, 6), Month(2031, 7), Month(2031, 8)]
    assert event_partitions_ensure(now=NOW) == {}
    assert where_stored(event_at(customer, datetime(2031, 8, 31, 23, 59, tzinfo=UTC))) == f"{TABLE}_y2031m08"
    assert where_stored(event_at(customer, datetime(2031, 9, 1, tzinfo=UTC))) == default_partition(TABLE)


def test_an_event_of_any_date_is_stored_and_its_month_is_made_for_it_unless_too_far_ahead(settings, customer):
    settings.EVENTS_PARTITIONS_AHEAD_MONTHS = 1
    ancient = event_at(customer, datetime(1901, 2, 3, tzinfo=UTC), idempotency_key="ancient")
    distant = event_at(customer, datetime(2150, 1, 1, tzinfo=UTC))
    assert where_stored(ancient) == where_stored(distant) == default_partition(TABLE)

    created = event_partitions_ensure(now=NOW)

    assert created[Month(1901, 2)] == 1 and Month(2150, 1) not in created
    assert where_stored(ancient) == f"{TABLE}_y1901m02"
    assert where_stored(distant) == default_partition(TABLE)
    assert Event.objects.get(idempotency_key="ancient").occurred_at == datetime(1901, 2, 3, tzinfo=UTC)


def test_the_daily_task_creates_the_months(settings):
    settings.EVENTS_PARTITIONS_AHEAD_MONTHS = 0
    if Month.of(datetime.now(UTC)) in monthly_partitions(TABLE):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {Month.of(datetime.now(UTC)).partition_name(TABLE)}")

    assert event_partitions_ensure_task.apply(throw=True).result == 1
    assert Month.of(datetime.now(UTC)) in monthly_partitions(TABLE)


def test_retention_drops_the_months_wholly_past_and_keeps_the_cutoffs_month(settings, customer):
    settings.RETENTION_EVENTS_MONTHS = 24  # the cutoff: 2029-05-15 02:10
    event_partitions_ensure(now=datetime(2029, 6, 1, tzinfo=UTC), since=datetime(2029, 3, 1, tzinfo=UTC))
    for day in (1, 30):
        event_at(customer, datetime(2029, 3, day, tzinfo=UTC))
    event_at(customer, datetime(2029, 4, 30, 23, 59, tzinfo=UTC))
    in_default = event_at(customer, datetime(2001, 1, 1, tzinfo=UTC))
    kept = [event_at(customer, datetime(2029, 5, 1, tzinfo=UTC)), event_at(customer, datetime(2029, 6, 9, tzinfo=UTC))]

    assert events_prune(now=NOW, batch=2) == 4

    assert set(Event.objects.all()) == set(kept)
    assert not {Month(2029, 3), Month(2029, 4)} & set(monthly_partitions(TABLE))
    assert {Month(2029, 5), Month(2029, 6)} <= set(monthly_partitions(TABLE))
    assert not Event.objects.filter(pk=in_default.pk).exists()
    assert events_prune(now=NOW, batch=2) == 0


def test_the_database_refuses_a_key_twice_at_the_same_moment(customer):
    moment = datetime(2031, 5, 1, tzinfo=UTC)
    event_at(customer, moment, idempotency_key="twice")

    with pytest.raises(IntegrityError), transaction.atomic():
        event_at(customer, moment, idempotency_key="twice")


def test_a_recent_window_reads_only_the_recent_months(settings, customer):
    settings.EVENTS_PARTITIONS_AHEAD_MONTHS = 0
    event_partitions_ensure(now=NOW, since=datetime(2030, 11, 1, tzinfo=UTC))
    for month in range(6):
        moment = Month(2030, 12).plus(month).start + timedelta(days=3)
        event_at(customer, moment, "complaint_opened")

    rules = {"event": "complaint_opened", "within_days": 30}
    plan = matching_customers(rules, now=NOW).explain()

    assert customer in matching_customers(rules, now=NOW)
    assert f"{TABLE}_y2031m05" in plan and f"{TABLE}_y2031m04" in plan  # 30 days back from 15 May
    assert f"{TABLE}_y2031m03" not in plan and f"{TABLE}_y2030m12" not in plan
