"""The nightly run: every customer's top products, replaced whole in one transaction (docs/intelligence.md)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audiences.models import CustomerRecommendation
from audiences.recommendations import fitting, selectors
from audiences.recommendations.co_purchase import CO_PURCHASE, POPULAR
from config.bulk_writes import copy_writes

# Dense scores of a batch of customers × the currency's products stay under ~32 MB of float64.
SCORES_PER_BATCH = 4_000_000

Progress = Callable[[int, str], None]  # (customers done so far, currency being done)

_COLUMNS = ("customer_id", "rank", "product_id", "score", "source", "computed_at")


@dataclass(frozen=True)
class RecommendationsRun:
    customers: int
    rows: int


@transaction.atomic
def recommendations_compute(*, now: datetime | None = None, progress: Progress | None = None) -> RecommendationsRun:
    """Replace every customer's recommendations, currency by currency. Safe to run twice: a second run replaces
    the first's rows; one started beside it waits for the first to commit, then replaces its rows."""
    now = now or timezone.now()
    count = settings.RECOMMENDATIONS_STORED
    if connection.vendor == "postgresql":  # SQLite has one writer at a time anyway
        with connection.cursor() as cursor:
            # Readers go on reading the last run's rows; a second run waits here, then replaces this one's.
            cursor.execute(f"LOCK TABLE {CustomerRecommendation._meta.db_table} IN EXCLUSIVE MODE")
    CustomerRecommendation.objects.all().delete()
    customers = rows = 0
    for currency in selectors.recommended_currencies():
        model = fitting.fitted(currency=currency)
        batch_size = max(500, SCORES_PER_BATCH // max(len(model.product_ids), 1))
        for customer_ids, store_ids in selectors.customer_batches(currency=currency, size=batch_size):
            products, scores, from_co_purchase = model.recommend(customer_ids, store_ids, count)
            written = _write(customer_ids, products, scores, from_co_purchase, now)
            customers += len(customer_ids)
            rows += written
            if progress:
                progress(customers, currency)
    return RecommendationsRun(customers=customers, rows=rows)


def _write(customer_ids, products, scores, from_co_purchase, now: datetime) -> int:
    """One batch's rows (a product id of 0 is no row); the rank is the place in the customer's row."""
    ranks = np.broadcast_to(np.arange(1, products.shape[1] + 1), products.shape)
    kept = products > 0
    columns = (
        np.broadcast_to(customer_ids[:, np.newaxis], products.shape)[kept].tolist(),
        ranks[kept].tolist(),
        products[kept].tolist(),
        np.where(from_co_purchase, scores, 0.0)[kept].tolist(),
        np.where(from_co_purchase[kept], CO_PURCHASE, POPULAR).tolist(),
    )
    if not copy_writes():
        CustomerRecommendation.objects.bulk_create(
            (
                CustomerRecommendation(customer_id=c, rank=r, product_id=p, score=s, source=k, computed_at=now)
                for c, r, p, s, k in zip(*columns, strict=True)
            ),
            batch_size=5000,
        )
        return len(columns[0])
    moment = now.isoformat()
    text = "".join(f"{c}\t{r}\t{p}\t{s!r}\t{k}\t{moment}\n" for c, r, p, s, k in zip(*columns, strict=True))
    table = CustomerRecommendation._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN") as copy,
    ):
        copy.write(text)
    return len(columns[0])
