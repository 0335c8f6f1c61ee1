"""Reads of stock: whether products are in stock at a store, and the products a customer recently viewed
that are in stock at their store (the template variable `interested_in_stock`).

In stock at a store: the store's level is above 0; a store with no level falls back to the product's
`in_stock` (and a customer with no home store reads `in_stock`). A view is a `product_viewed` event whose
properties name the product's `sku`.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.json import KT
from django.utils import timezone

from audiences.currencies import quantize
from audiences.models import Customer, Event, Product, StockLevel
from audiences.segments.event_properties import properties_match

VIEWED_WITHIN_DAYS = 30  # the views that make an interest, and the viewers told when a product is back
INTERESTED_LIMIT = 5  # products per customer, the most recently viewed first


def in_stock_at(pairs: Iterable[tuple[int, int | None]]) -> dict[tuple[int, int | None], bool]:
    """{(product_id, store_id or None): in stock?} in two queries."""
    pairs = set(pairs)
    product_ids = {product_id for product_id, _ in pairs}
    store_ids = {store_id for _, store_id in pairs if store_id is not None}
    catalog = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "in_stock"))
    levels = {
        (product_id, store_id): quantity > 0
        for product_id, store_id, quantity in StockLevel.objects.filter(
            product_id__in=product_ids, store_id__in=store_ids
        ).values_list("product_id", "store_id", "quantity")
    }
    return {pair: levels.get(pair, catalog.get(pair[0], False)) for pair in pairs}


def out_of_stock_at(*, product: str, store: str) -> Q:
    """`in_stock_at`'s rule in SQL, negated, as a Q over a model with a path to a product and one to a store
    (for a recommendation, "product" and "customer__store"): the store's level says 0, or it has none and the
    catalog says out of stock."""
    level_there = StockLevel.objects.filter(product=OuterRef(product), store=OuterRef(store))
    catalog_out = Q(**{f"{product}__in_stock": False})
    return Q(Exists(level_there.filter(quantity=0))) | (catalog_out & ~Q(Exists(level_there)))


def viewers_of(*, sku: str, since: datetime, store_id: int) -> Q:
    """The views of a product since a moment by customers of a store (or of none), as a Q over Event."""
    return (
        Q(type="product_viewed", occurred_at__gte=since)
        & properties_match({"sku": sku})
        & (Q(customer__store_id=store_id) | Q(customer__store__isnull=True))
    )


def interested_in_stock(customers: list[Customer], *, now: datetime | None = None) -> dict[int, list[dict]]:
    """Per customer: the products viewed in the last VIEWED_WITHIN_DAYS days that are in stock at their store,
    the most recently viewed first, at most INTERESTED_LIMIT; each as templates read a product."""
    since = (now or timezone.now()) - timedelta(days=VIEWED_WITHIN_DAYS)
    store_of = {customer.pk: customer.store_id for customer in customers}
    views = (
        Event.objects.filter(customer_id__in=list(store_of), type="product_viewed", occurred_at__gte=since)
        .annotate(sku=KT("properties__sku"))
        .exclude(sku__isnull=True)
        .order_by("customer_id", "-occurred_at", "-pk")
        .values_list("customer_id", "sku")
    )
    viewed: dict[int, list[str]] = {customer_id: [] for customer_id in store_of}
    for customer_id, sku in views:
        if sku not in viewed[customer_id]:
            viewed[customer_id].append(sku)
    products = {
        row["sku"]: row
        for row in Product.objects.filter(sku__in={sku for skus in viewed.values() for sku in skus}).values(
            "pk", "sku", "name", "price", "currency", "brand"
        )
    }
    stocked = in_stock_at(
        (products[sku]["pk"], store_of[customer_id])
        for customer_id, skus in viewed.items()
        for sku in skus
        if sku in products
    )
    answer = {}
    for customer_id, skus in viewed.items():
        rows = [
            products[sku] for sku in skus if sku in products and stocked[(products[sku]["pk"], store_of[customer_id])]
        ]
        answer[customer_id] = [
            {
                "sku": row["sku"],
                "name": row["name"],
                "price": str(quantize(row["price"], row["currency"])),
                "currency": row["currency"],
                "brand": row["brand"],
            }
            for row in rows[:INTERESTED_LIMIT]
        ]
    return answer
