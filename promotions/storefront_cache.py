"""What pricing reads about the customer and the catalogue on every storefront request, cached.

One query reads the two versions everything is keyed by: the promotion index's token and the
pricing-inputs version (audiences/pricing_inputs.py), which the writes that change a customer, their
segments, their facts or the catalogue bump. Copies live in Django's cache (Redis when CACHE_URL is
set, shared by every process); a copy under an old version is simply never read again.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection

from audiences.models import Category, Customer, Product
from audiences.pricing_inputs import version_sql
from promotions.models import IndexVersion

# Long enough to matter, short enough that versions no longer read leave the cache on their own.
CACHE_SECONDS = 600

# Cached for a name that matches nothing, so unknown SKUs and customers do not query every time.
_ABSENT = "absent"


@dataclass(frozen=True)
class PricingVersions:
    index: str
    inputs: int


def pricing_versions() -> PricingVersions:
    index = f"SELECT token FROM {IndexVersion._meta.db_table} WHERE id = 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({index}), ({version_sql()})")
        index, inputs = cursor.fetchone()
    return PricingVersions(index or "", inputs or 0)


def _key(kind: str, version: int, name: str) -> str:
    # Hashed: external ids and SKUs may hold characters a cache key must not.
    return f"storefront:{kind}:{version}:{hashlib.blake2b(name.encode(), digest_size=16).hexdigest()}"


def customer_by_external_id(external_id: str, versions: PricingVersions) -> Customer | None:
    key = _key("customer", versions.inputs, external_id)
    customer = cache.get(key)
    if customer is None:
        customer = Customer.objects.filter(external_id=external_id).first() or _ABSENT
        cache.set(key, customer, CACHE_SECONDS)
    return None if customer == _ABSENT else customer


def _by_name(kind: str, names: set[str], versions: PricingVersions, load) -> dict:
    keys = {_key(kind, versions.inputs, name): name for name in names}
    found = cache.get_many(keys)
    missing = {keys[key] for key in keys.keys() - found.keys()}
    if missing:
        loaded = load(missing)
        fresh = {key: loaded.get(name, _ABSENT) for key, name in keys.items() if name in missing}
        cache.set_many(fresh, CACHE_SECONDS)
        found.update(fresh)
    return {keys[key]: value for key, value in found.items() if not isinstance(value, str)}


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


def cached_facts(customer: Customer, versions: PricingVersions, compute, providers: str) -> dict:
    """`compute(customer)`, cached per version and per set of registered `providers`."""
    key = _key("facts", versions.inputs, f"{customer.pk}:{providers}")
    facts = cache.get(key)
    if facts is None:
        facts = compute(customer)
        cache.set(key, facts, CACHE_SECONDS)
    return facts
