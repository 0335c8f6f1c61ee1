"""Stream generated rows into a table: COPY on PostgreSQL, batched INSERTs on SQLite.

Rows arrive as tuples in a known column order; neither writer builds model instances. Columns of
the model the generator does not know about (added later, with a default) get that default.
"""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice

from django.db import connection, models

SQLITE_BATCH = 5_000


def _extra_columns(model: type[models.Model], columns: Sequence[str]) -> tuple[list[str], list]:
    """Concrete columns not in `columns`, with their defaults, so new model fields don't break seeding."""
    names, values = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.column in columns:
            continue
        default = model_field.get_default()
        if isinstance(model_field, models.JSONField):
            default = json.dumps(default)
        names.append(model_field.column)
        values.append(default)
    return names, values


class PostgresCopyWriter:
    """COPY ... FROM STDIN through psycopg 3, one row at a time: nothing is held beyond the chunk."""

    @contextmanager
    def deferred_indexes(self, tables: list[type[models.Model]]) -> Iterator[None]:
        """Load empty tables without their secondary indexes and constraints, then build them once.

        Building an index over ten million sorted rows is many times faster than maintaining it row
        by row, and adding a foreign key checks it with one join instead of a trigger per row. Must
        run inside the loading transaction: if the load fails, the DDL rolls back with it. Tables
        that already hold rows are loaded with their indexes in place.
        """
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            # Check the catalog rows written so far now: ALTER TABLE refuses pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            empty = []
            for model in tables:
                cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {quote(model._meta.db_table)})")  # noqa: S608
                if cursor.fetchone()[0]:
                    empty.append(model._meta.db_table)
            # Foreign keys and unique constraints no other table's foreign key depends on.
            cursor.execute(
                """
                SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
                FROM pg_constraint c
                WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u')
                  AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint f
                    WHERE f.contype = 'f' AND c.contype = 'u' AND f.conindid = c.conindid
                  )
                ORDER BY c.contype DESC, c.conname
                """,
                [empty],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                ORDER BY 1
                """,
                [empty],
            )
            indexes = cursor.fetchall()
            for table, name, _ in constraints:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {name}")
        yield
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in reversed(constraints):
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")

    def write(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> None:
        extra_names, extra_values = _extra_columns(model, columns)
        quote = connection.ops.quote_name
        column_list = ", ".join(quote(name) for name in (*columns, *extra_names))
        statement = f"COPY {quote(model._meta.db_table)} ({column_list}) FROM STDIN"
        with connection.cursor() as cursor, cursor.connection.cursor().copy(statement) as copy:
            if extra_values:
                extra = tuple(extra_values)
                for row in rows:
                    copy.write_row(row + extra)
            else:
                for row in rows:
                    copy.write_row(row)

    def reset_sequence(self, model: type[models.Model]) -> None:
        """After rows with explicit ids, the next id the database hands out follows the largest."""
        table = model._meta.db_table
        pk = model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608 - names come from model metadata
                f"COALESCE(MAX({connection.ops.quote_name(pk)}), 0) + 1, false)"
                f" FROM {connection.ops.quote_name(table)}",
                [table, pk],
            )


class SQLiteBatchWriter:
    """executemany INSERTs in batches; values are adapted the way Django stores them."""

    def write(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> None:
        extra_names, extra_values = _extra_columns(model, columns)
        names = (*columns, *extra_names)
        fields = {model_field.column: model_field for model_field in model._meta.concrete_fields}
        adapters = [self._adapter(fields[name]) for name in names]
        extra = tuple(extra_values)
        quote = connection.ops.quote_name
        statement = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(name) for name in names)}) "  # noqa: S608 - names come from model metadata
            f"VALUES ({', '.join('%s' for _ in names)})"
        )
        rows = iter(rows)
        with connection.cursor() as cursor:
            while batch := list(islice(rows, SQLITE_BATCH)):
                cursor.executemany(
                    statement,
                    [
                        tuple(
                            value if adapt is None or value is None else adapt(value)
                            for adapt, value in zip(adapters, row + extra, strict=True)
                        )
                        for row in batch
                    ],
                )

    @staticmethod
    def _adapter(model_field: models.Field) -> Callable | None:
        if isinstance(model_field, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value
        if isinstance(model_field, models.DateField):
            return connection.ops.adapt_datefield_value
        return None

    @contextmanager
    def deferred_indexes(self, tables: list[type[models.Model]]) -> Iterator[None]:
        """At demo sizes SQLite loads fast enough with its indexes in place."""
        yield

    def reset_sequence(self, model: type[models.Model]) -> None:
        """SQLite hands out max(id) + 1 by itself."""
