"""What pricing reads about the customer and the catalogue on every storefront request, cached.

One query reads the two global versions everything is keyed by: the promotion index's token and the
pricing-inputs version (audiences/pricing_inputs.py), which writes to the catalogue and writes too
wide to name customer by customer bump. A customer's row and facts are keyed besides by that
customer's token, which the writes that change them renew, so one customer's order leaves every other
customer's copies in place. Copies live in Django's cache (Redis when CACHE_URL is set, shared by
every process); a copy under an old version or token is simply never read again.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.db import connection

from audiences.models import Category, Customer, Order, Product, Store
from audiences.pricing_inputs import COPY_SECONDS, customer_token_key, customer_token_new, name_hash, version_sql
from promotions.models import IndexVersion, OrderPricing

# Cached for a name that matches nothing, so unknown SKUs and customers do not query every time.
_ABSENT = "absent"


@dataclass(frozen=True)
class PricingVersions:
    index: str
    inputs: int
    # The token of the customer the request names, once `customer_by_external_id` has read it.
    customer: str = ""


def _index_sql() -> str:
    return f"SELECT token FROM {IndexVersion._meta.db_table} WHERE id = 1"  # noqa: S608


def pricing_versions() -> PricingVersions:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({_index_sql()}), ({version_sql()})")
        index, inputs = cursor.fetchone()
    return PricingVersions(index or "", inputs or 0)


def pricing_versions_and_order(external_id: str) -> tuple[PricingVersions, tuple[bool, dict | None]]:
    """`pricing_versions()` and, in the same query, what `promotions.selectors.order_placed_answer` says of this
    order: whether it exists and what placing it answered the first time (placing an order asks both)."""
    answer = "p.response::text" if connection.vendor == "postgresql" else "p.response"
    sql = (
        f"SELECT ({_index_sql()}), ({version_sql()}), o.id IS NOT NULL, {answer} FROM (SELECT 1) AS one "  # noqa: S608
        f"LEFT JOIN {Order._meta.db_table} o ON o.external_id = %s "
        f"LEFT JOIN {OrderPricing._meta.db_table} p ON p.order_id = o.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [external_id])
        index, inputs, exists, first = cursor.fetchone()
    return PricingVersions(index or "", inputs or 0), (bool(exists), None if first is None else json.loads(first))


def _key(kind: str, version: int, name: str) -> str:
    return f"storefront:{kind}:{version}:{name_hash(name)}"


def customer_by_external_id(external_id: str, versions: PricingVersions) -> tuple[Customer | None, PricingVersions]:
    """The customer (None if unknown) and `versions` with their token for `cached_facts`; one round trip when warm."""
    token_key, key = customer_token_key(external_id), _key("customer", versions.inputs, external_id)
    found = cache.get_many([token_key, key])
    token = found.get(token_key) or customer_token_new(external_id)
    cached = found.get(key)
    if cached is not None and cached[0] == token:
        customer = cached[1]
    else:
        customer = Customer.objects.filter(external_id=external_id).first() or _ABSENT
        cache.set(key, (token, customer), COPY_SECONDS)
    return (None if customer == _ABSENT else customer), replace(versions, customer=token)


# The catalogue rows (products, categories, stores) this process read under the current global version, which
# every write to them moves (as it does the shared copies' keys). Most carts name products other carts named, so a
# warm request reads them without the cache's round trips. Absent names are kept too. They are dropped when the
# version moves, when they are as old as a shared copy may get (COPY_SECONDS), and a kind past PROCESS_COPIES_MAX
# names is dropped whole: the bound keeps a worker's memory flat on a large catalogue.
PROCESS_COPIES_MAX = 5_000
_process_copies: dict[str, dict[str, object]] = {}
_process_version: list[float] = [0, 0.0]  # the version they were read under, and when the first was read
clock = time.monotonic


def process_copies_forget() -> None:
    """Drop this process's copies (tests: a rolled-back transaction can bring a version number back on SQLite)."""
    _process_copies.clear()
    _process_version[:] = [0, 0.0]


def _process_copies_of(kind: str, version: int) -> dict[str, object]:
    now = clock()
    if _process_version[0] != version or now - _process_version[1] > COPY_SECONDS:
        _process_copies.clear()
        _process_version[:] = [version, now]
    copies = _process_copies.setdefault(kind, {})
    if len(copies) > PROCESS_COPIES_MAX:
        copies.clear()
    return copies


def _by_name(kind: str, names: set[str], versions: PricingVersions, load) -> dict:
    """Each name's row, from this process's copies, else the shared cache, else `load(missing names)`."""
    copies = _process_copies_of(kind, versions.inputs)
    rows, unread = {}, set()
    for name in names:
        row = copies.get(name)
        if row is None:
            unread.add(name)
        elif not isinstance(row, str):  # _ABSENT
            rows[name] = row
    if not unread:
        return rows
    keys = {_key(kind, versions.inputs, name): name for name in unread}
    found = cache.get_many(keys)
    missing = {keys[key] for key in keys.keys() - found.keys()}
    if missing:
        loaded = load(missing)
        fresh = {key: loaded.get(name, _ABSENT) for key, name in keys.items() if name in missing}
        cache.set_many(fresh, COPY_SECONDS)
        found.update(fresh)
    for key, row in found.items():
        copies[keys[key]] = row
        if not isinstance(row, str):
            rows[keys[key]] = row
    return rows


def products_by_sku(skus: set[str], versions: PricingVersions) -> dict[str, Product]:
    return _by_name(
        "product",
        skus,
        versions,
        lambda missing: {p.sku: p for p in Product.objects.select_related("category").filter(sku__in=missing)},
    )


def categories_by_code(codes: set[str], versions: PricingVersions) -> dict[str, Category]:
    return _by_name(
        "category", codes, versions, lambda missing: {c.code: c for c in Category.objects.filter(code__in=missing)}
    )


def store_by_code(code: str, versions: PricingVersions) -> Store | None:
    """The store (None if unknown): pricing checks it exists, placing an order records it."""
    return _by_name(
        "store_row", {code}, versions, lambda missing: {s.code: s for s in Store.objects.filter(code__in=missing)}
    ).get(code)


def cached_facts(customer: Customer, versions: PricingVersions, compute, providers: str) -> dict:
    """`compute(customer)`, cached per version, per customer token and per set of registered `providers`."""
    if not versions.customer:  # not read through `customer_by_external_id`: no token would invalidate a copy
        return compute(customer)
    key = _key("facts", versions.inputs, f"{customer.pk}:{versions.customer}:{providers}")
    facts = cache.get(key)
    if facts is None:
        facts = compute(customer)
        cache.set(key, facts, COPY_SECONDS)
    return facts


def customer_copies(versions: PricingVersions, facts: dict | None, providers: str) -> Callable[[Customer, str], dict]:
    """The copies of a customer an order of theirs leaves true, keyed by their next token: their row as the order
    left it and the facts pricing read (an order changes no segment or fact by itself; a write that does moves the
    token, and `audiences.pricing_inputs.customer_ordered` then writes nothing)."""

    def copies(customer: Customer, token: str) -> dict:
        entries = {_key("customer", versions.inputs, customer.external_id): (token, customer)}
        if facts is not None:
            entries[_key("facts", versions.inputs, f"{customer.pk}:{token}:{providers}")] = facts
        return entries

    return copies
