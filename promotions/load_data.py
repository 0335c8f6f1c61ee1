"""The data `manage.py loadtest` runs the storefront mix against, written only when absent.

Customers are seed_demo's (`--customers`); the catalogue and the active promotions are bench_pricing's
(`promotions/bench_data.py`: 100,000 SKUs in 5,000 categories, the retailer's mix of promotions), so a cart
meets as many promotions as in bench_pricing. The promotions' codes are named `LOAD<n>` (bench_pricing's
`BENCH<n>` may share the database) and have no usage limit.
"""

from django.core.management import call_command
from django.db import transaction

from audiences.models import Customer, Product
from promotions import bench_data
from promotions.management.commands.bench_pricing import bench_catalog_write, promotion_from
from promotions.models import Promotion, PromotionCode
from promotions.services.definitions import index_version_bump

CURRENCY = "BDT"  # bench_data's catalogue's; the shoppers are customers of that currency
NAME_PREFIX = "load "
SKU_PREFIX = "SKU-"
PLAN_CUSTOMERS = 20_000  # the shoppers draw from this many customers
PLAN_PRODUCTS = 5_000  # and their carts from this many products


def customers_ensure(*, customers: int, orders: int, out) -> None:
    """Seed the demo customers (and their orders) when there are none."""
    if existing := Customer.objects.count():
        out.write(f"data: {existing:,} customers present (seed_demo not run)")
        return
    out.write(f"data: seed_demo --customers {customers:,} --orders {orders:,} ...")
    call_command("seed_demo", customers=customers, orders=orders, no_progress=True, stdout=out)


def catalogue_ensure(*, skus: int, out) -> None:
    """bench_data's catalogue, when fewer of its products exist than asked for."""
    existing = Product.objects.filter(sku__startswith=SKU_PREFIX).count()
    if existing < skus:
        bench_catalog_write(skus)
        existing = Product.objects.filter(sku__startswith=SKU_PREFIX).count()
    out.write(f"data: {existing:,} catalogue products ({SKU_PREFIX}…)")


def promotions_ensure(*, count: int, out) -> None:
    """bench_data's `count` promotions, active, when none of them are."""
    existing = Promotion.objects.filter(name__startswith=NAME_PREFIX, status="active")
    if existing.exists():
        out.write(f"data: {existing.count():,} active promotions present ({NAME_PREFIX!r}…)")
        return
    definitions = [
        {**d, "name": NAME_PREFIX + d["name"], "code": d.get("code", "").replace("BENCH", "LOAD")}
        for d in bench_data.promotion_definitions(count)
    ]
    with transaction.atomic():
        created = Promotion.objects.bulk_create((promotion_from(d) for d in definitions), batch_size=2000)
        PromotionCode.objects.bulk_create(
            (PromotionCode(promotion=p, code=p.code) for p in created if p.code), batch_size=2000
        )
        index_version_bump()
    out.write(f"data: {len(created):,} active promotions created ({NAME_PREFIX!r}…)")


def plan(*, key: str) -> dict:
    """What the locust users draw from (loadtest/locustfile.py): the key, customers, products, codes."""
    customers = list(
        Customer.objects.filter(currency=CURRENCY).order_by("?").values_list("external_id", flat=True)[:PLAN_CUSTOMERS]
    )
    products = [
        {"sku": sku, "price": str(price), "category": category or ""}
        for sku, price, category in Product.objects.filter(sku__startswith=SKU_PREFIX, currency=CURRENCY)
        .order_by("?")
        .values_list("sku", "price", "category__code")[:PLAN_PRODUCTS]
    ]
    codes = sorted(
        Promotion.objects.filter(name__startswith=NAME_PREFIX, status="active")
        .exclude(code="")
        .values_list("code", flat=True)
    )
    return {"key": key, "currency": CURRENCY, "customers": customers, "products": products, "codes": codes}
