"""Replacing every row of a table at once on PostgreSQL: a new table is filled, then put in the old one's place.

A nightly job that rewrites a whole table (every customer's predictions, every customer's recommendations) would
otherwise DELETE millions of rows and insert as many through the table's indexes and foreign-key triggers (a
trigger and a lock on the customer's row per row). Here the rows go into a bare copy of the table; its keys and
indexes are built once over the loaded rows and it is analysed; then, in the caller's transaction, the old table
is renamed away and the new one takes its name and its constraints' and indexes' names. Readers read the old rows
until the commit; the swap holds the table for milliseconds. Writers of the table (an erasure deleting a
customer's rows) wait from the start until the commit, then write to the new table (PostgreSQL looks the name up
again after waiting).

Foreign keys are added NOT VALID just before the swap and validated after the commit, and the old table is
dropped after the commit with a lock timeout (else by the next replacement): adding a checked foreign key would
hold off writes to the referenced table (customers) while millions of rows are checked, and dropping a table
locks the tables it references outright. A row whose customer or product is gone fails the validation after
the commit (IntegrityError), and the key stays NOT VALID, enforced for every new row.

For tables that no other table references, without identity or serial columns (refused: their sequence would not
follow). Privileges granted on the old table are granted on the new one.
"""

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from django.db import OperationalError, connection, transaction
from django.db.models import Model

logger = logging.getLogger(__name__)

_INDEX_TARGET = re.compile(r"^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ USING ")
DROP_LOCK_TIMEOUT = "2s"


class NotSwappable(Exception):
    """The table holds what a swap would lose: an identity or serial column."""


@contextmanager
def table_replaced(model: type[Model]) -> Iterator[str]:
    """Yield the name of an empty table shaped like the model's, to fill; on leaving, it replaces the model's
    table, rows, constraints, indexes and privileges, in the caller's transaction. Other writers of the table
    wait from the start; readers read the old rows until the commit."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("table_replaced runs inside a transaction.")
    live = model._meta.db_table
    staging, old = f"{live[:50]}_next", f"{live[:50]}_old"
    with connection.cursor() as cursor:
        # Writers wait until the commit; a second replacement waits here, then replaces this one's rows.
        cursor.execute(f'LOCK TABLE "{live}" IN EXCLUSIVE MODE')
        _refuse_sequences(cursor, live)
        _drop(old)  # a last run's, if its drop timed out
        cursor.execute(
            f'CREATE TABLE "{staging}" (LIKE "{live}" INCLUDING ALL EXCLUDING INDEXES EXCLUDING CONSTRAINTS)'
        )
    yield staging
    with connection.cursor() as cursor:
        renames, foreign_keys = _constraints_and_indexes_built(cursor, live, staging)
        cursor.execute(f'ANALYZE "{staging}"')
        grants = _grants(cursor, live)
        for statement in foreign_keys:  # unchecked: the check waits for the commit
            cursor.execute(statement)
        cursor.execute(f'LOCK TABLE "{live}" IN ACCESS EXCLUSIVE MODE')
        cursor.execute(f'ALTER TABLE "{live}" RENAME TO "{old}"')
        for number, name in enumerate(_index_names(cursor, old)):  # index names are the schema's: free them
            cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{old[:50]}_x{number}"')
        cursor.execute(f'ALTER TABLE "{staging}" RENAME TO "{live}"')
        for statement in renames:
            cursor.execute(statement)
        for privilege, grantee in grants:
            cursor.execute(f'GRANT {privilege} ON "{live}" TO {grantee}')
    transaction.on_commit(partial(_drop, old))
    transaction.on_commit(partial(_validate, live))


def _refuse_sequences(cursor, live: str) -> None:
    cursor.execute(
        "SELECT attname FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped "
        "AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%%')",
        [live],
    )
    columns = [row[0] for row in cursor.fetchall()]
    if columns:
        raise NotSwappable(f"{live} has identity or serial columns ({', '.join(columns)}): it cannot be swapped.")


def _constraints_and_indexes_built(cursor, live: str, staging: str) -> tuple[list[str], list[str]]:
    """Build the live table's keys, checks and other indexes on the staging table under numbered names; return
    the renames that give them the live names once the live table is gone, and the statements that add its
    foreign keys, NOT VALID (with their renames)."""
    renames, foreign_keys = [], []
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid), contype = 'f' FROM pg_constraint WHERE conrelid = %s::regclass "
        "ORDER BY conname",
        [live],
    )
    for number, (name, definition, foreign) in enumerate(cursor.fetchall()):
        temporary = f"{staging}_c{number}"
        statement = f'ALTER TABLE "{staging}" ADD CONSTRAINT "{temporary}" {definition}'
        if foreign:
            foreign_keys.append(f"{statement} NOT VALID")
        else:
            cursor.execute(statement)
        renames.append(f'ALTER TABLE "{live}" RENAME CONSTRAINT "{temporary}" TO "{name}"')
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid) "
        "ORDER BY c.relname",
        [live],
    )
    for number, (name, definition) in enumerate(cursor.fetchall()):
        temporary = f"{staging}_i{number}"
        unique = "UNIQUE " if _INDEX_TARGET.match(definition).group(1) else ""
        cursor.execute(
            _INDEX_TARGET.sub(f'CREATE {unique}INDEX "{temporary}" ON "{staging}" USING ', definition, count=1)
        )
        renames.append(f'ALTER INDEX "{temporary}" RENAME TO "{name}"')
    return renames, foreign_keys


def _index_names(cursor, table: str) -> list[str]:
    cursor.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass ORDER BY 1", [table])
    return [row[0].strip('"') for row in cursor.fetchall()]


def _grants(cursor, live: str) -> list[tuple[str, str]]:
    """(privilege, grantee) granted on the live table to roles other than its owner."""
    cursor.execute(
        "SELECT a.privilege_type, quote_ident(r.rolname) FROM pg_class c, aclexplode(c.relacl) a "
        "JOIN pg_roles r ON r.oid = a.grantee WHERE c.oid = %s::regclass AND a.grantee <> c.relowner "
        "UNION ALL SELECT a.privilege_type, 'PUBLIC' FROM pg_class c, aclexplode(c.relacl) a "
        "WHERE c.oid = %s::regclass AND a.grantee = 0",
        [live, live],
    )
    return cursor.fetchall()


def _drop(table: str) -> None:
    """Drop a replaced table if it is there, unless its drop waits for the tables it references longer than
    DROP_LOCK_TIMEOUT (readers of customers hold them): then the next replacement drops it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        (previous,) = cursor.fetchone()
        try:
            with transaction.atomic():
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [DROP_LOCK_TIMEOUT])
                cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
        except OperationalError:
            logger.warning("%s: not dropped (its referenced tables were busy); the next replacement drops it", table)
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])


def _validate(live: str) -> None:
    """Check the new table's foreign keys over its rows: this locks neither its readers nor the referenced
    tables' writers out."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND NOT convalidated", [live])
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{live}" VALIDATE CONSTRAINT "{name}"')
