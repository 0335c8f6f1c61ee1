"""Reads of recommendations: what is never recommended, what the model is fitted on (as arrays, in batches),
and what a customer is shown."""

from array import array
from datetime import datetime

import numpy as np
from django.db import connection
from django.db.models import Count, Q, QuerySet

from audiences.inventory import out_of_stock_at
from audiences.models import Customer, CustomerRecommendation, Order, OrderLine, Product
from config.array_reads import ArraySent, array_read

BATCH = 20_000


def products_unavailable() -> QuerySet[Product]:
    """Products the nightly run never recommends: out of stock everywhere (the catalog's flag follows the
    per-store levels: in stock somewhere)."""
    return Product.objects.filter(in_stock=False)


def unavailable_at_their_store() -> Q:
    """Over CustomerRecommendation: the product is out of stock where its customer shops (audiences.inventory's
    rule: the level at their home store, else the catalog's flag)."""
    return out_of_stock_at(product="product", store="customer__store")


def recommended_currencies() -> list[str]:
    return sorted(set(Product.objects.values_list("currency", flat=True).distinct()))


def catalogue_arrays(*, currency: str) -> dict[str, np.ndarray]:
    """The currency's products by id: their ids, SKUs, category ids (-1: none), consumable and unavailable flags."""
    rows = list(
        Product.objects.filter(currency=currency).order_by("id").values_list("id", "sku", "category_id", "consumable")
    )
    unavailable = set(products_unavailable().filter(currency=currency).values_list("id", flat=True))
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    return {
        "ids": ids,
        "skus": np.array([row[1] for row in rows], dtype=object),
        "category_ids": np.array([row[2] if row[2] is not None else -1 for row in rows], dtype=np.int64),
        "consumable": np.array([row[3] for row in rows], dtype=bool),
        "unavailable": np.isin(ids, np.fromiter(unavailable, dtype=np.int64, count=len(unavailable))),
    }


def _placed_lines(currency: str, before: datetime | None, since: datetime | None) -> QuerySet[OrderLine]:
    """Placed lines of the currency's products, by SKU: a line records the SKU sold, not always the product."""
    lines = OrderLine.objects.filter(
        order_status=Order.Status.PLACED,
        customer_id__isnull=False,
        sku__in=Product.objects.filter(currency=currency).values("sku"),
    )
    if before is not None:
        lines = lines.filter(placed_at__lt=before)
    if since is not None:
        lines = lines.filter(placed_at__gte=since)
    return lines


def purchase_arrays(
    *, currency: str, skus: dict[str, int], before: datetime | None = None, since: datetime | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(customer ids, item columns) of every placed line of the currency's products (in no particular order);
    `skus` gives each SKU's column. On PostgreSQL, each SKU's buyers cross as one array (config/array_reads.py)."""
    lines = _placed_lines(currency, before, since)
    if connection.vendor != "postgresql":
        return _purchase_arrays_by_row(lines, skus)
    customers, items = [], []
    for sku, sent in (
        lines.values("sku").annotate(buyers=ArraySent("customer_id")).values_list("sku", "buyers").order_by()
    ):
        buyers = array_read(sent)
        customers.append(buyers)
        items.append(np.full(len(buyers), skus[sku], dtype=np.int64))
    if not customers:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(customers), np.concatenate(items)


def _purchase_arrays_by_row(lines: QuerySet[OrderLine], skus: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    customers, items = array("q"), array("q")
    for customer_id, sku in lines.values_list("customer_id", "sku").order_by().iterator(chunk_size=BATCH):
        customers.append(customer_id)
        items.append(skus[sku])
    return np.frombuffer(customers, dtype=np.int64), np.frombuffer(items, dtype=np.int64)


def store_sales_arrays(
    *, currency: str, skus: dict[str, int], before: datetime | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(store ids, 0 for orders of no store; item columns; lines sold) per store and product: one grouped query."""
    rows = list(
        _placed_lines(currency, before, None)
        .values_list("order__store_id", "sku")
        .annotate(lines=Count("id"))
        .order_by()
    )
    return (
        np.array([row[0] or 0 for row in rows], dtype=np.int64),
        np.array([skus[row[1]] for row in rows], dtype=np.int64),
        np.array([row[2] for row in rows], dtype=np.int64),
    )


def customer_batches(*, currency: str, size: int = BATCH):
    """(customer ids, home store ids, 0 for none) of the currency's customers, by id, `size` at a time: those of
    the currency, and those with no currency yet whose home store is of it."""
    customers = Customer.objects.filter(
        Q(currency=currency) | Q(currency="", store__currency=currency), erased_at__isnull=True
    ).order_by("id")
    after = 0
    while True:
        batch = list(customers.filter(id__gt=after).values_list("id", "store_id")[:size])
        if not batch:
            return
        yield (
            np.array([row[0] for row in batch], dtype=np.int64),
            np.array([row[1] or 0 for row in batch], dtype=np.int64),
        )
        after = batch[-1][0]


def customer_recommendations(*, customer: Customer, limit: int = 10) -> list[CustomerRecommendation]:
    """The customer's recommendations, best first, less any product unavailable since they were computed."""
    return list(
        CustomerRecommendation.objects.filter(customer=customer)
        .exclude(unavailable_at_their_store())
        .select_related("product", "product__category")
        .order_by("rank")[:limit]
    )


def recommendations_by_customer(*, customer_ids: list[int], limit: int) -> dict[int, list[CustomerRecommendation]]:
    """Several customers' recommendations at once (for a batch of messages), best first, available only."""
    found: dict[int, list[CustomerRecommendation]] = {customer_id: [] for customer_id in customer_ids}
    rows = (
        CustomerRecommendation.objects.filter(customer_id__any_of=customer_ids)
        .exclude(unavailable_at_their_store())
        .select_related("product")
        .order_by("customer_id", "rank")
    )
    for row in rows:
        if len(found[row.customer_id]) < limit:
            found[row.customer_id].append(row)
    return found
