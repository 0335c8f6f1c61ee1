"""The version of what pricing reads about customers and the catalogue, for the storefront caches.

Any write that changes a customer's row, their segments, the facts an app's provider computes or
the products and categories calls `pricing_inputs_changed()` inside its transaction: the cached
copies keyed by the old version are never read again, in any process, once it commits.
"""

from django.db import connection

from audiences.models import PricingInputsVersion

_TABLE = PricingInputsVersion._meta.db_table
# Both PostgreSQL and SQLite take this upsert; the row need not exist yet (a fresh install).
_BUMP_SQL = (
    f"INSERT INTO {_TABLE} (id, version) VALUES (1, 1) "  # noqa: S608
    f"ON CONFLICT (id) DO UPDATE SET version = {_TABLE}.version + 1"
)


def pricing_inputs_changed() -> None:
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_SQL)


def _changed(sender, **kwargs) -> None:
    pricing_inputs_changed()


def connect_model_writes() -> None:
    """Single-row saves and deletes (the admin, spreadsheet imports) bump it too; bulk and raw writes call it."""
    from django.db.models.signals import post_delete, post_save

    from audiences.models import Category, Customer, Product, SegmentMembership

    for model in (Customer, Product, Category, SegmentMembership):
        post_save.connect(_changed, sender=model, dispatch_uid=f"pricing_inputs_{model.__name__}_saved")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pricing_inputs_{model.__name__}_deleted")
