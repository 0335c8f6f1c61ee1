"""The versions of what pricing reads about customers and the catalogue, for the storefront caches.

Two kinds, so that one customer's order does not throw away every other customer's copies:

- The global version covers the catalogue (products, categories, stores) and writes too wide to
  name customer by customer (a segment refresh, a bulk recompute). A write calls
  `pricing_inputs_changed()` inside its transaction: copies keyed by the old version are never
  read again, in any process. On PostgreSQL it is a sequence: `nextval` takes no lock a
  transaction holds, so writers that lock rows in different orders cannot deadlock on it. SQLite
  serialises writers anyway: a row.
- A customer's token covers that customer's row and facts (segments, every provider's). A write
  calls `customers_changed(customer_ids=...)` inside its transaction: it sets a fresh random token
  in the shared cache (Redis when CACHE_URL is set), keyed by the customer's external id, which a
  storefront request knows before it knows the row.

Both move at once (the writer's own transaction reads fresh) and again on commit, so a copy another
process cached in between, of the data as it was before the commit, is not read after it.
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable
from functools import partial

from django.core.cache import cache
from django.db import connection, transaction

from audiences.models import Customer, PricingInputsVersion

SEQUENCE = "audiences_pricing_inputs_version"
_TABLE = PricingInputsVersion._meta.db_table
_BUMP_ROW = (
    f"INSERT INTO {_TABLE} (id, version) VALUES (1, 1) "  # noqa: S608
    f"ON CONFLICT (id) DO UPDATE SET version = {_TABLE}.version + 1"
)

# How long a copy keyed by these versions lives: long enough to matter, short enough that copies under
# versions no longer read leave the cache on their own.
COPY_SECONDS = 600
# A token outlives the copies made under it; one that expired or was evicted is replaced by a new random
# one on the next read, so copies made under any earlier token are never read again either way.
_TOKEN_SECONDS = 2 * COPY_SECONDS
# A write that changes more customers than this moves the global version instead of a token each.
CUSTOMERS_PER_WRITE = 500


def _bump() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval('{SEQUENCE}')" if connection.vendor == "postgresql" else _BUMP_ROW)


def pricing_inputs_changed() -> None:
    """Everything cached about customers and the catalogue is stale (the catalogue changed, or too many customers)."""
    _bump()
    transaction.on_commit(_bump)


def version_sql() -> str:
    """A scalar query for the current global version, to read in the same statement as other versions."""
    if connection.vendor == "postgresql":
        # A fresh sequence reads last_value 1 before and after its first nextval: is_called tells them apart.
        return f"SELECT last_value + is_called::int FROM {SEQUENCE}"  # noqa: S608
    return f"SELECT version FROM {_TABLE} WHERE id = 1"  # noqa: S608


def name_hash(name: str) -> str:
    """A cache-safe name: external ids and SKUs may hold characters a cache key must not."""
    return hashlib.blake2b(name.encode(), digest_size=16).hexdigest()


def customer_token_key(external_id: str) -> str:
    return f"pricing_inputs:customer:{name_hash(external_id)}"


def customer_token_new(external_id: str) -> str:
    """The token to read under when the cache holds none: a fresh one, unless another process just set one."""
    key = customer_token_key(external_id)
    token = secrets.token_hex(8)
    if cache.add(key, token, _TOKEN_SECONDS):
        return token
    return cache.get(key) or token


def customers_changed(*, customer_ids: Iterable[int | None]) -> None:
    """These customers' rows or facts change in this transaction: their cached copies are not read again."""
    ids = {customer_id for customer_id in customer_ids if customer_id is not None}
    if len(ids) > CUSTOMERS_PER_WRITE:
        pricing_inputs_changed()
    elif ids:
        external_ids_changed(Customer.objects.filter(pk__in=ids).values_list("external_id", flat=True))


def external_ids_changed(external_ids: Iterable[str]) -> None:
    """As `customers_changed`, for customers named by external id (a rename, a delete)."""
    renew = partial(_renew_tokens, sorted(set(external_ids)))
    renew()
    transaction.on_commit(renew)


def customer_ordered(external_id: str, copies: Callable[[str], dict], *, read_token: str) -> None:
    """As `external_ids_changed` for a customer whose row only their order changed in this transaction, and whose
    next request should read warm: on commit, `copies(token)` (the cache entries the order left true, keyed by
    the new token) are written with it, one round trip. Unless the token moved since the order's pricing read it
    (`read_token`: another change to the customer committed meanwhile, so the copies pricing read may be stale),
    or since this transaction renewed it (a change in this transaction or another one): then only the token is
    renewed, as for any other change."""
    key = customer_token_key(external_id)
    if cache.get(key) != read_token:
        external_ids_changed([external_id])
        return
    token = secrets.token_hex(8)
    cache.set(key, token, _TOKEN_SECONDS)
    transaction.on_commit(partial(_renew_with_copies, key, token, copies))


def _renew_with_copies(key: str, token: str, copies: Callable[[str], dict]) -> None:
    fresh = secrets.token_hex(8)
    if cache.get(key) != token:
        cache.set(key, fresh, _TOKEN_SECONDS)
        return
    # The copies before the token (one MSET on Redis): no reader meets the token without its copies. The token
    # lives as long as they do here (its longer lifetime elsewhere only makes copies under it expire first).
    cache.set_many({**copies(fresh), key: fresh}, COPY_SECONDS)


def _renew_tokens(external_ids: list[str]) -> None:
    if external_ids:
        token = secrets.token_hex(8)
        cache.set_many({customer_token_key(external_id): token for external_id in external_ids}, _TOKEN_SECONDS)


def _catalogue_changed(sender, **kwargs) -> None:
    pricing_inputs_changed()


def _customer_saving(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """A renamed customer: copies cached under the old external id must not answer for it."""
    if raw or instance._state.adding or (update_fields is not None and "external_id" not in update_fields):
        return
    old = sender.objects.filter(pk=instance.pk).values_list("external_id", flat=True).first()
    if old is not None and old != instance.external_id:
        external_ids_changed([old])


def _customer_changed(sender, instance, **kwargs) -> None:
    external_ids_changed([instance.external_id])


def _membership_changed(sender, instance, **kwargs) -> None:
    customers_changed(customer_ids=[instance.customer_id])


def connect_model_writes() -> None:
    """Single-row saves and deletes (the admin, imports) move the versions; bulk and raw writes call them."""
    from django.db.models.signals import post_delete, post_save, pre_save

    from audiences.models import Category, Product, SegmentMembership, Store

    for model in (Product, Category, Store):
        post_save.connect(_catalogue_changed, sender=model, dispatch_uid=f"pricing_inputs_{model.__name__}_saved")
        post_delete.connect(_catalogue_changed, sender=model, dispatch_uid=f"pricing_inputs_{model.__name__}_deleted")
    pre_save.connect(_customer_saving, sender=Customer, dispatch_uid="pricing_inputs_Customer_saving")
    post_save.connect(_customer_changed, sender=Customer, dispatch_uid="pricing_inputs_Customer_saved")
    post_delete.connect(_customer_changed, sender=Customer, dispatch_uid="pricing_inputs_Customer_deleted")
    post_save.connect(_membership_changed, sender=SegmentMembership, dispatch_uid="pricing_inputs_Membership_saved")
    post_delete.connect(_membership_changed, sender=SegmentMembership, dispatch_uid="pricing_inputs_Membership_deleted")
