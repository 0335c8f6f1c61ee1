"""Tables partitioned by calendar month (UTC) on PostgreSQL: turning a plain table into one, creating the months
ahead, moving rows out of the DEFAULT partition, dropping a month whole.

PostgreSQL only; callers ask `is_partitioned` first (SQLite keeps plain tables). A partitioned table has one
monthly partition per month `<table>_yYYYYmMM` and a `<table>_default` that takes any row no month holds, so
no insert ever fails for want of a partition. Its primary key is (id, <column>): a partitioned table's unique
indexes must include the partition key. Ids stay unique all the same: one sequence hands them out.
"""

from datetime import datetime

from django.db import connection, transaction

from config.month_ranges import Month, month_of_partition, months_from

# DDL on a partitioned table waits for every query reading it; past this it gives up (the next run retries)
# rather than make every new query queue behind it.
LOCK_TIMEOUT = "10s"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _literal(moment: datetime) -> str:
    return f"'{moment.isoformat()}'"


def default_partition(table: str) -> str:
    return f"{table}_default"


def is_partitioned(table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))", [table])
        return cursor.fetchone()[0]


def monthly_partitions(table: str) -> list[Month]:
    """The months that have a partition, in order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [table],
        )
        months = (month_of_partition(table, name) for (name,) in cursor.fetchall())
        return sorted(month for month in months if month is not None)


def _months_with_rows(source: str, column: str, *, before: Month) -> list[Month]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', {_quote(column)} AT TIME ZONE 'UTC') FROM {_quote(source)} "  # noqa: S608 - names from the caller's code
            f"WHERE {_quote(column)} < {_literal(before.start)}"
        )
        return sorted(Month(start.year, start.month) for (start,) in cursor.fetchall())


def partition_create(table: str, column: str, month: Month) -> int:
    """Create the month's partition unless it exists, moving into it the rows of that month the DEFAULT partition
    took meanwhile (attaching a month whose rows sit in DEFAULT would fail). Answers how many rows moved."""
    name, default = month.partition_name(table), default_partition(table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        # Deferred foreign-key checks of rows written earlier in the transaction now: DDL refuses pending ones.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Inserts of this month go to DEFAULT until the partition is attached: hold them off until then.
        cursor.execute(f"LOCK TABLE {_quote(default)} IN ACCESS EXCLUSIVE MODE")
        if month in monthly_partitions(table):
            return 0
        cursor.execute(f"CREATE TABLE {_quote(name)} (LIKE {_quote(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(
            f"WITH moved AS (DELETE FROM {_quote(default)} WHERE {_quote(column)} >= {_literal(month.start)} "  # noqa: S608 - names from the caller's code
            f"AND {_quote(column)} < {_literal(month.end)} RETURNING *) INSERT INTO {_quote(name)} SELECT * FROM moved"
        )
        moved = cursor.rowcount
        # Attaching builds the partition's share of every index of the table and clones its foreign keys.
        cursor.execute(
            f"ALTER TABLE {_quote(table)} ATTACH PARTITION {_quote(name)} "
            f"FOR VALUES FROM ({_literal(month.start)}) TO ({_literal(month.end)})"
        )
        return moved


def partitions_ensure(
    table: str, column: str, *, now: datetime, ahead: int, since: datetime | None = None
) -> dict[Month, int]:
    """The partitions of this month (or every month from `since`'s) to `ahead` months on, and of any earlier month
    whose rows landed in DEFAULT (each move its own transaction). Rows past the last month ahead stay in DEFAULT.
    Answers the months created and how many rows each took from DEFAULT."""
    current = Month.of(now)
    last = current.plus(ahead)
    existing = set(monthly_partitions(table))
    wanted = set(_months_with_rows(default_partition(table), column, before=last.plus(1)))
    wanted |= set(months_from(Month.of(since) if since else current, last))
    return {month: partition_create(table, column, month) for month in sorted(wanted - existing)}


def partition_drop(table: str, month: Month) -> int:
    """Drop the month's partition with its rows (a catalog change, not a row-by-row delete); how many rows went."""
    name = month.partition_name(table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        # Deferred foreign-key checks of rows written earlier in the transaction now: DDL refuses pending ones.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SELECT count(*) FROM {_quote(name)}")  # noqa: S608 - a partition's name
        rows = cursor.fetchone()[0]
        cursor.execute(f"ALTER TABLE {_quote(table)} DETACH PARTITION {_quote(name)}")
        cursor.execute(f"DROP TABLE {_quote(name)}")
        return rows


def table_partition_by_month(table: str, column: str, *, now: datetime, ahead: int, pk: str = "id") -> int:
    """Rebuild a plain table as one partitioned by month on `column`, in the caller's transaction (a migration's):
    the same columns, constraints (the primary key widened to (pk, column)) and indexes, the rows moved, ids
    handed out by a sequence that goes on from the old one. Foreign keys pointing at the table are dropped: a
    partitioned table's pk alone is not unique, so nothing can reference it (the caller checks that no model
    expects one). Unique constraints must include `column`. Answers how many rows moved."""
    old = f"{table}_unpartitioned"
    sequence = f"{table}_{pk}_seq"
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {_quote(table)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = %s::regclass",
            [table],
        )
        for referencing, name in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {referencing} DROP CONSTRAINT {_quote(name)}")
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "ORDER BY contype DESC, conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [table],
        )
        indexes = [definition for (definition,) in cursor.fetchall()]
        cursor.execute(f"SELECT last_value, is_called FROM {_serial_sequence(cursor, table, pk)}")  # noqa: S608
        last_value, is_called = cursor.fetchone()

        cursor.execute(f"ALTER TABLE {_quote(table)} RENAME TO {_quote(old)}")
        cursor.execute(f"ALTER TABLE {_quote(old)} ALTER COLUMN {_quote(pk)} DROP IDENTITY")
        cursor.execute(
            f"CREATE TABLE {_quote(table)} (LIKE {_quote(old)} INCLUDING DEFAULTS) "
            f"PARTITION BY RANGE ({_quote(column)})"
        )
        cursor.execute(f"CREATE SEQUENCE {_quote(sequence)} OWNED BY {_quote(table)}.{_quote(pk)}")
        cursor.execute(f"ALTER TABLE {_quote(table)} ALTER COLUMN {_quote(pk)} SET DEFAULT nextval('{sequence}')")
        cursor.execute("SELECT setval(%s, %s, %s)", [sequence, last_value, is_called])

        current = Month.of(now)
        last = current.plus(ahead)
        months = set(_months_with_rows(old, column, before=last.plus(1))) | set(months_from(current, last))
        for month in sorted(months):
            cursor.execute(
                f"CREATE TABLE {_quote(month.partition_name(table))} PARTITION OF {_quote(table)} "
                f"FOR VALUES FROM ({_literal(month.start)}) TO ({_literal(month.end)})"
            )
        cursor.execute(f"CREATE TABLE {_quote(default_partition(table))} PARTITION OF {_quote(table)} DEFAULT")
        cursor.execute(f"INSERT INTO {_quote(table)} SELECT * FROM {_quote(old)}")  # noqa: S608
        moved = cursor.rowcount
        cursor.execute(f"DROP TABLE {_quote(old)}")

        # Indexes and constraints are built once, over the moved rows, on every partition.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for name, kind, definition in constraints:
            if kind == "p":
                definition = f"PRIMARY KEY ({_quote(pk)}, {_quote(column)})"
            cursor.execute(f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}")
        for definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"ANALYZE {_quote(table)}")
        return moved


def _serial_sequence(cursor, table: str, column: str) -> str:
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
    return cursor.fetchone()[0]
