"""Reads that may come from a streaming replica: segment counts, reports and exports (docs/operations.md).

Only code that says so reads from the replica, inside `from_replica()`; everything else, and every write, uses
the primary, so a request always sees its own writes. Without `DATABASE_REPLICA_URL` the block reads from the
primary as before. A replica lags by a moment: what reads from it must not need the last second's writes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


@contextmanager
def from_replica() -> Iterator[None]:
    """Reads in this block go to the replica, when there is one."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


class ReplicaRouter:
    """Reads inside `from_replica()` go to the replica; writes, migrations and every other read to the primary."""

    def db_for_read(self, model, **hints):
        if _reading_from_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
