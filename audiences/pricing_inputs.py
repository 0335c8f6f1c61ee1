"""The version of what pricing reads about customers and the catalogue, for the storefront caches.

Any write that changes a customer's row, their segments, the facts an app's provider computes or
the products and categories calls `pricing_inputs_changed()` inside its transaction: the cached
copies keyed by the old version are never read again, in any process.

On PostgreSQL the version is a sequence: `nextval` takes no lock a transaction holds, so writers
that lock rows in different orders cannot deadlock on it. It moves at once (the writer's own
transaction reads fresh) and again on commit, so a copy another process cached in between, of
the data as it was before the commit, is not read after it. SQLite serialises writers anyway: a row.
"""

from django.db import connection, transaction

from audiences.models import PricingInputsVersion

SEQUENCE = "audiences_pricing_inputs_version"
_TABLE = PricingInputsVersion._meta.db_table
_BUMP_ROW = (
    f"INSERT INTO {_TABLE} (id, version) VALUES (1, 1) "  # noqa: S608
    f"ON CONFLICT (id) DO UPDATE SET version = {_TABLE}.version + 1"
)


def _bump() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval('{SEQUENCE}')" if connection.vendor == "postgresql" else _BUMP_ROW)


def pricing_inputs_changed() -> None:
    _bump()
    transaction.on_commit(_bump)


def version_sql() -> str:
    """A scalar query for the current version, to read in the same statement as other versions."""
    if connection.vendor == "postgresql":
        # A fresh sequence reads last_value 1 before and after its first nextval: is_called tells them apart.
        return f"SELECT last_value + is_called::int FROM {SEQUENCE}"  # noqa: S608
    return f"SELECT version FROM {_TABLE} WHERE id = 1"  # noqa: S608


def _changed(sender, **kwargs) -> None:
    pricing_inputs_changed()


def connect_model_writes() -> None:
    """Single-row saves and deletes (the admin, spreadsheet imports) bump it too; bulk and raw writes call it."""
    from django.db.models.signals import post_delete, post_save

    from audiences.models import Category, Customer, Product, SegmentMembership

    for model in (Customer, Product, Category, SegmentMembership):
        post_save.connect(_changed, sender=model, dispatch_uid=f"pricing_inputs_{model.__name__}_saved")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pricing_inputs_{model.__name__}_deleted")
