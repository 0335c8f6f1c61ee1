"""Whether bulk writes stream with COPY (PostgreSQL) or go through the ORM's batched INSERTs (SQLite).

`BULK_WRITES_WITH_COPY` can switch COPY off on PostgreSQL too: both paths must write the same rows, and the
tests compare them on one database.
"""

from django.conf import settings
from django.db import connection


def copy_writes() -> bool:
    return connection.vendor == "postgresql" and settings.BULK_WRITES_WITH_COPY
